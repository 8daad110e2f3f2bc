//! Reading one CSV table as a stream: header checks, field counts, UTF-8, size limits.
//!
//! Knows CSV, not RDF. A table is read row by row (one row in memory at a time), as many
//! times as `ingest` needs passes. Every problem goes to [`Diagnostics`] with
//! `file:line:column`; rows with structural problems are dropped so later checks do not pile
//! up on them.

use crate::diagnostics::Diagnostics;
use csv::{ByteRecord, StringRecord};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::SystemTime;

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

/// One data row: every field valid UTF-8 without NUL, as many fields as the header.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line where the record starts.
    pub line: u64,
    record: StringRecord,
}

/// What a file looked like when it was opened: a later pass refuses a file that changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
}

impl Fingerprint {
    /// The file's current length and modification time.
    pub fn of(path: &Path) -> std::io::Result<Self> {
        let meta = std::fs::metadata(path)?;
        Ok(Self {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// A table whose header has been checked.
#[derive(Debug)]
pub struct Table {
    /// The file as shown in messages.
    pub file: String,
    columns: HashMap<&'static str, usize>,
    width: usize,
    /// The file when it was opened.
    pub fingerprint: Fingerprint,
}

impl Table {
    /// The trimmed cell of `column`, or `""` if the table lacks the (optional) column.
    pub fn cell<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.columns
            .get(column)
            .map_or("", |&i| row.record.get(i).unwrap_or("").trim())
    }

    /// 1-based position of `column`, for messages.
    pub fn column(&self, column: &str) -> Option<usize> {
        self.columns.get(column).map(|i| i + 1)
    }
}

/// An open table, positioned after its header.
pub struct Reader {
    table: Table,
    csv: csv::Reader<BufReader<File>>,
}

/// Opens `path` as a CSV table with the given columns and checks its header, reporting
/// problems to `diags`. Returns `None` when the file cannot be read or its header is unusable.
pub fn open(
    path: &Path,
    file: &str,
    specs: &[ColumnSpec],
    diags: &mut Diagnostics,
) -> Option<Reader> {
    let opened = File::open(path).and_then(|f| {
        let fingerprint = Fingerprint::of(path)?;
        let mut input = BufReader::with_capacity(1 << 16, f);
        input.fill_buf()?;
        Ok((input, fingerprint))
    });
    let (mut input, fingerprint) = match opened {
        Ok(opened) => opened,
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
    let head = input.fill_buf().unwrap_or_default();
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        diags.push(
            file,
            1,
            None,
            "the file is UTF-16; save it as UTF-8 (CSV UTF-8 in spreadsheet programs)",
        );
        return None;
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    let expected: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);

    let mut header = ByteRecord::new();
    match csv.read_byte_record(&mut header) {
        Ok(false) => {
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
        Err(e) => {
            diags.push(file, 1, None, format!("cannot parse the header: {e}"));
            return None;
        }
        Ok(true) => {}
    }
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
    header_ok.then(|| Reader {
        table: Table {
            file: file.to_owned(),
            columns,
            width: header.len(),
            fingerprint,
        },
        csv,
    })
}

impl Reader {
    /// The table's header.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Calls `each` for every data row of the right shape, in file order, until it breaks.
    /// Rows with structural problems are skipped; the problems are reported to `diags` when
    /// given (the first pass), and silently skipped otherwise (they were reported already).
    /// Returns the table.
    pub fn for_each(
        mut self,
        mut diags: Option<&mut Diagnostics>,
        mut each: impl FnMut(&Table, &Row) -> ControlFlow<()>,
    ) -> Table {
        let file = self.table.file.clone();
        let width = self.table.width;
        let mut report = |line: u64, column: Option<usize>, message: String| {
            if let Some(diags) = diags.as_deref_mut() {
                diags.push(&file, line, column, message);
            }
        };
        let mut record = ByteRecord::new();
        let mut row = Row {
            line: 0,
            record: StringRecord::new(),
        };
        let mut rows = 0;
        loop {
            match self.csv.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    // With byte records and flexible widths, only reading can fail: stop.
                    let line = e.position().map_or(0, |p| p.line());
                    report(line, None, format!("cannot parse CSV: {e}"));
                    break;
                }
            }
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            if record.len() != width {
                report(
                    line,
                    Some(record.len().min(width) + 1),
                    format!(
                        "this row has {} fields but the header has {width}; check for a missing or extra comma, or quote the cell that contains a comma",
                        record.len()
                    ),
                );
                continue;
            }
            if rows == MAX_ROWS {
                report(
                    line,
                    None,
                    format!("more than {MAX_ROWS} rows; split the table"),
                );
                break;
            }
            // The common case is checked in bulk; a bad row is examined field by field.
            let fits = record.iter().all(|f| f.len() <= MAX_FIELD_BYTES);
            let has_nul = record.as_slice().contains(&0);
            let text = if fits && !has_nul {
                StringRecord::from_byte_record(std::mem::take(&mut record))
                    .map_err(|e| e.into_byte_record())
            } else {
                Err(std::mem::take(&mut record))
            };
            match text {
                Ok(text) => {
                    rows += 1;
                    row.line = line;
                    row.record = text;
                    let flow = each(&self.table, &row);
                    record = std::mem::take(&mut row.record).into_byte_record();
                    if flow.is_break() {
                        break;
                    }
                }
                Err(bytes) => {
                    for (i, raw) in bytes.iter().enumerate() {
                        if let Some(message) = field_problem(raw) {
                            report(line, Some(i + 1), message);
                        }
                    }
                    record = bytes;
                }
            }
        }
        self.table
    }
}

/// What is wrong with one field, if anything.
fn field_problem(raw: &[u8]) -> Option<String> {
    if raw.len() > MAX_FIELD_BYTES {
        return Some(format!(
            "field is {} bytes, over the limit of {MAX_FIELD_BYTES}",
            raw.len()
        ));
    }
    match std::str::from_utf8(raw) {
        Err(e) => Some(format!(
            "invalid UTF-8 after byte {}; save the file as UTF-8",
            e.valid_up_to()
        )),
        Ok(text) if text.contains('\0') => Some("contains a NUL byte".to_owned()),
        Ok(_) => None,
    }
}
