//! Diagnostics: an error in the user's data, located at `file:line:column`.
//!
//! Every check in `ingest` reports through [`Diagnostics`], which collects all problems
//! before the build gives up, so a historian can fix a whole file in one pass.

use std::fmt;

/// Where a problem is: a file, a 1-based line and, when known, a 1-based column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file as the user named it (e.g. `data/actors.csv`).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// 1-based column number (the CSV field number for tables).
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", At(&self.file, self.line, self.column))
    }
}

/// A place in the input as the user reads it: `file:line:column` for a text file, and
/// `file.xlsx:Sheet!C12` (the cell) or `file.xlsx:Sheet!12:12` (the row) for a table read
/// from a workbook, whose name ends with `!` (see `ingest::workbook`).
#[derive(Debug, Clone, Copy)]
pub struct At<'a>(pub &'a str, pub u64, pub Option<usize>);

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let At(file, line, column) = *self;
        match (file.ends_with('!'), column) {
            (true, Some(column)) => write!(f, "{file}{}{line}", column_letters(column)),
            (true, None) => write!(f, "{file}{line}:{line}"),
            (false, Some(column)) => write!(f, "{file}:{line}:{column}"),
            (false, None) => write!(f, "{file}:{line}"),
        }
    }
}

/// The spreadsheet name of the 1-based `column`: 1 is `A`, 26 `Z`, 27 `AA`.
pub fn column_letters(column: usize) -> String {
    let mut letters = Vec::new();
    let mut n = column;
    while n > 0 {
        let digit = (n - 1) % 26;
        letters.push(b'A' + digit as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// One problem in the input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong and, where possible, how to fix it (lowercase, no trailing period).
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A growing list of diagnostics, kept in the order the files and rows were read.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records a problem at `file:line[:column]`.
    pub fn push(
        &mut self,
        file: &str,
        line: u64,
        column: Option<usize>,
        message: impl Into<String>,
    ) {
        self.items.push(Diagnostic {
            location: Location {
                file: file.to_owned(),
                line,
                column,
            },
            message: one_line(message.into()),
        });
    }

    /// Moves the problems of `other` after these.
    pub fn append(&mut self, mut other: Diagnostics) {
        self.items.append(&mut other.items);
    }

    /// True when nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems found so far.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Turns the collected problems into one error listing them all, or `Ok` when there are none.
    pub fn into_result(self) -> Result<(), InvalidData> {
        if self.items.is_empty() {
            Ok(())
        } else {
            Err(InvalidData(self.items))
        }
    }
}

/// The data did not validate: every problem found, for the caller to list (the command line
/// prints each, then a [`crate::Error::User`] saying nothing was written). A value, not an
/// error type: `histkg::Error` is the library's one error.
#[derive(Debug)]
pub struct InvalidData(pub Vec<Diagnostic>);

impl fmt::Display for InvalidData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} problem{} found; nothing was written",
            if n == 1 { "" } else { "s" }
        )
    }
}

/// Suggests the known id closest to `unknown`, for "did you mean" hints.
pub fn did_you_mean<'a>(
    unknown: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for candidate in known {
        let score = strsim::normalized_damerau_levenshtein(unknown, candidate);
        if score >= 0.6 && best.is_none_or(|(_, s)| score > s) {
            best = Some((candidate, score));
        }
    }
    best.map(|(c, _)| c)
}

/// Formats a " (did you mean `x`?)" suffix, or nothing.
pub fn hint<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(unknown, known)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// The message with its control characters escaped (`\r`, `\u{b}`): a problem is printed on
/// one line after its `file:line:column:`, even when a value or a library's error text in the
/// message (an IRI parser's "Invalid IRI code point '\r'") holds a line break.
fn one_line(message: String) -> String {
    if !message.contains(char::is_control) {
        return message;
    }
    let mut out = String::with_capacity(message.len() + 8);
    for c in message.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Shortens a value for a message: control characters escaped, at most 60 characters (a
/// 10 000-character id should not flood the terminal).
pub fn shorten(value: &str) -> String {
    const MAX: usize = 60;
    let mut escaped: String = value
        .chars()
        .flat_map(char::escape_debug)
        .take(MAX + 1)
        .collect();
    if escaped.chars().count() > MAX {
        escaped = escaped.chars().take(MAX).collect();
        escaped.push('…');
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_id() {
        let known = ["donduk-ombo", "donduk-dashi", "darma-bala"];
        assert_eq!(did_you_mean("donduk-omb", known), Some("donduk-ombo"));
        assert_eq!(did_you_mean("completely-else", known), None);
    }

    #[test]
    fn messages_stay_on_one_line() {
        let mut d = Diagnostics::default();
        d.push(
            "f.csv",
            2,
            Some(7),
            "`h` is not a valid URL (Invalid IRI code point '\r')",
        );
        assert_eq!(
            d.items()[0].to_string(),
            "f.csv:2:7: `h` is not a valid URL (Invalid IRI code point '\\r')"
        );
    }

    #[test]
    fn long_values_are_shortened_and_control_characters_escaped() {
        assert_eq!(shorten("darma-bala"), "darma-bala");
        assert_eq!(shorten("a\tb\u{0}"), "a\\tb\\0");
        let long = shorten(&"x".repeat(10_000));
        assert_eq!(long.chars().count(), 61);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn cells_of_a_workbook_are_named_as_a_spreadsheet_names_them() {
        let at = |column| At("data/h.xlsx:actors!", 12, column).to_string();
        assert_eq!(at(Some(3)), "data/h.xlsx:actors!C12");
        assert_eq!(at(None), "data/h.xlsx:actors!12:12");
        assert_eq!(At("data/a.csv", 12, Some(3)).to_string(), "data/a.csv:12:3");
        let names: Vec<String> = [1, 26, 27, 52, 53, 702, 703].map(column_letters).into();
        assert_eq!(names, ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn diagnostics_print_path_line_column_first() {
        let mut d = Diagnostics::default();
        d.push("data/actors.csv", 4, Some(2), "unknown type `Persn`");
        assert_eq!(
            d.items()[0].to_string(),
            "data/actors.csv:4:2: unknown type `Persn`"
        );
    }
}
