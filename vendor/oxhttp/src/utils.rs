use std::error::Error;
use std::io;

#[inline]
pub fn invalid_data_error(error: impl Into<Box<dyn Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

#[inline]
pub fn invalid_input_error(error: impl Into<Box<dyn Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, error)
}

/// histkg patch: the request head is over the size limit, answered 414 URI Too Long when the
/// request line alone is over it, 431 Request Header Fields Too Large (RFC 6585) otherwise,
/// instead of 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadTooLarge {
    /// The request line (method, target, version) is over the limit.
    RequestLine,
    /// The header fields are.
    Headers,
}

impl std::fmt::Display for HeadTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::RequestLine => "The request line must fit in 8kb",
            Self::Headers => "The headers size must fit in 8kb",
        })
    }
}

impl Error for HeadTooLarge {}
