//! The sources as reference managers read them: CSL-JSON (Zotero, Pandoc, citeproc) and
//! BibLaTeX (`histkg export --format csl` and `--format bibtex`), one item per source in id
//! order, deterministic.
//!
//! - Type: `hkg:cslType` and `hkg:bibtexType` of the source's class in the ontology
//!   (`document` and `misc` when the class declares none), so another ontology maps its own
//!   classes.
//! - Creators: `Family, Given` is split into family and given names; any other form is kept
//!   whole (CSL `literal`; BibLaTeX braces it so that it is not split).
//! - Date: `issued` from the EDTF date: day, month and year parts, `circa` for an uncertain
//!   or approximate date, two parts for an interval; anything else as a CSL `literal`.
//!   BibLaTeX's `date` takes the EDTF string as it is (its date field is EDTF).
//! - The archival shelfmark: `archive` is the archive's name, `archive_location` the fond
//!   (`ф.`), opis (`оп.`), delo and folios (the last two as recorded, with their own
//!   abbreviations); BibLaTeX puts both in `library`.
//! - A part (`dcterms:isPartOf`) names its whole: CSL `container-title`, BibLaTeX
//!   `booktitle`.
//! - No title: the bibliographic citation stands for it, as in the graph's labels.

use super::Values;
use crate::error::{Context, Result};
use crate::vocab::{bibo, dcterms, hkg, rdf, rdfs, schema};
use biblatex::{Chunk, Entry, EntryType, Person, Spanned};
use oxigraph::model::{NamedNodeRef, NamedOrBlankNode, Term};
use oxigraph::store::Store;
use serde_json::{Map, Value, json};
use std::io::Write;

/// A citation format a source is served and published in besides RDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitationFormat {
    /// One CSL-JSON item (in an array, as reference managers import it).
    Csl,
    /// One BibLaTeX entry.
    Bibtex,
}

impl CitationFormat {
    /// Both, in the order they are offered.
    pub const ALL: [CitationFormat; 2] = [CitationFormat::Csl, CitationFormat::Bibtex];

    /// The media type (`application/vnd.citationstyles.csl+json`).
    pub fn media_type(self) -> &'static str {
        match self {
            CitationFormat::Csl => "application/vnd.citationstyles.csl+json",
            CitationFormat::Bibtex => "application/x-bibtex",
        }
    }

    /// The file extension of a published copy, and the name `?format=` takes.
    pub fn extension(self) -> &'static str {
        match self {
            CitationFormat::Csl => "csl.json",
            CitationFormat::Bibtex => "bib",
        }
    }

    /// The format `?format=NAME` names (`csl`, `bibtex`; or the extension).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "csl" | "csl.json" => Some(CitationFormat::Csl),
            "bibtex" | "bib" => Some(CitationFormat::Bibtex),
            _ => None,
        }
    }

    /// The format of a media type, if it is one of these.
    pub fn from_media_type(media: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.media_type() == media)
    }

    /// The document of one source in this format.
    pub fn write(self, source: &Source) -> String {
        match self {
            CitationFormat::Csl => {
                let item = Value::Array(vec![source.csl()]);
                let mut text = serde_json::to_string_pretty(&item).unwrap_or_default();
                text.push('\n');
                text
            }
            CitationFormat::Bibtex => source.biblatex(),
        }
    }
}

/// One source, as the store has it.
#[derive(Debug, Default)]
pub struct Source {
    /// Its id (`dzhundzhuzov-2025`).
    pub id: String,
    /// The local name of its most specific class (`Article`).
    pub class: Option<String>,
    /// CSL type declared for the class.
    pub csl_type: Option<String>,
    /// BibLaTeX entry type declared for the class.
    pub bibtex_type: Option<String>,
    /// `dcterms:title`, else the bibliographic citation.
    pub title: String,
    /// `dcterms:creator`, in order.
    pub creators: Vec<String>,
    /// `dcterms:issued`, EDTF.
    pub issued: Option<String>,
    /// `schema:url`.
    pub url: Option<String>,
    /// `bibo:doi`.
    pub doi: Option<String>,
    /// The title of the whole it is part of.
    pub container: Option<String>,
    /// The archive's name.
    pub archive: Option<String>,
    /// Fond, opis, delo, folios as recorded.
    pub shelfmark: [Option<String>; 4],
    /// `dcterms:language`.
    pub language: Option<String>,
}

impl Source {
    /// Reads the source `iri` (`<base>source/ID`) from `store`; `None` when it is no source.
    pub fn read(store: &Store, iri: NamedNodeRef<'_>, base: &str) -> Result<Option<Source>> {
        let values = Values::read(store, iri)?;
        if !values
            .all(rdf::TYPE)
            .iter()
            .any(|t| matches!(t, Term::NamedNode(n) if n.as_ref() == hkg::SOURCE))
        {
            return Ok(None);
        }
        let class = values
            .all(rdf::TYPE)
            .iter()
            .filter_map(|t| match t {
                Term::NamedNode(n) if n.as_ref() != hkg::SOURCE => Some(n.clone()),
                _ => None,
            })
            .min_by(|a, b| a.as_str().cmp(b.as_str()));
        let (mut csl_type, mut bibtex_type) = (None, None);
        if let Some(class) = &class {
            let declared = Values::read(store, class.as_ref())?;
            csl_type = declared.literal(hkg::CSL_TYPE).map(str::to_owned);
            bibtex_type = declared.literal(hkg::BIBTEX_TYPE).map(str::to_owned);
        }
        let literal = |p| values.literal(p).map(str::to_owned);
        let title_of = |iri: &str| -> Result<Option<String>> {
            let node = NamedNodeRef::new_unchecked(iri);
            let whole = Values::read(store, node)?;
            Ok(whole
                .literal(dcterms::TITLE)
                .or_else(|| whole.label("en"))
                .or_else(|| whole.literal(rdfs::LABEL))
                .map(str::to_owned))
        };
        let container = match values.iri(dcterms::IS_PART_OF) {
            Some(whole) => title_of(whole)?,
            None => None,
        };
        let archive = match values.iri(hkg::ARCHIVE) {
            Some(archive) => title_of(archive)?,
            None => None,
        };
        Ok(Some(Source {
            id: iri
                .as_str()
                .strip_prefix(base)
                .and_then(|rest| rest.strip_prefix("source/"))
                .unwrap_or(iri.as_str())
                .to_owned(),
            class: class.map(|c| c.as_str().trim_start_matches(hkg::NS).to_owned()),
            csl_type,
            bibtex_type,
            title: literal(dcterms::TITLE)
                .or_else(|| literal(dcterms::BIBLIOGRAPHIC_CITATION))
                .unwrap_or_default(),
            creators: (values.all(dcterms::CREATOR).iter())
                .filter_map(|t| match t {
                    Term::Literal(l) => Some(l.value().to_owned()),
                    _ => None,
                })
                .collect(),
            issued: literal(dcterms::ISSUED),
            url: values.iri(schema::URL).map(str::to_owned),
            doi: literal(bibo::DOI),
            container,
            archive,
            shelfmark: [hkg::FOND, hkg::OPIS, hkg::DELO, hkg::FOLIOS].map(literal),
            language: literal(dcterms::LANGUAGE),
        }))
    }

    /// The shelfmark as one string: `ф. 113/1, оп. 1, № 3, л. 12`.
    pub fn archive_location(&self) -> Option<String> {
        let [fond, opis, delo, folios] = &self.shelfmark;
        let parts: Vec<String> = [
            fond.as_ref().map(|f| format!("ф. {f}")),
            opis.as_ref().map(|o| format!("оп. {o}")),
            delo.clone(),
            folios.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// The CSL-JSON item.
    pub fn csl(&self) -> Value {
        let mut item = Map::new();
        let mut put = |key: &str, value: Value| {
            item.insert(key.to_owned(), value);
        };
        put("id", json!(self.id));
        put(
            "type",
            json!(self.csl_type.as_deref().unwrap_or("document")),
        );
        put("title", json!(self.title));
        if !self.creators.is_empty() {
            let names: Vec<Value> = (self.creators.iter())
                .map(|c| match split_name(c) {
                    Some((family, given)) => json!({"family": family, "given": given}),
                    None => json!({"literal": c}),
                })
                .collect();
            put("author", Value::Array(names));
        }
        if let Some(issued) = &self.issued {
            put("issued", csl_date(issued));
        }
        if let Some(container) = &self.container {
            put("container-title", json!(container));
        }
        if let Some(archive) = &self.archive {
            put("archive", json!(archive));
        }
        if let Some(location) = self.archive_location() {
            put("archive_location", json!(location));
        }
        if let Some(doi) = &self.doi {
            put("DOI", json!(doi));
        }
        if let Some(url) = &self.url {
            put("URL", json!(url));
        }
        if let Some(language) = &self.language {
            put("language", json!(language));
        }
        Value::Object(item)
    }

    /// The BibLaTeX entry.
    pub fn biblatex(&self) -> String {
        let kind = self.bibtex_type.as_deref().unwrap_or("misc");
        let mut entry = Entry::new(self.id.clone(), EntryType::new(kind));
        let text = |s: &str| vec![Spanned::detached(Chunk::Normal(s.to_owned()))];
        entry.set("title", text(&self.title));
        if !self.creators.is_empty() {
            let people = (self.creators.iter())
                .map(|c| match split_name(c) {
                    Some((family, given)) => person(family, given),
                    // Braced, so that it is one name and not split at its spaces.
                    None => person(&format!("{{{c}}}"), ""),
                })
                .collect();
            entry.set_author(people);
        }
        if let Some(issued) = &self.issued {
            entry.set("date", text(issued));
        }
        if let Some(container) = &self.container {
            entry.set("booktitle", text(container));
        }
        let library: Vec<String> = [self.archive.clone(), self.archive_location()]
            .into_iter()
            .flatten()
            .collect();
        if !library.is_empty() {
            entry.set("library", text(&library.join(", ")));
        }
        if let Some(doi) = &self.doi {
            entry.set("doi", text(doi));
        }
        if let Some(url) = &self.url {
            entry.set("url", text(url));
        }
        entry.to_biblatex_string()
    }
}

/// A BibLaTeX name.
fn person(family: &str, given: &str) -> Person {
    Person {
        name: family.to_owned(),
        given_name: given.to_owned(),
        prefix: String::new(),
        suffix: String::new(),
        id: None,
        prefix_initials: None,
        given_initials: None,
        use_prefix: None,
    }
}

/// `Family, Given` split at its one comma.
fn split_name(name: &str) -> Option<(&str, &str)> {
    let (family, given) = name.split_once(", ")?;
    (!given.contains(',') && !family.is_empty() && !given.is_empty())
        .then(|| (family.trim(), given.trim()))
}

/// Year, month and day parts of a plain EDTF date (`1741`, `1741-08`, `1741-08-26`).
fn date_parts(edtf: &str) -> Option<Vec<Value>> {
    let parts: Vec<&str> = edtf.split('-').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts[0].len() != 4
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some(
        parts
            .iter()
            .map(|p| json!(p.parse::<u32>().unwrap_or_default()))
            .collect(),
    )
}

/// A CSL date from an EDTF date.
fn csl_date(edtf: &str) -> Value {
    let plain = edtf.trim_end_matches(['~', '?', '%']);
    let circa = plain.len() != edtf.len();
    let parts = match plain.split_once('/') {
        Some((from, to)) => date_parts(from)
            .zip(date_parts(to))
            .map(|(a, b)| vec![a, b]),
        None => date_parts(plain).map(|a| vec![a]),
    };
    match parts {
        Some(parts) if circa => json!({"date-parts": parts, "circa": true}),
        Some(parts) => json!({"date-parts": parts}),
        None => json!({"literal": edtf}),
    }
}

/// Every source, in id order.
fn sources(store: &Store) -> Result<Vec<NamedOrBlankNode>> {
    super::gexf::typed(store, hkg::SOURCE)
}

/// Writes every source as a CSL-JSON array.
pub fn write_csl(store: &Store, mut w: impl Write) -> Result<()> {
    let base = crate::query::stored_base(store)?.unwrap_or_default();
    let mut first = true;
    w.write_all(b"[")?;
    let read = |s: &NamedOrBlankNode| -> Result<Option<Source>> {
        match s {
            NamedOrBlankNode::NamedNode(n) => Source::read(store, n.as_ref(), &base),
            NamedOrBlankNode::BlankNode(_) => Ok(None),
        }
    };
    for s in sources(store)? {
        if let Some(source) = read(&s)? {
            w.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            serde_json::to_writer_pretty(&mut w, &source.csl()).context("cannot write")?;
        }
    }
    w.write_all(b"\n]\n")?;
    w.flush()?;
    Ok(())
}

/// Writes every source as a BibLaTeX entry, separated by blank lines.
pub fn write_bibtex(store: &Store, mut w: impl Write) -> Result<()> {
    let base = crate::query::stored_base(store)?.unwrap_or_default();
    let mut first = true;
    for s in sources(store)? {
        if let NamedOrBlankNode::NamedNode(n) = &s
            && let Some(source) = Source::read(store, n.as_ref(), &base)?
        {
            if !first {
                w.write_all(b"\n")?;
            }
            first = false;
            writeln!(w, "{}", source.biblatex().trim_end())?;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edtf_dates_become_csl_dates() {
        assert_eq!(
            csl_date("2025-04-01"),
            json!({"date-parts": [[2025, 4, 1]]})
        );
        assert_eq!(csl_date("1741"), json!({"date-parts": [[1741]]}));
        assert_eq!(
            csl_date("1740/1745"),
            json!({"date-parts": [[1740], [1745]]})
        );
        assert_eq!(
            csl_date("1741~"),
            json!({"date-parts": [[1741]], "circa": true})
        );
        assert_eq!(csl_date("174X"), json!({"literal": "174X"}));
        assert_eq!(csl_date("1741/.."), json!({"literal": "1741/.."}));
    }

    #[test]
    fn names_split_only_at_one_comma() {
        assert_eq!(
            split_name("Dzhundzhuzov, Stepan V."),
            Some(("Dzhundzhuzov", "Stepan V."))
        );
        assert_eq!(split_name("Collegium of Foreign Affairs"), None);
        assert_eq!(split_name("Smith, J., Jr."), None);
    }
}
