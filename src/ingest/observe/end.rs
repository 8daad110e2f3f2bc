//! The checks made once every row is seen: `about` and `inResponseTo` links, overlapping
//! holders, `parentOf` cycles, recorded disagreements and what nothing uses.

use super::{Checked, Observer, Table};
use crate::findings::{Finding, Kind, slip_explains};
use std::collections::HashMap;

impl Observer {
    /// The checks that need every row, then every finding in table, line and kind order.
    pub(in crate::ingest) fn finish(
        mut self,
        checked: &Checked,
        facts: &HashMap<(u32, u32, u32), u32>,
    ) -> Vec<Finding> {
        self.links(checked);
        self.overlaps(checked);
        self.ancestors(checked);
        self.disagreements(checked, facts);
        self.unused(checked);
        let files = &self.files;
        let order = |f: &Finding| {
            let first = &f.rows[0];
            // The rows share their file's name: comparing the pointers is enough.
            let table = Table::ALL
                .iter()
                .position(|t| std::sync::Arc::ptr_eq(&files[*t], &first.file));
            (table, first.line, first.column, f.kind)
        };
        self.found
            .sort_by(|a, b| order(a).cmp(&order(b)).then_with(|| a.ids.cmp(&b.ids)));
        for f in &mut self.found {
            // A participation's finding ends with the role, which is no entity.
            let entities = match f.kind {
                Kind::ParticipantAfterDeath | Kind::ParticipantBeforeBirth | Kind::DeathDate => 2,
                _ => f.ids.len(),
            };
            f.kinds = (f.ids.iter().enumerate())
                .map(|(i, id)| {
                    (i < entities)
                        .then(|| checked.registry.get(id).map(|(_, d)| d.kind))
                        .flatten()
                })
                .collect();
        }
        self.found
    }

    fn links(&mut self, checked: &Checked) {
        for link in std::mem::take(&mut self.links) {
            let span = |n: u32| self.offset(Table::Events, n).and_then(|i| self.spans[i]);
            let (Some(teller), Some(told)) = (span(link.teller), span(link.told)) else {
                continue;
            };
            if !teller.wholly_before(told) {
                continue;
            }
            let (a, b) = (
                checked.registry.id(link.teller),
                checked.registry.id(link.told),
            );
            let (kind, message) = if slip_explains(teller, told) {
                let days = teller.days_until(told).unwrap_or_default();
                (
                    Kind::OldStyleSlip,
                    format!(
                        "`{a}` ({teller}) is dated {days} days before `{b}` ({told}), which it {}: no more than the gap between Old and New Style, so one of the two is probably read in the wrong calendar",
                        if link.answer { "answers" } else { "tells of" }
                    ),
                )
            } else if link.answer {
                (
                    Kind::AnswerBeforePrompt,
                    format!(
                        "`{a}` ({teller}) is dated wholly before `{b}` ({told}), which it answers"
                    ),
                )
            } else {
                (
                    Kind::ReportBeforeEvent,
                    format!(
                        "`{a}` ({teller}) is dated wholly before the event it tells of, `{b}` ({told})"
                    ),
                )
            };
            let rows = vec![
                self.entity(checked, link.teller, "date"),
                self.entity(checked, link.told, "date"),
            ];
            self.push(kind, vec![a.to_owned(), b.to_owned()], rows, message);
        }
    }

    fn overlaps(&mut self, checked: &Checked) {
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
                let id = |n: u32| checked.registry.id(n).to_owned();
                let (ra, rb) = (id(a.relation), id(b.relation));
                let day = |n: i32| crate::dates::Day::from_number(i64::from(n));
                let message = format!(
                    "`{}` ({} to {}, `{ra}`) and `{}` ({} to {}, `{rb}`) both surely hold `{}` at once, which has one holder at a time: check the dates, or declare them `coRulerOf` each other if they shared it",
                    id(a.subject),
                    day(a.from),
                    day(a.to),
                    id(b.subject),
                    day(b.from),
                    day(b.to),
                    id(a.object)
                );
                let rows = vec![
                    self.entity(checked, b.relation, "date"),
                    self.entity(checked, a.relation, "date"),
                ];
                let mut ids = vec![ra, rb];
                ids.sort();
                self.push(Kind::OfficeOverlap, ids, rows, message);
            }
        }
    }

    /// Cycles of `parentOf`: a depth-first search from each person in number order, one
    /// finding per edge that leads back onto the current path (linear in the edges).
    fn ancestors(&mut self, checked: &Checked) {
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
                        let people: Vec<u32> = path[at..].iter().map(|p| p.0).collect();
                        let mut cycle: Vec<u32> =
                            path[at + 1..].iter().map(|p| p.2).chain([rel]).collect();
                        cycle.sort_unstable();
                        self.own_ancestor(checked, &people, &cycle);
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// One `parentOf` cycle: `people` on it, through `relations` (in file order). Named by
    /// ids in their sorted order, so that the finding does not depend on the rows' order.
    fn own_ancestor(&mut self, checked: &Checked, people: &[u32], relations: &[u32]) {
        let sorted = |numbers: &[u32]| {
            let mut ids: Vec<String> = (numbers.iter())
                .map(|&n| checked.registry.id(n).to_owned())
                .collect();
            ids.sort();
            ids
        };
        let (ids, people) = (sorted(relations), sorted(people));
        let quoted = |ids: &[String]| {
            let quoted: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
            quoted.join(", ")
        };
        let message = format!(
            "{} {} their own ancestor{} through `parentOf`: {}",
            quoted(&people),
            if people.len() == 1 { "is" } else { "are" },
            if people.len() == 1 { "" } else { "s" },
            quoted(&ids)
        );
        let rows = relations
            .iter()
            .map(|&n| self.entity(checked, n, "id"))
            .collect();
        self.push(Kind::OwnAncestor, ids, rows, message);
    }

    fn disagreements(&mut self, checked: &Checked, facts: &HashMap<(u32, u32, u32), u32>) {
        for (fact, rel) in std::mem::take(&mut self.disputed) {
            let Some(&other) = facts.get(&fact) else {
                continue;
            };
            let (a, b) = (checked.registry.id(rel), checked.registry.id(other));
            let message = format!(
                "`{a}` is disputed: the sources disagree, and `{b}` gives the same relation undisputed"
            );
            let rows = vec![
                self.entity(checked, rel, "id"),
                self.entity(checked, other, "id"),
            ];
            self.push(
                Kind::RecordedDisagreement,
                vec![a.to_owned(), b.to_owned()],
                rows,
                message,
            );
        }
    }

    fn unused(&mut self, checked: &Checked) {
        let unused = |table: Table, flags: &[bool]| -> Vec<u32> {
            let start = self.ranges[table].start;
            (flags.iter().enumerate())
                .filter(|(_, used)| !**used)
                .map(|(i, _)| start + i as u32)
                .collect()
        };
        let checks = [
            (
                Table::Sources,
                unused(Table::Sources, &self.cited),
                Kind::UncitedSource,
                "source `{}` is cited by no row: cite it or remove it",
            ),
            (
                Table::Events,
                unused(Table::Events, &self.attended),
                Kind::EventWithoutParticipants,
                "event `{}` has no participants in participants.csv",
            ),
            (
                Table::Actors,
                unused(Table::Actors, &self.involved),
                Kind::IsolatedActor,
                "actor `{}` has no relation and takes part in no event",
            ),
        ];
        for (_, numbers, kind, template) in checks {
            for n in numbers {
                let id = checked.registry.id(n).to_owned();
                let message = template.replace("{}", &id);
                let rows = vec![self.entity(checked, n, "id")];
                self.push(kind, vec![id], rows, message);
            }
        }
    }
}
