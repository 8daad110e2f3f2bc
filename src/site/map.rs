//! The map: the places with coordinates as markers over a vendored base layer, what happened
//! at each (events, and assertions tied to a place) with dates and sources, and the places
//! without coordinates listed beside it. Everything it shows comes from the data: a place
//! without sourced coordinates is never placed.

use super::pages::{JsonList, into_string};
use super::{Links, Site, page_query, value};
use crate::error::Result;
use minijinja::context;
use oxigraph::model::Term;
use serde::Serialize;
use std::io::Write;

/// A source of a point, an item or a network edge, with the link to its page.
#[derive(Debug, Serialize)]
pub(super) struct Cited {
    label: String,
    href: String,
}

/// A place on the map, or beside it when it has no coordinates.
#[derive(Debug, Serialize)]
struct MapPlace {
    id: String,
    label: String,
    #[serde(rename = "type")]
    class: String,
    href: String,
    /// Latitude and longitude, as the data gives them.
    lat: Option<f64>,
    long: Option<f64>,
    /// What the point stands for, where it is conventional.
    note: String,
    /// The sources of the coordinates.
    sources: Vec<Cited>,
}

/// Something that happened at a place, or a relation to it.
#[derive(Debug, Serialize)]
struct MapItem {
    id: String,
    place: String,
    label: String,
    /// The event's class, or the relation type.
    kind: String,
    /// `event` or `relation`.
    what: &'static str,
    certainty: String,
    date: String,
    #[serde(rename = "notBefore")]
    not_before: String,
    #[serde(rename = "notAfter")]
    not_after: String,
    href: String,
    sources: Vec<Cited>,
}

impl Site {
    /// Sources given as lines of an IRI, a tab and a label (the page queries' GROUP_CONCAT).
    pub(super) fn cited(&self, links: &Links, text: &str) -> Vec<Cited> {
        text.lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(iri, label)| Cited {
                label: label.to_owned(),
                href: self.href(links, iri).unwrap_or_default(),
            })
            .collect()
    }

    /// The map view.
    pub fn map(&self, links: &Links) -> Result<String> {
        into_string(|w| self.map_to(links, w))
    }

    /// The map view written to `w`, its data streamed from the store.
    pub fn map_to(&self, links: &Links, w: &mut dyn Write) -> Result<()> {
        self.render_streaming("map.html", links, context! {}, "places", w, |out| {
            out.write_all(b"{\"places\":[")?;
            let mut list = JsonList::default();
            self.each(page_query!("map-places"), &[], |row| {
                let number = |var: &str| value(&row, var).parse::<f64>().ok();
                let place = MapPlace {
                    id: value(&row, "place"),
                    label: value(&row, "label"),
                    class: value(&row, "class"),
                    href: self.href_of(links, &row, "place"),
                    lat: number("lat"),
                    long: number("long"),
                    note: value(&row, "note"),
                    sources: self.cited(links, &value(&row, "sources")),
                };
                list.item(out, &place)
            })?;
            out.write_all(b"],\"items\":[")?;
            let mut list = JsonList::default();
            self.each(page_query!("map-items"), &[], |row| {
                let event = matches!(row.get("class"), Some(Term::NamedNode(_)));
                let item = MapItem {
                    id: value(&row, "item"),
                    place: value(&row, "place"),
                    label: value(&row, "label"),
                    kind: value(&row, if event { "class" } else { "predicate" }),
                    what: if event { "event" } else { "relation" },
                    certainty: value(&row, "certainty"),
                    date: value(&row, "date"),
                    not_before: value(&row, "notBefore"),
                    not_after: value(&row, "notAfter"),
                    href: self.href_of(links, &row, "item"),
                    sources: self.cited(links, &value(&row, "sources")),
                };
                list.item(out, &item)
            })?;
            Ok(out.write_all(b"]}")?)
        })
    }
}
