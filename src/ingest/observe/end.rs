//! The checks made once every row is seen: `about` and `inResponseTo` links, overlapping
//! holders, `parentOf` cycles, recorded disagreements and what nothing uses.

use super::found::{Cycle, Findings, View, What};
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
        self.ancestors();
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

    /// Cycles of `parentOf`: a depth-first search from each person in number order, one
    /// finding per edge that leads back onto the current path (linear in the edges).
    fn ancestors(&mut self) {
        let mut children: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
        for (parent, child, rel) in std::mem::take(&mut self.parents) {
            children.entry(parent).or_default().push((child, rel));
        }
        for list in children.values_mut() {
            list.sort_unstable();
        }
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
