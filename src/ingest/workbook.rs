//! Tables kept in spreadsheet workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`), read with
//! `calamine`.
//!
//! Where each table comes from is decided once per check ([`resolve`]): `data/NAME.csv` when
//! it exists; otherwise a workbook of the data directory named after the table
//! (`actors.xlsx`: its sheet `actors`, or its first sheet; such a workbook gives no other
//! table), or another workbook with a sheet named after the table (`histkg.xlsx`, sheet
//! `actors`). A table given twice is refused. Each
//! sheet used is written once as CSV into a temporary directory and read from there by the
//! same reader as any CSV file, so every check applies unchanged; its rows keep their sheet
//! row numbers ([`Layout`]), and messages name cells as `file.xlsx:Sheet!C12`
//! ([`crate::diagnostics::At`]).
//!
//! Cell values become the text a historian typed: numbers without a trailing `.0`, booleans
//! as `true`/`false`, a date cell as an ISO date. Spreadsheet programs keep dates before
//! 1900 as text (Excel) or as ISO dates (LibreOffice), so EDTF dates such as `1741-08-20`
//! or `1731/1732` survive either way. A cell holding a formula error (`#REF!`) is refused.

use super::Table;
use super::schema::PerTable;
use crate::diagnostics::Diagnostics;
use calamine::{Data, Reader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The extensions of the workbooks looked for in the data directory.
const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// How the rows of a CSV written from a sheet map back to the sheet.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The sheet row (1-based) of each line of the CSV, by line (index 0 unused).
    pub rows: Arc<[u64]>,
    /// Empty columns written before the first used column, so that a field's position is its
    /// sheet column; their header cells are empty and not refused.
    pub padding: usize,
}

impl Layout {
    /// The sheet row of CSV line `line`.
    pub fn row(&self, line: u64) -> u64 {
        usize::try_from(line)
            .ok()
            .and_then(|i| self.rows.get(i))
            .copied()
            .unwrap_or(line)
    }
}

/// Where one table is read from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The CSV file the reader opens (for a sheet, its copy in the temporary directory).
    pub path: PathBuf,
    /// The table as messages name it: `data/actors.csv`, or `data/h.xlsx:actors!`.
    pub shown: String,
    /// For a sheet, how its CSV maps back to it.
    pub layout: Option<Layout>,
}

impl Source {
    fn csv(path: PathBuf) -> Self {
        Self {
            shown: path.display().to_string(),
            path,
            layout: None,
        }
    }
}

/// Where every table is read from, and the temporary directory that holds the sheets' CSV
/// (removed when this is dropped).
#[derive(Debug)]
pub struct Sources {
    /// Each table.
    pub(crate) tables: PerTable<Source>,
    /// `reviews.csv` or its sheet, when there is one.
    pub(crate) reviews: Option<Source>,
    _dir: Option<tempfile::TempDir>,
}

/// A workbook of the data directory, opened.
struct Workbook {
    path: PathBuf,
    stem: String,
    sheets: Vec<String>,
    book: calamine::Sheets<std::io::BufReader<std::fs::File>>,
}

/// Decides where each table of `data_dir` comes from, writing the sheets used as CSV;
/// problems (a table given twice, a workbook that cannot be read, error cells) go to `diags`.
pub fn resolve(data_dir: &Path, reviews_name: &str, diags: &mut Diagnostics) -> Sources {
    let mut books = workbooks(data_dir, diags);
    let names: Vec<&str> = (Table::ALL.iter().map(|t| t.file_name()))
        .chain([reviews_name])
        .map(|n| n.trim_end_matches(".csv"))
        .collect();
    let mut dir = None;
    let mut pick = |name: &str, diags: &mut Diagnostics| -> Option<Source> {
        let csv = data_dir.join(name);
        let has_csv = csv.exists();
        let stem = name.trim_end_matches(".csv");
        let mut found: Vec<(usize, String)> = Vec::new();
        for (i, book) in books.iter().enumerate() {
            // A workbook named after a table gives that table alone.
            let own = names.iter().find(|n| book.stem.eq_ignore_ascii_case(n));
            if own.is_some_and(|n| !n.eq_ignore_ascii_case(stem)) {
                continue;
            }
            let named = book
                .sheets
                .iter()
                .find(|s| s.trim().eq_ignore_ascii_case(stem));
            match named {
                Some(sheet) => found.push((i, sheet.clone())),
                None if own.is_some() && !book.sheets.is_empty() => {
                    found.push((i, book.sheets[0].clone()));
                }
                None => {}
            }
        }
        let shown = |(i, sheet): &(usize, String)| sheet_name(&books[*i].path, sheet);
        let mut givers: Vec<String> = found.iter().map(shown).collect();
        if has_csv {
            givers.insert(0, csv.display().to_string());
        }
        if givers.len() > 1 {
            diags.push(
                &givers[0],
                1,
                None,
                format!(
                    "the table `{stem}` is given more than once: by {}; keep one of them (move the others out of the data directory)",
                    givers.join(" and by ")
                ),
            );
        }
        let Some((i, sheet)) = found.into_iter().next().filter(|_| !has_csv) else {
            return has_csv.then(|| Source::csv(csv));
        };
        let dir = match &dir {
            Some(dir) => dir,
            None => match tempfile::Builder::new().prefix("histkg-sheets-").tempdir() {
                Ok(made) => dir.insert(made),
                Err(e) => {
                    diags.push(
                        &shown(&(i, sheet)),
                        1,
                        None,
                        format!("cannot make a temporary directory for the sheet: {e}"),
                    );
                    return None;
                }
            },
        };
        let book = &mut books[i];
        let shown = sheet_name(&book.path, &sheet);
        let out = dir.path().join(name);
        let layout = match book.book.worksheet_range(&sheet) {
            Ok(range) => write_csv(&range, &out, &shown, diags),
            Err(e) => {
                diags.push(&shown, 1, None, format!("cannot read the sheet: {e}"));
                return None;
            }
        }?;
        Some(Source {
            path: out,
            shown,
            layout: Some(layout),
        })
    };
    let tables = PerTable::new(|table: Table| {
        pick(table.file_name(), diags)
            .unwrap_or_else(|| Source::csv(data_dir.join(table.file_name())))
    });
    let reviews = pick(reviews_name, diags);
    Sources {
        tables,
        reviews,
        _dir: dir,
    }
}

/// The workbooks of `data_dir`, in name order, without the lock files spreadsheet programs
/// leave beside an open workbook (`~$h.xlsx`, `.~lock.h.ods#`).
fn workbooks(data_dir: &Path, diags: &mut Diagnostics) -> Vec<Workbook> {
    let Ok(entries) = std::fs::read_dir(data_dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
            p.is_file()
                && !name.starts_with("~$")
                && !name.starts_with(".~lock")
                && EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext))
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| match calamine::open_workbook_auto(&path) {
            Ok(book) => Some(Workbook {
                stem: path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_owned(),
                sheets: book.sheet_names(),
                path,
                book,
            }),
            Err(e) => {
                diags.push(
                    &path.display().to_string(),
                    1,
                    None,
                    format!("cannot read the workbook: {e}; save it again from the spreadsheet program, or save each sheet as CSV UTF-8"),
                );
                None
            }
        })
        .collect()
}

/// How messages name `sheet` of `book`: `data/h.xlsx:actors!`, the sheet name quoted as a
/// spreadsheet quotes it when it is not one word (`'Лист 1'!`).
fn sheet_name(book: &Path, sheet: &str) -> String {
    let plain = !sheet.is_empty() && sheet.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        format!("{}:{sheet}!", book.display())
    } else {
        format!("{}:'{}'!", book.display(), sheet.replace('\'', "''"))
    }
}

/// Writes `range` as CSV to `out`, one record per sheet row from the first, and returns how
/// its lines map back to the sheet; error cells are reported at their cell.
fn write_csv(
    range: &calamine::Range<Data>,
    out: &Path,
    shown: &str,
    diags: &mut Diagnostics,
) -> Option<Layout> {
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let padding = first_column as usize;
    let mut writer = match csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(out)
    {
        Ok(w) => w,
        Err(e) => {
            diags.push(
                shown,
                1,
                None,
                format!("cannot write the sheet's copy: {e}"),
            );
            return None;
        }
    };
    let mut rows = vec![0u64];
    let mut fields: Vec<String> = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let row = u64::from(first_row) + i as u64 + 1;
        fields.clear();
        fields.extend(std::iter::repeat_n(String::new(), padding));
        for (j, cell) in cells.iter().enumerate() {
            fields.push(cell_text(cell).unwrap_or_else(|(text, problem)| {
                diags.push(shown, row, Some(padding + j + 1), problem);
                text
            }));
        }
        let lines = 1 + fields
            .iter()
            .map(|f| f.matches('\n').count())
            .sum::<usize>();
        rows.extend(std::iter::repeat_n(row, lines));
        if let Err(e) = writer.write_record(&fields) {
            diags.push(
                shown,
                row,
                None,
                format!("cannot write the sheet's copy: {e}"),
            );
            return None;
        }
    }
    if let Err(e) = writer.flush() {
        diags.push(
            shown,
            1,
            None,
            format!("cannot write the sheet's copy: {e}"),
        );
        return None;
    }
    Some(Layout {
        rows: rows.into(),
        padding,
    })
}

/// The text of a cell as the historian typed it, or the text kept (empty for an error) and
/// the problem to report.
fn cell_text(cell: &Data) -> Result<String, (String, String)> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Rust prints 1741.0 as `1741` and 51.7666 as `51.7666`, never with an exponent.
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) if d.is_duration() => {
            let text = d.to_string();
            return Err((
                text.clone(),
                format!(
                    "the cell holds a duration ({text}), not a date or text; format the cell as text and type the value"
                ),
            ));
        }
        Data::DateTime(d) => {
            let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
            if (h, min, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02}T{h:02}:{min:02}:{s:02}")
            }
        }
        // Kept as an empty cell, so that the one message is this one.
        Data::Error(e) => {
            let text = e.to_string();
            return Err((
                String::new(),
                format!(
                    "the cell holds the spreadsheet error `{text}`; correct its formula or type the value"
                ),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_the_text_typed() {
        assert_eq!(cell_text(&Data::Float(1741.0)).unwrap(), "1741");
        assert_eq!(cell_text(&Data::Float(51.7666)).unwrap(), "51.7666");
        assert_eq!(cell_text(&Data::Int(-12)).unwrap(), "-12");
        assert_eq!(cell_text(&Data::Bool(true)).unwrap(), "true");
        let iso = Data::DateTimeIso("1741-08-20T00:00:00".into());
        assert_eq!(cell_text(&iso).unwrap(), "1741-08-20");
        let error = cell_text(&Data::Error(calamine::CellErrorType::Ref)).unwrap_err();
        assert!(error.1.contains("`#REF!`"), "{}", error.1);
    }

    #[test]
    fn sheet_names_are_quoted_as_spreadsheets_quote_them() {
        let book = Path::new("data/h.xlsx");
        assert_eq!(sheet_name(book, "actors"), "data/h.xlsx:actors!");
        assert_eq!(sheet_name(book, "Лист 1"), "data/h.xlsx:'Лист 1'!");
        assert_eq!(sheet_name(book, "it's"), "data/h.xlsx:'it''s'!");
    }
}
