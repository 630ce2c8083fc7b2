//! One error type for everything that can go wrong while reading a request,
//! and the one place where each error becomes a status code.

use std::fmt;
use std::io;

use crate::request::{MAX_HEAD_BYTES, MAX_HEADERS, MAX_TARGET_BYTES};
use crate::response::Status;

// ANCHOR: error
/// Why a request could not be read.
#[derive(Debug)]
pub enum Error {
    /// The client closed the connection before sending anything.
    NoRequest,
    /// The client closed the connection in the middle of a request.
    Incomplete,
    /// The head was not complete by the deadline.
    HeadTimeout {
        /// How many bytes of the head had arrived.
        received: usize,
    },
    /// The body stopped arriving for longer than the idle timeout.
    BodyTimeout,
    /// The request target is longer than [`MAX_TARGET_BYTES`].
    TargetTooLong,
    /// The head is longer than [`MAX_HEAD_BYTES`] or has more than
    /// [`MAX_HEADERS`] fields.
    HeadTooLarge,
    /// The request is not well-formed HTTP/1.x; the text says what is wrong.
    BadRequest(&'static str),
    /// The request asks for an HTTP version other than 1.0 or 1.1.
    VersionNotSupported,
    /// The body announced by `Content-Length` is over the limit
    /// ([`MAX_BODY_BYTES`](crate::request::MAX_BODY_BYTES) by default).
    BodyTooLarge,
    /// The request needs a feature this server does not implement.
    NotImplemented(&'static str),
    /// The connection failed, for example with a reset.
    Io(io::Error),
}

impl Error {
    /// The status to answer with, or `None` when there is nobody to answer
    /// (the client is gone) or nothing was asked.
    pub fn status(&self) -> Option<Status> {
        match self {
            Error::NoRequest | Error::Incomplete | Error::Io(_) => None,
            // A connection that stayed silent asked nothing; closing is answer
            // enough. One that started a request is told why it was cut off.
            Error::HeadTimeout { received: 0 } => None,
            Error::HeadTimeout { .. } | Error::BodyTimeout => Some(Status::REQUEST_TIMEOUT),
            Error::TargetTooLong => Some(Status::URI_TOO_LONG),
            Error::HeadTooLarge => Some(Status::HEADER_FIELDS_TOO_LARGE),
            Error::BadRequest(_) => Some(Status::BAD_REQUEST),
            Error::VersionNotSupported => Some(Status::HTTP_VERSION_NOT_SUPPORTED),
            Error::BodyTooLarge => Some(Status::CONTENT_TOO_LARGE),
            Error::NotImplemented(_) => Some(Status::NOT_IMPLEMENTED),
        }
    }
}
// ANCHOR_END: error

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoRequest => write!(f, "closed without sending a request"),
            Error::Incomplete => write!(f, "closed in the middle of a request"),
            Error::HeadTimeout { received } => {
                write!(
                    f,
                    "the request head was not complete in time ({received} bytes received)"
                )
            }
            Error::BodyTimeout => write!(f, "the request body stopped arriving"),
            Error::TargetTooLong => {
                write!(
                    f,
                    "the request target is longer than {MAX_TARGET_BYTES} bytes"
                )
            }
            Error::HeadTooLarge => write!(
                f,
                "the request head is larger than {MAX_HEAD_BYTES} bytes \
                 or has more than {MAX_HEADERS} header fields"
            ),
            Error::BadRequest(why) => write!(f, "bad request: {why}"),
            Error::VersionNotSupported => write!(f, "only HTTP/1.0 and HTTP/1.1 are supported"),
            Error::BodyTooLarge => write!(f, "the request body is larger than this server accepts"),
            Error::NotImplemented(what) => write!(f, "not implemented: {what}"),
            Error::Io(error) => write!(f, "connection error: {error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(error: io::Error) -> Self {
        Error::Io(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every error maps to the status the issue and the RFCs name, or to none.
    #[test]
    fn each_error_has_its_status() {
        let cases = [
            (Error::NoRequest, None),
            (Error::Incomplete, None),
            (Error::Io(io::ErrorKind::ConnectionReset.into()), None),
            (Error::HeadTimeout { received: 0 }, None),
            (Error::HeadTimeout { received: 5 }, Some(408)),
            (Error::BodyTimeout, Some(408)),
            (Error::TargetTooLong, Some(414)),
            (Error::HeadTooLarge, Some(431)),
            (Error::BadRequest("x"), Some(400)),
            (Error::VersionNotSupported, Some(505)),
            (Error::BodyTooLarge, Some(413)),
            (Error::NotImplemented("x"), Some(501)),
        ];
        for (error, expected) in cases {
            assert_eq!(error.status().map(Status::code), expected, "{error}");
        }
    }
}
