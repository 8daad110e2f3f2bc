//! The W3C Entity Reconciliation API (version 0.2, as OpenRefine speaks it) over the actors
//! and places: the service manifest and batches of queries, answered as JSON values (the
//! server does the HTTP, `serve`).
//!
//! Matching: every name of every entity (labels and variants, in every script) is folded
//! to a key ([`key`]: transliterated to ASCII by `any_ascii`, lowercased, letters and
//! digits only), so that `Абулхаир`, `Abulkhair` and `Abul-Khair` meet; a query is scored
//! against each name by the Jaro-Winkler similarity of the keys (`strsim`), 100 for the same
//! key, and an entity by its best name. `match` is true only for the one candidate whose
//! key is the query's, when no other candidate has it. The index of names is made once per
//! published generation, on the first query.

use super::{Site, page_query};
use crate::error::Result;
use oxigraph::model::Term;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The most queries one batch may hold.
pub const MAX_QUERIES: usize = 100;
/// The most candidates one query may ask for (`limit`).
pub const MAX_LIMIT: usize = 50;
/// Candidates per query when the query does not say.
const DEFAULT_LIMIT: usize = 5;
/// Width and height of the preview OpenRefine shows in a frame.
const PREVIEW_SIZE: (u32, u32) = (400, 90);
/// Suggestions per request.
const SUGGESTIONS: usize = 10;
/// The lowest score a candidate needs to be given (out of 100).
const MIN_SCORE: f64 = 60.0;

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

/// One entity the service can give.
#[derive(Debug)]
struct Candidate {
    /// Its id: the IRI relative to the base (`actor/abulkhair`).
    id: String,
    /// Its English label, else its first name.
    name: String,
    /// Its classes' local names (`Person`, `Actor`).
    types: Vec<String>,
    /// The keys of all its names.
    keys: Vec<String>,
    /// All its names as written.
    names: Vec<String>,
    /// Its Gregorian bounds as day numbers, when dated (open ends `None`).
    span: (Option<i64>, Option<i64>),
}

/// A Gregorian `xsd:date` as a day number.
fn day(term: Option<&Term>) -> Option<i64> {
    let Some(Term::Literal(l)) = term else {
        return None;
    };
    let date = crate::dates::parse(l.value(), crate::dates::Calendar::Gregorian).ok()?;
    date.not_before.map(crate::dates::Day::number)
}

/// Every actor and place with the keys of its names.
#[derive(Debug)]
pub struct NameIndex {
    candidates: Vec<Candidate>,
}

/// An entity's classes, names (each with whether it is English) and bounds, as read.
type Gathered = (Vec<String>, Vec<(String, bool)>, (Option<i64>, Option<i64>));

/// The properties data extension gives, with their names.
pub const EXTEND_PROPERTIES: [(&str, &str); 5] = [
    ("label_ru", "Russian name"),
    ("dates", "dates (EDTF)"),
    ("type", "type"),
    ("related", "related actors and places"),
    ("sources", "sources"),
];

/// What a query asks for.
struct Query {
    key: String,
    types: Vec<String>,
    limit: usize,
    /// A date the candidate's dates must overlap (the `dates` property), as day numbers.
    during: Option<(Option<i64>, Option<i64>)>,
}

/// The query properties the service knows.
const QUERY_PROPERTIES: [&str; 1] = ["dates"];

impl Site {
    /// The names of every actor and place, indexed once for this generation.
    fn name_index(&self) -> Result<Arc<NameIndex>> {
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
        let candidates = by_entity
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
                }
            })
            .collect();
        let index = Arc::new(NameIndex { candidates });
        *cached = Some(index.clone());
        Ok(index)
    }

    /// The service manifest: `view_url` is where an entity id is appended to give its page
    /// (the server's root). The default types are every class of an actor or a place.
    pub fn reconcile_manifest(&self, view_url: &str) -> Result<Value> {
        let index = self.name_index()?;
        let mut classes: Vec<&str> = (index.candidates.iter())
            .flat_map(|c| c.types.iter().map(String::as_str))
            .collect();
        classes.sort_unstable();
        classes.dedup();
        let default_types: Vec<Value> = classes
            .iter()
            .map(|t| json!({"id": t, "name": t}))
            .collect();
        Ok(json!({
            "versions": ["0.2"],
            "name": format!("{} (histkg)", self.title),
            "identifierSpace": self.iris.base(),
            "schemaSpace": crate::vocab::hkg::NS,
            "defaultTypes": default_types,
            "view": {"url": format!("{view_url}{{{{id}}}}")},
            "preview": {
                "url": format!("{view_url}reconcile/preview?id={{{{id}}}}"),
                "width": PREVIEW_SIZE.0,
                "height": PREVIEW_SIZE.1,
            },
            "extend": {
                "propose_properties": {
                    "service_url": view_url.trim_end_matches('/'),
                    "service_path": "/reconcile/propose_properties",
                },
                "property_settings": [],
            },
            "suggest": {
                "entity": {
                    "service_url": view_url.trim_end_matches('/'),
                    "service_path": "/reconcile/suggest/entity",
                },
                "type": {
                    "service_url": view_url.trim_end_matches('/'),
                    "service_path": "/reconcile/suggest/type",
                },
            },
        }))
    }

    /// A small HTML card of entity `id` (`actor/abulkhair`) for OpenRefine's preview, linking
    /// to its page at `view_url`; `None` for an id that is no actor or place.
    pub fn reconcile_preview(&self, id: &str, view_url: &str) -> Result<Option<String>> {
        let index = self.name_index()?;
        let Some(c) = index.candidates.iter().find(|c| c.id == id) else {
            return Ok(None);
        };
        let escape = |s: &str| minijinja::HtmlEscape(s).to_string();
        let others: Vec<String> = (c.names.iter())
            .filter(|n| **n != c.name)
            .map(|n| escape(n))
            .collect();
        Ok(Some(format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{name}</title></head>\n<body style=\"font: 13px sans-serif; margin: 6px\">\n<a href=\"{href}\" target=\"_blank\"><b>{name}</b></a> <span style=\"color: #666\">{types}</span>\n<div>{others}</div>\n</body></html>\n",
            name = escape(&c.name),
            href = escape(&format!("{view_url}{}", c.id)),
            types = escape(&c.types.join(", ")),
            others = others.join(" · "),
        )))
    }

    /// Entities with a name starting like `prefix` (by key), for OpenRefine's suggest.
    pub fn suggest_entities(&self, prefix: &str) -> Result<Value> {
        let index = self.name_index()?;
        let needle = key(prefix);
        let result: Vec<Value> = if needle.is_empty() {
            Vec::new()
        } else {
            (index.candidates.iter())
                .filter(|c| c.keys.iter().any(|k| k.starts_with(&needle)))
                .take(SUGGESTIONS)
                .map(|c| {
                    let notable: Vec<Value> = c
                        .types
                        .iter()
                        .map(|t| json!({"id": t, "name": t}))
                        .collect();
                    json!({"id": c.id, "name": c.name, "notable": notable})
                })
                .collect()
        };
        Ok(json!({"result": result}))
    }

    /// Classes of actors and places starting like `prefix`, for OpenRefine's suggest.
    pub fn suggest_types(&self, prefix: &str) -> Result<Value> {
        let index = self.name_index()?;
        let needle = prefix.trim().to_lowercase();
        let mut classes: Vec<&str> = (index.candidates.iter())
            .flat_map(|c| c.types.iter().map(String::as_str))
            .filter(|t| t.to_lowercase().starts_with(&needle))
            .collect();
        classes.sort_unstable();
        classes.dedup();
        let result: Vec<Value> = (classes.iter().take(SUGGESTIONS))
            .map(|t| json!({"id": t, "name": t}))
            .collect();
        Ok(json!({"result": result}))
    }

    /// Answers a batch of queries (the `queries` parameter, parsed): each key of `batch`
    /// gets its candidates. An error names what is wrong with the batch.
    pub fn reconcile(&self, batch: &Value) -> std::result::Result<Result<Value>, String> {
        let Some(batch) = batch.as_object() else {
            return Err("`queries` must be a JSON object of queries, e.g. {\"q0\": {\"query\": \"Abulkhair\"}}".to_owned());
        };
        if batch.len() > MAX_QUERIES {
            return Err(format!(
                "at most {MAX_QUERIES} queries in one batch, not {}",
                batch.len()
            ));
        }
        let mut queries = Vec::new();
        for (name, q) in batch {
            queries.push((name, parse_query(name, q)?));
        }
        Ok(self.name_index().map(|index| {
            let mut answers = Map::new();
            for (name, query) in queries {
                answers.insert(
                    name.clone(),
                    json!({"result": index.candidates_for(&query)}),
                );
            }
            Value::Object(answers)
        }))
    }
}

impl Site {
    /// The properties OpenRefine may add as columns (the same for every type).
    pub fn propose_properties(&self, type_id: &str) -> Value {
        let properties: Vec<Value> = (EXTEND_PROPERTIES.iter())
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect();
        json!({"type": type_id, "properties": properties})
    }

    /// Data extension: for each id of `request.ids`, the values of each property of
    /// `request.properties`. An error names what is wrong with the request.
    pub fn extend(&self, request: &Value) -> std::result::Result<Result<Value>, String> {
        let usage = "`extend` must be {\"ids\": [entity ids], \"properties\": [{\"id\": \"label_ru\"}, ...]}";
        let ids: Vec<&str> = (request.get("ids").and_then(Value::as_array))
            .ok_or(usage)?
            .iter()
            .map(|v| v.as_str().ok_or(usage))
            .collect::<std::result::Result<_, _>>()?;
        if ids.len() > MAX_QUERIES {
            return Err(format!(
                "at most {MAX_QUERIES} ids in one request, not {}",
                ids.len()
            ));
        }
        let mut properties = Vec::new();
        for p in (request.get("properties").and_then(Value::as_array)).ok_or(usage)? {
            let id = p.get("id").and_then(Value::as_str).ok_or(usage)?;
            let Some(known) = EXTEND_PROPERTIES.iter().find(|(k, _)| *k == id) else {
                let names: Vec<&str> = EXTEND_PROPERTIES.iter().map(|(k, _)| *k).collect();
                return Err(format!(
                    "unknown property `{id}`; the properties are: {}",
                    names.join(", ")
                ));
            };
            properties.push(*known);
        }
        Ok(self.extend_rows(&ids, &properties))
    }

    fn extend_rows(&self, ids: &[&str], properties: &[(&str, &str)]) -> Result<Value> {
        use crate::vocab::{hkg, prov, rdf, rdfs};
        let index = self.name_index()?;
        let base = self.iris.base();
        let name_of =
            |id: &str| (index.candidates.iter().find(|c| c.id == id)).map(|c| c.name.clone());
        let mut rows = Map::new();
        for id in ids {
            let iri = oxigraph::model::NamedNode::new(format!("{base}{id}"))
                .map_err(|e| crate::Error::user(format!("`{id}` is not an entity id: {e}")))?;
            let triples: Vec<oxigraph::model::Quad> = self
                .store
                .quads_for_pattern(Some(iri.as_ref().into()), None, None, None)
                .collect::<std::result::Result<_, _>>()?;
            let mut row = Map::new();
            for (property, _) in properties {
                let mut values: Vec<Value> = Vec::new();
                for q in &triples {
                    let p = q.predicate.as_ref();
                    match (*property, &q.object) {
                        ("label_ru", Term::Literal(l))
                            if p == rdfs::LABEL && l.language() == Some("ru") =>
                        {
                            values.push(json!({"str": l.value()}));
                        }
                        ("dates", Term::Literal(l)) if p == hkg::DATE => {
                            values.push(json!({"str": l.value()}));
                        }
                        ("type", Term::NamedNode(c))
                            if p == rdf::TYPE && c.as_str().starts_with(hkg::NS) =>
                        {
                            let local = c.as_str().trim_start_matches(hkg::NS);
                            values.push(json!({"id": local, "name": local}));
                        }
                        ("related", Term::NamedNode(o))
                            if p.as_str().starts_with(hkg::NS) && p != rdf::TYPE =>
                        {
                            let other = o.as_str().strip_prefix(base).unwrap_or_default();
                            if let Some(name) = name_of(other) {
                                values.push(json!({"id": other, "name": name}));
                            }
                        }
                        ("sources", Term::NamedNode(s)) if p == prov::WAS_DERIVED_FROM => {
                            let source = s.as_str().strip_prefix(base).unwrap_or(s.as_str());
                            let label = self
                                .literal(s.as_ref(), rdfs::LABEL)?
                                .unwrap_or_else(|| source.to_owned());
                            values.push(json!({"id": source, "name": label}));
                        }
                        _ => {}
                    }
                }
                values.sort_by_key(Value::to_string);
                values.dedup();
                row.insert((*property).to_owned(), Value::Array(values));
            }
            rows.insert((*id).to_owned(), Value::Object(row));
        }
        let meta: Vec<Value> = (properties.iter())
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect();
        Ok(json!({"meta": meta, "rows": rows}))
    }
}

/// One query of a batch, checked.
fn parse_query(name: &str, q: &Value) -> std::result::Result<Query, String> {
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
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| {
                format!("query `{name}`: `limit` must be a whole number from 1 to {MAX_LIMIT}")
            })?,
    };
    let mut during = None;
    for p in q
        .get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let pid = p.get("pid").and_then(Value::as_str).unwrap_or_default();
        if !QUERY_PROPERTIES.contains(&pid) {
            return Err(format!(
                "query `{name}`: unknown property `{pid}`; the properties are: {}",
                QUERY_PROPERTIES.join(", ")
            ));
        }
        let v = p.get("v").and_then(Value::as_str).unwrap_or_default();
        let date = crate::dates::parse(v, crate::dates::Calendar::Unknown).map_err(|e| {
            format!("query `{name}`: `dates` must be an EDTF date such as 1741 or 1735/1745 ({e})")
        })?;
        during = Some((
            date.not_before.map(crate::dates::Day::number),
            date.not_after.map(crate::dates::Day::number),
        ));
    }
    Ok(Query {
        key: key(text),
        types,
        limit,
        during,
    })
}

impl NameIndex {
    /// The candidates of one query, best first.
    fn candidates_for(&self, query: &Query) -> Vec<Value> {
        if query.key.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(f64, &Candidate)> = (self.candidates.iter())
            .filter(|c| query.types.is_empty() || query.types.iter().any(|t| c.types.contains(t)))
            .filter(|c| query.during.is_none_or(|d| overlaps(d, c.span)))
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
