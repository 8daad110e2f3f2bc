//! The SPARQL 1.1 Protocol at `/sparql`: reading the query from the request, evaluating it
//! under a deadline, and answering in the format `Accept` asks for.
//!
//! A query of one triple pattern with a fixed subject ([`is_quick`]) is evaluated on the
//! connection's thread, which checks the deadline before each result; any other runs on a
//! thread of [`Pool`] that the deadline can abandon (the handler answers 503 at once and
//! cancels it). Results are collected in full before the status is chosen, so a query
//! stopped by the deadline never gives a 200 with a truncated body.
//!
//! Must not: write to the store (updates and `LOAD` answer 403), or wait past the deadline.

use super::http::{
    self, Answer, Refusal, accepted, header, negotiated_format, query_param, rdf_offers,
};
use super::pool::{self, Pool};
use crate::error::Result;
use crate::query;
use crate::site::{Links, Site};
use oxhttp::model::header::CONTENT_TYPE;
use oxhttp::model::{Body, Method, Request, StatusCode};
use oxigraph::model::Triple;
use oxigraph::sparql::results::QueryResultsSerializer;
use oxigraph::sparql::{
    BoundPreparedSparqlQuery, CancellationToken, QueryEvaluationError, QueryResults, QuerySolution,
    SparqlEvaluator, Variable,
};
use std::io::Read;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The largest request body we accept (larger: 413).
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// The endpoint: the dataset's prefixes declared once, the query threads, the deadline.
pub struct Endpoint {
    /// The SPARQL evaluator with the prefixes declared, cloned per query.
    evaluator: SparqlEvaluator,
    /// Parses queries with the dataset's prefixes (the algebra decides [`is_quick`]).
    parser: spargebra::SparqlParser,
    /// Threads that run queries, reused between queries.
    pool: Pool,
    /// How long a query may run.
    timeout: Duration,
    /// How many values a query's results may hold.
    max_values: usize,
}

/// Query results, collected in full before any byte is sent.
enum Collected {
    Graph(Vec<Triple>),
    Boolean(bool),
    Solutions(Vec<Variable>, Vec<QuerySolution>),
    /// Solutions serialized as they came, in this media type (a lookup's fast path).
    Serialized(&'static str, Vec<u8>),
}

impl Endpoint {
    /// An endpoint over the dataset whose prefixes are `prefixes`, stopping queries that run
    /// longer than `timeout` or whose results hold more than `max_values` values.
    pub fn new(
        prefixes: &[(String, String)],
        timeout: Duration,
        max_values: usize,
    ) -> Result<Self> {
        Ok(Self {
            evaluator: query::evaluator(prefixes)?,
            parser: query::parser(prefixes)?,
            pool: Pool::default(),
            timeout,
            max_values,
        })
    }

    /// How many query threads wait for work.
    pub fn idle_threads(&self) -> usize {
        self.pool.idle()
    }

    /// Answers a protocol request (`GET ?query=`, or `POST` as a form or a query body); a
    /// plain `GET` gets the service description.
    pub fn answer(&self, site: &Site, request: &mut Request<Body>) -> Answer {
        let (text, is_update) = query_text(request)?;
        if is_update {
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "updates are not allowed: this endpoint is read-only",
            ));
        }
        let Some(text) = text else {
            let format = negotiated_format(request, &rdf_offers())?;
            return super::rdf(site, site.service_description(), format);
        };
        let parsed = match self.parser.clone().parse_query(&text) {
            Ok(q) => q,
            Err(e) => {
                if self.evaluator.clone().parse_update(&text).is_ok() {
                    return Err(Refusal::new(
                        StatusCode::FORBIDDEN,
                        "updates (including LOAD) are not allowed: this endpoint is read-only",
                    ));
                }
                return Err(Refusal::bad_request(format!("syntax error: {e}")));
            }
        };
        let token = CancellationToken::new();
        let evaluator = self
            .evaluator
            .clone()
            .with_cancellation_token(token.clone());
        let quick = is_quick(&parsed);
        // A quick SELECT asked for in a results format (not HTML) is serialized while it is
        // evaluated, into the response's buffer: no solution is kept, and a deadline or limit
        // passed midway still gives a 503, since nothing has been sent.
        let direct = match parsed {
            spargebra::Query::Select { .. } if quick => accepted(request, &http::solution_offers())
                .ok()
                .filter(|media| *media != "text/html"),
            _ => None,
        };
        let bound = evaluator.for_query(parsed).on_store(site.store());
        let result = if quick {
            // Evaluated on this thread: a single triple pattern with a fixed subject reads
            // that subject's triples and nothing else, so handing it to a query thread would
            // cost more (two thread wake-ups) than the query. The deadline is still checked
            // before every result.
            let deadline = Some(Instant::now() + self.timeout);
            collect(bound, &token, deadline, self.max_values, direct)
        } else {
            self.on_pool(site, bound, token)?
        };
        self.respond(site, result, request, &text)
    }

    /// Runs `bound` on a query thread and waits for it until the deadline; then cancels it
    /// and answers 503 at once, without waiting for the evaluator to notice.
    fn on_pool(
        &self,
        site: &Site,
        bound: BoundPreparedSparqlQuery<'static>,
        token: CancellationToken,
    ) -> Result<Result<Collected, Stopped>, Refusal> {
        let (send, receive) = mpsc::channel();
        // A query stopped by the deadline may still be winding down after the server has
        // switched generations: it keeps its generation from being removed until it ends.
        let guard = site.store().guard();
        let alive = token.clone();
        let max_values = self.max_values;
        self.pool
            .run(move || {
                let _guard = guard;
                let _ = send.send(collect(bound, &alive, None, max_values, None));
            })
            .map_err(|e| Refusal::from(crate::Error::from(e)))?;
        pool::spin_then_wait(&receive, self.timeout).map_err(|_| {
            token.cancel();
            self.timed_out()
        })
    }

    fn timed_out(&self) -> Refusal {
        Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the query ran longer than the {} s limit and was stopped",
                self.timeout.as_secs_f32()
            ),
        )
    }

    fn respond(
        &self,
        site: &Site,
        result: Result<Collected, Stopped>,
        request: &Request<Body>,
        text: &str,
    ) -> Answer {
        let links = Links::server();
        let collected = result.map_err(|e| match e {
            Stopped::Evaluation(QueryEvaluationError::Cancelled) => self.timed_out(),
            Stopped::Evaluation(other) => {
                Refusal::bad_request(format!("cannot evaluate the query: {other}"))
            }
            Stopped::Write(e) => Refusal::from(crate::Error::from(e)),
            Stopped::TooLarge => Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the query's results passed the limit of {} values (rows times columns) \
                     and it was stopped: add a LIMIT, or download the whole graph from the \
                     dumps (/graph.nt); `histkg serve --max-values` raises the limit",
                    self.max_values
                ),
            ),
        })?;
        match collected {
            Collected::Graph(triples) => {
                // A browser asking for HTML gets Turtle, which it shows as text.
                let format = negotiated_format(request, &http::rdf_or_html_offers())?;
                super::rdf(site, triples, format)
            }
            Collected::Boolean(value) => {
                let media = accepted(request, &http::solution_offers())?;
                if media == "text/html" {
                    return Ok(http::html(site.boolean_page(&links, text, value)?));
                }
                let body = QueryResultsSerializer::from_format(http::results_format(media))
                    .serialize_boolean_to_writer(Vec::new(), value)
                    .map_err(crate::Error::from)?;
                Ok(http::ok(media, body))
            }
            Collected::Serialized(media, body) => Ok(http::ok(media, body)),
            Collected::Solutions(variables, solutions) => {
                let media = accepted(request, &http::solution_offers())?;
                if media == "text/html" {
                    let page = site.solutions_page(&links, text, &variables, &solutions)?;
                    return Ok(http::html(page));
                }
                let body = serialize_solutions(media, variables, &solutions)
                    .map_err(crate::Error::from)?;
                Ok(http::ok(media, body))
            }
        }
    }
}

fn serialize_solutions(
    media: &str,
    variables: Vec<Variable>,
    solutions: &[QuerySolution],
) -> std::io::Result<Vec<u8>> {
    let mut serializer = QueryResultsSerializer::from_format(http::results_format(media))
        .serialize_solutions_to_writer(Vec::new(), variables)?;
    for solution in solutions {
        serializer.serialize(solution)?;
    }
    serializer.finish()
}

/// The query or update text of a protocol request: `(query, is_update)`.
fn query_text(request: &mut Request<Body>) -> Result<(Option<String>, bool), Refusal> {
    if request.method() != Method::POST {
        if query_param(request, "update").is_some() {
            return Ok((None, true));
        }
        return Ok((query_param(request, "query"), false));
    }
    let content_type = header(request, CONTENT_TYPE)
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let body = read_body(request)?;
    match content_type.as_str() {
        "application/sparql-query" => Ok((
            Some(
                String::from_utf8(body)
                    .map_err(|_| Refusal::bad_request("the query is not UTF-8"))?,
            ),
            false,
        )),
        "application/sparql-update" => Ok((None, true)),
        "application/x-www-form-urlencoded" => {
            let mut query = None;
            for (k, v) in form_urlencoded::parse(&body) {
                match k.as_ref() {
                    "update" => return Ok((None, true)),
                    "query" => query = Some(v.into_owned()),
                    _ => {}
                }
            }
            Ok((query, false))
        }
        other => Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "unsupported content type `{other}`; use application/sparql-query or application/x-www-form-urlencoded"
            ),
        )),
    }
}

/// Why [`collect`] gave no results.
enum Stopped {
    /// The evaluator failed, or was cancelled at the deadline.
    Evaluation(QueryEvaluationError),
    /// The results passed the endpoint's limit on values.
    TooLarge,
    /// Serializing the results failed.
    Write(std::io::Error),
}

impl From<QueryEvaluationError> for Stopped {
    fn from(e: QueryEvaluationError) -> Self {
        Self::Evaluation(e)
    }
}

/// Evaluates `query` and collects its results, stopping as soon as `token` is cancelled,
/// `deadline` passes or the results hold more than `max_values` values.
///
/// The evaluator itself looks at the token only when it reads the store, and a join done in
/// memory (a cartesian product) can give millions of results between two reads, so the token
/// is also checked here for every result; returning an error drops the evaluation. The limit
/// on values bounds the memory of what is collected (the cartesian product of four triple
/// patterns collects about 100 MB a second).
fn collect(
    query: BoundPreparedSparqlQuery<'static>,
    token: &CancellationToken,
    deadline: Option<Instant>,
    max_values: usize,
    direct: Option<&'static str>,
) -> Result<Collected, Stopped> {
    let mut values = 0usize;
    let mut alive = |width: usize| {
        values = values.saturating_add(width);
        if token.is_cancelled() || deadline.is_some_and(|d| Instant::now() >= d) {
            Err(Stopped::Evaluation(QueryEvaluationError::Cancelled))
        } else if values > max_values {
            Err(Stopped::TooLarge)
        } else {
            Ok(())
        }
    };
    Ok(match query.execute()? {
        QueryResults::Graph(triples) => Collected::Graph(
            triples
                .map(|t| t.map_err(Stopped::from).and_then(|t| alive(3).map(|()| t)))
                .collect::<Result<_, Stopped>>()?,
        ),
        QueryResults::Boolean(value) => Collected::Boolean(value),
        QueryResults::Solutions(solutions) if direct.is_some() => {
            let media = direct.unwrap_or_default();
            let width = solutions.variables().len().max(1);
            let format = QueryResultsSerializer::from_format(http::results_format(media));
            let mut out = format
                .serialize_solutions_to_writer(Vec::new(), solutions.variables().to_vec())
                .map_err(Stopped::Write)?;
            for solution in solutions {
                let solution = solution?;
                alive(width)?;
                out.serialize(&solution).map_err(Stopped::Write)?;
            }
            Collected::Serialized(media, out.finish().map_err(Stopped::Write)?)
        }
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let width = variables.len().max(1);
            Collected::Solutions(
                variables,
                solutions
                    .map(|s| {
                        s.map_err(Stopped::from)
                            .and_then(|s| alive(width).map(|()| s))
                    })
                    .collect::<Result<_, Stopped>>()?,
            )
        }
    })
}

/// Whether `query` is one triple pattern with a fixed subject (an IRI), under at most a
/// projection, `DISTINCT`, `REDUCED` and `LIMIT`/`OFFSET`: such a query reads one subject's
/// triples from the `spo` index and cannot run long, so it is evaluated on the connection's
/// thread. Everything else (joins, filters, paths, sorts, aggregates, `DESCRIBE`) goes to a
/// query thread that the deadline can abandon.
fn is_quick(query: &spargebra::Query) -> bool {
    use spargebra::algebra::GraphPattern;
    use spargebra::term::TermPattern;
    let mut pattern = match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
        spargebra::Query::Describe { .. } => return false,
    };
    loop {
        pattern = match pattern {
            GraphPattern::Project { inner, .. }
            | GraphPattern::Distinct { inner }
            | GraphPattern::Reduced { inner }
            | GraphPattern::Slice { inner, .. } => inner,
            GraphPattern::Bgp { patterns } => {
                return matches!(patterns.as_slice(), [one] if matches!(one.subject, TermPattern::NamedNode(_)));
            }
            _ => return false,
        }
    }
}

/// The request's body, at most [`MAX_BODY_BYTES`] (413 beyond).
pub(super) fn read_body(request: &mut Request<Body>) -> Result<Vec<u8>, Refusal> {
    let mut body = Vec::new();
    request
        .body_mut()
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| Refusal::bad_request(format!("cannot read the request body: {e}")))?;
    if body.len() as u64 > MAX_BODY_BYTES {
        return Err(Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        ));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::is_quick;

    fn quick(text: &str) -> bool {
        is_quick(&spargebra::SparqlParser::new().parse_query(text).unwrap())
    }

    #[test]
    fn only_one_pattern_with_a_fixed_subject_is_evaluated_inline() {
        for text in [
            "SELECT ?p ?o WHERE { <http://e/x> ?p ?o }",
            "SELECT DISTINCT ?o WHERE { <http://e/x> <http://e/p> ?o } LIMIT 10 OFFSET 2",
            "ASK { <http://e/x> ?p <http://e/y> }",
            "CONSTRUCT WHERE { <http://e/x> ?p ?o }",
        ] {
            assert!(quick(text), "{text}");
        }
        for text in [
            "SELECT * WHERE { ?s ?p ?o }",
            "SELECT * WHERE { _:b ?p ?o }",
            "SELECT * WHERE { <http://e/x> ?p ?o . ?o ?q ?r }",
            "SELECT * WHERE { <http://e/x> ?p ?o FILTER(?o != 1) }",
            "SELECT * WHERE { <http://e/x> <http://e/p>* ?o }",
            "SELECT ?o WHERE { <http://e/x> ?p ?o } ORDER BY ?o",
            "SELECT (COUNT(*) AS ?n) WHERE { <http://e/x> ?p ?o }",
            "SELECT * WHERE { <http://e/x> ?p ?o OPTIONAL { ?o ?q ?r } }",
            "SELECT * WHERE { { <http://e/x> ?p ?o } UNION { ?o ?p <http://e/x> } }",
            "SELECT * WHERE { SERVICE <http://e/s> { <http://e/x> ?p ?o } }",
            "SELECT * WHERE { GRAPH ?g { <http://e/x> ?p ?o } }",
            "DESCRIBE <http://e/x>",
        ] {
            assert!(!quick(text), "{text}");
        }
    }
}
