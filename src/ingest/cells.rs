//! The checks of single cells for the second pass (`rows`): references to other entities,
//! types, required text, dates, calendars, certainty, languages, citations and coordinates.
//! Each reports its problem with `file:line:column` and gives the value when it is valid.

use super::Table;
use super::registry::{Registry, kind_noun};
use super::rows::Checker;
use super::table::{Row, Sheet};
use crate::dates::{self, Calendar, DateValue};
use crate::diagnostics::{hint, shorten};
use crate::model::{Certainty, Citation, LangString};
use crate::vocab::Kind;
use oxigraph::model::Literal;
use std::collections::BTreeSet;

impl<'a> Checker<'a> {
    /// Checks that `value` names an entity of one of `kinds` and gives its id number;
    /// reports it and gives `None` otherwise.
    pub(super) fn reference(
        &mut self,
        t: &Sheet,
        row: &Row,
        column: &str,
        value: &str,
        kinds: &[Kind],
    ) -> Option<u32> {
        // Called for every reference of every row: the wording is made only on failure.
        let nouns = |bare: bool| {
            kinds
                .iter()
                .map(|k| {
                    let noun = kind_noun(*k);
                    if bare {
                        noun.split_once(' ').map_or("", |(_, n)| n)
                    } else {
                        noun
                    }
                })
                .collect::<Vec<_>>()
                .join(" or ")
        };
        let registry: &'a Registry = &self.checked.registry;
        match registry.get(value) {
            Some((n, d)) if kinds.contains(&d.kind) => Some(n),
            Some((_, d)) => {
                let wanted = nouns(false);
                let message = format!(
                    "`{value}` is {} (declared at {}), but this column needs {wanted}",
                    kind_noun(d.kind),
                    crate::diagnostics::At(&self.checked.files[d.table], d.line, None)
                );
                self.err(t, row, column, message);
                None
            }
            None if kinds.iter().any(|k| self.checked.unreadable.contains(k)) => None,
            None => {
                let mut known = (registry.iter())
                    .filter(|&(n, _)| kinds.contains(&registry.declared[n as usize].kind))
                    .map(|(_, id)| id)
                    .peekable();
                // Say so when the tables that declare these ids have no rows (only a header).
                let tables: Vec<(&str, bool)> = (Table::ALL.iter())
                    .filter(|t| t.declares().is_some_and(|k| kinds.contains(&k)))
                    .map(|t| (self.checked.files[*t].as_str(), self.checked.empty[*t]))
                    .collect();
                let empty = if known.peek().is_none() && tables.iter().all(|&(_, e)| e) {
                    let names: Vec<&str> = tables.iter().map(|&(file, _)| file).collect();
                    let verb = if names.len() == 1 { "has" } else { "have" };
                    format!("; {} {verb} no rows", names.join(" and "))
                } else {
                    String::new()
                };
                let message = format!(
                    "unknown {} `{}`{}{empty}",
                    nouns(true),
                    shorten(value),
                    hint(value, known)
                );
                self.err(t, row, column, message);
                None
            }
        }
    }

    /// An optional reference: the id and its number when the cell names an entity of one of
    /// `kinds`.
    pub(super) fn optional_reference(
        &mut self,
        t: &Sheet,
        row: &Row,
        column: &str,
        kinds: &[Kind],
    ) -> Option<(String, u32)> {
        let value = t.cell(row, column);
        if value.is_empty() {
            return None;
        }
        let n = self.reference(t, row, column, value, kinds)?;
        Some((value.to_owned(), n))
    }

    pub(super) fn class(
        &mut self,
        t: &Sheet,
        row: &Row,
        allowed: &BTreeSet<String>,
        what: &str,
    ) -> Option<String> {
        let value = t.cell(row, "type");
        if allowed.contains(value) || !self.checked.vocabulary_ok {
            return Some(value.to_owned());
        }
        let message = if value.is_empty() {
            format!(
                "empty type; use one of the {what} types of the ontology: {}",
                join(allowed)
            )
        } else {
            format!(
                "unknown {what} type `{}`{}",
                shorten(value),
                suggest(value, allowed)
            )
        };
        self.err(t, row, "type", message);
        None
    }

    pub(super) fn required_text(&mut self, t: &Sheet, row: &Row, column: &str) -> Option<String> {
        let value = t.cell(row, column);
        if value.is_empty() {
            self.err(t, row, column, format!("empty `{column}`; it is required"));
            None
        } else {
            Some(value.to_owned())
        }
    }

    pub(super) fn optional_text(t: &Sheet, row: &Row, column: &str) -> Option<String> {
        let value = t.cell(row, column);
        (!value.is_empty()).then(|| value.to_owned())
    }

    pub(super) fn date(
        &mut self,
        t: &Sheet,
        row: &Row,
        column: &str,
        calendar: Calendar,
    ) -> Option<DateValue> {
        let value = t.cell(row, column);
        if value.is_empty() {
            return None;
        }
        match dates::parse(value, calendar) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(t, row, column, e.to_string());
                None
            }
        }
    }

    pub(super) fn calendar(&mut self, t: &Sheet, row: &Row) -> Calendar {
        Calendar::parse(t.cell(row, "calendar")).unwrap_or_else(|e| {
            self.err(t, row, "calendar", e.to_string());
            Calendar::Unknown
        })
    }

    pub(super) fn certainty(&mut self, t: &Sheet, row: &Row) -> Certainty {
        Certainty::parse(t.cell(row, "certainty")).unwrap_or_else(|e| {
            self.err(t, row, "certainty", e.to_string());
            Certainty::Certain
        })
    }

    pub(super) fn language(
        &mut self,
        t: &Sheet,
        row: &Row,
        column: &str,
        tag: &str,
    ) -> Option<String> {
        match Literal::new_language_tagged_literal("x", tag) {
            Ok(l) => l.language().map(str::to_owned),
            Err(e) => {
                self.err(t, row, column, format!("bad language tag `{}` ({}); use a BCP 47 tag such as `en`, `ru`, `kk`, `xal`", shorten(tag), e.to_string().to_lowercase()));
                None
            }
        }
    }

    /// Parses `text@lang | text@lang`.
    pub(super) fn lang_strings(&mut self, t: &Sheet, row: &Row, column: &str) -> Vec<LangString> {
        let mut out = Vec::new();
        for item in list(t.cell(row, column)) {
            match item.rsplit_once('@') {
                Some((text, tag)) if !text.trim().is_empty() => {
                    if let Some(lang) = self.language(t, row, column, tag.trim()) {
                        out.push(LangString {
                            text: text.trim().to_owned(),
                            lang,
                        });
                    }
                }
                _ => self.err(
                    t,
                    row,
                    column,
                    format!(
                        "`{}` needs a language: write `name@lang`, e.g. `Абулхаир@ru`",
                        shorten(item)
                    ),
                ),
            }
        }
        out
    }

    /// Parses the `sources` column: `id[:locator] | …`; at least one is required. The
    /// number of each valid source goes to the row's references, in citation order.
    pub(super) fn citations(&mut self, t: &Sheet, row: &Row) -> Vec<Citation> {
        let value = t.cell(row, "sources");
        let mut out = Vec::new();
        for item in list(value) {
            let (id, locator) = match item.split_once(':') {
                Some((id, locator)) => (id.trim(), Some(locator.trim()).filter(|l| !l.is_empty())),
                None => (item, None),
            };
            if let Some(n) = self.reference(t, row, "sources", id, &[Kind::Source]) {
                self.refs.sources.push(n);
                out.push(Citation {
                    source: id.to_owned(),
                    locator: locator.map(str::to_owned),
                });
            }
        }
        // `|` alone (a list of nothing) cites no more than an empty cell.
        if list(value).next().is_none() {
            self.err(t, row, "sources", "cites no source; every row needs at least one source id from sources.csv in `sources`");
        }
        out
    }

    /// Parses `coordinates_source`: the ids of the sources that give a place's `lat` and
    /// `long`, required when they are given and refused without them.
    pub(super) fn coordinate_sources(
        &mut self,
        t: &Sheet,
        row: &Row,
        has_coordinates: bool,
    ) -> Vec<String> {
        let value = t.cell(row, "coordinates_source");
        let mut out = Vec::new();
        for id in list(value) {
            if let Some(n) = self.reference(t, row, "coordinates_source", id, &[Kind::Source]) {
                self.refs.sources.push(n);
                out.push(id.to_owned());
            }
        }
        let named = list(value).next().is_some();
        if has_coordinates && !named {
            let column = if t.cell(row, "lat").is_empty() {
                "long"
            } else {
                "lat"
            };
            self.err(t, row, column, "coordinates need a source: name the source id (from sources.csv) that gives them in `coordinates_source`");
        } else if named && !has_coordinates {
            self.err(t, row, "coordinates_source", "names a source for coordinates the row does not give: fill in `lat` and `long`, or empty this cell");
        }
        if !t.cell(row, "coordinates_note").is_empty() && !has_coordinates {
            self.err(t, row, "coordinates_note", "a note on coordinates the row does not give: fill in `lat` and `long`, or empty this cell");
        }
        out
    }

    pub(super) fn coordinates(&mut self, t: &Sheet, row: &Row) -> Option<(String, String)> {
        let (lat, long) = (t.cell(row, "lat"), t.cell(row, "long"));
        if lat.is_empty() && long.is_empty() {
            return None;
        }
        let mut parse = |column: &str, value: &str, limit: f64| -> Option<String> {
            match value.parse::<f64>() {
                Ok(v)
                    if v.abs() <= limit
                        && !value.contains(['e', 'E'])
                        && value
                            .trim_start_matches('-')
                            .bytes()
                            .all(|b| b.is_ascii_digit() || b == b'.') =>
                {
                    Some(value.to_owned())
                }
                _ => {
                    self.err(
                        t,
                        row,
                        column,
                        format!(
                            "`{}` is not a decimal degree between -{limit} and {limit}",
                            shorten(value)
                        ),
                    );
                    None
                }
            }
        };
        let lat = parse("lat", lat, 90.0);
        let long = parse("long", long, 180.0);
        Some((lat?, long?))
    }
}

/// Splits a `|`-separated list, trimming items and skipping empty ones.
pub(super) fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split('|').map(str::trim).filter(|s| !s.is_empty())
}

/// "; did you mean `x`?" when one name is close, otherwise the list of what the ontology declares.
pub(super) fn suggest(value: &str, allowed: &BTreeSet<String>) -> String {
    match hint(value, allowed.iter().map(String::as_str)) {
        h if h.is_empty() => format!("; the ontology declares: {}", join(allowed)),
        h => h,
    }
}

pub(super) fn join(items: &BTreeSet<String>) -> String {
    items
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
