//! Conditional requests and compression (RFC 9110 §8.8, §13 and §8.4; RFC 9111 §5.2).
//!
//! Every `200` to a GET or HEAD carries validators of what produced it: an `ETag` made of the
//! generation being served, this binary, the request target, its `Accept` and the coding
//! chosen, and a `Last-Modified` (the later of the generation's and the binary's times), with
//! `Cache-Control: no-cache`: a cache may keep the response but asks again each time, and the
//! answer is then a `304 Not Modified` without a body. An `If-None-Match` naming the ETag is
//! answered before the request is routed, so a revalidation renders nothing and starts no
//! dump. Bodies are gzip-compressed while they stream when `Accept-Encoding` allows it, so a
//! dump is never held in memory; `Vary: Accept-Encoding` tells caches so.
//!
//! Two requests that differ only in an `Accept` that picks the same representation get
//! different ETags: a cache then fetches the page once more, which is correct and rare
//! (clients send one `Accept` per kind of request). Query results carry a weak ETag: the same
//! query on the same generation gives the same solutions, but their order may differ.

use super::http::header;
use flate2::Compression;
use flate2::read::GzEncoder;
use oxhttp::model::header::{
    ACCEPT, ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, VARY,
};
use oxhttp::model::{Body, HeaderValue, Method, Request, Response, StatusCode};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `Cache-Control` of every validated response: store, but revalidate before each use.
pub const CACHE_CONTROL_VALUE: &str = "no-cache";

/// What a generation's responses are validated by.
#[derive(Debug, Clone)]
pub struct Validators {
    generation: String,
    /// Hash of this binary's identity (see [`binary`]).
    binary: u64,
    /// The later of the generation's and the binary's modification times, in whole seconds.
    last_modified: SystemTime,
    /// `last_modified` as an HTTP date, formatted once.
    last_modified_header: HeaderValue,
}

/// The running binary's identity and modification time: its version, size and time, read
/// once. A rebuilt binary renders pages differently, so its responses must not validate
/// against what an older one sent.
fn binary() -> (u64, SystemTime) {
    static BINARY: OnceLock<(u64, SystemTime)> = OnceLock::new();
    *BINARY.get_or_init(|| {
        let meta = std::env::current_exe().and_then(std::fs::metadata).ok();
        let modified = meta.as_ref().and_then(|m| m.modified().ok());
        let mut h = DefaultHasher::new();
        env!("CARGO_PKG_VERSION").hash(&mut h);
        meta.as_ref().map(std::fs::Metadata::len).hash(&mut h);
        modified.hash(&mut h);
        (h.finish(), modified.unwrap_or(UNIX_EPOCH))
    })
}

/// A time truncated to whole seconds, as HTTP dates have it.
fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// The content coding a response is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    /// As it is.
    Identity,
    /// gzip (RFC 1952), compressed while streaming.
    Gzip,
}

impl Coding {
    /// The coding `Accept-Encoding` allows: gzip when `gzip` (or `x-gzip`, or `*` without
    /// excluding gzip) has a weight above zero, otherwise none.
    pub fn of(request: &Request<Body>) -> Coding {
        let Some(accept) = header(request, ACCEPT_ENCODING) else {
            return Coding::Identity;
        };
        let (mut gzip, mut star) = (None, None);
        for item in accept.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
                .map_or(Some(1.0), |(_, v)| v.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            match name.as_str() {
                "gzip" | "x-gzip" => gzip = Some(q),
                "*" => star = Some(q),
                _ => {}
            }
        }
        if gzip.or(star).is_some_and(|q| q > 0.0) {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }
}

impl Validators {
    /// The validators of `generation`, written at `written`.
    pub fn new(generation: &str, written: SystemTime) -> Self {
        let (binary, built) = binary();
        let last_modified = whole_seconds(written.max(built));
        let date = httpdate::fmt_http_date(last_modified);
        Self {
            generation: generation.to_owned(),
            binary,
            last_modified,
            last_modified_header: HeaderValue::from_str(&date).expect("an HTTP date is ASCII"),
        }
    }

    /// The ETag of the representation `request` gets in `coding`.
    pub fn etag(&self, request: &Request<Body>, coding: Coding) -> String {
        let mut h = DefaultHasher::new();
        self.binary.hash(&mut h);
        let target = request.uri().path_and_query().map(|t| t.as_str());
        target.hash(&mut h);
        header(request, ACCEPT)
            .unwrap_or_default()
            .trim()
            .hash(&mut h);
        coding.hash(&mut h);
        let weak = if request.uri().path() == "/sparql" {
            "W/"
        } else {
            ""
        };
        format!("{weak}\"{}-{:016x}\"", self.generation, h.finish())
    }

    /// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 §13.1.2 asks), or
    /// is `*` and `exists`.
    fn none_match_hit(request: &Request<Body>, etag: &str, exists: bool) -> Option<bool> {
        let value = header(request, IF_NONE_MATCH)?;
        let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
        let ours = opaque(etag);
        Some(value.split(',').any(|t| {
            let t = t.trim();
            (t == "*" && exists) || opaque(t) == ours
        }))
    }

    /// Before routing: a `304` for a GET or HEAD whose `If-None-Match` names the ETag this
    /// request would get.
    pub fn revalidate(&self, request: &Request<Body>, etag: &str) -> Option<Response<Body>> {
        let read = request.method() == Method::GET || request.method() == Method::HEAD;
        (read && Self::none_match_hit(request, etag, false) == Some(true))
            .then(|| self.not_modified(etag))
    }

    /// A `304` with the validators of `etag`.
    fn not_modified(&self, etag: &str) -> Response<Body> {
        let mut r = Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("valid response");
        self.stamp(&mut r, etag);
        // The 200 varies on what the ETag is made of.
        r.headers_mut()
            .insert(VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
        r
    }

    /// Puts the validators and `Cache-Control` on `response`.
    fn stamp(&self, response: &mut Response<Body>, etag: &str) {
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(etag) {
            headers.insert(ETAG, v);
        }
        headers.insert(LAST_MODIFIED, self.last_modified_header.clone());
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_VALUE));
    }

    /// After routing: a `200` to a GET or HEAD gets its validators, and becomes a `304` when
    /// `If-None-Match` is `*`, or when there is no `If-None-Match` and `If-Modified-Since` is
    /// not before `Last-Modified`; every `200` (a query sent by POST too) gets `Vary:
    /// Accept-Encoding` and its body compressed in `coding`. Other responses pass unchanged.
    pub fn finish(
        &self,
        request: &Request<Body>,
        mut response: Response<Body>,
        etag: &str,
        coding: Coding,
    ) -> Response<Body> {
        if response.status() != StatusCode::OK {
            return response;
        }
        if request.method() == Method::GET || request.method() == Method::HEAD {
            let unchanged = match Self::none_match_hit(request, etag, true) {
                Some(hit) => hit,
                None => header(request, IF_MODIFIED_SINCE)
                    .and_then(|d| httpdate::parse_http_date(d).ok())
                    .is_some_and(|since| self.last_modified <= since),
            };
            if unchanged {
                return self.not_modified(etag);
            }
            self.stamp(&mut response, etag);
        }
        let headers = response.headers_mut();
        let vary = match headers.get(VARY).and_then(|v| v.to_str().ok()) {
            Some(v) if !v.is_empty() => format!("{v}, Accept-Encoding"),
            _ => "Accept-Encoding".to_owned(),
        };
        if let Ok(v) = HeaderValue::from_str(&vary) {
            headers.insert(VARY, v);
        }
        if coding == Coding::Gzip {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            // A dump is compressed as fast as it is written; pages and documents better.
            let dump = request.uri().path().starts_with("/graph.");
            let level = if dump {
                Compression::fast()
            } else {
                Compression::default()
            };
            let body = std::mem::take(response.body_mut());
            *response.body_mut() = Body::from_read(GzEncoder::new(body, level));
        }
        response
    }
}
