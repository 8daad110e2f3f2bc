//! `histkg show`: an entity's card (`site::card`) as text for the terminal.
//!
//! Must not: build the card itself (the entity page shows the same card as HTML).

use crate::error::{Error, Result};
use crate::export::turtle::Prefixes;
use crate::query::{prefixed, prefixes, stored_base};
use crate::site::card::{Card, Name, card};
use crate::vocab::{Iris, Kind, is_slug};
use oxigraph::model::NamedNode;
use oxigraph::store::Store;
use std::io::Write;

/// Resolves `entity` (an id, a prefixed name such as `actor:darma-bala`, or a full IRI).
pub fn resolve(store: &Store, entity: &str) -> Result<NamedNode> {
    let iris = stored_base(store)?.and_then(|base| Iris::new(&base).ok());
    let mut candidates = Vec::new();
    if entity.contains("://") {
        candidates.extend(NamedNode::new(entity).ok());
    } else if let Some(iris) = &iris {
        match entity.split_once(':') {
            Some((prefix, id)) => candidates.extend(
                Kind::ALL
                    .into_iter()
                    .filter(|k| k.segment() == prefix && is_slug(id))
                    .map(|k| iris.entity(k, id)),
            ),
            None if is_slug(entity) => {
                candidates.extend(Kind::ALL.iter().map(|k| iris.entity(*k, entity)));
            }
            None => {}
        }
    }
    for node in candidates {
        if store
            .quads_for_pattern(Some(node.as_ref().into()), None, None, None)
            .next()
            .transpose()?
            .is_some()
        {
            return Ok(node);
        }
    }
    Err(Error::user(format!(
        "no entity `{entity}` in the graph; give an id from the CSV files (e.g. `darma-bala`), a prefixed name (`actor:darma-bala`) or an IRI"
    )))
}

fn marks(sources: &[usize]) -> String {
    sources.iter().map(|n| format!("[{n}]")).collect()
}

/// The card's title and the entity's own statements.
fn header(out: &mut impl Write, card: &Card) -> Result<()> {
    let tagged = |names: &[Name]| {
        names
            .iter()
            .map(Name::tagged)
            .collect::<Vec<_>>()
            .join(" · ")
    };
    writeln!(out, "{}", card.title)?;
    writeln!(out, "  iri:      {}", card.iri)?;
    writeln!(out, "  type:     {}", card.types.join(", "))?;
    writeln!(out, "  names:    {}", tagged(&card.names))?;
    if !card.variants.is_empty() {
        writeln!(out, "  variants: {}", tagged(&card.variants))?;
    }
    if let Some(date) = &card.date {
        writeln!(
            out,
            "  date:     {} (Gregorian {} to {})",
            date.edtf, date.not_before, date.not_after
        )?;
    }
    for note in &card.notes {
        writeln!(out, "  note:     {}", note.unless_english())?;
    }
    for citation in &card.citations {
        writeln!(out, "  citation: {citation}")?;
    }
    if !card.sources.is_empty() {
        writeln!(out, "  sources:  {}", marks(&card.sources))?;
    }
    if let Some(evidence) = &card.evidence {
        writeln!(out, "  evidence: {evidence}")?;
    }
    Ok(())
}

/// Writes the card of `entity` (an id, prefixed name or IRI) to `out` as text.
pub fn show(store: &Store, entity: &str, mut out: impl Write) -> Result<()> {
    let node = resolve(store, entity)?;
    let prefixes = prefixes(store)?;
    let card = card(store, &prefixes, &node)?;
    header(&mut out, &card)?;
    let undated = |d: &str| {
        if d.is_empty() {
            "(undated)".to_owned()
        } else {
            d.to_owned()
        }
    };
    if !card.relations.is_empty() {
        writeln!(out, "\nrelations")?;
        for r in &card.relations {
            writeln!(
                out,
                "  {:<14} {} {} {}  [{}; {}] {}",
                undated(&r.date),
                r.subject.label,
                r.predicate,
                r.object.label,
                r.certainty,
                r.evidence,
                marks(&r.sources)
            )?;
        }
    }
    if !card.events.is_empty() {
        writeln!(out, "\nevents")?;
        for r in &card.events {
            writeln!(
                out,
                "  {:<14} {} ({}; as {})  [{}; {}] {}",
                undated(&r.date),
                r.event.label,
                r.class,
                r.role,
                r.certainty,
                r.evidence,
                marks(&r.sources)
            )?;
        }
    }
    if !card.doubts.is_empty() {
        writeln!(out, "\ndoubts")?;
        for d in &card.doubts {
            let review = match (d.verdict.as_str(), d.note.as_str()) {
                ("", _) => String::new(),
                (verdict, "") => format!(" (reviewed: {verdict})"),
                (verdict, note) => format!(" (reviewed: {verdict}: {note})"),
            };
            writeln!(out, "  {}: {}{review}", d.kind, d.message)?;
        }
    }
    let p = Prefixes::new(&prefixes);
    if !card.participants.is_empty() {
        writeln!(out, "\nparticipants")?;
        for participant in &card.participants {
            let who = &participant.who;
            writeln!(
                out,
                "  {:<12} {} ({})",
                participant.role,
                who.label,
                prefixed(&who.iri, &p)
            )?;
        }
    }
    if !card.chain.is_empty() {
        writeln!(out, "\nreporting chain")?;
        for link in &card.chain {
            writeln!(
                out,
                "  {:<12} {} {} ({})",
                link.phrase,
                link.date,
                link.other.label,
                prefixed(&link.other.iri, &p)
            )?;
        }
    }
    if !card.cited_by.is_empty() {
        let parts: Vec<String> = card
            .cited_by
            .iter()
            .map(|c| format!("{} {}", c.count, c.kind))
            .collect();
        writeln!(out, "\ncited by\n  {}", parts.join(", "))?;
    }
    if !card.bibliography.is_empty() {
        writeln!(out, "\nsources")?;
        for s in &card.bibliography {
            let locators = if s.locators.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.locators.join("; "))
            };
            writeln!(out, "  [{}] {}{locators}", s.n, s.citation)?;
        }
    }
    out.flush()?;
    Ok(())
}
