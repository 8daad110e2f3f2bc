//! Reading one CSV table as a stream: header checks, field counts, UTF-8, size limits.
//!
//! Knows CSV, not RDF. A table is read row by row (one row in memory at a time), as many
//! times as `ingest` needs passes. Every problem goes to [`Diagnostics`] with
//! `file:line:column`; rows with structural problems are dropped so later checks do not pile
//! up on them.

use crate::diagnostics::{Diagnostics, shorten};
use csv::{ByteRecord, StringRecord};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
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

/// A table whose header has been checked.
#[derive(Debug)]
pub struct Table {
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
    csv: csv::Reader<Input>,
    path: PathBuf,
    /// Bytes before what the CSV reader sees (a UTF-8 byte-order mark).
    skipped: u64,
    /// The file's length, and whether its last line ends with a line break.
    len: u64,
    ends_with_newline: bool,
    /// Old Mac line ends: CR alone.
    cr_only: bool,
}

/// The file as the CSV reader sees it. Records end at LF only (a CR before it is left at the
/// end of the last cell, which is trimmed), so that the reader's line count after a record
/// tells on which line the record started (with CRLF the csv crate counts the LF of a record
/// in the next one); files with CR alone are read with LF instead.
struct Input {
    inner: BufReader<File>,
    cr_only: bool,
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.cr_only {
            for b in &mut buf[..n] {
                if *b == b'\r' {
                    *b = b'\n';
                }
            }
        }
        Ok(n)
    }
}

/// The line on which the record just read starts, and the line breaks inside its cells: the
/// reader's line after it, less those breaks and the one that ended it. (The position the csv
/// crate gives the record is where reading started, before any blank lines.)
fn start_line(csv: &csv::Reader<Input>, record: &ByteRecord, at_file_end: bool) -> (u64, u64) {
    let ended = u64::from(!at_file_end);
    let end = csv.position().line();
    let start = record.position().map_or(end, csv::Position::line);
    if end - start <= ended {
        // The common case: one line, nothing before it.
        return (start, 0);
    }
    let inside = count_newlines(record.as_slice());
    ((end - inside - ended).max(1), inside)
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
    // Old Mac line ends: the header row ends with a CR that no LF follows.
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
    let mut skipped = 0;
    if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
        skipped = 3;
    }
    let ends_with_newline =
        last_byte(path, fingerprint.len).is_some_and(|b| b == b'\n' || (cr_only && b == b'\r'));
    let expected: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(Input {
            inner: input,
            cr_only,
        });

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
    let at_file_end = skipped + csv.position().byte() == fingerprint.len && !ends_with_newline;
    let (header_line, _) = start_line(&csv, &header, at_file_end);
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
    let mut columns = HashMap::new();
    let mut header_ok = true;
    for (i, raw) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw) else {
            diags.push(
                file,
                header_line,
                Some(i + 1),
                "invalid UTF-8 in the header; save the file as UTF-8",
            );
            header_ok = false;
            continue;
        };
        let name = name.trim();
        match specs.iter().find(|s| s.name == name) {
            None if name.is_empty() => {
                diags.push(
                    file,
                    header_line,
                    Some(i + 1),
                    "empty column name; name the column or remove the extra comma",
                );
                header_ok = false;
            }
            None => {
                let shown = shorten(name);
                diags.push(
                    file,
                    header_line,
                    Some(i + 1),
                    match crate::diagnostics::hint(name, expected.iter().copied()) {
                        h if h.is_empty() => format!(
                            "unknown column `{shown}`; the columns are: {}",
                            expected.join(", ")
                        ),
                        h => format!("unknown column `{shown}`{h}"),
                    },
                );
                header_ok = false;
            }
            Some(spec) => {
                if let Some(first) = columns.insert(spec.name, i) {
                    diags.push(
                        file,
                        header_line,
                        Some(i + 1),
                        format!(
                            "duplicate column `{name}`: it is also column {}; keep one of them",
                            first + 1
                        ),
                    );
                    columns.insert(spec.name, first);
                    header_ok = false;
                }
            }
        }
    }
    for spec in specs.iter().filter(|s| s.required) {
        if !columns.contains_key(spec.name) {
            diags.push(
                file,
                header_line,
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
        let reporting = diags.is_some();
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
            let (line, breaks) = start_line(&self.csv, &record, at_file_end);
            last = record.position().map(|p| (p.byte(), p.line()));
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            self.table.records += 1;
            if record.len() != width {
                // A row over several lines has a quoted cell with a line break in it: more
                // likely a quote closed in the wrong place than a lost comma.
                let advice = if breaks == 0 {
                    "check for a missing or extra comma, or quote the cell that contains a comma"
                        .to_owned()
                } else {
                    format!(
                        "it runs over lines {line}-{}, so a quote is probably missing or extra: check that every quoted cell is closed (a quote inside a quoted cell is written `\"\"`)",
                        line + breaks
                    )
                };
                ragged = Some((
                    line,
                    record.len().min(width) + 1,
                    format!(
                        "this row has {} fields but the header has {width}; {advice}",
                        record.len()
                    ),
                ));
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
            let refused = has_refused_char(record.as_slice());
            let text = if fits && !refused {
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
                        return self.table;
                    }
                }
                Err(bytes) => {
                    let id = self.table.columns.get("id").copied();
                    let mut id_ok = true;
                    for (i, raw) in bytes.iter().enumerate() {
                        if let Some(message) = field_problem(raw) {
                            id_ok &= Some(i) != id;
                            report(line, Some(i + 1), message);
                        }
                    }
                    if reporting
                        && id_ok
                        && let Some(id) = id.and_then(|i| std::str::from_utf8(&bytes[i]).ok())
                    {
                        self.table.refused_ids.push((id.trim().into(), line));
                    }
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
            && let Some((lines, column)) =
                unclosed_quote(&self.path, self.skipped + byte, self.cr_only)
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
}

/// The last byte of a file of `len` bytes.
fn last_byte(path: &Path, len: u64) -> Option<u8> {
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(len.checked_sub(1)?)).ok()?;
    let mut byte = [0];
    file.read_exact(&mut byte).ok()?;
    Some(byte[0])
}

/// If the last record, read from byte `start` of the file on, ends inside a quoted cell: the
/// line breaks from `start` to the quote, and the cell's 1-based column.
fn unclosed_quote(path: &Path, start: u64, cr_only: bool) -> Option<(u64, usize)> {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut input = BufReader::with_capacity(1 << 16, file);
    let (mut state, mut column, mut lines, mut opened) = (State::FieldStart, 1, 0, (0, 0));
    loop {
        let chunk = input.fill_buf().ok()?;
        if chunk.is_empty() {
            break;
        }
        // The same rules as the csv crate's reader (RFC 4180 quotes, `""` inside them).
        for &b in chunk {
            state = match (state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (State::FieldStart, b'"') => {
                    opened = (lines, column);
                    State::Quoted
                }
                (_, b',') => {
                    column += 1;
                    State::FieldStart
                }
                (_, b'\n' | b'\r') => {
                    column = 1;
                    State::FieldStart
                }
                _ => State::Unquoted,
            };
            lines += u64::from(b == if cr_only { b'\r' } else { b'\n' });
        }
        let n = chunk.len();
        input.consume(n);
    }
    (state == State::Quoted).then_some(opened)
}

/// A control character that cannot be in a cell: C0 controls other than tab, LF and CR, which
/// XML 1.0 (hence RDF/XML) cannot carry at all, and which are invisible in a spreadsheet.
fn refused_control(b: u8) -> bool {
    b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r')
}

/// Whether a refused character starts at byte `at` of `bytes`: a [`refused_control`], or one of
/// the noncharacters U+FFFE and U+FFFF (UTF-8 `EF BF BE`, `EF BF BF`), which XML 1.0 cannot
/// carry either; U+FFFE is what a UTF-16 byte-order mark read the wrong way round becomes.
fn refused_at(bytes: &[u8], at: usize) -> bool {
    refused_control(bytes[at]) || matches!(bytes[at..], [0xEF, 0xBF, 0xBE | 0xBF, ..])
}

/// Whether `bytes` hold a refused character (see [`refused_at`]). Every row goes through it: the
/// first scan is written without branches and with byte-wide values, so that it is vectorised;
/// only a row holding the byte `EF` (rare outside CJK text) is looked at again.
fn has_refused_char(bytes: &[u8]) -> bool {
    let found = bytes.iter().fold(0u8, |found, &b| {
        found
            | u8::from((b < b' ') & (b != b'\t') & (b != b'\n') & (b != b'\r'))
            | (u8::from(b == 0xEF) << 1)
    });
    found & 1 != 0
        || (found != 0
            && bytes
                .windows(3)
                .any(|w| matches!(w, [0xEF, 0xBF, 0xBE | 0xBF])))
}

/// The LF bytes in `bytes`, counted in byte-wide lanes (vectorised) 255 bytes at a time.
fn count_newlines(bytes: &[u8]) -> u64 {
    (bytes.chunks(255))
        .map(|chunk| {
            let n = chunk.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
            u64::from(n)
        })
        .sum()
}

/// What is wrong with one field, if anything.
fn field_problem(raw: &[u8]) -> Option<String> {
    if raw.len() > MAX_FIELD_BYTES {
        return Some(format!(
            "this cell is {} bytes, over the limit of {MAX_FIELD_BYTES} bytes (1 MiB)",
            raw.len()
        ));
    }
    match std::str::from_utf8(raw) {
        Err(e) => Some(format!(
            "invalid UTF-8 after byte {}; save the file as UTF-8",
            e.valid_up_to()
        )),
        Ok(_) => (0..raw.len()).find(|&at| refused_at(raw, at)).map(|at| match raw[at] {
            0 => format!("contains a NUL byte (character 0) after byte {at}; remove it"),
            0xEF if raw[at + 2] == 0xBE => format!(
                "contains the noncharacter U+FFFE after byte {at}, often a UTF-16 byte-order mark read the wrong way round; remove it or save the file as UTF-8 again (RDF/XML cannot carry it)"
            ),
            0xEF => format!(
                "contains the noncharacter U+FFFF after byte {at}; remove it (RDF/XML cannot carry it)"
            ),
            c => format!(
                "contains the control character U+{c:04X}{} after byte {at}; remove it (only tabs and line breaks can be in a cell: RDF/XML cannot carry other control characters)",
                match c {
                    0x0B => " (vertical tab, a line break pasted from a word processor)",
                    0x0C => " (form feed, a page break)",
                    _ => "",
                }
            ),
        }),
    }
}
