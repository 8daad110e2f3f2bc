//! The HTTP side of `push`: one agent for every request of a push, and the user's password
//! given in answer to a store's `Basic` or `Digest` challenge (RFC 7617, RFC 7616; parsed
//! and answered by the `http-auth` crate, which prefers Digest when both are offered).
//!
//! A store that wants a password says so with `401` and `WWW-Authenticate`. So that a large
//! batch is not sent once only to be refused, a push with `--user` first asks for the
//! challenge with a bodiless `HEAD`; after that, every request carries an `Authorization`
//! header (for Digest with the next nonce count), and a `401` to one (a stale or
//! single-use nonce) is answered once with the new challenge before it counts as a refusal.

use crate::error::{Error, Result};
use http_auth::{PasswordClient, PasswordParams};
use ureq::Body;
use ureq::http::{Method, Request, Response, StatusCode};

/// The environment variable `push --user` reads the password from.
pub const PASSWORD_VARIABLE: &str = "HISTKG_PUSH_PASSWORD";

/// A user name and its password.
#[derive(Clone)]
pub struct Credentials {
    /// The user name (`--user`).
    pub user: String,
    /// The password: never a command-line argument.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The password of `user` from [`PASSWORD_VARIABLE`], or else asked for at the terminal
    /// (not echoed); `url` names the store in the prompt.
    pub fn for_user(user: String, url: &str) -> Result<Self> {
        if let Ok(password) = std::env::var(PASSWORD_VARIABLE) {
            return Ok(Credentials { user, password });
        }
        let prompt = format!("password for {user} at {url}: ");
        match rpassword::prompt_password(prompt) {
            Ok(password) => Ok(Credentials { user, password }),
            Err(e) => Err(Error::user(format!(
                "no password for --user {user}: set {PASSWORD_VARIABLE}, or run push at a terminal to be asked ({e})"
            ))),
        }
    }
}

/// Sends the requests of one push, answering authentication challenges.
pub struct Client {
    agent: ureq::Agent,
    credentials: Option<Credentials>,
    challenge: Option<PasswordClient>,
}

impl Client {
    /// A client that signs in as `credentials` when a store asks.
    pub fn new(credentials: Option<Credentials>) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            agent,
            credentials,
            challenge: None,
        }
    }

    /// The user this client signs in as, if any.
    pub fn user(&self) -> Option<&str> {
        self.credentials.as_ref().map(|c| c.user.as_str())
    }

    /// With credentials, asks the store at `url` for its challenge with a bodiless `HEAD`,
    /// so the first batch goes signed; a store that asks for none is left alone.
    pub fn sign_in(&mut self, url: &str) -> std::result::Result<(), ureq::Error> {
        if self.credentials.is_some() && self.challenge.is_none() {
            let response = self.once(Method::HEAD, url, &[], None, None)?;
            if response.status() == StatusCode::UNAUTHORIZED {
                self.challenge = challenge_of(&response);
            }
        }
        Ok(())
    }

    /// Sends one request with `headers` and `body`; a `401` with a challenge is answered
    /// once with the credentials. The answer is returned whatever its status; a store that
    /// has not begun to answer `within` after the body was sent gives
    /// [`ureq::Error::Timeout`] (`None`: wait as long as it takes).
    pub fn send(
        &mut self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        within: Option<std::time::Duration>,
    ) -> std::result::Result<Response<Body>, ureq::Error> {
        let response = self.once(method.clone(), url, headers, body, within)?;
        if response.status() != StatusCode::UNAUTHORIZED || self.credentials.is_none() {
            return Ok(response);
        }
        match challenge_of(&response) {
            Some(challenge) => {
                self.challenge = Some(challenge);
                self.once(method, url, headers, body, within)
            }
            None => Ok(response),
        }
    }

    /// One request, signed when a challenge is known, its answer awaited at most `within`.
    fn once(
        &mut self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        within: Option<std::time::Duration>,
    ) -> std::result::Result<Response<Body>, ureq::Error> {
        let mut request = Request::builder().method(method.clone()).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let (Some(credentials), Some(challenge)) = (&self.credentials, &mut self.challenge) {
            let uri: ureq::http::Uri = url.parse().map_err(ureq::http::Error::from)?;
            let path = uri.path_and_query().map_or("/", |p| p.as_str());
            let answer = challenge.respond(&PasswordParams {
                username: &credentials.user,
                password: &credentials.password,
                uri: path,
                method: method.as_str(),
                body: Some(body.unwrap_or_default()),
            });
            if let Ok(answer) = answer {
                request = request.header("Authorization", answer);
            }
        }
        match body {
            Some(body) => self.agent.run(self.bounded(request.body(body)?, within)),
            None => self.agent.run(self.bounded(request.body(())?, within)),
        }
    }

    /// `request` with its answer awaited at most `within` (the agent's own settings else).
    fn bounded<S: ureq::AsSendBody>(
        &self,
        request: Request<S>,
        within: Option<std::time::Duration>,
    ) -> Request<S> {
        match within {
            Some(limit) => (self.agent.configure_request(request))
                .timeout_recv_response(Some(limit))
                .build(),
            None => request,
        }
    }
}

/// The challenge of a `401` answer: every `WWW-Authenticate` header read, the strongest
/// scheme histkg can answer chosen.
fn challenge_of(response: &Response<Body>) -> Option<PasswordClient> {
    let mut builder = PasswordClient::builder();
    for value in response.headers().get_all("www-authenticate") {
        if let Ok(value) = value.to_str() {
            builder = builder.challenges(value);
        }
    }
    builder.build().ok()
}

/// The hint added to a `401` or `403` answer: what to give, or what was refused.
pub fn refusal_hint(status: StatusCode, user: Option<&str>) -> String {
    match (status, user) {
        (StatusCode::UNAUTHORIZED, None) => format!(
            "; this store wants a password: give --user NAME (the password from {PASSWORD_VARIABLE} or asked at the terminal)"
        ),
        (StatusCode::UNAUTHORIZED, Some(user)) => {
            format!("; the store refused the user {user} with that password")
        }
        (StatusCode::FORBIDDEN, Some(user)) => {
            format!("; the user {user} may not write to this graph")
        }
        (StatusCode::FORBIDDEN, None) => {
            "; the store does not let this endpoint write (try its authenticated endpoint with --user)".to_owned()
        }
        _ => String::new(),
    }
}
