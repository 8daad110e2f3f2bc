//! `histkg export --format csl` and `--format bibtex`: golden files on the mini fixture,
//! byte-identical across builds, and on the shipped data one item per source with the
//! archival shelfmark, the parts' wholes and the split names. The CSL data schema,
//! citeproc-py and bibtexparser read the same files in `tests/interop/run.sh`.

use crate::common::{golden, mini, ok, root};

#[test]
fn citations_match_their_golden_files() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let csl = ok(dir.path(), &["export", "--format", "csl"]);
    golden(&root().join("tests/golden/mini.csl.json"), &csl);
    let bibtex = ok(dir.path(), &["export", "--format", "bibtex"]);
    golden(&root().join("tests/golden/mini.bib"), &bibtex);
}

#[test]
fn citations_are_byte_identical_across_builds() {
    let dir = mini();
    ok(dir.path(), &["build", "--store", "a"]);
    ok(dir.path(), &["build", "--store", "b"]);
    for format in ["csl", "bibtex"] {
        let a = ok(dir.path(), &["export", "--store", "a", "--format", format]);
        let b = ok(dir.path(), &["export", "--store", "b", "--format", format]);
        assert_eq!(a, b, "{format}");
    }
}

#[test]
fn every_shipped_source_is_cited_with_what_a_reference_manager_needs() {
    let dir = crate::common::built_shipped();
    let sources = std::fs::read_to_string(root().join("data/sources.csv")).unwrap();
    let rows = csv::Reader::from_reader(sources.as_bytes())
        .records()
        .count();
    let csl: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["export", "--format", "csl"])).unwrap();
    let items = csl.as_array().unwrap();
    assert_eq!(items.len(), rows);
    let item = |id: &str| {
        items
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("no item {id}"))
    };
    // An archival record: the archive's name and the shelfmark, fond and opis abbreviated.
    let record = item("avpri-f77-1744-15");
    assert_eq!(record["type"], "manuscript");
    assert_eq!(
        record["archive_location"],
        "ф. 77, оп. 77/1, д. 15, л. 1, 1 об."
    );
    assert_eq!(
        record["archive"],
        "Archive of Foreign Policy of the Russian Empire"
    );
    // A document printed in a collection names the collection.
    let part = item("vostlit-moca-124");
    assert_eq!(part["type"], "chapter");
    assert_eq!(
        part["container-title"],
        "Международные отношения в Центральной Азии (XVII–XVIII вв.)"
    );
    // Two authors, each split; the date in parts; the DOI.
    let article = item("dzhundzhuzov-lyubichankovskiy-2019");
    assert_eq!(
        article["author"],
        serde_json::json!([
            {"family": "Dzhundzhuzov", "given": "S. V."},
            {"family": "Lyubichankovskiy", "given": "S. V."}
        ])
    );
    assert_eq!(
        article["issued"],
        serde_json::json!({"date-parts": [[2019]]})
    );
    assert_eq!(article["DOI"], "10.22363/2312-8674-2019-18-3-494-524");
    let bibtex = ok(dir.path(), &["export", "--format", "bibtex"]);
    assert_eq!(bibtex.matches("\n@").count() + 1, rows);
    assert!(
        bibtex.contains(
            "@misc{avpri-f77-1744-15,\nlibrary = {Archive of Foreign Policy of the Russian Empire, ф. 77, оп. 77/1, д. 15, л. 1, 1 об.},"
        ),
        "{bibtex}"
    );
    assert!(
        bibtex.contains("author = {Dzhundzhuzov, S. V. and Lyubichankovskiy, S. V.},"),
        "{bibtex}"
    );
}

/// An App over the built mini fixture.
fn app() -> (tempfile::TempDir, histkg::serve::App) {
    let dir = crate::common::built_mini();
    let store = histkg::store::open(&dir.path().join("store")).unwrap();
    let options = histkg::serve::Options::default();
    let app = histkg::serve::App::new(store, &root().join("queries"), options).unwrap();
    (dir, app)
}

/// GET `uri` with `accept`: status, content type and body.
fn get(app: &histkg::serve::App, uri: &str, accept: &str) -> (u16, String, String) {
    use oxhttp::model::{Body, Method, Request};
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(uri)
        .header("accept", accept)
        .body(Body::empty())
        .unwrap();
    let r = app.handle(&mut request);
    let media = (r.headers().get("content-type"))
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        r.status().as_u16(),
        media,
        r.into_body().to_string().unwrap(),
    )
}

#[test]
fn a_source_page_answers_csl_json_and_bibtex_by_name_and_by_accept() {
    let (_dir, app) = app();
    let csl = "application/vnd.citationstyles.csl+json";
    let (status, media, body) = get(&app, "/source/dzhundzhuzov-2025", csl);
    assert_eq!((status, media.as_str()), (200, csl), "{body}");
    let items: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(items[0]["DOI"], "10.22363/2312-8674-2025-24-1-31-43");
    let (status, media, body) = get(&app, "/source/avpr-zyungor-1741-3?format=bibtex", "*/*");
    assert_eq!((status, media.as_str()), (200, "application/x-bibtex"));
    assert!(body.starts_with("@misc{avpr-zyungor-1741-3,\n"), "{body}");
    // The same bytes as the export's entry.
    let dir = crate::common::built_mini();
    let export = ok(dir.path(), &["export", "--format", "bibtex"]);
    assert!(export.contains(body.trim_end()), "{export}");
    // A browser still gets the page; an actor has no citation.
    let (status, media, _) = get(&app, "/source/dzhundzhuzov-2025", "text/html");
    assert_eq!((status, media.as_str()), (200, "text/html; charset=utf-8"));
    let (status, _, body) = get(&app, "/actor/darma-bala?format=csl", "*/*");
    assert_eq!(status, 406, "{body}");
    assert!(body.contains("only sources have citations"), "{body}");
}

#[test]
fn publish_writes_each_sources_citations_beside_its_page() {
    let dir = crate::common::built_mini();
    ok(dir.path(), &["publish", "--out", "site"]);
    let source = dir.path().join("site/source/dzhundzhuzov-2025");
    let csl = std::fs::read_to_string(source.join("index.csl.json")).unwrap();
    assert!(csl.contains("\"type\": \"article-journal\""), "{csl}");
    let bib = std::fs::read_to_string(source.join("index.bib")).unwrap();
    assert!(bib.starts_with("@article{dzhundzhuzov-2025,"), "{bib}");
    assert!(!dir.path().join("site/actor/darma-bala/index.bib").exists());
    let nginx = std::fs::read_to_string(dir.path().join("site/nginx.conf")).unwrap();
    assert!(nginx.contains("\"~*application/x-bibtex\""), "{nginx}");
}

#[test]
fn cite_prints_a_claims_sources_with_locators_in_a_style() {
    let dir = crate::common::built_mini();
    for style in ["chicago-author-date", "apa"] {
        let out = ok(
            dir.path(),
            &[
                "cite",
                "orenburg-commission-reported-to-collegium",
                "--style",
                style,
            ],
        );
        golden(&root().join(format!("tests/golden/cite-{style}.txt")), &out);
    }
    let stderr = crate::common::fails(dir.path(), &["cite", "darma-bala", "--style", "nope"]);
    assert!(stderr.starts_with("error: unknown citation style `nope`; the styles are: "));
    assert!(stderr.contains(" apa, "), "{stderr}");
}
