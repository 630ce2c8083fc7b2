//! What can go wrong: while answering a request ([`Error`], which becomes an
//! error page), while building the routes ([`RouteError`], at start-up),
//! and while building a URL ([`UrlError`]).

use std::fmt;

use step02_http_reply::Status;

// ANCHOR: error
/// Why a request could not be answered as asked: a status, a message for
/// the client, and, for a failure on our side, the cause, which is logged
/// and never shown.
///
/// A handler returns `Result<Response, Error>`, so `?` works on anything
/// that converts into an `Error`: every type that implements
/// `std::error::Error` and is `Send + Sync + 'static` (an `io::Error`, a
/// database error), which becomes a `500`. Two common kinds do not: a
/// `Box<dyn std::error::Error>` (the box itself is not an error type) and a
/// `PoisonError` from a lock (it holds the lock's guard, which borrows);
/// pass those to [`Error::internal`], with `map_err`. Say which status an
/// error deserves by making the `Error` yourself, as in `Error::not_found()`.
pub struct Error {
    status: Status,
    message: String,
    cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error with a status and a message the client may read.
    pub fn new(status: Status, message: impl Into<String>) -> Error {
        Error {
            status,
            message: message.into(),
            cause: None,
        }
    }

    /// `400 Bad Request`.
    pub fn bad_request(message: impl Into<String>) -> Error {
        Error::new(Status::BAD_REQUEST, message)
    }

    /// `404 Not Found`.
    pub fn not_found() -> Error {
        Error::new(Status::NOT_FOUND, "There is nothing at this address.")
    }

    /// `500 Internal Server Error`, caused by `cause`. The client reads only
    /// that something failed; the cause goes to the log.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error {
            status: Status::INTERNAL_SERVER_ERROR,
            message: "Something went wrong on our side.".into(),
            cause: Some(cause.into()),
        }
    }

    // ANCHOR_END: error

    /// The status to answer with.
    pub fn status(&self) -> Status {
        self.status
    }

    /// What the client is told.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What went wrong on our side, if this error has a cause.
    pub fn cause(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.cause.as_deref()
    }
}

// ANCHOR: from
/// Any error type becomes a `500`, with the error as its cause. (So `Error`
/// itself does not implement `std::error::Error`: if it did, this would
/// overlap with the standard `From<T> for T`. `anyhow::Error` makes the same
/// choice.)
impl<E> From<E> for Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(cause: E) -> Error {
        Error::internal(cause)
    }
}
// ANCHOR_END: from

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("status", &self.status.code())
            .field("message", &self.message)
            .field("cause", &self.cause)
            .finish()
    }
}

/// Why an application could not start: a database that does not open, a
/// template that does not compile, a route that is refused, a folder that
/// is not there. `?` turns any error into one, and `main` prints it.
pub type StartError = Box<dyn std::error::Error + Send + Sync>;

/// Why a route could not be added. These are mistakes in the program, found
/// when it starts, before any request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// The pattern is not well-formed.
    Invalid {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        why: String,
    },
    /// Two patterns match exactly the same paths, so no request could ever
    /// tell which one it meant.
    Conflict {
        /// The pattern added first.
        existing: String,
        /// The pattern being added.
        new: String,
    },
    /// A method was given two handlers for one pattern.
    MethodTwice {
        /// The pattern.
        pattern: String,
        /// The method, such as `GET`.
        method: String,
    },
    /// A name was given to two routes.
    NameTaken {
        /// The name.
        name: String,
        /// The pattern that has it.
        existing: String,
        /// The pattern that wanted it too.
        new: String,
    },
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::Invalid { pattern, why } => {
                write!(f, "the route pattern {pattern:?} is invalid: {why}")
            }
            RouteError::Conflict { existing, new } => write!(
                f,
                "the route {new:?} matches exactly the same paths as {existing:?}, \
                 added before it: no request could tell them apart"
            ),
            RouteError::MethodTwice { pattern, method } => {
                write!(f, "{method} {pattern:?} has two handlers")
            }
            RouteError::NameTaken {
                name,
                existing,
                new,
            } => write!(
                f,
                "the name {name:?} is given to {new:?}, but {existing:?} already has it"
            ),
        }
    }
}

impl std::error::Error for RouteError {}

/// Why a URL could not be built from a route's name and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// No route has this name.
    NoSuchRoute(String),
    /// A parameter of the pattern was not given.
    Missing {
        /// The route's pattern.
        pattern: String,
        /// The parameter.
        param: String,
    },
    /// A value the route would not match: empty, `.` or `..` (which
    /// browsers remove from paths), or not of the parameter's type.
    Unmatchable {
        /// The route's pattern.
        pattern: String,
        /// The parameter.
        param: String,
        /// The value given.
        value: String,
    },
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::NoSuchRoute(name) => write!(f, "no route is called {name:?}"),
            UrlError::Missing { pattern, param } => {
                write!(f, "{pattern:?} needs a value for {param}")
            }
            UrlError::Unmatchable {
                pattern,
                param,
                value,
            } => write!(
                f,
                "{value:?} for {param} would build a URL that {pattern:?} does not match"
            ),
        }
    }
}

impl std::error::Error for UrlError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// `?` turns any error into a 500 whose cause is kept but not shown.
    #[test]
    fn any_error_becomes_a_500_with_its_cause() {
        fn read() -> Result<(), Error> {
            std::fs::read("/this/file/does/not/exist")?;
            Ok(())
        }
        let error = read().unwrap_err();
        assert_eq!(error.status(), Status::INTERNAL_SERVER_ERROR);
        assert!(!error.message().contains("exist"), "{}", error.message());
        assert!(error.cause().is_some());
        assert!(error.to_string().contains("No such file"), "{error}");
    }

    /// A route conflict names both routes.
    #[test]
    fn a_conflict_names_both_routes() {
        let error = RouteError::Conflict {
            existing: "/a/{x}".into(),
            new: "/a/{y}".into(),
        };
        let text = error.to_string();
        assert!(
            text.contains("\"/a/{x}\"") && text.contains("\"/a/{y}\""),
            "{text}"
        );
    }
}
