//! Reading one CSV table as a stream: header checks, field counts, UTF-8, size limits.
//!
//! Knows CSV, not RDF. A table is read row by row (one row in memory at a time), as many
//! times as `ingest` needs passes. Every problem goes to [`Diagnostics`] with
//! `file:line:column`; rows with structural problems are dropped so later checks do not pile
//! up on them.

use super::raw::{self, Input};
use super::workbook::{Layout, Source};
use crate::diagnostics::{Diagnostics, shorten};
use csv::{ByteRecord, StringRecord};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
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

/// A CSV sheet whose header has been checked: where its columns are, and what reading it
/// found.
#[derive(Debug)]
pub struct Sheet {
    /// The file as shown in messages.
    pub file: String,
    columns: HashMap<&'static str, usize>,
    width: usize,
    /// The file when it was opened.
    pub fingerprint: Fingerprint,
    /// False when reading stopped before the end of the file (over [`MAX_ROWS`] rows, or a
    /// read error): the table is refused as a whole.
    pub complete: bool,
    /// Data records read, including refused ones (blank lines are not records).
    pub records: u64,
    /// Ids, with their lines, of the rows refused for a problem in another cell, found by the
    /// reporting pass: declared all the same, references to them are not reported as well.
    pub refused_ids: Vec<(Box<str>, u64)>,
}

impl Sheet {
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
    table: Sheet,
    csv: csv::Reader<Input>,
    path: PathBuf,
    /// Bytes before what the CSV reader sees (a UTF-8 byte-order mark).
    skipped: u64,
    /// The file's length, and whether its last line ends with a line break.
    len: u64,
    ends_with_newline: bool,
    /// Old Mac line ends: CR alone.
    cr_only: bool,
    /// The cell separator ([`delimiter`]).
    delimiter: u8,
    /// For a table read from a workbook, how its lines map to sheet rows.
    layout: Option<Layout>,
}

/// The cell separators a table may use: the comma, and the semicolon and tab that spreadsheet
/// programs write in locales whose decimal separator is a comma (Russian, most of Europe).
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The separator of a table whose first line is `header`: the one that splits it into the
/// most column names of `expected` (the comma when none does better).
fn delimiter(header: &[u8], expected: &[&str]) -> u8 {
    let line = header
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap_or_default();
    let names = |d: u8| {
        (line.split(|&b| b == d))
            .filter(|cell| {
                std::str::from_utf8(cell)
                    .is_ok_and(|c| expected.contains(&c.trim().trim_matches('"')))
            })
            .count()
    };
    DELIMITERS
        .into_iter()
        .fold((b',', 0), |best, d| {
            let n = names(d);
            if n > best.1 { (d, n) } else { best }
        })
        .0
}

/// A file opened for reading, its first bytes looked at.
struct Head {
    input: BufReader<File>,
    fingerprint: Fingerprint,
    /// Old Mac line ends: the header row ends with a CR that no LF follows.
    cr_only: bool,
    /// Bytes skipped before the CSV reader (a UTF-8 byte-order mark).
    skipped: u64,
}

/// Opens `path`, refusing a directory, an unreadable file and UTF-16, and skips a UTF-8
/// byte-order mark.
fn read_head(path: &Path, file: &str, diags: &mut Diagnostics) -> Option<Head> {
    let opened = File::open(path).and_then(|f| {
        let fingerprint = Fingerprint::of(path)?;
        let mut input = BufReader::with_capacity(1 << 16, f);
        input.fill_buf()?;
        Ok((input, fingerprint))
    });
    let (mut input, fingerprint) = match opened {
        Ok(opened) => opened,
        Err(_) if path.is_dir() => {
            diags.push(file, 1, None, "is a directory; expected a CSV file");
            return None;
        }
        Err(e) => {
            diags.push(file, 1, None, format!("cannot read the file: {e}"));
            return None;
        }
    };
    let head = input.fill_buf().unwrap_or_default();
    let cr_only = head
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .is_some_and(|i| head[i] == b'\r' && head.get(i + 1).is_some_and(|&b| b != b'\n'));
    // UTF-16 with a byte-order mark, or without one: an ASCII header character and a zero byte.
    let utf16 = head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
        || (head.len() >= 2 && (head[0] == 0) != (head[1] == 0));
    if utf16 {
        diags.push(
            file,
            1,
            None,
            "the file is UTF-16; save it as UTF-8 (CSV UTF-8 in spreadsheet programs)",
        );
        return None;
    }
    // A workbook saved under a table's name: an .xlsx or .ods file is a ZIP archive.
    if head.starts_with(b"PK\x03\x04") {
        diags.push(
            file,
            1,
            None,
            "is a spreadsheet workbook (an .xlsx or .ods file), not CSV text; save the sheet from the spreadsheet program as CSV UTF-8 under this name",
        );
        return None;
    }
    // Another encoding: bytes that are not UTF-8 and no character that is (a UTF-8 file
    // with one stray byte keeps its cell's own message, with its line and column).
    let whole = head.len() as u64 == fingerprint.len;
    if let Some(at) = raw::legacy_encoding(head, whole) {
        let (name, what) = raw::guess_encoding(head, whole);
        let line = 1 + head[..at].iter().filter(|&&b| b == b'\n').count() as u64;
        diags.push(
            file,
            line,
            None,
            format!(
                "not UTF-8: this line is the first with a character in another encoding, most likely {name} ({what}); save the file as CSV UTF-8 in the spreadsheet program, or convert it with `iconv -f {name} -t UTF-8 {file} > {file}.new` and put the new file in its place"
            ),
        );
        return None;
    }
    let mut skipped = 0;
    if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
        skipped = 3;
    }
    Some(Head {
        input,
        fingerprint,
        cr_only,
        skipped,
    })
}

/// Where each expected column is in `header` (read on `line`), reporting unknown, empty,
/// duplicate and missing columns; `None` if there was any.
fn columns(
    header: &ByteRecord,
    line: u64,
    file: &str,
    specs: &[ColumnSpec],
    padding: usize,
    diags: &mut Diagnostics,
) -> Option<HashMap<&'static str, usize>> {
    let expected: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let mut columns = HashMap::new();
    let mut ok = true;
    let mut refuse = |column: Option<usize>, message: String| {
        diags.push(file, line, column, message);
        ok = false;
    };
    for (i, raw) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw) else {
            refuse(
                Some(i + 1),
                "invalid UTF-8 in the header; save the file as UTF-8".to_owned(),
            );
            continue;
        };
        let name = name.trim();
        match specs.iter().find(|s| s.name == name) {
            // The empty columns before a sheet's first used column.
            None if name.is_empty() && i < padding => {}
            None if name.is_empty() => refuse(
                Some(i + 1),
                "empty column name; name the column or remove the extra comma".to_owned(),
            ),
            None => {
                let shown = shorten(name);
                refuse(
                    Some(i + 1),
                    match crate::diagnostics::hint(name, expected.iter().copied()) {
                        h if h.is_empty() => format!(
                            "unknown column `{shown}`; the columns are: {}",
                            expected.join(", ")
                        ),
                        h => format!("unknown column `{shown}`{h}"),
                    },
                );
            }
            Some(spec) => {
                if let Some(first) = columns.insert(spec.name, i) {
                    refuse(
                        Some(i + 1),
                        format!(
                            "duplicate column `{name}`: it is also column {}; keep one of them",
                            first + 1
                        ),
                    );
                    columns.insert(spec.name, first);
                }
            }
        }
    }
    for spec in specs.iter().filter(|s| s.required) {
        if !columns.contains_key(spec.name) {
            refuse(None, format!("missing required column `{}`", spec.name));
        }
    }
    ok.then_some(columns)
}

/// Opens `source` as a CSV table with the given columns and checks its header, reporting
/// problems to `diags`. Returns `None` when the file cannot be read or its header is unusable.
pub fn open(source: &Source, specs: &[ColumnSpec], diags: &mut Diagnostics) -> Option<Reader> {
    let (path, file, layout) = (source.path.as_path(), source.shown.as_str(), &source.layout);
    let Head {
        input,
        fingerprint,
        cr_only,
        skipped,
    } = read_head(path, file, diags)?;
    let ends_with_newline = raw::last_byte(path, fingerprint.len)
        .is_some_and(|b| b == b'\n' || (cr_only && b == b'\r'));
    let expected: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let delimiter = delimiter(input.buffer(), &expected);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(Input {
            inner: input,
            cr_only,
        });

    let mut header = ByteRecord::new();
    match csv.read_byte_record(&mut header) {
        Ok(false) => {
            let message = format!(
                "the file is empty; expected a header row: {}",
                expected.join(",")
            );
            diags.push(file, 1, None, message);
            return None;
        }
        Err(e) => {
            diags.push(file, 1, None, format!("cannot parse the header: {e}"));
            return None;
        }
        Ok(true) => {}
    }
    let at_file_end = skipped + csv.position().byte() == fingerprint.len && !ends_with_newline;
    let (header_line, _) = raw::start_line(&csv, &header, at_file_end);
    let header_line = layout.as_ref().map_or(header_line, |l| l.row(header_line));
    // A first line without a single column name is data: the header row is missing.
    let names_a_column =
        |raw: &[u8]| std::str::from_utf8(raw).is_ok_and(|name| expected.contains(&name.trim()));
    if !header.iter().any(names_a_column) && std::str::from_utf8(header.as_slice()).is_ok() {
        diags.push(
            file,
            header_line,
            None,
            format!(
                "the first line is not a header: none of its cells is a column name (it starts with `{}`); the first line must name the columns: {}",
                shorten(std::str::from_utf8(&header[0]).unwrap_or_default().trim()),
                expected.join(",")
            ),
        );
        return None;
    }
    let padding = layout.as_ref().map_or(0, |l| l.padding);
    let columns = columns(&header, header_line, file, specs, padding, diags)?;
    Some(Reader {
        table: Sheet {
            file: file.to_owned(),
            columns,
            width: header.len(),
            fingerprint,
            complete: true,
            records: 0,
            refused_ids: Vec::new(),
        },
        csv,
        path: path.to_owned(),
        skipped,
        len: fingerprint.len,
        ends_with_newline,
        cr_only,
        delimiter,
        layout: layout.clone(),
    })
}

impl Reader {
    /// The table's header.
    pub fn table(&self) -> &Sheet {
        &self.table
    }

    /// Calls `each` for every data row of the right shape, in file order, until it breaks.
    /// Rows with structural problems are skipped; the problems are reported to `diags` when
    /// given (the first pass), and silently skipped otherwise (they were reported already).
    /// Returns the table.
    pub fn for_each(
        mut self,
        mut diags: Option<&mut Diagnostics>,
        mut each: impl FnMut(&Sheet, &Row) -> ControlFlow<()>,
    ) -> Sheet {
        let file = self.table.file.clone();
        let reporting = diags.is_some();
        let layout = self.layout.clone();
        let sheet_row = move |line: u64| layout.as_ref().map_or(line, |l| l.row(line));
        let mut report = |line: u64, column: Option<usize>, message: String| {
            if let Some(diags) = diags.as_deref_mut() {
                diags.push(&file, sheet_row(line), column, message);
            }
        };
        let mut record = ByteRecord::new();
        let mut row = Row {
            line: 0,
            record: StringRecord::new(),
        };
        let mut rows = 0;
        // Where the last record starts (byte, line), and its wrong field count if it had one:
        // that is reported once the next record shows it was not swallowed by an open quote.
        let mut last = None;
        let mut ragged: Option<(u64, usize, String)> = None;
        let mut at_end = false;
        loop {
            let read = self.csv.read_byte_record(&mut record);
            if !matches!(read, Ok(false))
                && let Some((line, column, message)) = ragged.take()
            {
                report(line, Some(column), message);
            }
            match read {
                Ok(true) => {}
                Ok(false) => {
                    at_end = true;
                    break;
                }
                Err(e) => {
                    // With byte records and flexible widths, only reading can fail: stop.
                    let line = e.position().map_or(0, |p| p.line());
                    report(line, None, format!("cannot parse CSV: {e}"));
                    break;
                }
            }
            let at_file_end =
                self.skipped + self.csv.position().byte() == self.len && !self.ends_with_newline;
            let (line, breaks) = raw::start_line(&self.csv, &record, at_file_end);
            last = record.position().map(|p| (p.byte(), p.line()));
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            self.table.records += 1;
            if record.len() != self.table.width {
                ragged = Some(self.ragged(line, breaks, record.len()));
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
            match text(std::mem::take(&mut record)) {
                Ok(text) => {
                    rows += 1;
                    row.line = sheet_row(line);
                    row.record = text;
                    let flow = each(&self.table, &row);
                    record = std::mem::take(&mut row.record).into_byte_record();
                    if flow.is_break() {
                        return self.table;
                    }
                }
                Err(bytes) => {
                    self.refuse_row(&bytes, line, reporting, &mut report);
                    record = bytes;
                }
            }
        }
        self.table.complete = at_end;
        // A quote that is never closed makes the CSV reader take the rest of the file as one
        // cell, silently when that cell is the last of its row: look at the last record again.
        if at_end
            && reporting
            && let Some((byte, line)) = last
            && let Some((lines, column)) = raw::unclosed_quote(
                &self.path,
                self.skipped + byte,
                self.cr_only,
                self.delimiter,
            )
        {
            ragged = None;
            report(
                line + lines,
                Some(column),
                "this cell opens a quote that is never closed, so the rest of the file was read into it; add the closing `\"` (a quote inside a quoted cell is written `\"\"`)".to_owned(),
            );
        }
        if let Some((line, column, message)) = ragged {
            report(line, Some(column), message);
        }
        self.table
    }

    /// The problem of a row of `fields` fields starting on `line` and running over `breaks`
    /// more lines: (line, column, message).
    fn ragged(&self, line: u64, breaks: u64, fields: usize) -> (u64, usize, String) {
        let width = self.table.width;
        // A row over several lines has a quoted cell with a line break in it: more likely a
        // quote closed in the wrong place than a lost comma.
        let advice = if breaks == 0 {
            "check for a missing or extra comma, or quote the cell that contains a comma".to_owned()
        } else {
            format!(
                "it runs over lines {line}-{}, so a quote is probably missing or extra: check that every quoted cell is closed (a quote inside a quoted cell is written `\"\"`)",
                line + breaks
            )
        };
        (
            line,
            fields.min(width) + 1,
            format!("this row has {fields} fields but the header has {width}; {advice}"),
        )
    }

    /// Reports each bad field of a refused row; when reading for the first pass and its id
    /// is sound, keeps the id, so that references to it are not reported as well.
    fn refuse_row(
        &mut self,
        bytes: &ByteRecord,
        line: u64,
        reporting: bool,
        report: &mut impl FnMut(u64, Option<usize>, String),
    ) {
        let id = self.table.columns.get("id").copied();
        let mut id_ok = true;
        for (i, field) in bytes.iter().enumerate() {
            if let Some(message) = raw::field_problem(field) {
                id_ok &= Some(i) != id;
                report(line, Some(i + 1), message);
            }
        }
        if reporting
            && id_ok
            && let Some(id) = id.and_then(|i| std::str::from_utf8(&bytes[i]).ok())
        {
            let line = self.layout.as_ref().map_or(line, |l| l.row(line));
            self.table.refused_ids.push((id.trim().into(), line));
        }
    }
}

/// The record as text when every field is valid UTF-8 within the size limit and without a
/// refused character; the bytes back otherwise. The common case is checked in bulk; a bad
/// row is then examined field by field.
fn text(record: ByteRecord) -> Result<StringRecord, ByteRecord> {
    let fits = record.iter().all(|f| f.len() <= MAX_FIELD_BYTES);
    if fits && !raw::has_refused_char(record.as_slice()) {
        StringRecord::from_byte_record(record).map_err(|e| e.into_byte_record())
    } else {
        Err(record)
    }
}
