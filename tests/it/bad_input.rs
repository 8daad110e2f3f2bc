//! The bad-input corpus: each directory of `tests/fixtures/bad/` holds a few tables copied
//! over `tests/fixtures/mini` (or files naming what to delete, replace by a directory or by a
//! symbolic link to itself), a README saying what is wrong, and `expected.txt`, the golden
//! message of the refused build. One test per case, named after its directory (`-` written
//! `_`): `cargo test --release --test it bad_input::unclosed_quote`. `UPDATE_GOLDEN=1`
//! rewrites the `expected.txt` of the cases it runs (review the diff before committing).

use crate::common::{fails, golden, mini, ok, root, snapshot};
use std::collections::BTreeSet;
use std::fs;

/// Builds the mini dataset, applies case `name` (a directory of `tests/fixtures/bad/`) to its
/// data, and checks that `build` refuses it with the case's golden message naming a file of
/// `data/`, leaves the store as it was, and that `check` says the same.
fn refused_case(name: &str) {
    let case = root().join("tests/fixtures/bad").join(name);
    let entries =
        fs::read_dir(&case).unwrap_or_else(|e| panic!("cannot read {}: {e}", case.display()));
    let dir = mini();
    ok(dir.path(), &["build"]);
    let before = snapshot(dir.path(), "store");
    let data = dir.path().join("data");
    // The fixture language: files to copy over the mini dataset, and files listing the
    // names to delete (DELETE), to replace by a directory (MKDIR), or to replace by a
    // symbolic link to itself (SYMLINK-LOOP), which no one can read, not even root.
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let listed = || fs::read_to_string(entry.path()).unwrap();
        match name.as_str() {
            "README" | "expected.txt" => {}
            "DELETE" => {
                for f in listed().lines() {
                    fs::remove_file(data.join(f)).unwrap();
                }
            }
            "MKDIR" => {
                for f in listed().lines() {
                    fs::remove_file(data.join(f)).unwrap();
                    fs::create_dir(data.join(f)).unwrap();
                }
            }
            "SYMLINK-LOOP" => {
                for f in listed().lines() {
                    fs::remove_file(data.join(f)).unwrap();
                    std::os::unix::fs::symlink(f, data.join(f)).unwrap();
                    assert!(fs::read(data.join(f)).is_err(), "{f} is still readable");
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

/// One `#[test]` per case directory, named after it with `-` written `_`, and [`CASES`], the
/// list of those names.
macro_rules! bad_cases {
    ($($name:ident),* $(,)?) => {
        /// The test names of the cases.
        const CASES: &[&str] = &[$(stringify!($name)),*];

        $(
            #[test]
            fn $name() {
                refused_case(&stringify!($name).replace('_', "-"));
            }
        )*
    };
}

bad_cases! {
    bad_label_language,
    bad_language_tag,
    bom_with_error,
    control_characters,
    coordinates_without_source,
    directory_instead_of_file,
    duplicate_column,
    duplicate_id,
    empty_column_name,
    empty_file,
    header_only,
    id_case_and_normalisation,
    impossible_dates,
    invalid_dates,
    invalid_utf8,
    inverted_range_unknown_calendar,
    missing_column,
    missing_file,
    missing_header,
    missing_labels,
    no_source,
    noncharacters,
    nul_byte,
    ontology_syntax_error,
    quote_closed_too_late,
    ragged_row,
    self_reference,
    self_reference_elsewhere,
    sources_only_separators,
    table_given_twice,
    unclosed_quote,
    unclosed_quote_in_last_cell,
    unknown_actor,
    unknown_actor_type,
    unknown_calendar,
    unknown_column,
    unknown_event,
    unknown_event_type,
    unknown_place,
    unknown_relation_type,
    unknown_role,
    unknown_source,
    unreadable_file,
    unsafe_id,
    unsafe_ids,
    utf16,
    utf16_without_bom,
    windows_1251,
    workbook_bad_cell,
    workbook_error_cell,
    workbook_named_csv,
    wrong_kind_reference,
}

/// A new case cannot be forgotten: every directory of `tests/fixtures/bad/` has its test in
/// [`bad_cases!`], and every test there has its directory.
#[test]
fn every_bad_case_directory_has_a_test() {
    let dirs: BTreeSet<String> = fs::read_dir(root().join("tests/fixtures/bad"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = CASES.iter().map(|n| n.replace('_', "-")).collect();
    let untested: Vec<&String> = dirs.difference(&listed).collect();
    let missing: Vec<&String> = listed.difference(&dirs).collect();
    assert!(
        untested.is_empty() && missing.is_empty(),
        "tests/fixtures/bad/ and the list in bad_cases! (tests/it/bad_input.rs) differ\n\
         directories without a test (add each to bad_cases!, `-` written `_`): {untested:?}\n\
         tests without a directory: {missing:?}"
    );
    assert!(dirs.len() >= 32, "expected at least 32 bad-input cases");
}

/// A build loads while its second pass checks the rows. A problem that pass finds in the last
/// row of the last table, once every other record has gone to the loader, refuses the build
/// with the message `check` gives and removes the store directory the build created for it; a
/// problem of the first pass stops the build before it creates one.
#[test]
fn a_refused_first_build_leaves_nothing_in_the_store() {
    let dir = mini();
    let participants = dir.path().join("data/participants.csv");
    let mut text = fs::read_to_string(&participants).unwrap();
    text.push_str("mediation-darma-bala,darma-bala,informer,\n");
    let last = text.lines().count();
    fs::write(&participants, text).unwrap();
    let stderr = fails(dir.path(), &["build"]);
    assert!(
        stderr.contains(&format!(
            "data/participants.csv:{last}:3: unknown role `informer`"
        )),
        "{stderr}"
    );
    assert_eq!(fails(dir.path(), &["check"]), stderr);
    assert!(!dir.path().join("store").exists(), "{stderr}");

    let dir = mini();
    let actors = dir.path().join("data/actors.csv");
    let mut text = fs::read_to_string(&actors).unwrap();
    text.push_str("one-field-short,Person\n");
    fs::write(&actors, text).unwrap();
    let stderr = fails(dir.path(), &["build"]);
    assert!(stderr.contains("this row has 2 fields"), "{stderr}");
    assert!(!dir.path().join("store").exists(), "{stderr}");
}
