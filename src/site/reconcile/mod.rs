//! The W3C Entity Reconciliation API (version 0.2, as OpenRefine speaks it) over the actors
//! and places: the service manifest and batches of queries, answered as JSON values (the
//! server does the HTTP, `serve`).
//!
//! Matching: every name of every entity (labels and variants, in every script) is folded
//! to a key ([`key`]: transliterated to ASCII by `any_ascii`, lowercased, letters and
//! digits only), so that `Абулхаир`, `Abulkhair` and `Abul-Khair` meet; a query is scored
//! against each name by the Jaro-Winkler similarity of the keys (`strsim`), 100 for the same
//! key, and an entity by its best name. `match` is true only for the one candidate whose
//! key is the query's, when no other candidate has it. A query's properties narrow the
//! candidates: `dates` (EDTF) must overlap the entity's dates; `place` names a place the
//! entity is linked to (the place of an event it took part in, a place it is related to or
//! part of); `related` an actor or place it is related to (either party of an assertion, or
//! a fellow participant of an event). Both take an id or a name (matched by key) and accept a
//! reconciled cell (`{"id": ...}`). The index (`index`) is made once per published
//! generation, on the first query, with the entities looked up by id and by key.

mod index;
mod score;

pub use index::{NameIndex, QUERY_PROPERTIES, key};

use super::Site;
use crate::error::Result;
use oxigraph::model::Term;
use serde_json::{Map, Value, json};

/// The most queries one batch may hold.
pub const MAX_QUERIES: usize = 100;
/// The most candidates one query may ask for (`limit`).
pub const MAX_LIMIT: usize = 50;
/// Width and height of the preview OpenRefine shows in a frame.
const PREVIEW_SIZE: (u32, u32) = (400, 90);
/// Suggestions per request.
const SUGGESTIONS: usize = 10;

/// The properties data extension gives, with their names.
pub const EXTEND_PROPERTIES: [(&str, &str); 5] = [
    ("label_ru", "Russian name"),
    ("dates", "dates (EDTF)"),
    ("type", "type"),
    ("related", "related actors and places"),
    ("sources", "sources"),
];

impl Site {
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
                "property": {
                    "service_url": view_url.trim_end_matches('/'),
                    "service_path": "/reconcile/suggest/property",
                },
            },
        }))
    }

    /// A small HTML card of entity `id` (`actor/abulkhair`) for OpenRefine's preview, linking
    /// to its page at `view_url`; `None` for an id that is no actor or place.
    pub fn reconcile_preview(&self, id: &str, view_url: &str) -> Result<Option<String>> {
        let index = self.name_index()?;
        let Some(c) = index.get(id) else {
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
        let result: Vec<Value> = (index.starting_with(prefix, SUGGESTIONS).into_iter())
            .map(|c| {
                let notable: Vec<Value> = c
                    .types
                    .iter()
                    .map(|t| json!({"id": t, "name": t}))
                    .collect();
                json!({"id": c.id, "name": c.name, "notable": notable})
            })
            .collect();
        Ok(json!({"result": result}))
    }

    /// The query properties whose id or name starts like `prefix` (all for an empty one),
    /// for OpenRefine's property suggest.
    pub fn suggest_properties(&self, prefix: &str) -> Value {
        let needle = prefix.trim().to_lowercase();
        let result: Vec<Value> = (QUERY_PROPERTIES.iter())
            .filter(|(id, name)| id.starts_with(&needle) || name.starts_with(&needle))
            .map(|(id, name)| json!({"id": id, "name": name, "description": name}))
            .collect();
        json!({"result": result})
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
            queries.push((name, index::parse_query(name, q)?));
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
        let name_of = |id: &str| index.get(id).map(|c| c.name.clone());
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
