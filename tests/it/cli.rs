//! Integration tests: the real `histkg` binary on real files in temporary directories.
//!
//! Golden files live beside their inputs; `UPDATE_GOLDEN=1 cargo test --release` rewrites
//! them (review the diff before committing).
#![allow(clippy::print_stdout, clippy::print_stderr)] // notes for the person running it

use crate::common::{self, fails, golden, mini, ok, root, snapshot, without_findings};
use std::fs;
use std::path::{Path, PathBuf};

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
    for (name, format) in common::export_formats().into_iter().skip(1) {
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

/// Builds the mini dataset, lets `change` alter its data, and checks that `build` refuses it
/// with exactly `expected` on stderr (exit 1) and leaves the store as it was. Returns how long
/// the refused build took.
fn refused(change: impl FnOnce(&Path), expected: &str) -> std::time::Duration {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let before = snapshot(dir.path(), "store");
    change(&dir.path().join("data"));
    let start = std::time::Instant::now();
    let stderr = fails(dir.path(), &["build"]);
    let took = start.elapsed();
    assert_eq!(stderr, expected);
    assert_eq!(snapshot(dir.path(), "store"), before, "the store changed");
    took
}

#[test]
fn a_cell_over_the_size_limit_is_refused() {
    use histkg::ingest::table::MAX_FIELD_BYTES;
    let took = refused(
        |data| {
            let path = data.join("relations.csv");
            let text = fs::read_to_string(&path).unwrap();
            let big = "x".repeat(MAX_FIELD_BYTES + 1);
            let text = text.replacen(",Fourth wife of Ayuka.\n", &format!(",{big}\n"), 1);
            fs::write(path, text).unwrap();
        },
        &format!(
            "data/relations.csv:2:11: this cell is {} bytes, over the limit of {MAX_FIELD_BYTES} bytes (1 MiB)\nerror: 1 problem in data; nothing was written\n",
            MAX_FIELD_BYTES + 1
        ),
    );
    eprintln!("refused a table with a cell over {MAX_FIELD_BYTES} bytes in {took:?}");
}

#[test]
fn a_table_over_the_row_limit_is_refused() {
    use histkg::ingest::table::MAX_ROWS;
    use std::io::Write;
    let took = refused(
        |data| {
            // Rows of the right shape; the table is refused whole before they are checked.
            let file = fs::File::create(data.join("participants.csv")).unwrap();
            let mut out = std::io::BufWriter::new(file);
            out.write_all(b"event,actor,role,note\n").unwrap();
            for _ in 0..=MAX_ROWS {
                out.write_all(b"e,a,r,\n").unwrap();
            }
            out.flush().unwrap();
        },
        &format!(
            "data/participants.csv:{}: more than {MAX_ROWS} rows; split the table\nerror: 1 problem in data; nothing was written\n",
            MAX_ROWS + 2
        ),
    );
    eprintln!("refused a table of {} rows in {took:?}", MAX_ROWS + 1);
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    // Spreadsheet programs save "CSV UTF-8" with a byte-order mark and CRLF line ends.
    let plain = mini();
    ok(plain.path(), &["build"]);
    let dir = mini();
    let path = dir.path().join("data/actors.csv");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    ok(dir.path(), &["build"]);
    assert_eq!(
        ok(dir.path(), &["export", "--format", "ntriples"]),
        ok(plain.path(), &["export", "--format", "ntriples"])
    );
}

#[test]
fn problems_are_reported_on_their_line_whatever_the_line_ends() {
    // LF, CRLF (Excel on Windows) and CR alone (old Mac), with and without a final line
    // break, after a cell over three lines and after blank lines.
    let dir = mini();
    let path = dir.path().join("data/relations.csv");
    let rows: Vec<String> = fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let typo = |row: &str| {
        row.replacen(",reportedTo,", ",relatveOf,", 1)
            .replacen(",cousinOf,", ",relatveOf,", 1)
    };
    for eol in ["\n", "\r\n", "\r"] {
        for last in ["", eol] {
            let text = [
                rows[0].clone(),
                rows[1].replacen(
                    "Fourth wife of Ayuka.",
                    &format!("\"Fourth{eol}wife{eol}of Ayuka.\""),
                    1,
                ),
                String::new(),
                "  ".to_owned(),
                typo(&rows[2]),
                rows[3].clone(),
                typo(&rows[4]),
            ]
            .join(eol);
            fs::write(&path, format!("{text}{last}")).unwrap();
            let stderr = fails(dir.path(), &["check"]);
            let at: Vec<&str> = stderr
                .lines()
                .filter(|l| l.contains("relatveOf"))
                .map(|l| l.split(": ").next().unwrap())
                .collect();
            assert_eq!(
                at,
                ["data/relations.csv:7:3", "data/relations.csv:9:3"],
                "line ends {eol:?}, final {last:?}:\n{stderr}"
            );
        }
    }
}

#[test]
fn a_header_only_table_is_valid_when_nothing_needs_its_rows() {
    let dir = mini();
    fs::write(
        dir.path().join("data/participants.csv"),
        "event,actor,role,note\n",
    )
    .unwrap();
    ok(dir.path(), &["build"]);
}

#[test]
fn awkward_characters_in_literals_survive_every_export_format() {
    use oxigraph::io::RdfParser;
    use oxigraph::model::{Term, Triple};
    // Quotes, backslashes (one at the very end), line breaks, tabs, the control characters a
    // cell may hold (DEL and the C1 controls; the C0 controls other than tab and line breaks
    // are refused, see the bad-input case `control-characters`), and what each syntax treats
    // specially. Cells are trimmed, so the ends are not spaces.
    let value = concat!(
        "He said \"no\" and \"\"\"left\"\"\" '''x''' \\ \\n \\\" \\u0041 C:\\dir\\\n",
        "line two\r\nCRLF\rCR\ttab\t\ttwo tabs\n\n\r\rblank lines",
        "\u{7f}\u{80}\u{85}\u{9f}\u{a0}\u{ad}\u{200b}\u{2028}\u{2029}\u{feff}\u{fffd}",
        " <b>&amp; ]]> {\"@value\": 1} @en ^^xsd:string \u{1f600} Аблай\\",
    );
    let quoted = format!("\"{}\"", value.replace('"', "\"\""));
    let dir = mini();
    let data = dir.path().join("data");
    let relations = fs::read_to_string(data.join("relations.csv")).unwrap();
    let relations = relations.replacen(",Fourth wife of Ayuka.\n", &format!(",{quoted}\n"), 1);
    fs::write(data.join("relations.csv"), relations).unwrap();
    let events = fs::read_to_string(data.join("events.csv")).unwrap();
    let events = events.replacen(
        ",The envoy was questioned at the Samara provincial chancellery.\n",
        &format!(",{quoted}\n"),
        1,
    );
    fs::write(data.join("events.csv"), events).unwrap();
    ok(dir.path(), &["build"]);
    let comments = |triples: Vec<Triple>| -> Vec<(String, String, Option<String>)> {
        let mut found: Vec<_> = triples
            .into_iter()
            .filter(|t| t.predicate.as_str() == "http://www.w3.org/2000/01/rdf-schema#comment")
            .filter_map(|t| match t.object {
                Term::Literal(l) if l.value().starts_with("He said") => Some((
                    t.subject.to_string(),
                    l.value().to_owned(),
                    l.language().map(str::to_owned),
                )),
                _ => None,
            })
            .collect();
        found.sort();
        found
    };
    let expected = vec![
        (
            "<https://example.org/histkg/assertion/darma-bala-spouse-ayuka>".to_owned(),
            value.to_owned(),
            Some("en".to_owned()),
        ),
        (
            "<https://example.org/histkg/event/interrogation-donryung-1741>".to_owned(),
            value.to_owned(),
            Some("en".to_owned()),
        ),
    ];
    for (name, format) in common::export_formats() {
        let text = ok(dir.path(), &["export", "--format", name]);
        let triples: Vec<Triple> = RdfParser::from_format(format)
            .for_slice(text.as_bytes())
            .map(|q| {
                Triple::from(q.unwrap_or_else(|e| panic!("{name} export does not parse: {e}")))
            })
            .collect();
        let found = comments(triples);
        assert!(
            found == expected,
            "{name}: the literals changed\n{found:#?}\nexpected\n{expected:#?}"
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
fn leftovers_are_removed_and_old_generations_stay_while_a_reader_holds_them() {
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
    // The replaced generation goes at once: no reader holds it (`snapshot`'s export, which
    // share-locks `gen-N.readers` while it reads, has exited).
    assert_eq!(
        dirs,
        ["CURRENT", "build.lock", "gen-000003", "gen-000003.readers"]
    );
    // A reader holding the published generation keeps it through the next build.
    let reader = fs::File::open(dir.path().join("store/gen-000003.readers")).unwrap();
    reader.lock_shared().unwrap();
    ok(dir.path(), &["build"]);
    let (_, _, dirs) = snapshot(dir.path(), "store");
    assert_eq!(
        dirs,
        [
            "CURRENT",
            "build.lock",
            "gen-000003",
            "gen-000003.readers",
            "gen-000004",
            "gen-000004.readers"
        ]
    );
    drop(reader);
    ok(dir.path(), &["build"]);
    let (_, _, dirs) = snapshot(dir.path(), "store");
    assert_eq!(
        dirs,
        ["CURRENT", "build.lock", "gen-000005", "gen-000005.readers"]
    );
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
fn publish_gzip_writes_each_dump_compressed_beside_it_byte_for_byte_the_same() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    ok(dir.path(), &["publish", "--out", "a", "--gzip"]);
    ok(dir.path(), &["publish", "--out", "b", "--gzip"]);
    for ext in ["ttl", "nt", "nq", "trig", "jsonld", "rdf"] {
        let dump = fs::read(dir.path().join(format!("a/graph.{ext}"))).unwrap();
        let gz = fs::read(dir.path().join(format!("a/graph.{ext}.gz"))).unwrap();
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, dump, "graph.{ext}.gz");
        assert!(
            gz.len() * 3 < dump.len(),
            "graph.{ext}.gz: {} of {}",
            gz.len(),
            dump.len()
        );
        let again = fs::read(dir.path().join(format!("b/graph.{ext}.gz"))).unwrap();
        assert!(
            gz == again,
            "graph.{ext}.gz differs between two publications"
        );
    }
    // Without --gzip, no .gz file.
    ok(dir.path(), &["publish", "--out", "c"]);
    assert!(!dir.path().join("c/graph.nt.gz").exists());
    let nginx = fs::read_to_string(dir.path().join("a/nginx.conf")).unwrap();
    assert!(nginx.contains("gzip_static on;"), "{nginx}");
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
        "shapes.ttl",
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
        void.contains("void:dataDump <https://example.org/site/graph.jsonld>")
            && void.contains("dcterms:conformsTo <https://example.org/site/shapes.ttl>"),
        "{void}"
    );
    // The six dumps, written in one pass over the store, are the exports of each format.
    for (file, format) in [
        ("graph.ttl", "turtle"),
        ("graph.nt", "ntriples"),
        ("graph.nq", "nquads"),
        ("graph.trig", "trig"),
        ("graph.jsonld", "jsonld"),
        ("graph.rdf", "rdfxml"),
    ] {
        assert_eq!(
            fs::read_to_string(site.join(file)).unwrap(),
            ok(dir.path(), &["export", "--format", format]),
            "{file}"
        );
    }
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

/// A small tmpfs mounted for one test, unmounted on drop. Mounting needs root (or
/// CAP_SYS_ADMIN): elsewhere the test is skipped with a note, except when
/// `HISTKG_REQUIRE_MOUNT` is set, as `.ci/run` does, where it fails instead.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Self> {
        fs::create_dir_all(dir).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|out| out.status.success());
        if mounted {
            return Some(Self(dir.to_path_buf()));
        }
        assert!(
            std::env::var_os("HISTKG_REQUIRE_MOUNT").is_none(),
            "cannot mount a tmpfs on {}: run the tests as root",
            dir.display()
        );
        eprintln!("skipped: mounting a tmpfs needs root");
        None
    }

    fn remount(&self, options: &str) {
        let out = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

/// The names in the store directory that are generations (`gen-N`, not `gen-N.readers`).
fn generation_dirs(store: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(store)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("gen-") && !n.contains('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn a_full_disk_refuses_the_build_and_leaves_the_published_graph() {
    let dir = mini();
    let Some(_disk) = Tmpfs::mount(&dir.path().join("disk"), "16m") else {
        return;
    };
    ok(dir.path(), &["build", "--store", "disk/store"]);
    let before = snapshot(dir.path(), "disk/store");
    // Fill the disk: write until the file system says it is full.
    {
        use std::io::Write;
        let mut filler = fs::File::create(dir.path().join("disk/filler")).unwrap();
        let block = vec![0u8; 64 * 1024];
        let full = loop {
            if let Err(e) = filler.write_all(&block) {
                break e;
            }
        };
        assert_eq!(full.kind(), std::io::ErrorKind::StorageFull, "{full}");
    }
    let stderr = without_findings(&fails(dir.path(), &["build", "--store", "disk/store"]));
    let (advice, cause) = stderr
        .split_once(" (cannot ")
        .unwrap_or_else(|| panic!("no cause in {stderr}"));
    let (start, end) = advice.split_once(", ").unwrap();
    assert_eq!(
        start,
        "error: not enough disk space for a new generation in disk/store: free some space (a build needs about as much as the published gen-000001"
    );
    assert!(
        end.ends_with(
            ") or build elsewhere with --store DIR; nothing was published, the previous graph is unchanged"
        ),
        "{stderr}"
    );
    assert!(cause.contains("No space left on device"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        snapshot(dir.path(), "disk/store"),
        before,
        "the store changed"
    );
    // Space freed, the next build publishes and leaves one generation (the failed build
    // removed its own, so its number is free again).
    fs::remove_file(dir.path().join("disk/filler")).unwrap();
    ok(dir.path(), &["build", "--store", "disk/store"]);
    assert_eq!(
        generation_dirs(&dir.path().join("disk/store")),
        ["gen-000002"]
    );
}

#[test]
fn a_read_only_store_refuses_the_build_and_still_answers_queries() {
    let dir = mini();
    let Some(disk) = Tmpfs::mount(&dir.path().join("disk"), "16m") else {
        return;
    };
    ok(dir.path(), &["build", "--store", "disk/store"]);
    disk.remount("ro");
    let before = snapshot(dir.path(), "disk/store");
    assert_eq!(
        without_findings(&fails(dir.path(), &["build", "--store", "disk/store"])),
        "error: disk/store is on a read-only file system: build into a writable directory with --store DIR (a published graph can be queried and served from read-only media); nothing was published, the previous graph is unchanged (cannot open the lock file disk/store/build.lock: Read-only file system (os error 30))\n"
    );
    assert_eq!(
        snapshot(dir.path(), "disk/store"),
        before,
        "the store changed"
    );
    let out = ok(
        dir.path(),
        &[
            "query",
            "--store",
            "disk/store",
            "--format",
            "csv",
            "-e",
            "SELECT ?l { <https://example.org/histkg/actor/darma-bala> <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = 'en') }",
        ],
    );
    assert_eq!(out, "l\r\nDarma-Bala\r\n");
    disk.remount("rw");
    ok(dir.path(), &["build", "--store", "disk/store"]);
    assert_eq!(
        generation_dirs(&dir.path().join("disk/store")),
        ["gen-000002"]
    );
}
