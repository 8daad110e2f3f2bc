//! Tables as spreadsheet programs save them: `;`- and tab-separated CSV (what Excel and
//! LibreOffice write in Russian and most European locales) build the same graph as the
//! comma-separated tables, each file's separator found from its header. (Another encoding
//! and a workbook under a table's name are bad-input cases: `windows-1251`,
//! `workbook-named-csv`.)

use crate::common::{mini, ok};
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
