//! `histkg show ENTITY`: an entity's card for the terminal: names in every language, type,
//! dates, relations and events with dates and certainty, and the sources behind each,
//! gathered by SPARQL from the published store.

use crate::UserError;
use crate::export::turtle::Prefixes;
use crate::query::{human, prefixes, stored_base};
use crate::vocab::{Iris, Kind};
use anyhow::Result;
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

type Row = HashMap<String, Term>;

struct Ctx<'a> {
    store: &'a Store,
    prefixes: &'a [(String, String)],
    abbreviations: Prefixes<'a>,
    /// Source IRI -> footnote number, in order of first citation.
    notes: BTreeMap<String, usize>,
}

impl Ctx<'_> {
    fn select(&self, query: &str) -> Result<Vec<Row>> {
        let QueryResults::Solutions(solutions) = crate::query::evaluator(self.prefixes)?
            .parse_query(query)?
            .on_store(self.store)
            .execute()?
        else {
            unreachable!("card queries are SELECT queries")
        };
        let mut out = Vec::new();
        for s in solutions {
            out.push(
                s?.iter()
                    .map(|(v, t)| (v.as_str().to_owned(), t.clone()))
                    .collect(),
            );
        }
        Ok(out)
    }

    fn text(&self, row: &Row, var: &str) -> String {
        row.get(var)
            .map(|t| human(t, &self.abbreviations))
            .unwrap_or_default()
    }

    /// Footnote marks for a `|`-joined list of source IRIs.
    fn cite(&mut self, sources: &str) -> String {
        let mut marks: Vec<usize> = sources
            .split('|')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let next = self.notes.len() + 1;
                *self.notes.entry(s.to_owned()).or_insert(next)
            })
            .collect();
        marks.sort_unstable();
        marks.dedup();
        marks.iter().map(|n| format!("[{n}]")).collect()
    }
}

/// Resolves `entity` (an id, a prefixed name such as `actor:darma-bala`, or a full IRI).
fn resolve(store: &Store, entity: &str) -> Result<NamedNode> {
    let base = stored_base(store)?.unwrap_or_default();
    let iris = Iris::new(&base).ok();
    let mut candidates = Vec::new();
    if entity.contains("://") {
        candidates.push(entity.to_owned());
    } else if let Some((prefix, id)) = entity.split_once(':') {
        if let Some(kind) = Kind::ALL.into_iter().find(|k| k.segment() == prefix) {
            candidates.push(format!("{base}{}/{id}", kind.segment()));
        }
    } else if let Some(iris) = &iris
        && crate::vocab::is_slug(entity)
    {
        candidates.extend(
            Kind::ALL
                .iter()
                .map(|k| iris.entity(*k, entity).into_string()),
        );
    }
    for c in candidates {
        let Ok(node) = NamedNode::new(c) else {
            continue;
        };
        if store
            .quads_for_pattern(Some(node.as_ref().into()), None, None, None)
            .next()
            .is_some()
        {
            return Ok(node);
        }
    }
    Err(UserError::msg(format!(
        "no entity `{entity}` in the graph; give an id from the CSV files (e.g. `darma-bala`), a prefixed name (`actor:darma-bala`) or an IRI"
    )))
}

/// Writes the card of `entity` to `out`.
pub fn show(store: &Store, entity: &str, mut out: impl Write) -> Result<()> {
    let node = resolve(store, entity)?;
    let prefixes = prefixes(store)?;
    let mut ctx = Ctx {
        store,
        prefixes: &prefixes,
        abbreviations: Prefixes::new(&prefixes),
        notes: BTreeMap::new(),
    };
    let e = format!("<{}>", node.as_str());

    let facts = ctx.select(&format!(
        "SELECT ?p ?o WHERE {{ {e} ?p ?o }} ORDER BY ?p ?o"
    ))?;
    let values = |p: &str| -> Vec<&Term> {
        facts
            .iter()
            .filter(|r| {
                r.get("p")
                    .is_some_and(|t| matches!(t, Term::NamedNode(n) if n.as_str() == p))
            })
            .filter_map(|r| r.get("o"))
            .collect()
    };
    let show_list = |terms: Vec<&Term>, ctx: &Ctx<'_>| {
        terms
            .iter()
            .map(|t| human(t, &ctx.abbreviations))
            .collect::<Vec<_>>()
    };
    let rdfs = "http://www.w3.org/2000/01/rdf-schema#";
    let hkg = crate::vocab::hkg::NS;
    let labels = show_list(values(&format!("{rdfs}label")), &ctx);
    let title = labels
        .iter()
        .find(|l| l.ends_with("@en"))
        .or(labels.first())
        .cloned()
        .unwrap_or_else(|| node.as_str().to_owned());
    let types = show_list(
        values("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        &ctx,
    );
    writeln!(out, "{}", title.trim_end_matches("@en"))?;
    writeln!(out, "  iri:      {}", node.as_str())?;
    writeln!(out, "  type:     {}", types.join(", "))?;
    writeln!(out, "  names:    {}", labels.join(" · "))?;
    let alt = show_list(values("http://www.w3.org/2004/02/skos/core#altLabel"), &ctx);
    if !alt.is_empty() {
        writeln!(out, "  variants: {}", alt.join(" · "))?;
    }
    if let Some(date) = values(&format!("{hkg}date")).first() {
        let bounds = |p: &str| {
            values(&format!("{hkg}{p}"))
                .first()
                .map(|t| human(t, &ctx.abbreviations))
                .unwrap_or_else(|| "..".into())
        };
        writeln!(
            out,
            "  date:     {} (Gregorian {} to {})",
            human(date, &ctx.abbreviations),
            bounds("notBefore"),
            bounds("notAfter")
        )?;
    }
    for comment in show_list(values(&format!("{rdfs}comment")), &ctx) {
        writeln!(out, "  note:     {}", comment.trim_end_matches("@en"))?;
    }
    for citation in show_list(
        values("http://purl.org/dc/terms/bibliographicCitation"),
        &ctx,
    ) {
        writeln!(out, "  citation: {citation}")?;
    }
    let own: Vec<String> = values("http://www.w3.org/ns/prov#wasDerivedFrom")
        .iter()
        .map(|t| match t {
            Term::NamedNode(n) => n.as_str().to_owned(),
            _ => String::new(),
        })
        .collect();
    if !own.is_empty() {
        let marks = ctx.cite(&own.join("|"));
        writeln!(out, "  sources:  {marks}")?;
    }

    let relations = ctx.select(&format!(
        "SELECT ?s ?p ?o ?date ?c (SAMPLE(?sl) AS ?sname) (SAMPLE(?ol) AS ?oname) (GROUP_CONCAT(DISTINCT STR(?src); separator='|') AS ?srcs)
         WHERE {{ ?a a hkg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; hkg:certainty ?c ; prov:wasDerivedFrom ?src .
                  FILTER(?s = {e} || ?o = {e})
                  OPTIONAL {{ ?a hkg:date ?date }}
                  OPTIONAL {{ ?s rdfs:label ?sl FILTER(LANG(?sl) = 'en') }}
                  OPTIONAL {{ ?o rdfs:label ?ol FILTER(LANG(?ol) = 'en') }} }}
         GROUP BY ?a ?s ?p ?o ?date ?c ORDER BY ?date ?p ?s ?o"
    ))?;
    if !relations.is_empty() {
        writeln!(out, "\nrelations")?;
        for r in &relations {
            let srcs = ctx.text(r, "srcs");
            let marks = ctx.cite(&srcs);
            let date = ctx.text(r, "date");
            writeln!(
                out,
                "  {:<14} {} {} {}  [{}] {marks}",
                if date.is_empty() {
                    "(undated)".to_owned()
                } else {
                    date
                },
                ctx.text(r, "sname").trim_end_matches("@en"),
                ctx.text(r, "p").trim_start_matches("hkg:"),
                ctx.text(r, "oname").trim_end_matches("@en"),
                ctx.text(r, "c").trim_start_matches("hkg:"),
            )?;
        }
    }

    let events = ctx.select(&format!(
        "SELECT ?ev ?class ?role ?date ?c (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?src); separator='|') AS ?srcs)
         WHERE {{ ?ev ?role {e} . ?role a hkg:RoleProperty . ?ev a ?class ; hkg:certainty ?c ; prov:wasDerivedFrom ?src .
                  FILTER(?class != hkg:Event)
                  OPTIONAL {{ ?ev hkg:date ?date }} OPTIONAL {{ ?ev rdfs:label ?l FILTER(LANG(?l) = 'en') }} }}
         GROUP BY ?ev ?class ?role ?date ?c ORDER BY ?date ?ev ?role"
    ))?;
    if !events.is_empty() {
        writeln!(out, "\nevents")?;
        for r in &events {
            let srcs = ctx.text(r, "srcs");
            let marks = ctx.cite(&srcs);
            let date = ctx.text(r, "date");
            writeln!(
                out,
                "  {:<14} {} ({}; as {})  [{}] {marks}",
                if date.is_empty() {
                    "(undated)".to_owned()
                } else {
                    date
                },
                ctx.text(r, "label").trim_end_matches("@en"),
                ctx.text(r, "class").trim_start_matches("hkg:"),
                ctx.text(r, "role").trim_start_matches("hkg:"),
                ctx.text(r, "c").trim_start_matches("hkg:"),
            )?;
        }
    }

    let participants = ctx.select(&format!(
        "SELECT ?role ?a (SAMPLE(?l) AS ?name) WHERE {{ {e} ?role ?a . ?role a hkg:RoleProperty . OPTIONAL {{ ?a rdfs:label ?l FILTER(LANG(?l) = 'en') }} }}
         GROUP BY ?role ?a ORDER BY ?role ?a"
    ))?;
    if !participants.is_empty() {
        writeln!(out, "\nparticipants")?;
        for r in &participants {
            writeln!(
                out,
                "  {:<12} {} ({})",
                ctx.text(r, "role").trim_start_matches("hkg:"),
                ctx.text(r, "name").trim_end_matches("@en"),
                ctx.text(r, "a")
            )?;
        }
    }

    let links = ctx.select(&format!(
        "SELECT ?dir ?link ?other ?date (SAMPLE(?l) AS ?label) WHERE {{
            {{ {e} ?link ?other . BIND('->' AS ?dir) }} UNION {{ ?other ?link {e} . BIND('<-' AS ?dir) }}
            FILTER(?link IN (hkg:about, hkg:inResponseTo))
            OPTIONAL {{ ?other hkg:date ?date }} OPTIONAL {{ ?other rdfs:label ?l FILTER(LANG(?l) = 'en') }} }}
         GROUP BY ?dir ?link ?other ?date ORDER BY ?date ?other"
    ))?;
    if !links.is_empty() {
        writeln!(out, "\nreporting chain")?;
        for r in &links {
            let link = ctx.text(r, "link").trim_start_matches("hkg:").to_owned();
            let phrase = match (ctx.text(r, "dir").as_str(), link.as_str()) {
                ("->", "about") => "is about",
                ("->", _) => "answers",
                ("<-", "about") => "reported in",
                _ => "answered by",
            };
            writeln!(
                out,
                "  {phrase:<12} {} {} ({})",
                ctx.text(r, "date"),
                ctx.text(r, "label").trim_end_matches("@en"),
                ctx.text(r, "other")
            )?;
        }
    }

    let derived = ctx.select(&format!(
        "SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x prov:wasDerivedFrom {e} ; a ?kind . FILTER(?kind IN (hkg:Actor, hkg:Place, hkg:Event, hkg:Assertion)) }} GROUP BY ?kind ORDER BY ?kind"
    ))?;
    if !derived.is_empty() {
        let parts: Vec<String> = derived
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    ctx.text(r, "n"),
                    ctx.text(r, "kind").trim_start_matches("hkg:")
                )
            })
            .collect();
        writeln!(out, "\ncited by\n  {}", parts.join(", "))?;
    }

    if !ctx.notes.is_empty() {
        writeln!(out, "\nsources")?;
        let mut notes: Vec<(usize, String)> =
            ctx.notes.iter().map(|(s, n)| (*n, s.clone())).collect();
        notes.sort();
        for (n, source) in notes {
            let rows = ctx.select(&format!(
                "SELECT ?citation (GROUP_CONCAT(DISTINCT ?loc; separator='; ') AS ?locators) WHERE {{
                    <{source}> dcterms:bibliographicCitation ?citation .
                    OPTIONAL {{ ?x prov:qualifiedDerivation ?d . ?d prov:entity <{source}> ; hkg:locator ?loc .
                               FILTER(?x = {e} || EXISTS {{ ?x rdf:subject|rdf:object {e} }} || EXISTS {{ ?x ?role {e} . ?role a hkg:RoleProperty }}) }}
                 }} GROUP BY ?citation"
            ))?;
            let (citation, locators) = rows
                .first()
                .map(|r| (ctx.text(r, "citation"), ctx.text(r, "locators")))
                .unwrap_or_default();
            let locators = if locators.is_empty() {
                String::new()
            } else {
                format!(" ({locators})")
            };
            writeln!(out, "  [{n}] {citation}{locators}")?;
        }
    }
    out.flush()?;
    Ok(())
}
