//! What a graph holds: triples, entities by class, assertions by certainty.
//!
//! `build` counts from the validated records as it loads them ([`Summary::of_dataset`]),
//! because counting from the store means scanning it while RocksDB is still compacting
//! (4 s of a 20 s build at 100 k relations). [`Summary::of`] counts the same things from a
//! store by SPARQL; tests check that the two agree.

use crate::model::Dataset;
use anyhow::Result;
use oxigraph::store::Store;
use std::collections::BTreeMap;
use std::fmt;

/// One kind of entity: its root class, how many there are, and the count per class.
pub type KindCounts = (String, u64, Vec<(String, u64)>);

/// Counts describing a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Number of triples.
    pub triples: usize,
    /// (root class, total, [(class, count)]) for actors, places, events and sources.
    pub kinds: Vec<KindCounts>,
    /// Assertions by certainty.
    pub assertions: Vec<(String, u64)>,
}

fn rows(store: &Store, query: &str) -> Result<Vec<Vec<String>>> {
    let prefixes = [("hkg".to_owned(), crate::vocab::hkg::NS.to_owned())];
    Ok(crate::query::select(store, &prefixes, query)?
        .iter()
        .map(|solution| {
            solution
                .values()
                .iter()
                .map(|t| crate::query::local_value(t.as_ref()))
                .collect()
        })
        .collect())
}

/// `(name, count)` sorted by count descending, then name.
fn by_count<'a>(names: impl Iterator<Item = &'a str>) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for class in names {
        *counts.entry(class).or_default() += 1;
    }
    let mut out: Vec<(String, u64)> = counts.into_iter().map(|(c, n)| (c.to_owned(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

impl Summary {
    /// Counts a validated dataset whose mapping gave `triples` distinct triples.
    pub fn of_dataset(dataset: &Dataset, triples: usize) -> Self {
        // (root class, the class of each record): the root itself is not listed as a class.
        let kind = |root: &str, classes: Vec<&str>| {
            let total = classes.len() as u64;
            let listed = by_count(classes.into_iter().filter(|c| *c != root));
            (root.to_owned(), total, listed)
        };
        fn classes(named: &[crate::model::Named]) -> Vec<&str> {
            named.iter().map(|n| n.class.as_str()).collect()
        }
        let kinds = vec![
            kind("Actor", classes(&dataset.actors)),
            kind("Place", classes(&dataset.places)),
            kind(
                "Event",
                dataset.events.iter().map(|e| e.class.as_str()).collect(),
            ),
            kind(
                "Source",
                dataset.sources.iter().map(|s| s.class.as_str()).collect(),
            ),
        ];
        let assertions = by_count(dataset.relations.iter().map(|r| r.certainty.name()));
        Self {
            triples,
            kinds,
            assertions,
        }
    }

    /// Counts what `store` holds.
    pub fn of(store: &Store) -> Result<Self> {
        let mut kinds = Vec::new();
        for root in ["Actor", "Place", "Event", "Source"] {
            let classes = rows(
                store,
                &format!(
                    "SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a hkg:{root}, ?class . FILTER(?class != hkg:{root}) }} GROUP BY ?class ORDER BY DESC(?n) ?class"
                ),
            )?;
            let total = rows(
                store,
                &format!("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a hkg:{root} }}"),
            )?;
            let total = total
                .first()
                .and_then(|r| r.first())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let classes = classes
                .into_iter()
                .map(|r| (r[0].clone(), r[1].parse().unwrap_or(0)))
                .collect();
            kinds.push((root.to_owned(), total, classes));
        }
        let assertions = rows(
            store,
            "SELECT ?c (COUNT(?a) AS ?n) WHERE { ?a a hkg:Assertion ; hkg:certainty ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
        )?
        .into_iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap_or(0)))
        .collect();
        Ok(Self {
            triples: store.len()?,
            kinds,
            assertions,
        })
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} triples", self.triples)?;
        let plural = |root: &str| match root {
            "Actor" => "actors",
            "Place" => "places",
            "Event" => "events",
            _ => "sources",
        };
        for (root, total, classes) in &self.kinds {
            let detail: Vec<String> = classes.iter().map(|(c, n)| format!("{c} {n}")).collect();
            writeln!(f, "{total:>6} {:<10} {}", plural(root), detail.join(", "))?;
        }
        let total: u64 = self.assertions.iter().map(|(_, n)| n).sum();
        let detail: Vec<String> = self
            .assertions
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        write!(f, "{total:>6} {:<10} {}", "assertions", detail.join(", "))
    }
}
