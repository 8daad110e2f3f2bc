//! Integration tests: the real `histkg` binary on real files in temporary directories.
//!
//! Golden files live beside their inputs; `UPDATE_GOLDEN=1 cargo test --release` rewrites
//! them (review the diff before committing).

mod common;

use common::{fails, mini, ok, root};
use std::fs;
use std::path::{Path, PathBuf};

/// Compares `actual` with the golden file, or rewrites it when UPDATE_GOLDEN is set.
fn golden(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read golden file {}: {e}; run with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the output:\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// What a store holds: its published generation and its sorted N-Triples export.
fn snapshot(cwd: &Path, store: &str) -> (String, String, Vec<String>) {
    let current = fs::read_to_string(cwd.join(store).join("CURRENT")).unwrap();
    let dump = ok(cwd, &["export", "--store", store, "--format", "ntriples"]);
    let mut dirs: Vec<String> = fs::read_dir(cwd.join(store))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    (current, dump, dirs)
}

#[test]
fn build_prints_a_summary_of_what_the_store_holds() {
    let dir = mini();
    let out = ok(dir.path(), &["build"]);
    assert!(out.contains("built store/gen-000001 from data"), "{out}");
    assert!(
        out.contains("     9 actors     Person 5, Institution 3, Polity 1"),
        "{out}"
    );
    assert!(
        out.contains("     3 events     Interrogation 1, Mediation 1, Report 1"),
        "{out}"
    );
    assert!(out.contains("     5 sources"), "{out}");
    assert!(
        out.contains("     4 assertions certain 3, disputed 1"),
        "{out}"
    );
}

#[test]
fn check_validates_without_writing() {
    let dir = mini();
    let out = ok(dir.path(), &["check"]);
    assert!(out.contains("rows valid, nothing written"), "{out}");
    assert!(!dir.path().join("store").exists());
}

#[test]
fn exports_match_their_golden_files() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    for (format, ext) in [
        ("turtle", "ttl"),
        ("ntriples", "nt"),
        ("nquads", "nq"),
        ("trig", "trig"),
        ("rdfxml", "rdf"),
        ("jsonld", "jsonld"),
    ] {
        let out = ok(dir.path(), &["export", "--format", format]);
        golden(&root().join(format!("tests/golden/mini.{ext}")), &out);
    }
}

#[test]
fn export_is_byte_identical_across_builds() {
    let dir = mini();
    ok(dir.path(), &["build", "--store", "a"]);
    ok(dir.path(), &["build", "--store", "b"]);
    ok(dir.path(), &["build", "--store", "b"]);
    for format in ["turtle", "jsonld", "rdfxml", "ntriples"] {
        let a = ok(dir.path(), &["export", "--store", "a", "--format", format]);
        let b = ok(
            dir.path(),
            &["export", "--store", "b", "--format", format, "-o", "b.out"],
        );
        assert!(b.is_empty());
        assert_eq!(
            a,
            fs::read_to_string(dir.path().join("b.out")).unwrap(),
            "{format} export differs between builds"
        );
    }
}

#[test]
fn every_export_parses_back_to_the_same_graph() {
    use oxigraph::io::{RdfFormat, RdfParser};
    let dir = mini();
    ok(dir.path(), &["build"]);
    let parse = |text: &str, format: RdfFormat| -> Vec<String> {
        let mut lines: Vec<String> = RdfParser::from_format(format)
            .for_slice(text.as_bytes())
            .map(|q| oxigraph::model::Triple::from(q.unwrap()).to_string())
            .collect();
        lines.sort();
        lines.dedup();
        lines
    };
    let reference = parse(
        &ok(dir.path(), &["export", "--format", "ntriples"]),
        RdfFormat::NTriples,
    );
    assert!(reference.len() > 300, "{}", reference.len());
    for (name, format) in [
        ("turtle", RdfFormat::Turtle),
        ("nquads", RdfFormat::NQuads),
        ("trig", RdfFormat::TriG),
        ("rdfxml", RdfFormat::RdfXml),
        (
            "jsonld",
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
        ),
    ] {
        let graph = parse(&ok(dir.path(), &["export", "--format", name]), format);
        assert_eq!(
            graph, reference,
            "{name} export does not parse back to the same graph"
        );
    }
}

#[test]
fn turtle_export_is_pretty() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let ttl = ok(dir.path(), &["export", "--format", "turtle"]);
    assert!(
        ttl.starts_with("@prefix actor: <https://example.org/histkg/actor/> .\n"),
        "{ttl}"
    );
    assert!(
        ttl.contains("\nactor:darma-bala\n    a hkg:Actor , hkg:Person ;\n"),
        "{ttl}"
    );
    assert!(
        !ttl.contains("@prefix rico:") || ttl.contains("rico:"),
        "only used prefixes are declared"
    );
}

#[test]
fn bad_input_is_refused_with_its_golden_message_and_the_store_untouched() {
    let cases = root().join("tests/fixtures/bad");
    let mut names: Vec<PathBuf> = fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(names.len() >= 20, "expected at least 20 bad-input cases");
    for case in names {
        let dir = mini();
        ok(dir.path(), &["build"]);
        let before = snapshot(dir.path(), "store");
        let data = dir.path().join("data");
        for entry in fs::read_dir(&case).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            match name.as_str() {
                "README" | "expected.txt" => {}
                "DELETE" => {
                    for f in fs::read_to_string(entry.path()).unwrap().lines() {
                        fs::remove_file(data.join(f)).unwrap();
                    }
                }
                _ => {
                    fs::copy(entry.path(), data.join(&name)).unwrap();
                }
            }
        }
        let stderr = fails(dir.path(), &["build"]);
        golden(&case.join("expected.txt"), &stderr);
        assert!(
            stderr.lines().any(|l| l.starts_with("data/")),
            "{}: no file:line in\n{stderr}",
            case.display()
        );
        assert_eq!(
            snapshot(dir.path(), "store"),
            before,
            "{}: the store changed",
            case.display()
        );
        assert_eq!(
            fails(dir.path(), &["check"]),
            stderr,
            "{}: check and build disagree",
            case.display()
        );
    }
}

#[test]
fn a_second_build_fails_fast_while_one_is_running() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let before = snapshot(dir.path(), "store");
    let lock = fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("store/build.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let stderr = fails(dir.path(), &["build"]);
    assert!(
        stderr.contains("another `histkg build` is writing to store"),
        "{stderr}"
    );
    drop(lock);
    assert_eq!(snapshot(dir.path(), "store"), before);
}

#[test]
fn leftovers_of_a_crashed_build_are_removed_and_the_old_generation_stays_usable() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    // A build killed before publishing leaves a half-written generation behind.
    fs::create_dir_all(dir.path().join("store/gen-000002/garbage")).unwrap();
    let (current, dump, _) = snapshot(dir.path(), "store");
    assert_eq!(current.trim(), "gen-000001");
    assert!(!dump.is_empty());
    ok(dir.path(), &["build"]);
    let (current, again, dirs) = snapshot(dir.path(), "store");
    assert_eq!(current.trim(), "gen-000003");
    assert_eq!(again, dump);
    assert_eq!(dirs, ["CURRENT", "build.lock", "gen-000001", "gen-000003"]);
    ok(dir.path(), &["build"]);
    let (_, _, dirs) = snapshot(dir.path(), "store");
    assert_eq!(dirs, ["CURRENT", "build.lock", "gen-000003", "gen-000004"]);
}

#[test]
fn query_without_a_store_says_to_build_first() {
    let dir = mini();
    let stderr = fails(dir.path(), &["query", "-e", "ASK {}"]);
    assert!(
        stderr.contains("no graph in store: run `histkg build` first"),
        "{stderr}"
    );
}

#[test]
fn query_syntax_errors_give_line_and_column() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let stderr = fails(dir.path(), &["query", "-e", "SELECT ?x\nWHERE { ?x a }"]);
    assert!(
        stderr.starts_with("error: syntax error in the query: error at 2:"),
        "{stderr}"
    );
}

#[test]
fn query_results_come_in_every_format() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let q = "SELECT ?name WHERE { actor:darma-bala rdfs:label ?name } ORDER BY ?name";
    let table = ok(dir.path(), &["query", "-e", q]);
    assert!(
        table.contains("Darma-Bala@en")
            && table.contains("Дарма-Бала@ru")
            && table.contains("2 rows"),
        "{table}"
    );
    let csv = ok(dir.path(), &["query", "-e", q, "--format", "csv"]);
    assert_eq!(csv, "name\r\nDarma-Bala\r\nДарма-Бала\r\n");
    let tsv = ok(dir.path(), &["query", "-e", q, "--format", "tsv"]);
    assert_eq!(tsv, "?name\n\"Darma-Bala\"@en\n\"Дарма-Бала\"@ru\n");
    let json = ok(dir.path(), &["query", "-e", q, "--format", "json"]);
    assert!(
        json.starts_with("{\"head\":{\"vars\":[\"name\"]}"),
        "{json}"
    );
    let xml = ok(dir.path(), &["query", "-e", q, "--format", "xml"]);
    assert!(
        xml.contains("<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">"),
        "{xml}"
    );
    let ask = ok(
        dir.path(),
        &[
            "query",
            "-e",
            "ASK { actor:darma-bala hkg:spouseOf actor:ayuka }",
            "--format",
            "json",
        ],
    );
    assert!(ask.contains("\"boolean\":true"), "{ask}");
    let construct = ok(
        dir.path(),
        &[
            "query",
            "-e",
            "CONSTRUCT { ?s hkg:spouseOf ?o } WHERE { ?s hkg:spouseOf ?o }",
        ],
    );
    assert_eq!(
        construct,
        "@prefix actor: <https://example.org/histkg/actor/> .\n@prefix hkg: <https://example.org/histkg/ontology#> .\n\nactor:darma-bala\n    hkg:spouseOf actor:ayuka .\n"
    );
}

#[test]
fn disputed_assertions_have_no_plain_triple() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let plain = ok(
        dir.path(),
        &[
            "query",
            "-e",
            "ASK { actor:darma-bala hkg:relativeOf actor:galdan-tseren }",
        ],
    );
    assert_eq!(plain.trim(), "false");
    let reified = ok(
        dir.path(),
        &[
            "query",
            "-e",
            "ASK { ?a rdf:subject actor:darma-bala ; rdf:predicate hkg:relativeOf ; hkg:certainty hkg:disputed ; prov:wasDerivedFrom source:mitirov-1998 }",
        ],
    );
    assert_eq!(reified.trim(), "true");
}

#[test]
fn julian_dates_get_gregorian_bounds() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let out = ok(
        dir.path(),
        &[
            "query",
            "-e",
            "SELECT ?d ?lo ?hi ?cal WHERE { event:interrogation-donryung-1741 hkg:date ?d ; hkg:notBefore ?lo ; hkg:notAfter ?hi ; hkg:calendar ?cal }",
            "--format",
            "tsv",
        ],
    );
    assert_eq!(
        out,
        "?d\t?lo\t?hi\t?cal\n\"1741-08-26\"^^<http://id.loc.gov/datatypes/edtf/EDTF>\t\"1741-09-06\"^^<http://www.w3.org/2001/XMLSchema#date>\t\"1741-09-06\"^^<http://www.w3.org/2001/XMLSchema#date>\t<https://example.org/histkg/ontology#julian>\n"
    );
}

#[test]
fn show_prints_an_entity_card() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let card = ok(dir.path(), &["show", "darma-bala"]);
    golden(&root().join("tests/golden/show-darma-bala.txt"), &card);
    let card = ok(dir.path(), &["show", "event:report-donryung-1741"]);
    golden(
        &root().join("tests/golden/show-report-donryung-1741.txt"),
        &card,
    );
    let stderr = fails(dir.path(), &["show", "darma-bal"]);
    assert!(stderr.contains("no entity `darma-bal`"), "{stderr}");
}

#[test]
fn curated_query_names_are_suggested() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    fs::create_dir_all(dir.path().join("queries")).unwrap();
    fs::write(
        dir.path().join("queries/names.rq"),
        "SELECT * WHERE { ?s rdfs:label ?o } LIMIT 1",
    )
    .unwrap();
    let stderr = fails(dir.path(), &["query", "nmes"]);
    assert!(
        stderr.contains("no curated query `nmes`") && stderr.contains("did you mean `names`?"),
        "{stderr}"
    );
    ok(dir.path(), &["query", "names"]);
}

#[test]
fn publish_writes_a_deterministic_static_site() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let out = ok(
        dir.path(),
        &[
            "publish",
            "--out",
            "site",
            "--base-url",
            "https://example.org/site",
        ],
    );
    assert!(
        out.starts_with("wrote ") && out.contains("entities to site"),
        "{out}"
    );
    let site = dir.path().join("site");
    for f in [
        "index.html",
        "void.ttl",
        "nginx.conf",
        "graph.ttl",
        "graph.nt",
        "graph.nq",
        "graph.trig",
        "graph.jsonld",
        "graph.rdf",
    ] {
        assert!(site.join(f).is_file(), "{f} missing");
    }
    for ext in ["html", "ttl", "jsonld", "nt", "rdf"] {
        assert!(
            site.join(format!("actor/darma-bala/index.{ext}")).is_file(),
            "index.{ext} missing"
        );
    }
    let page = fs::read_to_string(site.join("actor/darma-bala/index.html")).unwrap();
    assert!(page.contains("<h1>Darma-Bala</h1>"), "{page}");
    assert!(
        page.contains("href=\"..&#x2f;..&#x2f;actor&#x2f;ayuka&#x2f;\""),
        "links are relative directory links:\n{page}"
    );
    let void = fs::read_to_string(site.join("void.ttl")).unwrap();
    assert!(
        void.contains("void:dataDump <https://example.org/site/graph.jsonld>"),
        "{void}"
    );
    assert_eq!(
        fs::read_to_string(site.join("graph.ttl")).unwrap(),
        ok(dir.path(), &["export", "--format", "turtle"])
    );
    // The same data gives the same files, and publish replaces its own earlier output.
    ok(
        dir.path(),
        &[
            "publish",
            "--out",
            "again",
            "--base-url",
            "https://example.org/site",
        ],
    );
    ok(
        dir.path(),
        &[
            "publish",
            "--out",
            "site",
            "--base-url",
            "https://example.org/site",
        ],
    );
    let list = |root: &Path| {
        let mut files = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p)
                } else {
                    files.push((
                        p.strip_prefix(root).unwrap().to_path_buf(),
                        fs::read(&p).unwrap(),
                    ))
                }
            }
        }
        files.sort();
        files
    };
    assert!(
        list(&site) == list(&dir.path().join("again")),
        "two publications differ"
    );
    fs::create_dir_all(dir.path().join("mine")).unwrap();
    fs::write(dir.path().join("mine/notes.txt"), "my notes").unwrap();
    let stderr = fails(dir.path(), &["publish", "--out", "mine"]);
    assert!(
        stderr.contains("is not empty and was not written by `histkg publish`"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("mine/notes.txt")).unwrap(),
        "my notes"
    );
}
