//! Byte-level reading of a CSV file: line ends as the CSV reader sees them, where a record
//! starts, quotes left open, and the characters no cell may hold. Knows bytes, not columns.

use super::table::MAX_FIELD_BYTES;
use csv::ByteRecord;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The file as the CSV reader sees it. Records end at LF only (a CR before it is left at the
/// end of the last cell, which is trimmed), so that the reader's line count after a record
/// tells on which line the record started (with CRLF the csv crate counts the LF of a record
/// in the next one); files with CR alone are read with LF instead.
pub(super) struct Input {
    pub(super) inner: BufReader<File>,
    pub(super) cr_only: bool,
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
pub(super) fn start_line(
    csv: &csv::Reader<Input>,
    record: &ByteRecord,
    at_file_end: bool,
) -> (u64, u64) {
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

/// The last byte of a file of `len` bytes.
pub(super) fn last_byte(path: &Path, len: u64) -> Option<u8> {
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(len.checked_sub(1)?)).ok()?;
    let mut byte = [0];
    file.read_exact(&mut byte).ok()?;
    Some(byte[0])
}

/// If the last record, read from byte `start` of the file on, ends inside a quoted cell: the
/// line breaks from `start` to the quote, and the cell's 1-based column (cells separated by
/// `delimiter`).
pub(super) fn unclosed_quote(
    path: &Path,
    start: u64,
    cr_only: bool,
    delimiter: u8,
) -> Option<(u64, usize)> {
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
                (_, b) if b == delimiter => {
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
pub(super) fn has_refused_char(bytes: &[u8]) -> bool {
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
pub(super) fn count_newlines(bytes: &[u8]) -> u64 {
    (bytes.chunks(255))
        .map(|chunk| {
            let n = chunk.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
            u64::from(n)
        })
        .sum()
}

/// What is wrong with one field, if anything.
pub(super) fn field_problem(raw: &[u8]) -> Option<String> {
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

/// What a first block of bytes that is not UTF-8 most likely is, for the message: the
/// encoding's name as `iconv` knows it, and what it is.
pub(super) fn guess_encoding(head: &[u8], whole: bool) -> (&'static str, &'static str) {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(head, whole);
    let encoding = detector.guess(None, true);
    let what = match encoding.name() {
        "windows-1251" => "Cyrillic, as Excel saves CSV on Russian Windows",
        "KOI8-R" | "KOI8-U" | "IBM866" | "ISO-8859-5" => "an older Cyrillic encoding",
        "windows-1252" => "Western European, as Excel saves CSV on Western Windows",
        "windows-1254" => "Turkish",
        _ => "not UTF-8",
    };
    (encoding.name(), what)
}

/// Where the first byte that is not UTF-8 is, when `head` (the file's first block; `whole`
/// if it is all of it) looks like a file in another encoding: bytes that are not UTF-8, and
/// few or no characters beyond ASCII that are (a UTF-8 file with a stray byte keeps its
/// cell's own message, with its line and column).
pub(super) fn legacy_encoding(head: &[u8], whole: bool) -> Option<usize> {
    let (mut invalid, mut multibyte, mut first, mut at) = (0usize, 0usize, None, 0usize);
    let mut chunks = head.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        at += chunk.valid().len();
        // A character cut at the end of a block that is not the whole file is no error.
        let cut = chunks.peek().is_none() && !whole && chunk.invalid().len() < 4;
        if !chunk.invalid().is_empty() && !cut {
            invalid += 1;
            first.get_or_insert(at);
        }
        at += chunk.invalid().len();
    }
    first.filter(|_| invalid > multibyte * 10)
}
