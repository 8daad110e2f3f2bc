//! `histkg cite CLAIM`: the sources behind one assertion or event, cited with their
//! locators and listed in a CSL style (hayagriva's archive of the official styles), from the
//! same CSL-JSON items as `export --format csl`.
//!
//! A locator recorded as `p. 36`, `pp. 31-43`, `л. 12`, `f. 3` (and a few other usual
//! labels, Russian and English) becomes the style's page, folio, volume or chapter locator;
//! any other stays as recorded, after the citation in brackets.

use crate::error::{Context, Error, Result};
use crate::export::citations::Source;
use crate::query::stored_base;
use crate::show::resolve;
use crate::vocab::{hkg, prov, rdfs};
use hayagriva::archive::{ArchivedStyle, locales};
use hayagriva::citationberg::json::Item;
use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{IndependentStyle, Style};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, BufWriteFormat, CitationItem, CitationRequest,
    LocatorPayload, SpecificLocator,
};
use oxigraph::model::{NamedNode, NamedNodeRef, Term};
use oxigraph::store::Store;
use std::io::Write;

/// The style used when none is asked for.
pub const DEFAULT_STYLE: &str = "chicago-author-date";

/// Labels of locators and the kind each stands for (checked in this order, the longest
/// first where one label starts another).
const LABELS: [(&str, Locator); 14] = [
    ("pp.", Locator::Page),
    ("p.", Locator::Page),
    ("стр.", Locator::Page),
    ("с.", Locator::Page),
    ("лл.", Locator::Folio),
    ("л.", Locator::Folio),
    ("ff.", Locator::Folio),
    ("fols.", Locator::Folio),
    ("fol.", Locator::Folio),
    ("f.", Locator::Folio),
    ("vol.", Locator::Volume),
    ("т.", Locator::Volume),
    ("ch.", Locator::Chapter),
    ("гл.", Locator::Chapter),
];

/// A recorded locator as the style's locator, if its label is a known one.
fn locator(recorded: &str) -> Option<(Locator, &str)> {
    LABELS.iter().find_map(|(label, kind)| {
        let rest = recorded.strip_prefix(label)?.trim_start();
        (!rest.is_empty()).then_some((*kind, rest))
    })
}

/// The style named `name` (`chicago-author-date`, `apa`, `modern-language-association`...).
fn style(name: &str) -> Result<IndependentStyle> {
    let Some(archived) = ArchivedStyle::by_name(name) else {
        let mut names: Vec<&str> = ArchivedStyle::all()
            .iter()
            .flat_map(|s| s.names().iter().copied())
            .collect();
        names.sort_unstable();
        return Err(Error::user(format!(
            "unknown citation style `{name}`; the styles are: {}",
            names.join(", ")
        )));
    };
    match archived.get() {
        Style::Independent(style) => Ok(style),
        Style::Dependent(_) => Err(Error::user(format!(
            "the citation style `{name}` depends on another; name that one"
        ))),
    }
}

/// One source of the claim and what the claim cites in it.
struct Cited {
    item: Item,
    locators: Vec<String>,
}

/// The sources of `claim` with their locators, in source order.
fn cited(store: &Store, claim: &NamedNode, base: &str) -> Result<Vec<Cited>> {
    let objects = |s: NamedNodeRef<'_>, p: NamedNodeRef<'_>| -> Result<Vec<Term>> {
        store
            .quads_for_pattern(Some(s.into()), Some(p), None, None)
            .map(|q| q.map(|q| q.object))
            .collect::<Result<Vec<_>, _>>()
            .context("cannot read the store")
    };
    let mut sources: Vec<NamedNode> = objects(claim.as_ref(), prov::WAS_DERIVED_FROM)?
        .into_iter()
        .filter_map(|t| match t {
            Term::NamedNode(n) => Some(n),
            _ => None,
        })
        .collect();
    sources.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let mut out = Vec::new();
    for source in sources {
        let Some(read) = Source::read(store, source.as_ref(), base)? else {
            continue;
        };
        let derivation =
            NamedNode::new_unchecked(format!("{}/derivation/{}", claim.as_str(), read.id));
        let mut locators: Vec<String> = objects(derivation.as_ref(), hkg::LOCATOR)?
            .into_iter()
            .filter_map(|t| match t {
                Term::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            })
            .collect();
        locators.sort();
        let item: Item =
            serde_json::from_value(read.csl()).context("a source's CSL-JSON is not a CSL item")?;
        out.push(Cited { item, locators });
    }
    Ok(out)
}

/// Prints the claim, each citation of it with its locator, and the bibliography, in
/// `style_name`.
pub fn cite(store: &Store, claim: &str, style_name: &str, mut out: impl Write) -> Result<()> {
    let style = style(style_name)?;
    let claim = resolve(store, claim)?;
    let base = stored_base(store)?.unwrap_or_default();
    let cited = cited(store, &claim, &base)?;
    if cited.is_empty() {
        return Err(Error::user(format!(
            "`{}` cites no source; give the id of an assertion or an event",
            claim.as_str().strip_prefix(&base).unwrap_or(claim.as_str())
        )));
    }
    let label = store
        .quads_for_pattern(Some(claim.as_ref().into()), Some(rdfs::LABEL), None, None)
        .filter_map(|q| match q.ok()?.object {
            Term::Literal(l) if l.language() == Some("en") => Some(l.value().to_owned()),
            _ => None,
        })
        .next();
    let locales = locales();
    let mut driver = BibliographyDriver::new();
    // (citation, the locator the style cannot place)
    let mut asked: Vec<Option<String>> = Vec::new();
    for c in &cited {
        let recorded: Vec<Option<&str>> = if c.locators.is_empty() {
            vec![None]
        } else {
            c.locators.iter().map(|l| Some(l.as_str())).collect()
        };
        for recorded in recorded {
            let (specific, left) = match recorded.map(|r| (r, locator(r))) {
                Some((_, Some((kind, rest)))) => {
                    (Some(SpecificLocator(kind, LocatorPayload::Str(rest))), None)
                }
                Some((r, None)) => (None, Some(r.to_owned())),
                None => (None, None),
            };
            let item = CitationItem::with_locator(&c.item, specific);
            driver.citation(CitationRequest::from_items(vec![item], &style, &locales));
            asked.push(left);
        }
    }
    let rendered = driver.finish(BibliographyRequest::new(&style, None, &locales));
    let text = |children: &hayagriva::ElemChildren| {
        let mut s = String::new();
        let _ = children.write_buf(&mut s, BufWriteFormat::Plain);
        s
    };
    let shown = claim.as_str().strip_prefix(&base).unwrap_or(claim.as_str());
    match label {
        Some(label) => writeln!(out, "{shown}: {label}")?,
        None => writeln!(out, "{shown}")?,
    }
    writeln!(out, "citations ({style_name}):")?;
    for (citation, left) in rendered.citations.iter().zip(&asked) {
        match left {
            Some(left) => writeln!(out, "  {} [{left}]", text(&citation.citation))?,
            None => writeln!(out, "  {}", text(&citation.citation))?,
        }
    }
    if let Some(bibliography) = rendered.bibliography {
        writeln!(out, "bibliography:")?;
        for entry in bibliography.items {
            writeln!(out, "  {}", text(&entry.content))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_labels_become_locators() {
        assert_eq!(locator("p. 36"), Some((Locator::Page, "36")));
        assert_eq!(locator("pp. 31-43"), Some((Locator::Page, "31-43")));
        assert_eq!(locator("л. 12"), Some((Locator::Folio, "12")));
        assert_eq!(locator("лл. 1, 1 об."), Some((Locator::Folio, "1, 1 об.")));
        assert_eq!(locator("no. 1"), None);
        assert_eq!(locator("p."), None);
    }
}
