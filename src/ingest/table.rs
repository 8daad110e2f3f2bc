//! Reading one CSV table: header checks, field counts, UTF-8, size limits.
//!
//! Knows CSV, not RDF. Every problem goes to [`Diagnostics`] with `file:line:column`; rows
//! with structural problems are dropped so later checks do not pile up on them.

use crate::diagnostics::Diagnostics;
use std::collections::HashMap;
use std::path::Path;

/// The largest field we accept, in bytes.
pub const MAX_FIELD_BYTES: usize = 1024 * 1024;
/// The most data rows we accept in one table.
pub const MAX_ROWS: usize = 5_000_000;

/// A column a table may have.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Header name.
    pub name: &'static str,
    /// Whether the header must have it.
    pub required: bool,
}

/// Shorthand for a required column.
pub const fn required(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        required: true,
    }
}

/// Shorthand for an optional column.
pub const fn optional(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        required: false,
    }
}

/// One data row.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line where the record starts.
    pub line: u64,
    cells: Vec<String>,
}

/// A table whose header has been checked.
#[derive(Debug)]
pub struct Table {
    /// The file as shown in messages.
    pub file: String,
    columns: HashMap<&'static str, usize>,
    /// Data rows that have the right number of valid UTF-8 fields.
    pub rows: Vec<Row>,
}

impl Table {
    /// The trimmed cell of `column`, or `""` if the table lacks the (optional) column.
    pub fn cell<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.columns
            .get(column)
            .map_or("", |&i| row.cells[i].trim())
    }

    /// 1-based position of `column`, for messages.
    pub fn column(&self, column: &str) -> Option<usize> {
        self.columns.get(column).map(|i| i + 1)
    }
}

/// Reads `path` as a CSV table with the given columns, reporting problems to `diags`.
/// Returns `None` when the file cannot be read or its header is unusable.
pub fn read(
    path: &Path,
    file: &str,
    specs: &[ColumnSpec],
    diags: &mut Diagnostics,
) -> Option<Table> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if path.is_dir() => {
            diags.push(
                file,
                1,
                None,
                format!("is a directory, expected a CSV file ({e})"),
            );
            return None;
        }
        Err(e) => {
            diags.push(file, 1, None, format!("cannot read the file: {e}"));
            return None;
        }
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        diags.push(
            file,
            1,
            None,
            "the file is UTF-16; save it as UTF-8 (CSV UTF-8 in spreadsheet programs)",
        );
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let expected: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();

    let header = match records.next() {
        None => {
            diags.push(
                file,
                1,
                None,
                format!(
                    "the file is empty; expected a header row: {}",
                    expected.join(",")
                ),
            );
            return None;
        }
        Some(Err(e)) => {
            diags.push(file, 1, None, format!("cannot parse the header: {e}"));
            return None;
        }
        Some(Ok(h)) => h,
    };
    let mut columns = HashMap::new();
    let mut header_ok = true;
    for (i, raw) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw) else {
            diags.push(
                file,
                1,
                Some(i + 1),
                "invalid UTF-8 in the header; save the file as UTF-8",
            );
            header_ok = false;
            continue;
        };
        let name = name.trim();
        match specs.iter().find(|s| s.name == name) {
            None => {
                diags.push(
                    file,
                    1,
                    Some(i + 1),
                    match crate::diagnostics::hint(name, expected.iter().copied()) {
                        h if h.is_empty() => format!(
                            "unknown column `{name}`; the columns are: {}",
                            expected.join(", ")
                        ),
                        h => format!("unknown column `{name}`{h}"),
                    },
                );
                header_ok = false;
            }
            Some(spec) => {
                if columns.insert(spec.name, i).is_some() {
                    diags.push(file, 1, Some(i + 1), format!("duplicate column `{name}`"));
                    header_ok = false;
                }
            }
        }
    }
    for spec in specs.iter().filter(|s| s.required) {
        if !columns.contains_key(spec.name) {
            diags.push(
                file,
                1,
                None,
                format!("missing required column `{}`", spec.name),
            );
            header_ok = false;
        }
    }
    if !header_ok {
        return None;
    }

    let width = header.len();
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                diags.push(file, line, None, format!("cannot parse CSV: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != width {
            diags.push(
                file,
                line,
                Some(record.len().min(width) + 1),
                format!(
                    "this row has {} fields but the header has {width}; check for a missing or extra comma, or quote the cell that contains a comma",
                    record.len()
                ),
            );
            continue;
        }
        if rows.len() == MAX_ROWS {
            diags.push(
                file,
                line,
                None,
                format!("more than {MAX_ROWS} rows; split the table"),
            );
            break;
        }
        let mut cells = Vec::with_capacity(width);
        let mut ok = true;
        for (i, raw) in record.iter().enumerate() {
            if raw.len() > MAX_FIELD_BYTES {
                diags.push(
                    file,
                    line,
                    Some(i + 1),
                    format!(
                        "field is {} bytes, over the limit of {MAX_FIELD_BYTES}",
                        raw.len()
                    ),
                );
                ok = false;
                continue;
            }
            match std::str::from_utf8(raw) {
                Err(e) => {
                    diags.push(
                        file,
                        line,
                        Some(i + 1),
                        format!(
                            "invalid UTF-8 after byte {}; save the file as UTF-8",
                            e.valid_up_to()
                        ),
                    );
                    ok = false;
                }
                Ok(text) if text.contains('\0') => {
                    diags.push(file, line, Some(i + 1), "contains a NUL byte");
                    ok = false;
                }
                Ok(text) => cells.push(text.to_owned()),
            }
        }
        if ok {
            rows.push(Row { line, cells });
        }
    }
    Some(Table {
        file: file.to_owned(),
        columns,
        rows,
    })
}
