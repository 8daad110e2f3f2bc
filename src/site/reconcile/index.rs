//! The reconciliation index: every actor and place with the keys of its names, its dates and
//! what it is linked to, made once per published generation; and the queries matched
//! against it.

use super::super::Site;
use crate::error::Result;
use oxigraph::model::{NamedOrBlankNode, Term};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::score::{Bag, bag, ceiling, day, overlaps};

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
    /// The letters of each key, counted ([`bag`]).
    bags: Vec<Bag>,
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
    ///
    /// Read from the store's indexes directly rather than by a page query: at the 100k
    /// synthetic size the two SPARQL queries this replaced took 4.5 s and 51 s (the join of
    /// fellow participants), the direct reads a fraction of a second.
    pub(super) fn name_index(&self) -> Result<Arc<NameIndex>> {
        let mut cached = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(index) = &*cached {
            return Ok(index.clone());
        }
        let base = self.iris.base();
        // The names and the links are read side by side (each is mostly waiting on the
        // store's reads).
        let (gathered, links) = std::thread::scope(|scope| {
            let links = scope.spawn(|| self.links());
            let gathered = self.gather();
            (gathered, links.join().expect("reading the links panicked"))
        });
        let mut candidates: Vec<Candidate> = gathered?
            .into_iter()
            .map(|(iri, (mut types, names, span))| {
                types.sort();
                let name = names.first().map(|(n, _)| n.clone()).unwrap_or_default();
                let mut keys: Vec<String> = names.iter().map(|(n, _)| key(n)).collect();
                keys.sort();
                keys.dedup();
                let mut written: Vec<String> = names.into_iter().map(|(n, _)| n).collect();
                written.sort();
                written.dedup();
                Candidate {
                    id: iri.strip_prefix(base).unwrap_or(&iri).to_owned(),
                    name,
                    types,
                    bags: keys.iter().map(|k| bag(k)).collect(),
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
        let position = |term: &Term| match term {
            Term::NamedNode(n) => n.as_str().strip_prefix(base).and_then(|id| by_id.get(id)),
            _ => None,
        };
        for (a, b) in links? {
            if let (Some(&a), Some(&b)) = (position(&a), position(&b)) {
                candidates[a].links.push(b);
                candidates[b].links.push(a);
            }
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

    /// Every actor and place by IRI: its classes in the ontology, its names (the English
    /// label first, then the other labels, then the variants) and its Gregorian bounds.
    fn gather(&self) -> Result<BTreeMap<String, Gathered>> {
        use crate::vocab::{hkg, rdf, rdfs, skos};
        let mut by_entity: BTreeMap<String, Gathered> = BTreeMap::new();
        for root in [hkg::ACTOR, hkg::PLACE] {
            for q in (self.store).quads_for_pattern(None, Some(rdf::TYPE), Some(root.into()), None)
            {
                let NamedOrBlankNode::NamedNode(entity) = q?.subject else {
                    continue;
                };
                let entry = by_entity.entry(entity.as_str().to_owned()).or_default();
                let mut names: Vec<(u8, String)> = Vec::new();
                for t in
                    (self.store).quads_for_pattern(Some(entity.as_ref().into()), None, None, None)
                {
                    let t = t?;
                    let p = t.predicate.as_ref();
                    match &t.object {
                        Term::NamedNode(c) if p == rdf::TYPE => {
                            if let Some(class) = c.as_str().strip_prefix(hkg::NS)
                                && !entry.0.iter().any(|k| k == class)
                            {
                                entry.0.push(class.to_owned());
                            }
                        }
                        Term::Literal(l) if p == rdfs::LABEL || p == skos::ALT_LABEL => {
                            let rank = match (p == rdfs::LABEL, l.language() == Some("en")) {
                                (true, true) => 0,
                                (true, false) => 1,
                                (false, _) => 2,
                            };
                            names.push((rank, l.value().to_owned()));
                        }
                        o if p == hkg::NOT_BEFORE => entry.2.0 = day(Some(o)),
                        o if p == hkg::NOT_AFTER => entry.2.1 = day(Some(o)),
                        _ => {}
                    }
                }
                names.sort();
                for (rank, name) in names {
                    if !entry.1.iter().any(|(n, _)| *n == name) {
                        entry.1.push((name, rank == 0));
                    }
                }
            }
        }
        Ok(by_entity)
    }

    /// What is linked to what, for the `related` and `place` properties: the two parties of
    /// each assertion, each place and the whole it is part of, and for each event its
    /// participants with its place and with one another.
    fn links(&self) -> Result<Vec<(Term, Term)>> {
        use crate::vocab::{hkg, rdf};
        let objects_of = |predicate: oxigraph::model::NamedNodeRef<'_>| -> Result<HashMap<NamedOrBlankNode, Vec<Term>>> {
            let mut map: HashMap<NamedOrBlankNode, Vec<Term>> = HashMap::new();
            for q in (self.store).quads_for_pattern(None, Some(predicate), None, None) {
                let q = q?;
                map.entry(q.subject).or_default().push(q.object);
            }
            Ok(map)
        };
        let mut links = Vec::new();
        let subjects = objects_of(rdf::SUBJECT)?;
        for (assertion, objects) in objects_of(rdf::OBJECT)? {
            for s in subjects.get(&assertion).into_iter().flatten() {
                links.extend(objects.iter().map(|o| (s.clone(), o.clone())));
            }
        }
        for q in (self.store).quads_for_pattern(None, Some(hkg::PART_OF), None, None) {
            let q = q?;
            links.push((q.subject.into(), q.object));
        }
        let mut participants: HashMap<NamedOrBlankNode, Vec<Term>> = HashMap::new();
        let role_property: Term = hkg::ROLE_PROPERTY.into_owned().into();
        for role in (self.store).quads_for_pattern(
            None,
            Some(rdf::TYPE),
            Some((&role_property).into()),
            None,
        ) {
            let NamedOrBlankNode::NamedNode(role) = role?.subject else {
                continue;
            };
            for (event, who) in objects_of(role.as_ref())? {
                participants.entry(event).or_default().extend(who);
            }
        }
        let places = objects_of(hkg::PLACE_PROP)?;
        for (event, who) in &participants {
            for (i, a) in who.iter().enumerate() {
                for place in places.get(event).into_iter().flatten() {
                    links.push((a.clone(), place.clone()));
                }
                links.extend(who[i + 1..].iter().map(|b| (a.clone(), b.clone())));
            }
        }
        Ok(links)
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
    ///
    /// Every name of every candidate that passes the query's type and properties is scored,
    /// except where a bound shows it cannot make the list: [`ceiling`], from the keys'
    /// lengths and letter counts, is compared with the lowest score the list still admits
    /// (the `limit`-th best so far, at least [`MIN_SCORE`]). The answer is what scoring
    /// every name would give.
    pub fn candidates_for(&self, query: &Query) -> Vec<Value> {
        if query.key.is_empty() {
            return Vec::new();
        }
        let query_bag = bag(&query.key);
        let mut exact = 0;
        // The best `limit` so far, best first: (score, candidate).
        let mut top: Vec<(f64, &Candidate)> = Vec::with_capacity(query.limit + 1);
        let better = |a: &(f64, &Candidate), b: &(f64, &Candidate)| {
            b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id))
        };
        let passing = (self.candidates.iter())
            .filter(|c| query.types.is_empty() || query.types.iter().any(|t| c.types.contains(t)))
            .filter(|c| query.during.is_none_or(|d| overlaps(d, c.span)))
            .filter(|c| query.related.iter().all(|vs| self.linked(c, vs, false)))
            .filter(|c| query.places.iter().all(|vs| self.linked(c, vs, true)));
        for c in passing {
            let floor = match top.len() == query.limit {
                true => top[query.limit - 1].0.max(MIN_SCORE),
                false => MIN_SCORE,
            };
            let mut best = 0.0f64;
            for (k, b) in c.keys.iter().zip(&c.bags) {
                if *k == query.key {
                    best = 100.0;
                    break;
                }
                if ceiling(&query.key, &query_bag, k, b) >= floor.max(best) {
                    best = best.max(100.0 * strsim::jaro_winkler(&query.key, k));
                }
            }
            if best >= 100.0 {
                exact += 1;
            }
            if best >= floor {
                let at = top
                    .binary_search_by(|probe| better(probe, &(best, c)))
                    .unwrap_or_else(|i| i);
                top.insert(at, (best, c));
                top.truncate(query.limit);
            }
        }
        top.into_iter()
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

#[cfg(test)]
mod tests {
    use super::{Candidate, NameIndex, Query, bag, key};
    use std::collections::HashMap;

    /// An index of one candidate per group of names.
    fn index_of(groups: &[&[&str]]) -> NameIndex {
        let candidates: Vec<Candidate> = (groups.iter().enumerate())
            .map(|(i, names)| {
                let keys: Vec<String> = names.iter().map(|n| key(n)).collect();
                Candidate {
                    id: format!("actor/a{i:03}"),
                    name: names[0].to_owned(),
                    types: vec!["Actor".to_owned()],
                    bags: keys.iter().map(|k| bag(k)).collect(),
                    keys,
                    names: names.iter().map(|n| (*n).to_owned()).collect(),
                    span: (None, None),
                    links: Vec::new(),
                }
            })
            .collect();
        NameIndex {
            candidates,
            by_id: HashMap::new(),
            by_key: HashMap::new(),
        }
    }

    #[test]
    fn pruned_scoring_gives_what_scoring_every_name_gives() {
        let syllables = [
            "ab", "ul", "khai", "r", "dar", "ma", "ba", "la", "gal", "dan", "tse", "ren",
        ];
        // Names made of one to four syllables, a few with two spellings.
        let mut made: Vec<Vec<String>> = Vec::new();
        for i in 0..300usize {
            let n = 1 + i % 4;
            let name: String = (0..n)
                .map(|j| syllables[(i * 7 + j * 5) % syllables.len()])
                .collect();
            let mut names = vec![name.clone()];
            if i % 5 == 0 {
                names.push(format!("{name}a"));
            }
            made.push(names);
        }
        let groups: Vec<Vec<&str>> = made
            .iter()
            .map(|g| g.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = groups.iter().map(Vec::as_slice).collect();
        let index = index_of(&slices);
        for query in [
            "abulkhair",
            "darmabala",
            "galdantseren",
            "abul",
            "r",
            "maba",
            "zzz",
            "tsera",
        ] {
            for limit in [1, 3, 5, 50] {
                let q = Query {
                    key: key(query),
                    types: Vec::new(),
                    limit,
                    during: None,
                    related: Vec::new(),
                    places: Vec::new(),
                };
                // Every name scored, as before the pruning.
                let mut all: Vec<(f64, &Candidate)> = (index.candidates.iter())
                    .map(|c| {
                        let best = (c.keys.iter())
                            .map(|k| {
                                if *k == q.key {
                                    100.0
                                } else {
                                    100.0 * strsim::jaro_winkler(&q.key, k)
                                }
                            })
                            .fold(0.0, f64::max);
                        (best, c)
                    })
                    .filter(|(s, _)| *s >= super::MIN_SCORE)
                    .collect();
                all.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
                let expected: Vec<(String, f64)> = all
                    .iter()
                    .take(limit)
                    .map(|(s, c)| (c.id.clone(), (s * 10.0).round() / 10.0))
                    .collect();
                let got: Vec<(String, f64)> = (index.candidates_for(&q).iter())
                    .map(|v| {
                        (
                            v["id"].as_str().unwrap().to_owned(),
                            v["score"].as_f64().unwrap(),
                        )
                    })
                    .collect();
                assert_eq!(got, expected, "{query} limit {limit}");
            }
        }
    }

    #[test]
    fn names_in_three_scripts_fold_to_close_keys() {
        assert_eq!(key("Абулхаир"), "abulkhair");
        assert_eq!(key("Abul-Khair"), "abulkhair");
        assert_eq!(key("Abu'l-Khayr"), "abulkhayr");
        assert!(key("Әбілқайыр").starts_with("ab"));
    }
}
