//! The checks made once every row is seen: `about` and `inResponseTo` links, overlapping
//! holders, `parentOf` cycles, recorded disagreements and what nothing uses.

use super::found::{Cycle, Findings, Marriage, View, What};
use super::{Checked, Observer, Table};
use crate::findings::{Kind, slip_explains};
use std::collections::HashMap;

impl Observer {
    /// The checks that need every row, then every finding in table, line and kind order.
    pub(in crate::ingest) fn finish(
        mut self,
        checked: &Checked,
        facts: &HashMap<(u32, u32, u32), u32>,
    ) -> Findings {
        self.links();
        self.overlaps();
        let children = self.children();
        self.ancestors(&children);
        self.marriages(&children);
        drop(children);
        self.disagreements(facts);
        self.unused();
        let mut found = std::mem::take(&mut self.findings.found);
        let view = View {
            findings: &self.findings,
            registry: &checked.registry,
        };
        found.sort_by(|a, b| view.order(a, b));
        found.shrink_to_fit();
        self.findings.found = found;
        self.findings
    }

    fn links(&mut self) {
        for link in std::mem::take(&mut self.links) {
            let span = |n: u32| self.offset(Table::Events, n).and_then(|i| self.spans[i]);
            let (Some(teller), Some(told)) = (span(link.teller), span(link.told)) else {
                continue;
            };
            if !teller.wholly_before(told) {
                continue;
            }
            let kind = if slip_explains(teller, told) {
                Kind::OldStyleSlip
            } else if link.answer {
                Kind::AnswerBeforePrompt
            } else {
                Kind::ReportBeforeEvent
            };
            let what = What::Link {
                teller: link.teller,
                told: link.told,
                answer: link.answer,
                teller_span: teller,
                told_span: told,
            };
            self.push(kind, what);
        }
    }

    fn overlaps(&mut self) {
        let mut holdings = std::mem::take(&mut self.holdings);
        holdings.sort_by_key(|h| (h.predicate, h.object, h.from, h.relation));
        for (i, a) in holdings.iter().enumerate() {
            for b in holdings[i + 1..].iter().take_while(|b| {
                (b.predicate, b.object) == (a.predicate, a.object) && b.from <= a.to
            }) {
                let pair = (a.subject.min(b.subject), a.subject.max(b.subject));
                if a.subject == b.subject || self.co_rulers.contains(&pair) {
                    continue;
                }
                let what = What::Overlap {
                    object: a.object,
                    holders: [
                        (a.subject, a.relation, a.from, a.to),
                        (b.subject, b.relation, b.from, b.to),
                    ],
                };
                self.push(Kind::OfficeOverlap, what);
            }
        }
    }

    /// Each parent's children through `parentOf`, with the relation, in number order.
    fn children(&mut self) -> Children {
        let mut children: Children = HashMap::new();
        for (parent, child, rel) in std::mem::take(&mut self.parents) {
            children.entry(parent).or_default().push((child, rel));
        }
        for list in children.values_mut() {
            list.sort_unstable();
        }
        children
    }

    /// Cycles of `parentOf`: a depth-first search from each person in number order, one
    /// finding per edge that leads back onto the current path (linear in the edges).
    fn ancestors(&mut self, children: &Children) {
        let mut starts: Vec<u32> = children.keys().copied().collect();
        starts.sort_unstable();
        // 1: on the current path; 2: done.
        let mut state: HashMap<u32, u8> = HashMap::new();
        for start in starts {
            if state.contains_key(&start) {
                continue;
            }
            // (person, next child to try, the relation that led here)
            let mut path: Vec<(u32, usize, u32)> = vec![(start, 0, u32::MAX)];
            state.insert(start, 1);
            while let Some(top) = path.last_mut() {
                let (node, next) = (top.0, top.1);
                let kids = children.get(&node).map_or(&[][..], Vec::as_slice);
                let Some(&(child, rel)) = kids.get(next) else {
                    state.insert(node, 2);
                    path.pop();
                    continue;
                };
                top.1 += 1;
                match state.get(&child) {
                    None => {
                        state.insert(child, 1);
                        path.push((child, 0, rel));
                    }
                    Some(1) => {
                        let at = path.iter().position(|p| p.0 == child).unwrap_or(0);
                        let mut people: Vec<u32> = path[at..].iter().map(|p| p.0).collect();
                        let mut cycle: Vec<u32> =
                            path[at + 1..].iter().map(|p| p.2).chain([rel]).collect();
                        people.sort_unstable();
                        cycle.sort_unstable();
                        let i = u32::try_from(self.findings.cycles.len())
                            .expect("fewer than 2^32 cycles");
                        self.findings.cycles.push(Cycle {
                            people: people.into(),
                            relations: cycle.into(),
                        });
                        self.push(Kind::OwnAncestor, What::Cycle(i));
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// Spouses one of whom descends from the other: for each `spouseOf`, the shortest line
    /// of `parentOf` from one to the other, at most [`GENERATIONS`] long (so that the search
    /// stays linear in a huge genealogy). A widow married to her husband's son by another
    /// wife (levirate) is no such case: the son does not descend from her.
    fn marriages(&mut self, children: &Children) {
        for (a, b, spouse) in std::mem::take(&mut self.spouses) {
            let found = (descent(children, a, b).map(|line| (a, b, line)))
                .or_else(|| descent(children, b, a).map(|line| (b, a, line)));
            let Some((ancestor, descendant, line)) = found else {
                continue;
            };
            let i = u32::try_from(self.findings.marriages.len()).expect("fewer than 2^32");
            self.findings.marriages.push(Marriage {
                spouse,
                ancestor,
                descendant,
                line: line.into(),
            });
            self.push(Kind::SpouseAncestor, What::Marriage(i));
        }
    }

    fn disagreements(&mut self, facts: &HashMap<(u32, u32, u32), u32>) {
        for (fact, relation) in std::mem::take(&mut self.disputed) {
            if let Some(&other) = facts.get(&fact) {
                self.push(
                    Kind::RecordedDisagreement,
                    What::Disagreement { relation, other },
                );
            }
        }
    }

    fn unused(&mut self) {
        let checks = [
            (Table::Sources, Kind::UncitedSource),
            (Table::Events, Kind::EventWithoutParticipants),
            (Table::Actors, Kind::IsolatedActor),
        ];
        for (table, kind) in checks {
            let used = match table {
                Table::Sources => std::mem::take(&mut self.cited),
                Table::Events => std::mem::take(&mut self.attended),
                _ => std::mem::take(&mut self.involved),
            };
            let start = self.ranges[table].start;
            for (n, _) in (start..).zip(used).filter(|(_, used)| !used) {
                self.push(kind, What::Unused(n));
            }
        }
    }
}

/// Each parent's children through `parentOf`: (child, relation), in number order.
type Children = HashMap<u32, Vec<(u32, u32)>>;

/// How many generations [`Observer::marriages`] looks down: more than any dynasty a dataset
/// of this kind follows (Chinggis Khan to the Kazakh khans of the 1730s is under twenty).
const GENERATIONS: usize = 64;

/// The shortest line of `parentOf` relations from `ancestor` down to `descendant`, if there
/// is one of at most [`GENERATIONS`] (a breadth-first search, children in number order).
fn descent(children: &Children, ancestor: u32, descendant: u32) -> Option<Vec<u32>> {
    // Each person reached, with the person and relation it was reached from.
    let mut from: HashMap<u32, (u32, u32)> = HashMap::new();
    let mut generation = vec![ancestor];
    for _ in 0..GENERATIONS {
        let mut next = Vec::new();
        for &parent in &generation {
            for &(child, rel) in children.get(&parent).map_or(&[][..], Vec::as_slice) {
                if child == ancestor || from.contains_key(&child) {
                    continue;
                }
                from.insert(child, (parent, rel));
                if child == descendant {
                    let mut line = Vec::new();
                    let mut at = child;
                    while at != ancestor {
                        let (parent, rel) = from[&at];
                        line.push(rel);
                        at = parent;
                    }
                    line.reverse();
                    return Some(line);
                }
                next.push(child);
            }
        }
        if next.is_empty() {
            return None;
        }
        generation = next;
    }
    None
}
