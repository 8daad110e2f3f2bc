//! `histkg export --format gexf`: golden files on the mini fixture (with and without
//! `--events`), byte-identical across builds, and on the shipped data the spells and flags
//! of open and undated relations and the assertions left out (those about places). The
//! GEXF 1.3 schema and networkx read the same files in `tests/interop/run.sh`.

use crate::common::{fails, golden, mini, ok, root};

/// The `<edge ...>` element whose id is `id`, up to its end tag.
fn edge<'a>(gexf: &'a str, id: &str) -> &'a str {
    let start = gexf
        .find(&format!("<edge id=\"{id}\""))
        .unwrap_or_else(|| panic!("no edge {id}"));
    let end = start + gexf[start..].find("</edge>").unwrap();
    &gexf[start..end]
}

#[test]
fn gexf_matches_its_golden_files() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let plain = ok(dir.path(), &["export", "--format", "gexf"]);
    golden(&root().join("tests/golden/mini.gexf"), &plain);
    let events = ok(dir.path(), &["export", "--format", "gexf", "--events"]);
    golden(&root().join("tests/golden/mini-events.gexf"), &events);
}

#[test]
fn gexf_is_byte_identical_across_builds_and_to_a_file() {
    let dir = mini();
    ok(dir.path(), &["build", "--store", "a"]);
    ok(dir.path(), &["build", "--store", "b"]);
    let a = ok(dir.path(), &["export", "--store", "a", "--format", "gexf"]);
    let written = ok(
        dir.path(),
        &["export", "--store", "b", "--format", "gexf", "-o", "b.gexf"],
    );
    assert!(written.is_empty());
    assert_eq!(
        a,
        std::fs::read_to_string(dir.path().join("b.gexf")).unwrap()
    );
}

#[test]
fn gexf_keeps_open_ends_open_and_flags_them() {
    let dir = crate::common::built_shipped();
    let gexf = ok(dir.path(), &["export", "--format", "gexf"]);
    // `1739/..`: a spell with a start and no end.
    let open = edge(&gexf, "assertion/ablai-subject-of-russian-empire-1739");
    assert!(open.contains("<spell start=\"1739-01-01\"/>"), "{open}");
    assert!(open.contains("for=\"bounds\" value=\"open-end\""), "{open}");
    assert!(open.contains("for=\"edtf\" value=\"1739/..\""), "{open}");
    // No date: no spell (there at all times), and said so.
    let undated = edge(&gexf, "assertion/ablai-member-of-kazakh-middle-zhuz");
    assert!(!undated.contains("<spell"), "{undated}");
    assert!(
        undated.contains("for=\"bounds\" value=\"undated\""),
        "{undated}"
    );
    // Julian `1741/1743`, read in both calendars: Gregorian bounds, calendar kept apart.
    let closed = edge(&gexf, "assertion/ablai-hostage-with-galdan-tseren");
    assert!(
        closed.contains("<spell start=\"1741-01-01\" end=\"1744-01-11\"/>"),
        "{closed}"
    );
}

#[test]
fn gexf_has_an_edge_for_every_assertion_between_actors_and_none_for_places() {
    let dir = crate::common::built_shipped();
    let count = |query: &str| -> usize {
        let out = ok(dir.path(), &["query", "--format", "tsv", "-e", query]);
        out.lines().nth(1).unwrap().parse().unwrap()
    };
    let between_actors = count(
        "SELECT (COUNT(?a) AS ?n) WHERE { ?a a hkg:Assertion ; rdf:subject ?s ; rdf:object ?o . ?s a hkg:Actor . ?o a hkg:Actor }",
    );
    let actors = count("SELECT (COUNT(?a) AS ?n) WHERE { ?a a hkg:Actor }");
    let about_places = count(
        "SELECT (COUNT(?a) AS ?n) WHERE { ?a a hkg:Assertion ; rdf:object ?o . ?o a hkg:Place }",
    );
    assert!(about_places > 0, "the shipped data has relations to places");
    let gexf = ok(dir.path(), &["export", "--format", "gexf"]);
    assert_eq!(gexf.matches("<edge ").count(), between_actors);
    assert_eq!(gexf.matches("<node ").count(), actors);
    assert!(!gexf.contains("target=\"place/"));
}

#[test]
fn events_are_only_for_gexf() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let stderr = fails(
        dir.path(),
        &["export", "--format", "turtle", "--events", "-o", "out.ttl"],
    );
    assert_eq!(
        stderr,
        "error: --events is for --format gexf (the other exports have no network to add them to)\n"
    );
    assert!(!dir.path().join("out.ttl").exists());
}
