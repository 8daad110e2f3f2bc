//! The reconciliation index: every actor and place with the keys of its names, its dates and
//! what it is linked to, made once per published generation; and the queries matched
//! against it.

use super::super::{Site, page_query};
use crate::error::Result;
use oxigraph::model::Term;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Candidates per query when the query does not say.
const DEFAULT_LIMIT: usize = 5;
/// The lowest score a candidate needs to be given (out of 100).
const MIN_SCORE: f64 = 60.0;

/// The query properties the service knows, with their names: a candidate must satisfy each
/// property a query gives.
pub const QUERY_PROPERTIES: [(&str, &str); 3] = [
    ("dates", "dates (EDTF) the entity's dates must overlap"),
    ("place", "a place the entity is linked to (id or name)"),
    (
        "related",
        "an actor or place the entity is related to (id or name)",
    ),
];

/// A name folded for matching: `ё` read as `е` (as Russian print often writes it),
/// transliterated to ASCII, lowercased, letters and digits only (`Әбілқайыр хан` gives
/// `abilqaiyrkhan`). The search box and reconciliation both match by it.
pub fn key(name: &str) -> String {
    any_ascii::any_ascii(&name.replace('ё', "е").replace('Ё', "Е"))
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A Gregorian `xsd:date` as a day number.
fn day(term: Option<&Term>) -> Option<i64> {
    let Some(Term::Literal(l)) = term else {
        return None;
    };
    let date = crate::dates::parse(l.value(), crate::dates::Calendar::Gregorian).ok()?;
    date.not_before.map(crate::dates::Day::number)
}

/// One entity the service can give.
#[derive(Debug)]
pub struct Candidate {
    /// Its id: the IRI relative to the base (`actor/abulkhair`).
    pub id: String,
    /// Its English label, else its first name.
    pub name: String,
    /// Its classes' local names (`Person`, `Actor`).
    pub types: Vec<String>,
    /// The keys of all its names.
    keys: Vec<String>,
    /// All its names as written.
    pub names: Vec<String>,
    /// Its Gregorian bounds as day numbers, when dated (open ends `None`).
    span: (Option<i64>, Option<i64>),
    /// The candidates it is linked to (`reconcile-links.rq`), by position, both ways.
    links: Vec<usize>,
}

impl Candidate {
    fn is_place(&self) -> bool {
        self.types.iter().any(|t| t == "Place")
    }
}

/// Every actor and place with the keys of its names.
#[derive(Debug)]
pub struct NameIndex {
    /// In id order.
    pub candidates: Vec<Candidate>,
    by_id: HashMap<String, usize>,
    by_key: HashMap<String, Vec<usize>>,
}

/// An entity's classes, names (each with whether it is English) and bounds, as read.
type Gathered = (Vec<String>, Vec<(String, bool)>, (Option<i64>, Option<i64>));

/// What a query asks for.
pub struct Query {
    key: String,
    types: Vec<String>,
    limit: usize,
    /// A date the candidate's dates must overlap (the `dates` property), as day numbers.
    during: Option<(Option<i64>, Option<i64>)>,
    /// Entities (ids or names) the candidate must be linked to, one list per `related`
    /// property: any of a list will do.
    related: Vec<Vec<String>>,
    /// Places (ids or names) the candidate must be linked to, likewise.
    places: Vec<Vec<String>>,
}

impl Site {
    /// The names of every actor and place, indexed once for this generation.
    pub(super) fn name_index(&self) -> Result<Arc<NameIndex>> {
        let mut cached = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(index) = &*cached {
            return Ok(index.clone());
        }
        let mut by_entity: BTreeMap<String, Gathered> = BTreeMap::new();
        self.each(page_query!("reconcile-names"), &[], |row| {
            let (
                Some(Term::NamedNode(entity)),
                Some(Term::NamedNode(class)),
                Some(Term::Literal(name)),
            ) = (row.get("entity"), row.get("class"), row.get("name"))
            else {
                return Ok(());
            };
            let entry = by_entity.entry(entity.as_str().to_owned()).or_default();
            let class = class
                .as_str()
                .trim_start_matches(crate::vocab::hkg::NS)
                .to_owned();
            if !entry.0.contains(&class) {
                entry.0.push(class);
            }
            entry.2 = (day(row.get("from")), day(row.get("to")));
            let english = name.language() == Some("en");
            if !entry.1.iter().any(|(n, _)| n == name.value()) {
                entry.1.push((name.value().to_owned(), english));
            }
            Ok(())
        })?;
        let base = self.iris.base();
        let mut candidates: Vec<Candidate> = by_entity
            .into_iter()
            .map(|(iri, (mut types, names, span))| {
                types.sort();
                let name = (names.iter().find(|(_, en)| *en))
                    .or(names.first())
                    .map(|(n, _)| n.clone())
                    .unwrap_or_default();
                let mut keys: Vec<String> = names.iter().map(|(n, _)| key(n)).collect();
                keys.sort();
                keys.dedup();
                let mut written: Vec<String> = names.into_iter().map(|(n, _)| n).collect();
                written.sort();
                Candidate {
                    id: iri.strip_prefix(base).unwrap_or(&iri).to_owned(),
                    name,
                    types,
                    keys,
                    names: written,
                    span,
                    links: Vec::new(),
                }
            })
            .collect();
        let by_id: HashMap<String, usize> = (candidates.iter().enumerate())
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in candidates.iter().enumerate() {
            for k in &c.keys {
                by_key.entry(k.clone()).or_default().push(i);
            }
        }
        let position = |term: Option<&Term>| match term {
            Some(Term::NamedNode(n)) => n.as_str().strip_prefix(base).and_then(|id| by_id.get(id)),
            _ => None,
        };
        let mut links: Vec<(usize, usize)> = Vec::new();
        self.each(page_query!("reconcile-links"), &[], |row| {
            if let (Some(&a), Some(&b)) = (position(row.get("a")), position(row.get("b"))) {
                links.extend([(a, b), (b, a)]);
            }
            Ok(())
        })?;
        for (a, b) in links {
            candidates[a].links.push(b);
        }
        for c in &mut candidates {
            c.links.sort_unstable();
            c.links.dedup();
        }
        let index = Arc::new(NameIndex {
            candidates,
            by_id,
            by_key,
        });
        *cached = Some(index.clone());
        Ok(index)
    }
}

/// The values of a `related` or `place` property: a string (an id or a name), an object with
/// an `id` or a `name` (a reconciled cell, as OpenRefine sends it), or a list of these.
fn property_values(name: &str, pid: &str, v: &Value) -> std::result::Result<Vec<String>, String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => (o.get("id").or_else(|| o.get("name")))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let values: Option<Vec<String>> = match v {
        Value::Array(vs) => vs.iter().map(one).collect(),
        other => one(other).map(|s| vec![s]),
    };
    values.filter(|vs| !vs.is_empty()).ok_or_else(|| {
        format!("query `{name}`: `{pid}` must be an id or a name (a string, an object with an `id`, or a list of these)")
    })
}

/// One query of a batch, checked.
pub fn parse_query(name: &str, q: &Value) -> std::result::Result<Query, String> {
    let text = match q {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o
            .get("query")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("query `{name}` has no `query` string"))?,
        _ => {
            return Err(format!(
                "query `{name}` must be an object with a `query` string"
            ));
        }
    };
    let types = match q.get("type") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .map(|t| {
                t.as_str().map(str::to_owned).ok_or_else(|| {
                    format!("query `{name}`: `type` must be a string or a list of strings")
                })
            })
            .collect::<std::result::Result<_, _>>()?,
        Some(_) => {
            return Err(format!(
                "query `{name}`: `type` must be a string or a list of strings"
            ));
        }
    };
    let limit = match q.get("limit") {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        Some(l) => l
            .as_u64()
            .and_then(|l| usize::try_from(l).ok())
            .filter(|l| (1..=super::MAX_LIMIT).contains(l))
            .ok_or_else(|| {
                format!(
                    "query `{name}`: `limit` must be a whole number from 1 to {}",
                    super::MAX_LIMIT
                )
            })?,
    };
    let mut query = Query {
        key: key(text),
        types,
        limit,
        during: None,
        related: Vec::new(),
        places: Vec::new(),
    };
    for p in q
        .get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let pid = p.get("pid").and_then(Value::as_str).unwrap_or_default();
        let v = p.get("v").unwrap_or(&Value::Null);
        match pid {
            "dates" => {
                let text = v.as_str().unwrap_or_default();
                let date = crate::dates::parse(text, crate::dates::Calendar::Unknown).map_err(|e| {
                    format!("query `{name}`: `dates` must be an EDTF date such as 1741 or 1735/1745 ({e})")
                })?;
                query.during = Some((
                    date.not_before.map(crate::dates::Day::number),
                    date.not_after.map(crate::dates::Day::number),
                ));
            }
            "related" => query.related.push(property_values(name, pid, v)?),
            "place" => query.places.push(property_values(name, pid, v)?),
            _ => {
                let known: Vec<&str> = QUERY_PROPERTIES.iter().map(|(p, _)| *p).collect();
                return Err(format!(
                    "query `{name}`: unknown property `{pid}`; the properties are: {}",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(query)
}

impl NameIndex {
    /// The candidate whose id is `id`.
    pub fn get(&self, id: &str) -> Option<&Candidate> {
        self.by_id.get(id).map(|&i| &self.candidates[i])
    }

    /// The candidates `value` names: the one with that id, else those with a name of that key.
    fn named(&self, value: &str) -> Vec<usize> {
        match self.by_id.get(value) {
            Some(&i) => vec![i],
            None => self.by_key.get(&key(value)).cloned().unwrap_or_default(),
        }
    }

    /// Whether `c` is linked to one of the entities `values` names (only places if `places`).
    fn linked(&self, c: &Candidate, values: &[String], places: bool) -> bool {
        values.iter().any(|v| {
            self.named(v).into_iter().any(|i| {
                (!places || self.candidates[i].is_place()) && c.links.binary_search(&i).is_ok()
            })
        })
    }

    /// The candidates of one query, best first.
    pub fn candidates_for(&self, query: &Query) -> Vec<Value> {
        if query.key.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(f64, &Candidate)> = (self.candidates.iter())
            .filter(|c| query.types.is_empty() || query.types.iter().any(|t| c.types.contains(t)))
            .filter(|c| query.during.is_none_or(|d| overlaps(d, c.span)))
            .filter(|c| query.related.iter().all(|vs| self.linked(c, vs, false)))
            .filter(|c| query.places.iter().all(|vs| self.linked(c, vs, true)))
            .filter_map(|c| {
                let best = (c.keys.iter())
                    .map(|k| {
                        if *k == query.key {
                            100.0
                        } else {
                            100.0 * strsim::jaro_winkler(&query.key, k)
                        }
                    })
                    .fold(0.0, f64::max);
                (best >= MIN_SCORE).then_some((best, c))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let exact = scored.iter().filter(|(s, _)| *s >= 100.0).count();
        scored
            .into_iter()
            .take(query.limit)
            .map(|(score, c)| {
                let types: Vec<Value> = c
                    .types
                    .iter()
                    .map(|t| json!({"id": t, "name": t}))
                    .collect();
                json!({
                    "id": c.id,
                    "name": c.name,
                    "type": types,
                    "score": (score * 10.0).round() / 10.0,
                    "match": score >= 100.0 && exact == 1,
                })
            })
            .collect()
    }

    /// Entities with a name starting like `prefix` (by key), at most `n`.
    pub fn starting_with(&self, prefix: &str, n: usize) -> Vec<&Candidate> {
        let needle = key(prefix);
        if needle.is_empty() {
            return Vec::new();
        }
        (self.candidates.iter())
            .filter(|c| c.keys.iter().any(|k| k.starts_with(&needle)))
            .take(n)
            .collect()
    }
}

/// Whether two spans of day numbers (open ends `None`) can share a day.
fn overlaps(a: (Option<i64>, Option<i64>), b: (Option<i64>, Option<i64>)) -> bool {
    let before =
        |end: Option<i64>, start: Option<i64>| matches!((end, start), (Some(e), Some(s)) if e < s);
    !before(a.1, b.0) && !before(b.1, a.0)
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn names_in_three_scripts_fold_to_close_keys() {
        assert_eq!(key("Абулхаир"), "abulkhair");
        assert_eq!(key("Abul-Khair"), "abulkhair");
        assert_eq!(key("Abu'l-Khayr"), "abulkhayr");
        assert!(key("Әбілқайыр").starts_with("ab"));
    }
}
