//! The dataset's own pages: home, search, the network view and the timeline.

use super::map::Cited;
use super::{Links, Site, page_query, value};
use crate::error::{Context, Result};
use crate::export::Format;
use crate::vocab::dcterms;
use minijinja::context;
use oxigraph::model::Term;
use oxigraph::sparql::QuerySolution;
use serde::Serialize;
use std::io::Write;

/// A link with its text.
#[derive(Debug, Serialize)]
struct Item {
    href: String,
    label: String,
}

/// The actors of one class, on the home page.
#[derive(Debug, Serialize)]
struct Group {
    class: String,
    items: Vec<Item>,
}

/// A dump, as the home page links it.
#[derive(Debug, Serialize)]
struct Dump {
    name: &'static str,
    extension: &'static str,
}

/// A name that matched a search.
#[derive(Debug, Serialize)]
struct Hit {
    href: String,
    label: String,
    kind: String,
    matched: String,
}

/// An actor in the network view.
#[derive(Debug, Serialize)]
struct Node {
    id: String,
    label: String,
    group: String,
    href: String,
}

/// A sourced relation between two actors in the network view.
#[derive(Debug, Serialize)]
struct Edge {
    href: String,
    sources: Vec<Cited>,
    from: String,
    to: String,
    relation: String,
    certainty: String,
    date: String,
    #[serde(rename = "notBefore")]
    not_before: String,
    #[serde(rename = "notAfter")]
    not_after: String,
}

/// A dated event on the timeline.
#[derive(Debug, Serialize)]
struct TimelineEvent {
    id: String,
    label: String,
    /// Its participants' ids and English names.
    participants: Vec<(String, String)>,
    /// The ids of the events it reports on.
    about: Vec<String>,
    /// The ids of the reports it answers.
    answers: Vec<String>,
    #[serde(rename = "type")]
    class: String,
    date: String,
    #[serde(rename = "notBefore")]
    not_before: String,
    #[serde(rename = "notAfter")]
    not_after: String,
    href: String,
}

/// Case-, accent-, script- and punctuation-insensitive form of a name, so that
/// "Abu'l-Khayr", "Abul Khayr" and "abulkhayr" meet, and "Абулхаир" and "Abulkhair":
/// reconciliation's key.
fn fold(name: &str) -> String {
    super::reconcile::key(name)
}

impl Site {
    /// The href of the IRI `var` of `row` (empty when it is not one of the dataset's).
    pub(super) fn href_of(&self, links: &Links, row: &QuerySolution, var: &str) -> String {
        match row.get(var) {
            Some(Term::NamedNode(n)) => self.href(links, n.as_str()).unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// The home page: the dataset's description, its actors by class, the curated questions,
    /// the sources and the downloads.
    pub fn home(&self, links: &Links) -> Result<String> {
        let mut groups: Vec<Group> = Vec::new();
        self.each(page_query!("home-actors"), &[], |row| {
            let (Some(Term::NamedNode(_)), Some(Term::Literal(label))) =
                (row.get("class"), row.get("label"))
            else {
                return Ok(());
            };
            let class = value(&row, "class");
            if groups.last().is_none_or(|g| g.class != class) {
                groups.push(Group {
                    class,
                    items: Vec::new(),
                });
            }
            if let Some(g) = groups.last_mut() {
                g.items.push(Item {
                    href: self.href_of(links, &row, "actor"),
                    label: label.value().to_owned(),
                });
            }
            Ok(())
        })?;
        let mut sources = Vec::new();
        self.each(page_query!("home-sources"), &[], |row| {
            if let Some(Term::Literal(citation)) = row.get("citation") {
                sources.push(Item {
                    href: self.href_of(links, &row, "source"),
                    label: citation.value().to_owned(),
                });
            }
            Ok(())
        })?;
        let dataset = self.iris.dataset();
        let license = match self
            .store
            .quads_for_pattern(
                Some(dataset.as_ref().into()),
                Some(dcterms::LICENSE),
                None,
                None,
            )
            .next()
            .transpose()?
        {
            Some(quad) => match quad.object {
                Term::NamedNode(n) => n.into_string(),
                other => other.to_string(),
            },
            None => String::new(),
        };
        let dumps: Vec<Dump> = Format::DUMPS
            .into_iter()
            .map(|f| Dump {
                name: f.name(),
                extension: f.extension(),
            })
            .collect();
        self.render(
            "home.html",
            links,
            context! {
                description => self.literal(dataset.as_ref(), dcterms::DESCRIPTION)?.unwrap_or_default(),
                license,
                triples => self.store.len()?,
                actors => groups,
                queries => self.curated.clone(),
                sources,
                dumps,
            },
        )
    }

    /// The actors and places with a name (in any script) containing `q`, ignoring case,
    /// accents and punctuation.
    pub fn search(&self, links: &Links, q: &str) -> Result<String> {
        let needle = fold(q);
        let mut hits: Vec<Hit> = Vec::new();
        if !needle.is_empty() {
            self.each(page_query!("search-names"), &[], |row| {
                let (Some(Term::NamedNode(entity)), Some(Term::Literal(name))) =
                    (row.get("entity"), row.get("name"))
                else {
                    return Ok(());
                };
                let href = self.href(links, entity.as_str()).unwrap_or_default();
                if !fold(name.value()).contains(&needle) || hits.iter().any(|h| h.href == href) {
                    return Ok(());
                }
                hits.push(Hit {
                    href,
                    label: self.label(entity.as_ref())?,
                    kind: value(&row, "root"),
                    matched: name.value().to_owned(),
                });
                Ok(())
            })?;
        }
        hits.sort_by(|a, b| a.label.cmp(&b.label));
        self.render("search.html", links, context! { q, hits })
    }

    /// The network view: every actor and every sourced relation between two actors.
    pub fn network(&self, links: &Links) -> Result<String> {
        into_string(|w| self.network_to(links, w))
    }

    /// The network view written to `w`, its data streamed from the store (no list of
    /// every relation is held).
    pub fn network_to(&self, links: &Links, w: &mut dyn Write) -> Result<()> {
        let mut relations = Vec::new();
        self.each(page_query!("network-relations"), &[], |row| {
            relations.push(value(&row, "predicate"));
            Ok(())
        })?;
        relations.sort_unstable();
        relations.dedup();
        let ctx = context! { relations };
        self.render_streaming("network.html", links, ctx, "graph", w, |out| {
            out.write_all(b"{\"nodes\":[")?;
            let mut list = JsonList::default();
            self.each(page_query!("network-nodes"), &[], |row| {
                let node = Node {
                    id: value(&row, "actor"),
                    label: value(&row, "label"),
                    group: value(&row, "class"),
                    href: self.href_of(links, &row, "actor"),
                };
                list.item(out, &node)
            })?;
            out.write_all(b"],\"edges\":[")?;
            let mut list = JsonList::default();
            self.each(page_query!("network-edges"), &[], |row| {
                let sources = self.cited(links, &value(&row, "sources"));
                let edge = Edge {
                    href: self.href_of(links, &row, "assertion"),
                    sources,
                    from: value(&row, "subject"),
                    to: value(&row, "object"),
                    relation: value(&row, "predicate"),
                    certainty: value(&row, "certainty"),
                    date: value(&row, "date"),
                    not_before: value(&row, "notBefore"),
                    not_after: value(&row, "notAfter"),
                };
                list.item(out, &edge)
            })?;
            Ok(out.write_all(b"]}")?)
        })
    }

    /// The timeline view: every dated event over its Gregorian bounds.
    pub fn timeline(&self, links: &Links) -> Result<String> {
        into_string(|w| self.timeline_to(links, w))
    }

    /// The timeline view written to `w`, its events streamed from the store.
    pub fn timeline_to(&self, links: &Links, w: &mut dyn Write) -> Result<()> {
        self.render_streaming("timeline.html", links, context! {}, "events", w, |out| {
            out.write_all(b"[")?;
            let mut list = JsonList::default();
            self.each(page_query!("timeline-events"), &[], |row| {
                let ids = |var: &str| -> Vec<String> {
                    let text = value(&row, var);
                    let iris = text.split(' ').filter(|s| !s.is_empty());
                    iris.filter_map(|iri| iri.rsplit('/').next().map(str::to_owned))
                        .collect()
                };
                let event = TimelineEvent {
                    id: value(&row, "event"),
                    participants: value(&row, "participants")
                        .lines()
                        .filter_map(|line| line.split_once('\t'))
                        .map(|(iri, name)| {
                            let id = iri.rsplit('/').next().unwrap_or(iri);
                            (id.to_owned(), name.to_owned())
                        })
                        .collect(),
                    about: ids("abouts"),
                    answers: ids("answers"),
                    href: self.href_of(links, &row, "event"),
                    class: value(&row, "class"),
                    label: value(&row, "label"),
                    date: value(&row, "date"),
                    not_before: value(&row, "notBefore"),
                    not_after: value(&row, "notAfter"),
                };
                list.item(out, &event)
            })?;
            Ok(out.write_all(b"]")?)
        })
    }
}

/// A page written by `write`, as a string.
pub(super) fn into_string(write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<String> {
    let mut out = Vec::new();
    write(&mut out)?;
    Ok(String::from_utf8(out).expect("pages are UTF-8"))
}

/// The items of a JSON array written one at a time, with commas between them.
#[derive(Default)]
pub(super) struct JsonList {
    started: bool,
}

impl JsonList {
    pub(super) fn item(&mut self, out: &mut dyn Write, item: &impl Serialize) -> Result<()> {
        if std::mem::replace(&mut self.started, true) {
            out.write_all(b",")?;
        }
        serde_json::to_writer(out, item).context("cannot write the page's data as JSON")?;
        Ok(())
    }
}
