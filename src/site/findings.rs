//! The page of every finding of source criticism (`/findings`), grouped by kind.

use super::{Links, Site, page_query, value};
use crate::error::Result;
use minijinja::context;
use serde::Serialize;

/// An entity a finding concerns, linked.
#[derive(Debug, Serialize)]
struct Concern {
    href: String,
    label: String,
}

/// One finding on the page.
#[derive(Debug, Serialize)]
struct Row {
    message: String,
    concerns: Vec<Concern>,
    verdict: String,
    note: String,
}

/// The findings of one kind.
#[derive(Debug, Serialize)]
struct Group {
    kind: String,
    rows: Vec<Row>,
}

impl Site {
    /// Every finding, grouped by kind, with what it concerns and its review.
    pub fn findings(&self, links: &Links) -> Result<String> {
        let mut groups: Vec<Group> = Vec::new();
        let (mut total, mut reviewed) = (0, 0);
        self.each(page_query!("findings"), &[], |row| {
            let kind = value(&row, "kind");
            let listed = value(&row, "concerns");
            let mut iris: Vec<&str> = listed.split_whitespace().collect();
            iris.sort_unstable();
            let concerns = (iris.into_iter())
                .map(|iri| Concern {
                    href: self.href(links, iri).unwrap_or_default(),
                    label: self
                        .iris
                        .parse_entity(iri)
                        .map_or_else(|| iri.to_owned(), |(k, id)| format!("{}:{id}", k.segment())),
                })
                .collect();
            let finding = Row {
                message: value(&row, "message"),
                concerns,
                verdict: value(&row, "verdict"),
                note: value(&row, "note"),
            };
            total += 1;
            if !finding.verdict.is_empty() {
                reviewed += 1;
            }
            match groups.last_mut() {
                Some(g) if g.kind == kind => g.rows.push(finding),
                _ => groups.push(Group {
                    kind,
                    rows: vec![finding],
                }),
            }
            Ok(())
        })?;
        self.render("findings.html", links, context! { groups, total, reviewed })
    }
}
