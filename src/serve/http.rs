//! HTTP helpers for the handler: responses, refusals with their status, request parameters,
//! and content negotiation over the formats of [`Format`] and [`QueryResultsFormat`].
//!
//! Must not: know the dataset's pages (they are `site`'s) or touch the store.

use super::negotiate;
use crate::export::Format;
use oxhttp::model::header::{ACCEPT, ALLOW, CONTENT_TYPE, HeaderName, VARY};
use oxhttp::model::{Body, HeaderValue, Method, Request, Response, StatusCode};
use oxigraph::sparql::results::QueryResultsFormat;

/// A request answered with an error status and a one-line message (sent as `text/plain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The status.
    pub status: StatusCode,
    /// What went wrong, on one line.
    pub message: String,
}

impl Refusal {
    /// A refusal with `status`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// 404: nothing at `path`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 400: a malformed request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// The response.
    pub fn into_response(self) -> Response<Body> {
        text(self.status, &self.message)
    }
}

/// A failed read of the store, a template that did not render: 500, with the error and its
/// causes on one line. The page is never sent with rows missing.
impl From<crate::Error> for Refusal {
    fn from(e: crate::Error) -> Self {
        let message = crate::error::chain(&e).replace(['\n', '\r'], " ");
        log::error!("500: {message}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

/// What a route answers.
pub type Answer = Result<Response<Body>, Refusal>;

/// The media types of entity documents and graph results, in the server's order of preference.
pub fn rdf_offers() -> [&'static str; 4] {
    Format::DOCUMENTS.map(Format::media_type)
}

/// The media types of SELECT and ASK results, then HTML.
pub fn solution_offers() -> [&'static str; 5] {
    let [a, b, c, d] = crate::export::RESULTS_FORMATS.map(crate::export::results_media_type);
    [a, b, c, d, "text/html"]
}

/// The media types of graph results, then HTML (which gets Turtle, shown as text).
pub fn rdf_or_html_offers() -> [&'static str; 5] {
    let [a, b, c, d] = rdf_offers();
    [a, b, c, d, "text/html"]
}

/// HTML first (what a browser gets by default), then the entity documents' media types.
pub fn html_or_rdf_offers() -> [&'static str; 5] {
    let [a, b, c, d] = rdf_offers();
    ["text/html", a, b, c, d]
}

/// The RDF format `Accept` prefers among `offers` (Turtle for `text/html`).
pub fn negotiated_format(request: &Request<Body>, offers: &[&str]) -> Result<Format, Refusal> {
    let media = accepted(request, offers)?;
    Ok(Format::from_media_type(media).unwrap_or(Format::Turtle))
}

/// The results format of a media type of [`solution_offers`] (JSON for any other).
pub fn results_format(media: &str) -> QueryResultsFormat {
    QueryResultsFormat::from_media_type(media).unwrap_or(QueryResultsFormat::Json)
}

/// 200 with `body` as `media` (text types in UTF-8).
pub fn ok(media: &str, body: impl Into<Body>) -> Response<Body> {
    let content_type = if media.starts_with("text/") && !media.contains("charset") {
        format!("{media}; charset=utf-8")
    } else {
        media.to_owned()
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, content_type)
        .body(body.into())
        .expect("valid response")
}

/// An HTML page.
pub fn html(page: String) -> Response<Body> {
    ok("text/html; charset=utf-8", page)
}

/// `status` with `message` as plain text.
pub fn text(status: StatusCode, message: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(format!("{message}\n")))
        .expect("valid response")
}

/// Marks a negotiated response as depending on `Accept`.
pub fn vary_on_accept(mut response: Response<Body>) -> Response<Body> {
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("Accept"));
    response
}

/// 405 with the methods the resource allows (RFC 9110 §15.5.6 requires `Allow`).
pub fn not_allowed(method: &Method, allow: &'static str) -> Response<Body> {
    let mut response = text(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{method} is not allowed here; use {allow}"),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}

/// The value of header `name`, if it is visible ASCII.
pub fn header(request: &Request<Body>, name: HeaderName) -> Option<&str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The first value of the query parameter `name`.
pub fn query_param(request: &Request<Body>, name: &str) -> Option<String> {
    form_urlencoded::parse(request.uri().query()?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The offer the request's `Accept` prefers: 400 when the header is not a list of media
/// ranges, 406 when it accepts none of the offers.
pub fn accepted<'a>(request: &Request<Body>, offers: &[&'a str]) -> Result<&'a str, Refusal> {
    let malformed = |why: String| Refusal::bad_request(format!("bad Accept header: {why}"));
    // Several Accept lines are one comma-separated list (RFC 9110 §5.3).
    let mut lines = Vec::new();
    for value in request.headers().get_all(ACCEPT) {
        lines.push(
            value
                .to_str()
                .map_err(|_| malformed("it is not visible ASCII".to_owned()))?,
        );
    }
    let accept = (!lines.is_empty()).then(|| lines.join(","));
    negotiate::choose(accept.as_deref(), offers)
        .map_err(|e| malformed(e.to_string()))?
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::NOT_ACCEPTABLE,
                "none of the media types in Accept can be served",
            )
        })
}
