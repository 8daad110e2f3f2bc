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
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("data");
    ok(
        dir.path(),
        &[
            "build",
            "--data",
            data.to_str().unwrap(),
            "--store",
            "store",
        ],
    );
    let sources = std::fs::read_to_string(data.join("sources.csv")).unwrap();
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
