//! SPARQL over the published graph: by file, by name (`queries/NAME.rq`) or by text, with
//! the project's prefixes pre-declared; results as an aligned table or in the W3C formats.

use crate::error::{Context, Error, Result};
use crate::vocab::{self, Iris, void};
use comfy_table::{ContentArrangement, Table, presets};
use oxigraph::model::{NamedNodeRef, Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, QuerySolution, SparqlEvaluator};
use oxigraph::store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How SELECT and ASK results are written. CONSTRUCT and DESCRIBE always give Turtle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ResultsFormat {
    /// An aligned table for people, IRIs abbreviated with the prefixes.
    #[default]
    Table,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
}

/// Where the query text comes from.
#[derive(Debug, Clone)]
pub enum QueryInput {
    /// A `.rq` file.
    File(PathBuf),
    /// A curated query `queries/NAME.rq`.
    Name(String),
    /// Query text.
    Text(String),
}

impl QueryInput {
    /// Reads the query text; a NAME is looked up in `queries_dir`.
    pub fn read(&self, queries_dir: &Path) -> Result<(String, String)> {
        let read = |path: &Path| {
            std::fs::read_to_string(path)
                .map_err(|e| Error::user(format!("cannot read the query {}: {e}", path.display())))
        };
        match self {
            QueryInput::Text(text) => Ok(("the query".to_owned(), text.clone())),
            QueryInput::File(path) => Ok((path.display().to_string(), read(path)?)),
            QueryInput::Name(name) => {
                let path = queries_dir.join(format!("{name}.rq"));
                if !path.is_file() {
                    let names = curated_names(queries_dir).unwrap_or_default();
                    return Err(Error::user(format!(
                        "no curated query `{name}` in {}{}; the queries are: {}",
                        queries_dir.display(),
                        crate::diagnostics::hint(name, names.iter().map(String::as_str)),
                        names.join(", ")
                    )));
                }
                Ok((path.display().to_string(), read(&path)?))
            }
        }
    }

    /// Interprets a positional argument: an existing file or anything ending in `.rq` is a
    /// file, otherwise a curated query name.
    pub fn from_arg(arg: &str) -> Self {
        if arg.ends_with(".rq") || Path::new(arg).is_file() {
            QueryInput::File(PathBuf::from(arg))
        } else {
            QueryInput::Name(arg.to_owned())
        }
    }
}

/// Names of the curated queries in `queries_dir`, sorted; none when the directory does not
/// exist.
pub fn curated_names(queries_dir: &Path) -> Result<Vec<String>> {
    let cannot = || {
        format!(
            "cannot list the curated queries in {}",
            queries_dir.display()
        )
    };
    let entries = match std::fs::read_dir(queries_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(cannot),
    };
    let mut names = Vec::new();
    for entry in entries {
        let name = entry.with_context(cannot)?.file_name();
        if let Some(name) = name.to_str().and_then(|n| n.strip_suffix(".rq")) {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The dataset's base IRI as stored (`void:uriSpace`).
pub fn stored_base(store: &Store) -> Result<Option<String>> {
    for quad in store.quads_for_pattern(None, Some(void::URI_SPACE), None, None) {
        if let Term::Literal(l) = quad?.object {
            return Ok(Some(l.value().to_owned()));
        }
    }
    Ok(None)
}

/// All prefixes for the store: the common ones and the dataset's own.
pub fn prefixes(store: &Store) -> Result<Vec<(String, String)>> {
    Ok(match stored_base(store)?.and_then(|b| Iris::new(&b).ok()) {
        Some(iris) => vocab::all_prefixes(&iris),
        None => vocab::COMMON_PREFIXES
            .iter()
            .map(|(p, n)| ((*p).into(), (*n).into()))
            .collect(),
    })
}

/// `text` as standard SPARQL 1.1 for any engine: a `PREFIX` declaration for each of
/// `prefixes` the text uses (`name:` not preceded by a letter, digit, `_`, `-` or `.`),
/// then the text unchanged.
pub fn standalone(prefixes: &[(String, String)], text: &str) -> String {
    let uses = |prefix: &str| {
        let needle = format!("{prefix}:");
        text.match_indices(&needle).any(|(at, _)| {
            !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
    };
    let mut out = String::new();
    for (prefix, namespace) in prefixes.iter().filter(|(p, _)| uses(p)) {
        out.push_str(&format!("PREFIX {prefix}: <{namespace}>\n"));
    }
    out.push_str(text);
    out
}

/// A SPARQL evaluator with `prefixes` pre-declared.
pub fn evaluator(prefixes: &[(String, String)]) -> Result<SparqlEvaluator> {
    let mut evaluator = SparqlEvaluator::new();
    for (p, ns) in prefixes {
        evaluator = evaluator
            .with_prefix(p, ns)
            .with_context(|| format!("cannot declare the prefix {p}: <{ns}>"))?;
    }
    Ok(evaluator)
}

/// A SPARQL parser with `prefixes` pre-declared, for callers that look at the algebra before
/// evaluating it ([`SparqlEvaluator::for_query`]).
pub fn parser(prefixes: &[(String, String)]) -> Result<spargebra::SparqlParser> {
    let mut parser = spargebra::SparqlParser::new();
    for (p, ns) in prefixes {
        parser = parser
            .with_prefix(p, ns)
            .with_context(|| format!("cannot declare the prefix {p}: <{ns}>"))?;
    }
    Ok(parser)
}

/// Runs a SELECT query written by histkg itself (cards, pages, summaries) with the variables
/// of `bindings` replaced by their terms ([`inline`]), and collects its solutions; each gives
/// its values by name (`get("x")`) or in variable order (`values()`).
pub fn select(
    store: &Store,
    prefixes: &[(String, String)],
    text: &str,
    bindings: &[(&str, NamedNodeRef<'_>)],
) -> Result<Vec<QuerySolution>> {
    let mut solutions = Vec::new();
    select_each(store, prefixes, text, bindings, |s| {
        solutions.push(s);
        Ok(())
    })?;
    Ok(solutions)
}

/// [`select`], giving each solution to `each` as it comes instead of collecting them (a page
/// over a large graph then holds what it makes of the solutions, not the solutions too).
pub fn select_each(
    store: &Store,
    prefixes: &[(String, String)],
    text: &str,
    bindings: &[(&str, NamedNodeRef<'_>)],
    mut each: impl FnMut(QuerySolution) -> Result<()>,
) -> Result<()> {
    let text = inline(text, bindings);
    let query = evaluator(prefixes)?
        .parse_query(&text)
        .with_context(|| format!("cannot parse histkg's own query {text}"))?;
    let QueryResults::Solutions(solutions) = query
        .on_store(store)
        .execute()
        .context("cannot evaluate a query")?
    else {
        return Err(Error::internal(format!("not a SELECT query: {text}")));
    };
    for solution in solutions {
        each(solution.context("cannot evaluate a query")?)?;
    }
    Ok(())
}

/// `text` with every variable of `bindings` (`?name` or `$name`, the whole name) replaced by
/// its IRI in SPARQL syntax (`<…>`).
///
/// The optimizer then sees a constant and reads the store through it: the same query with
/// the variable bound at evaluation (`substitute_variable`) planned its joins as if the
/// entity were unknown and took 30-100 s per card at 100 k relations instead of 0.05 s. Only
/// IRIs are bound (a blank node would read as a new variable), and they come from the store or
/// from `vocab`, so they are valid. The text is not parsed: a `?name` in a comment is replaced
/// too (harmlessly), and histkg's query texts hold none inside a string or an IRI.
///
/// ```
/// use histkg::query::inline;
/// use oxigraph::model::NamedNodeRef;
/// let e = NamedNodeRef::new("http://e/x").unwrap();
/// assert_eq!(
///     inline("SELECT ?p WHERE { ?e ?p ?entity . $e ?p ?e_2 . ?o ?p ?e }", &[("e", e)]),
///     "SELECT ?p WHERE { <http://e/x> ?p ?entity . <http://e/x> ?p ?e_2 . ?o ?p <http://e/x> }"
/// );
/// ```
pub fn inline(text: &str, bindings: &[(&str, NamedNodeRef<'_>)]) -> String {
    if bindings.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(at) = rest.find(['?', '$']) {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        match bindings.iter().find(|(name, _)| *name == &after[..len]) {
            Some((_, iri)) => out.push_str(&iri.to_string()),
            None => out.push_str(&rest[at..=at + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// Parses and runs `text` (named `origin` in messages) and writes the results.
pub fn run(
    store: &Store,
    origin: &str,
    text: &str,
    format: ResultsFormat,
    mut out: impl Write,
) -> Result<()> {
    let prefixes = prefixes(store)?;
    let query = evaluator(&prefixes)?
        .parse_query(text)
        .map_err(|e| Error::user(format!("syntax error in {origin}: {e}")))?;
    let results = query
        .on_store(store)
        .execute()
        .map_err(|e| Error::user(format!("cannot evaluate {origin}: {e}")))?;
    match results {
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            if format == ResultsFormat::Table {
                let abbreviations = crate::export::turtle::Prefixes::new(&prefixes);
                let mut table = Table::new();
                table
                    .load_preset(presets::UTF8_FULL_CONDENSED)
                    .set_content_arrangement(ContentArrangement::Disabled)
                    .set_header(variables.iter().map(|v| v.as_str().to_owned()));
                let mut count = 0usize;
                for solution in solutions {
                    let solution = solution
                        .map_err(|e| Error::user(format!("cannot evaluate {origin}: {e}")))?;
                    table.add_row(variables.iter().map(|v| {
                        solution
                            .get(v)
                            .map(|t| human(t, &abbreviations))
                            .unwrap_or_default()
                    }));
                    count += 1;
                }
                writeln!(out, "{table}")?;
                writeln!(out, "{count} row{}", if count == 1 { "" } else { "s" })?;
            } else {
                let mut serializer = QueryResultsSerializer::from_format(w3c(format))
                    .serialize_solutions_to_writer(&mut out, variables)?;
                for solution in solutions {
                    let solution = solution
                        .map_err(|e| Error::user(format!("cannot evaluate {origin}: {e}")))?;
                    serializer.serialize(&solution)?;
                }
                serializer.finish()?;
            }
        }
        QueryResults::Boolean(value) => {
            if format == ResultsFormat::Table {
                writeln!(out, "{value}")?;
            } else {
                QueryResultsSerializer::from_format(w3c(format))
                    .serialize_boolean_to_writer(&mut out, value)?;
            }
        }
        QueryResults::Graph(triples) => {
            let triples = triples
                .collect::<Result<Vec<Triple>, _>>()
                .map_err(|e| Error::user(format!("cannot evaluate {origin}: {e}")))?;
            crate::export::turtle::write(triples, &prefixes, &mut out)?;
        }
    }
    out.flush().context("cannot write the results")?;
    Ok(())
}

/// The W3C results format for `format` (XML for the table).
pub fn w3c(format: ResultsFormat) -> QueryResultsFormat {
    match format {
        ResultsFormat::Csv => QueryResultsFormat::Csv,
        ResultsFormat::Tsv => QueryResultsFormat::Tsv,
        ResultsFormat::Json => QueryResultsFormat::Json,
        ResultsFormat::Xml | ResultsFormat::Table => QueryResultsFormat::Xml,
    }
}

/// A bare value for counts and JSON: an IRI's local name (after the last `#` or `/`), a
/// literal's lexical value, nothing for an unbound variable.
pub fn local_value(term: Option<&Term>) -> String {
    match term {
        Some(Term::NamedNode(n)) => n
            .as_str()
            .rsplit(['#', '/'])
            .next()
            .unwrap_or_default()
            .to_owned(),
        Some(Term::Literal(l)) => l.value().to_owned(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// A count in a solution: a literal's integer value, 0 for anything else or nothing.
pub fn count_value(term: Option<&Term>) -> u64 {
    match term {
        Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
        _ => 0,
    }
}

/// An IRI for people: prefixed when a prefix fits (`source:avpri`), in full otherwise.
pub fn prefixed(iri: &str, prefixes: &crate::export::turtle::Prefixes<'_>) -> String {
    prefixes
        .split(iri)
        .map(|(p, local)| format!("{p}:{local}"))
        .unwrap_or_else(|| iri.to_owned())
}

/// A term for people: prefixed IRIs, literal values with their language.
pub fn human(term: &Term, prefixes: &crate::export::turtle::Prefixes<'_>) -> String {
    match term {
        Term::NamedNode(n) => prefixed(n.as_str(), prefixes),
        Term::Literal(l) => match l.language() {
            Some(lang) => format!("{}@{lang}", l.value()),
            None => l.value().to_owned(),
        },
        other => other.to_string(),
    }
}
