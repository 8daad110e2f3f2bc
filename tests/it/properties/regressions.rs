//! Regressions: the smallest inputs of the failures these properties found.

use super::round_trip::{Expected, round_trip};
use super::{fixed_dataset, row};
use histkg::ingest;

/// Found by `every_export_parses_back_to_the_same_graph`: a label with a carriage return
/// (`a\r\nb`, as a cell edited on Windows can hold) was written raw into the RDF/XML export,
/// and XML parsers read it back as `a\nb` (XML 1.0 §2.11). It is now written `&#13;`.
#[test]
fn regression_rdfxml_export_keeps_carriage_returns() {
    let mut data = fixed_dataset();
    data.actors[0] = row(&[
        ("id", "a0"),
        ("type", "Person"),
        ("label_en", "a\r\nb"),
        ("label_ru", "\rА"),
        ("sources", "s0"),
    ]);
    let expected = Expected {
        labels: vec![
            ("a0".to_owned(), "a\r\nb".to_owned(), "en"),
            ("a0".to_owned(), "\rА".trim().to_owned(), "ru"),
        ],
    };
    round_trip(&data, &expected).unwrap();
}

/// A dataset whose first actor's English label is `label`, checked by the ingest: the
/// problem it must report is at `actors.csv:2:3`.
fn assert_label_refused(label: &str) {
    let mut data = fixed_dataset();
    data.actors[0].retain(|(c, _)| *c != "label_en");
    data.actors[0].push(("label_en", label.to_owned()));
    let dir = tempfile::tempdir().unwrap();
    data.write(dir.path());
    let Err(invalid) = ingest::check(dir.path()) else {
        panic!("{label:?} in actors.csv label_en was accepted");
    };
    let d = &invalid.0[0];
    assert_eq!(
        (d.location.line, d.location.column),
        (2, Some(3)),
        "{invalid}"
    );
    assert!(!d.message.contains(['\n', '\r']), "{invalid}");
}

/// Found by `every_export_parses_back_to_the_same_graph` with control characters among the
/// pieces of text: a cell holding a C0 control character (here `Darma\u{1}Bala`) passed the
/// ingest, and the RDF/XML export was then not well-formed XML (expat: "not well-formed
/// (invalid token)"); the other formats escape it. The ingest now refuses them.
#[test]
fn regression_ingest_refuses_control_characters() {
    for bad in ["Darma\u{1}Bala", "a\u{b}", "\u{c}b", "\u{1f}"] {
        assert_label_refused(bad);
    }
}

/// The same for the two other characters XML 1.0 cannot hold, U+FFFE and U+FFFF
/// (noncharacters; a UTF-16 byte-order mark read the wrong way round gives U+FFFE): they passed
/// the ingest and made the RDF/XML export ill-formed. The ingest now refuses them too.
#[test]
fn regression_ingest_refuses_noncharacters_xml_cannot_hold() {
    for bad in ["Bala\u{fffe}", "\u{ffff}"] {
        assert_label_refused(bad);
    }
}

/// Found by `ingest_answers_edited_tables`: a problem's message could hold a raw line break,
/// which split it over two lines of output: the value of an unknown certainty (`c\rertain`),
/// and the IRI parser's error text in "is not a valid URL (Invalid IRI code point '\r')".
/// Messages now escape control characters (`Diagnostics::push`), and the certainty is
/// shortened like other values.
#[test]
fn regression_problems_are_reported_on_one_line() {
    let mut data = fixed_dataset();
    data.relations[0].push(("certainty", "c\rertain".to_owned()));
    data.sources[0].push(("url", "h\rttps://example.org/".to_owned()));
    let dir = tempfile::tempdir().unwrap();
    data.write(dir.path());
    let Err(invalid) = ingest::check(dir.path()) else {
        panic!("accepted");
    };
    let shown = invalid.to_string();
    assert_eq!(shown.lines().count(), 3, "{shown}");
    assert!(shown.contains("unknown certainty `c\\rertain`"), "{shown}");
    assert!(shown.contains("(Invalid IRI code point '\\r')"), "{shown}");
}
