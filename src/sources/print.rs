//! What `histkg sources` prints: the table of sources and the impact of one.

use crate::error::Result;
use std::io::Write;

/// `histkg sources`: the table of sources.
pub fn list(
    store: &oxigraph::store::Store,
    prefixes: &[(String, String)],
    sort: crate::sources::SortBy,
    out: &mut impl Write,
) -> Result<()> {
    let list = crate::sources::list(store, prefixes, sort)?;
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
        .set_header(["source", "type", "tier", "cited by", "alone"]);
    for s in &list {
        table.add_row([
            s.id.clone(),
            s.class.clone(),
            s.tier.clone(),
            s.cited_by.to_string(),
            s.alone.to_string(),
        ]);
    }
    writeln!(out, "{table}")?;
    let alone: u64 = list.iter().map(|s| s.alone).sum();
    let uncited = list.iter().filter(|s| s.cited_by == 0).count();
    writeln!(
        out,
        "{} sources; {alone} rows rest on one source alone; {uncited} sources cited by no row",
        list.len()
    )?;
    Ok(())
}

/// `histkg sources impact SOURCE`.
pub fn impact(
    store: &oxigraph::store::Store,
    prefixes: &[(String, String)],
    source: &str,
    out: &mut impl Write,
) -> Result<()> {
    let node = crate::show::resolve(store, source)?;
    let impact = crate::sources::impact(store, prefixes, &node)?;
    let abbreviations = crate::export::turtle::Prefixes::new(prefixes);
    let name = crate::query::prefixed(node.as_str(), &abbreviations);
    let sections = [
        (
            "rests on it alone (left without evidence without it)",
            &impact.unsupported,
        ),
        (
            "actors and places whose only source it is",
            &impact.entities,
        ),
        ("would lose a corroboration", &impact.uncorroborated),
    ];
    writeln!(out, "{name}")?;
    for (title, rows) in sections {
        writeln!(out, "\n{title}: {}", rows.len())?;
        for d in rows {
            let id = crate::query::prefixed(&d.iri, &abbreviations);
            writeln!(out, "  {id}  {}", d.label)?;
        }
    }
    Ok(())
}
