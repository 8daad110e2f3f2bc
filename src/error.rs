//! The library's one error type, [`Error`], and the exit status each kind of error gives.
//!
//! Library code returns [`Result`]; [`Context`] adds what was being done to an error from
//! below (`store.len().context("cannot count the triples")?`), as `anyhow` does at the
//! command line's edge. Owns no I/O and prints nothing.

use std::fmt::Display;

/// A boxed error from below (I/O, the store, a parser, a serializer).
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What can go wrong in histkg, with the exit status the command line gives it
/// ([`Error::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input the user can fix: a bad table, flag or query, a missing store, a busy lock.
    /// Exit status 1. The message says what to do.
    #[error("{0}")]
    User(String),
    /// Stopped by SIGINT or SIGTERM before anything was published. Exit status 130.
    #[error("interrupted: nothing was published, the previous graph is unchanged")]
    Interrupted,
    /// An input/output error, as it is. Exit status 2.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// An error of the store, as it is. Exit status 2.
    #[error(transparent)]
    Store(#[from] oxigraph::store::StorageError),
    /// Anything else (the store, the file system, a bug). Exit status 2. `what` says what was
    /// being done; the error below, if any, is its source.
    #[error("{what}")]
    Internal {
        /// What was being done, lowercase (`cannot read the store`).
        what: String,
        /// The error that made it fail.
        #[source]
        source: Option<Source>,
    },
}

/// A result whose error is an [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error the user can fix (exit status 1).
    pub fn user(message: impl Into<String>) -> Self {
        Self::User(message.into())
    }

    /// An internal error without a cause below it (exit status 2).
    pub fn internal(what: impl Into<String>) -> Self {
        Self::Internal {
            what: what.into(),
            source: None,
        }
    }

    /// The exit status for this error: 1 for the user's errors, 130 for an interruption, 2
    /// for the rest. An internal error caused by a user error (context added on the way up)
    /// keeps the user error's status.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::User(_) => 1,
            Self::Interrupted => 130,
            Self::Internal {
                source: Some(source),
                ..
            } => source.downcast_ref::<Error>().map_or(2, Error::exit_code),
            Self::Internal { .. } | Self::Io(_) | Self::Store(_) => 2,
        }
    }

    /// The kind of the input/output error at the bottom of this one, if there is one (a full
    /// disk, a closed pipe).
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            Self::Io(e) => Some(e.kind()),
            Self::Store(oxigraph::store::StorageError::Io(e)) => Some(e.kind()),
            Self::Internal {
                source: Some(source),
                ..
            } => io_kind(source.as_ref()),
            _ => None,
        }
    }
}

/// `error` and its sources, joined by `: ` (as `anyhow` shows an error with `{:#}`).
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        out.push_str(": ");
        out.push_str(&e.to_string());
        next = e.source();
    }
    out
}

/// The kind of the first input/output error in `error`'s chain (itself included).
pub fn io_kind(error: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        if let Some(ours) = e.downcast_ref::<Error>() {
            return ours.io_kind();
        }
        if let Some(oxigraph::store::StorageError::Io(io)) =
            e.downcast_ref::<oxigraph::store::StorageError>()
        {
            return Some(io.kind());
        }
        next = e.source();
    }
    None
}

/// Adds what was being done to an error, making it an [`Error::Internal`] (an [`Error`]
/// keeps its exit status through it), or turns a `None` into one.
pub trait Context<T> {
    /// Fails with `what` as the description of the error.
    fn context(self, what: impl Display) -> Result<T>;
    /// Fails with `what()` as the description of the error, computed only on failure.
    fn with_context<D: Display>(self, what: impl FnOnce() -> D) -> Result<T>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl Display) -> Result<T> {
        self.map_err(|e| Error::Internal {
            what: what.to_string(),
            source: Some(Box::new(e)),
        })
    }

    fn with_context<D: Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.map_err(|e| Error::Internal {
            what: what().to_string(),
            source: Some(Box::new(e)),
        })
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, what: impl Display) -> Result<T> {
        self.ok_or_else(|| Error::internal(what.to_string()))
    }

    fn with_context<D: Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.ok_or_else(|| Error::internal(what().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_kind_of_error_through_context() {
        assert_eq!(Error::user("bad").exit_code(), 1);
        assert_eq!(Error::Interrupted.exit_code(), 130);
        assert_eq!(Error::internal("broken").exit_code(), 2);
        let wrapped: Result<()> = Err(Error::user("no graph")).context("cannot open");
        assert_eq!(wrapped.unwrap_err().exit_code(), 1);
        let io: Result<()> = Err(std::io::Error::other("disk")).context("cannot write x");
        let io = io.unwrap_err();
        assert_eq!(io.exit_code(), 2);
        assert_eq!(io.to_string(), "cannot write x");
        assert_eq!(
            std::error::Error::source(&io).map(ToString::to_string),
            Some("disk".to_owned())
        );
    }
}
