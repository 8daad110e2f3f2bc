//! What a graph holds: triples, entities by class, assertions by certainty.
//!
//! `build` counts the validated records as it loads them ([`Tally`], [`Summary::of_tally`]),
//! because counting from the store means scanning it while RocksDB is still compacting
//! (4 s of a 20 s build at 100 k relations). [`Summary::of`] counts the same things from a
//! store by SPARQL; tests check that the two agree.

use crate::error::Result;
use crate::model::Record;
use crate::vocab::Root;
use oxigraph::store::Store;
use std::collections::BTreeMap;
use std::fmt;

/// One kind of entity: its root class, how many there are, and how many of each class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindCounts {
    /// The root class.
    pub root: Root,
    /// Entities of the root class.
    pub total: u64,
    /// (class, count), most frequent first; the root class itself is not listed.
    pub classes: Vec<(String, u64)>,
}

/// Counts describing a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Number of triples.
    pub triples: usize,
    /// Actors, places, events and sources, in that order.
    pub kinds: Vec<KindCounts>,
    /// Assertions by certainty, most frequent first.
    pub assertions: Vec<(String, u64)>,
}

/// The roots counted, in the order the summary lists them.
const ROOTS: [Root; 4] = [Root::Actor, Root::Place, Root::Event, Root::Source];

/// `(name, count)` of each solution's `?name` and `?n` (the name is empty when unbound), with
/// `?root` bound to `root`.
fn counts(store: &Store, query: &str, root: Option<Root>) -> Result<Vec<(String, u64)>> {
    let prefixes = [("hkg".to_owned(), crate::vocab::hkg::NS.to_owned())];
    let bindings: Vec<_> = root.map(|r| ("root", r.class())).into_iter().collect();
    let mut out = Vec::new();
    for s in crate::query::select(store, &prefixes, query, &bindings)? {
        let n = crate::query::local_value(s.get("n"));
        let n = n
            .parse()
            .map_err(|_| crate::Error::internal(format!("a count is not a number: `{n}`")))?;
        out.push((crate::query::local_value(s.get("name")), n));
    }
    Ok(out)
}

/// `(name, count)` sorted by count descending, then name.
fn ranked(counts: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = counts.iter().map(|(c, n)| (c.clone(), *n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Counts records as they stream past, for [`Summary::of_tally`].
#[derive(Debug, Clone, Default)]
pub struct Tally {
    actors: BTreeMap<String, u64>,
    places: BTreeMap<String, u64>,
    events: BTreeMap<String, u64>,
    sources: BTreeMap<String, u64>,
    /// Relations per certainty.
    certainties: BTreeMap<String, u64>,
}

impl Tally {
    /// Counts one record.
    pub fn add(&mut self, record: &Record) {
        fn count(counts: &mut BTreeMap<String, u64>, name: &str) {
            match counts.get_mut(name) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(name.to_owned(), 1);
                }
            }
        }
        match record {
            Record::Actor(a) => count(&mut self.actors, &a.class),
            Record::Place(p) => count(&mut self.places, &p.class),
            Record::Event(e) => count(&mut self.events, &e.class),
            Record::Source(s) => count(&mut self.sources, &s.class),
            Record::Relation(r) => count(&mut self.certainties, r.certainty.name()),
            Record::Participation(_) => {}
        }
    }
}

impl Summary {
    /// Summarises the records counted by `tally`, whose mapping gave `triples` distinct
    /// triples.
    pub fn of_tally(tally: &Tally, triples: usize) -> Self {
        let per_root = [&tally.actors, &tally.places, &tally.events, &tally.sources];
        let kinds = ROOTS
            .into_iter()
            .zip(per_root)
            .map(|(root, counts)| KindCounts {
                root,
                total: counts.values().sum(),
                classes: ranked(counts)
                    .into_iter()
                    .filter(|(c, _)| c != root.name())
                    .collect(),
            })
            .collect();
        Self {
            triples,
            kinds,
            assertions: ranked(&tally.certainties),
        }
    }

    /// Counts what `store` holds.
    pub fn of(store: &Store) -> Result<Self> {
        let mut kinds = Vec::new();
        for root in ROOTS {
            let classes = counts(store, include_str!("summary/classes.rq"), Some(root))?;
            // The same count as VoID's.
            let total = counts(
                store,
                include_str!("site/queries/void-entities.rq"),
                Some(root),
            )?;
            kinds.push(KindCounts {
                root,
                total: total.first().map_or(0, |(_, n)| *n),
                classes,
            });
        }
        let assertions = counts(store, include_str!("summary/assertions.rq"), None)?;
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
        let plural = |root: Root| match root {
            Root::Actor => "actors",
            Root::Place => "places",
            Root::Event => "events",
            Root::Source => "sources",
        };
        for kind in &self.kinds {
            let detail: Vec<String> = (kind.classes.iter())
                .map(|(c, n)| format!("{c} {n}"))
                .collect();
            let total = kind.total;
            writeln!(
                f,
                "{total:>6} {:<10} {}",
                plural(kind.root),
                detail.join(", ")
            )?;
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
