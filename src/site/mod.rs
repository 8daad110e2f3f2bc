//! The dataset's pages and documents, and nothing of HTTP: the home page, entity pages and
//! cards, search results, the network and timeline views, SPARQL results as a page, VoID and
//! the service description, each entity's RDF in every format, and the dumps.
//!
//! Every function here returns a typed value or a [`Result`] (an HTML string, triples, bytes
//! written to a `Write`), never a status code: `serve` routes requests to it and `publish`
//! writes it to files. A failed store read is an error, never a page with rows missing.
//! Links are made by [`Links`], so one page renders for the server (absolute paths) and for a
//! static site (relative links). Page queries live in `site/queries/*.rq`, templates in
//! `site/templates/`, the vendored front-end libraries in `site/assets/`.
//!
//! Must not: know HTTP (status codes, headers, requests), write files, or build IRIs (they
//! come from [`crate::vocab`]).

mod assets;
pub mod card;
mod documents;
mod entity;
mod findings;
mod map;
mod pages;
pub mod reconcile;
mod results;

pub use assets::{ASSETS, asset};
pub use documents::SHAPES;
pub use entity::Located;

use crate::error::{Context, Result};
use crate::export::turtle::Prefixes;
use crate::query;
use crate::store::Published;
use crate::vocab::{self, Iris};
use minijinja::{Environment, context};
use oxigraph::model::{NamedNodeRef, Term};
use oxigraph::sparql::QuerySolution;
use oxigraph::store::Store;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// How pages link to each other: absolute paths on the server, relative directory links in
/// a static site (so it works from any folder of any file server).
#[derive(Debug, Clone)]
pub struct Links {
    /// Prefix of every link: `/` on the server, `../../` in a static entity page.
    pub root: String,
    /// True in a static site: entity links end in `/` and server-only routes are hidden.
    pub static_site: bool,
}

impl Links {
    /// Links as served by `histkg serve`.
    pub fn server() -> Self {
        Self {
            root: "/".to_owned(),
            static_site: false,
        }
    }

    /// Links of a static site page `depth` directories below the site's root.
    pub fn static_site(depth: usize) -> Self {
        Self {
            root: "../".repeat(depth),
            static_site: true,
        }
    }
}

/// One of the queries in `site/queries/`, by its file name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageQuery {
    /// The file's name without `.rq`, for messages.
    name: &'static str,
    /// The query text.
    text: &'static str,
}

/// The page query `site/queries/NAME.rq`, embedded in the binary.
macro_rules! page_query {
    ($name:literal) => {
        $crate::site::PageQuery {
            name: $name,
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/site/queries/",
                $name,
                ".rq"
            )),
        }
    };
}
pub(crate) use page_query;

/// The environment variable naming a page query (`home-actors`, `card-facts`...) that fails as
/// a failed store read would, for the tests that check a failed read never gives a page with
/// rows missing (as `HISTKG_PAUSE_AT` is for the crash tests).
pub const FAIL_READ_VARIABLE: &str = "HISTKG_FAIL_READ";

/// Runs a page query on `store` with the variables of `bindings` bound to their terms, and
/// collects its solutions.
pub(crate) fn select(
    store: &Store,
    prefixes: &[(String, String)],
    page_query: PageQuery,
    bindings: &[(&str, NamedNodeRef<'_>)],
) -> Result<Vec<QuerySolution>> {
    let mut solutions = Vec::new();
    each(store, prefixes, page_query, bindings, |s| {
        solutions.push(s);
        Ok(())
    })?;
    Ok(solutions)
}

/// [`select`], giving each solution to `f` as it comes.
pub(crate) fn each(
    store: &Store,
    prefixes: &[(String, String)],
    page_query: PageQuery,
    bindings: &[(&str, NamedNodeRef<'_>)],
    f: impl FnMut(QuerySolution) -> Result<()>,
) -> Result<()> {
    let context = || format!("cannot run the page query {}.rq", page_query.name);
    injected_failure(page_query.name).with_context(context)?;
    query::select_each(store, prefixes, page_query.text, bindings, f).with_context(context)
}

/// A store error when [`FAIL_READ_VARIABLE`] names the read `name` (the tests' way of making
/// one read fail), nothing otherwise.
fn injected_failure(name: &str) -> Result<()> {
    if std::env::var_os(FAIL_READ_VARIABLE).is_some_and(|failing| failing == name) {
        let injected = std::io::Error::other(format!("failure injected by {FAIL_READ_VARIABLE}"));
        return Err(crate::Error::Store(injected.into()));
    }
    Ok(())
}

/// The value of `var` in `row` as plain text: an IRI's local name, a literal's value.
fn value(row: &QuerySolution, var: &str) -> String {
    query::local_value(row.get(var))
}

/// A curated query, listed on the home page.
#[derive(Debug, Clone, Serialize)]
struct Curated {
    name: String,
    question: String,
    encoded: String,
}

/// The pages and documents of one published generation.
pub struct Site {
    store: Published,
    iris: Iris,
    prefixes: Vec<(String, String)>,
    templates: Environment<'static>,
    curated: Vec<Curated>,
    /// The dataset's title, read once.
    title: String,
    /// The names of the actors and places for reconciliation, indexed on first use.
    names: std::sync::Mutex<Option<std::sync::Arc<reconcile::NameIndex>>>,
}

impl Site {
    /// Prepares the pages of an opened store; reads the curated queries of `queries_dir` (none
    /// when it does not exist).
    pub fn open(store: Published, queries_dir: &Path) -> Result<Self> {
        let base = query::stored_base(&store)?
            .context("the store has no dataset base IRI (void:uriSpace); rebuild it")?;
        let iris = Iris::new(&base)?;
        let prefixes = query::prefixes(&store)?;
        let mut templates = Environment::new();
        for (name, text) in [
            ("layout.html", include_str!("templates/layout.html")),
            ("home.html", include_str!("templates/home.html")),
            ("entity.html", include_str!("templates/entity.html")),
            ("results.html", include_str!("templates/results.html")),
            ("search.html", include_str!("templates/search.html")),
            ("network.html", include_str!("templates/network.html")),
            ("timeline.html", include_str!("templates/timeline.html")),
            ("map.html", include_str!("templates/map.html")),
            ("findings.html", include_str!("templates/findings.html")),
        ] {
            templates
                .add_template(name, text)
                .with_context(|| format!("cannot compile the template {name}"))?;
        }
        let mut site = Self {
            store,
            iris,
            prefixes,
            templates,
            curated: curated(queries_dir)?,
            title: String::new(),
            names: std::sync::Mutex::new(None),
        };
        let dataset = site.iris.dataset();
        site.title = site
            .literal(dataset.as_ref(), vocab::dcterms::TITLE)?
            .unwrap_or_else(|| "histkg".to_owned());
        Ok(site)
    }

    /// The published generation these pages read.
    pub fn store(&self) -> &Published {
        &self.store
    }

    /// The dataset's IRIs.
    pub fn iris(&self) -> &Iris {
        &self.iris
    }

    /// The prefixes of the dataset (common and its own).
    pub fn prefixes(&self) -> &[(String, String)] {
        &self.prefixes
    }

    fn abbreviations(&self) -> Prefixes<'_> {
        Prefixes::new(&self.prefixes)
    }

    fn select(
        &self,
        page_query: PageQuery,
        bindings: &[(&str, NamedNodeRef<'_>)],
    ) -> Result<Vec<QuerySolution>> {
        select(&self.store, &self.prefixes, page_query, bindings)
    }

    /// Gives each solution of a page query to `f` as it comes.
    fn each(
        &self,
        page_query: PageQuery,
        bindings: &[(&str, NamedNodeRef<'_>)],
        f: impl FnMut(QuerySolution) -> Result<()>,
    ) -> Result<()> {
        each(&self.store, &self.prefixes, page_query, bindings, f)
    }

    /// Renders `template` with the layout's variables and `ctx`.
    fn render(&self, template: &str, links: &Links, ctx: minijinja::Value) -> Result<String> {
        let ctx = context! {
            dataset_title => self.title.clone(),
            root => links.root.clone(),
            static_site => links.static_site,
            ..ctx
        };
        self.templates
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .with_context(|| format!("cannot render the page {template}"))
    }

    /// Renders `template` into `w` with the variable `data` standing for JSON that
    /// `write_data` streams in its place (escaped for a `<script>` element).
    fn render_streaming(
        &self,
        template: &str,
        links: &Links,
        ctx: minijinja::Value,
        data: &str,
        w: &mut dyn Write,
        write_data: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let marker = minijinja::Value::from_safe_string(DATA_MARKER.to_owned());
        let slot = minijinja::Value::from_iter([(data, marker)]);
        let ctx = context! { ..slot, ..ctx };
        let html = self.render(template, links, ctx)?;
        let (head, tail) = html
            .split_once(DATA_MARKER)
            .with_context(|| format!("the page {template} does not show `{data}`"))?;
        w.write_all(head.as_bytes())?;
        write_data(&mut ScriptJson(w))?;
        w.write_all(tail.as_bytes())?;
        Ok(())
    }

    /// The English value of `predicate` on `subject`, or its first value in another language.
    fn literal(
        &self,
        subject: NamedNodeRef<'_>,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Option<String>> {
        let mut fallback = None;
        for quad in self
            .store
            .quads_for_pattern(Some(subject.into()), Some(predicate), None, None)
        {
            if let Term::Literal(l) = quad?.object {
                match l.language() {
                    Some("en") => return Ok(Some(l.value().to_owned())),
                    _ => fallback = fallback.or(Some(l.value().to_owned())),
                }
            }
        }
        Ok(fallback)
    }

    /// The local URL of an IRI of this dataset, if it is one.
    fn href(&self, links: &Links, iri: &str) -> Option<String> {
        let trailing = if links.static_site { "/" } else { "" };
        self.iris
            .parse_entity(iri)
            .map(|(kind, id)| format!("{}{}/{id}{trailing}", links.root, kind.segment()))
    }

    /// The English label of `iri`, or its abbreviated form.
    fn label(&self, iri: NamedNodeRef<'_>) -> Result<String> {
        Ok(match self.literal(iri, vocab::rdfs::LABEL)? {
            Some(label) => label,
            None => query::human(&Term::NamedNode(iri.into_owned()), &self.abbreviations()),
        })
    }
}

/// Where a page's streamed data goes: the template is rendered with this in its place, then
/// split there.
const DATA_MARKER: &str = "\u{1}histkg-page-data\u{1}";

/// A writer of JSON inside a `<script>` element: `<`, `>`, `&` and `'` are written as `\u`
/// escapes, so that no string in the data can close the element or start markup. (These
/// characters occur in JSON only inside strings, where the escape means the same.)
struct ScriptJson<'w>(&'w mut dyn Write);

impl Write for ScriptJson<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|b| b"<>&'".contains(b)) {
            self.0.write_all(&rest[..at])?;
            write!(self.0, "\\u{:04x}", rest[at])?;
            rest = &rest[at + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The curated queries of `queries_dir`: each one's first line (`# Question: …`) is the
/// question the home page shows.
fn curated(queries_dir: &Path) -> Result<Vec<Curated>> {
    let mut curated = Vec::new();
    for name in query::curated_names(queries_dir)? {
        let path = queries_dir.join(format!("{name}.rq"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let question = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("# Question:")
            .trim()
            .to_owned();
        let encoded = form_urlencoded::byte_serialize(text.as_bytes()).collect();
        curated.push(Curated {
            name,
            question,
            encoded,
        });
    }
    Ok(curated)
}

#[cfg(test)]
mod tests {
    use super::ScriptJson;
    use std::io::Write;

    #[test]
    fn script_json_escapes_what_could_close_the_script_element() {
        let mut out = Vec::new();
        let label = "</script><b>Abu'l-Khayr & co</b>";
        serde_json::to_writer(ScriptJson(&mut out), &serde_json::json!({ "label": label }))
            .unwrap();
        let json = String::from_utf8(out).unwrap();
        assert_eq!(
            json,
            r#"{"label":"\u003c/script\u003e\u003cb\u003eAbu\u0027l-Khayr \u0026 co\u003c/b\u003e"}"#
        );
        // The escapes mean the same characters to a JSON parser.
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["label"], label);
        ScriptJson(&mut Vec::new()).flush().unwrap();
    }
}
