//! Tables as spreadsheet programs save them: `;`- and tab-separated CSV (what Excel and
//! LibreOffice write in Russian and most European locales) and the workbooks themselves
//! (`.xlsx` written by openpyxl, `.ods` by odfpy: `tests/fixtures/workbooks/make.py`) build
//! the same graph as the comma-separated tables. (Another encoding, a workbook under a
//! table's name, a bad cell or an error cell in a sheet and a table given twice are
//! bad-input cases: `windows-1251`, `workbook-named-csv`, `workbook-bad-cell`,
//! `workbook-error-cell`, `table-given-twice`.)

use crate::common::{mini, ok, root};
use std::fs;
use std::path::Path;

/// Rewrites every CSV table of `data` with `delimiter` between cells, quoting as needed.
fn resave(data: &Path, delimiter: u8) {
    for entry in fs::read_dir(data).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(&path)
            .unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_path(&path)
            .unwrap();
        for row in rows {
            writer.write_record(&row).unwrap();
        }
        writer.flush().unwrap();
    }
}

/// The N-Triples export of the mini dataset with its tables resaved with `delimiter`.
fn built_with(delimiter: Option<u8>) -> String {
    let dir = mini();
    if let Some(d) = delimiter {
        resave(&dir.path().join("data"), d);
        let actors = fs::read_to_string(dir.path().join("data/actors.csv")).unwrap();
        assert!(
            actors.starts_with(&format!("id{}type", d as char)),
            "{actors}"
        );
    }
    ok(dir.path(), &["build"]);
    ok(dir.path(), &["export", "--format", "ntriples"])
}

#[test]
fn semicolon_and_tab_separated_tables_build_the_same_graph() {
    let commas = built_with(None);
    assert_eq!(built_with(Some(b';')), commas, "semicolons");
    assert_eq!(built_with(Some(b'\t')), commas, "tabs");
}

#[test]
fn a_problem_in_a_semicolon_table_names_its_column() {
    let dir = mini();
    let data = dir.path().join("data");
    resave(&data, b';');
    let places = fs::read_to_string(data.join("places.csv")).unwrap();
    fs::write(
        data.join("places.csv"),
        places.replacen("samara;Settlement", "samara;Setlement", 1),
    )
    .unwrap();
    let stderr = crate::common::fails(dir.path(), &["build"]);
    assert!(
        stderr.starts_with("data/places.csv:2:2: unknown place type `Setlement`"),
        "{stderr}"
    );
    assert!(!dir.path().join("store").exists());
}

/// The N-Triples export of the mini dataset with the tables `tables` taken out of `data/`
/// and `workbook` (a file of `tests/fixtures/workbooks/`) put in as `name`.
fn built_from(workbook: &str, name: &str, tables: &[&str]) -> String {
    let dir = mini();
    let data = dir.path().join("data");
    for table in tables {
        fs::remove_file(data.join(format!("{table}.csv"))).unwrap();
    }
    fs::copy(
        root().join("tests/fixtures/workbooks").join(workbook),
        data.join(name),
    )
    .unwrap();
    ok(dir.path(), &["build"]);
    ok(dir.path(), &["export", "--format", "ntriples"])
}

const ALL: [&str; 6] = [
    "actors",
    "events",
    "participants",
    "places",
    "relations",
    "sources",
];

#[test]
fn xlsx_and_ods_workbooks_build_the_same_graph() {
    let csv = built_with(None);
    assert_eq!(built_from("mini.xlsx", "histkg.xlsx", &ALL), csv, "xlsx");
    assert_eq!(built_from("mini.ods", "histkg.ods", &ALL), csv, "ods");
}

#[test]
fn one_table_from_a_workbook_beside_csv_files() {
    // `places.ods` gives the places table (its sheet `places`) and no other: a workbook
    // named after a table gives that table alone.
    let csv = built_with(None);
    assert_eq!(built_from("mini.ods", "places.ods", &["places"]), csv);
}

#[test]
fn a_lock_file_is_no_table_and_a_table_given_twice_is_refused() {
    let dir = mini();
    let data = dir.path().join("data");
    for table in ALL {
        fs::remove_file(data.join(format!("{table}.csv"))).unwrap();
    }
    fs::copy(
        root().join("tests/fixtures/workbooks/mini.xlsx"),
        data.join("h.xlsx"),
    )
    .unwrap();
    // Spreadsheet programs leave a lock file beside an open workbook: it is not a table.
    fs::write(data.join("~$h.xlsx"), "locked").unwrap();
    ok(dir.path(), &["check"]);
    fs::write(
        data.join("actors.csv"),
        "id,type,label_en,sources\nx,Persn,X,moca-124\n",
    )
    .unwrap();
    let stderr = crate::common::fails(dir.path(), &["check"]);
    assert!(
        stderr.starts_with(
            "data/actors.csv:1: the table `actors` is given more than once: by data/actors.csv and by data/h.xlsx:actors!"
        ),
        "{stderr}"
    );
}
