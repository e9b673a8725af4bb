//! The one application error type, and the policy for what a client may see of it.
//!
//! Inside the request path, code returns [`AppError`]: each variant has a stable
//! [`ErrorCode`], which becomes `extensions.code` on the GraphQL error. `anyhow` is for the
//! command line and start-up, outside the request path. An [`AppError::Internal`] keeps its
//! cause for the logs; the client is only told that an internal error occurred.

use std::fmt;
use std::sync::Arc;

/// The stable, machine-readable codes clients can branch on (`extensions.code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No valid credentials: a missing, bad or expired token, or an inactive user.
    Unauthenticated,
    /// The caller's role may not do this.
    Forbidden,
    /// No such object, or one the caller may not see.
    NotFound,
    /// The request or its arguments were refused.
    BadUserInput,
    /// The change clashes with the stored state.
    Conflict,
    /// Too many requests; try again later.
    RateLimited,
    /// The database cannot be reached or is overloaded right now: retry after `Retry-After`.
    Unavailable,
    /// The event cursor is older than the events kept: read the state afresh, then follow
    /// the feed from its current end.
    ResyncRequired,
    /// A server fault; the details are logged, never shown.
    Internal,
    /// Stands for the errors left out of a response that had more than the cap.
    ErrorsOmitted,
    /// The document's id or hash is neither trusted nor registered: send its text (with the
    /// hash, to register it), or use a document of the server's manifest.
    PersistedQueryNotFound,
    /// The caller's role may run only the operator's trusted documents.
    TrustedDocumentRequired,
}

impl ErrorCode {
    /// The wire spelling of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Conflict => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::Unavailable => "UNAVAILABLE",
            Self::ResyncRequired => "RESYNC_REQUIRED",
            Self::Internal => "INTERNAL",
            Self::ErrorsOmitted => "ERRORS_OMITTED",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::TrustedDocumentRequired => "TRUSTED_DOCUMENT_REQUIRED",
        }
    }

    /// The code with this wire spelling.
    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::Unauthenticated,
            Self::Forbidden,
            Self::NotFound,
            Self::BadUserInput,
            Self::Conflict,
            Self::RateLimited,
            Self::Unavailable,
            Self::ResyncRequired,
            Self::Internal,
            Self::ErrorsOmitted,
            Self::PersistedQueryNotFound,
            Self::TrustedDocumentRequired,
        ]
        .into_iter()
        .find(|candidate| candidate.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong while serving a request.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// The caller could not be authenticated; the message says why.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller's role may not do this; the message says who may.
    #[error("{0}")]
    Forbidden(String),
    /// Also the answer for ids of other tenants, so existence is never revealed.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input the server refuses; the message says which and why.
    #[error("{0}")]
    BadUserInput(String),
    /// The change clashes with the stored state.
    #[error("{0}")]
    Conflict(String),
    /// The caller has sent too many requests.
    #[error("{0}")]
    RateLimited(String),
    /// The database could not be reached in time; the cause is logged, never shown.
    #[error("database unavailable: {0:#}")]
    Unavailable(Arc<anyhow::Error>),
    /// The event cursor points before the oldest event kept; the message says so.
    #[error("{0}")]
    ResyncRequired(String),
    /// The cause is logged, never shown.
    #[error("internal error: {0:#}")]
    Internal(Arc<anyhow::Error>),
}

/// What a client is told about an internal error.
pub const INTERNAL_MESSAGE: &str = "an internal error occurred";

/// What a client is told when the database cannot be reached.
pub const UNAVAILABLE_MESSAGE: &str = "the database is temporarily unavailable; try again shortly";

impl AppError {
    /// NOT_FOUND for `what`, e.g. `"client"`.
    pub fn not_found(what: &'static str) -> Self {
        Self::NotFound(what)
    }

    /// FORBIDDEN, telling the caller `why`.
    pub fn forbidden(why: impl Into<String>) -> Self {
        Self::Forbidden(why.into())
    }

    /// BAD_USER_INPUT, telling the caller `why`.
    pub fn bad_input(why: impl Into<String>) -> Self {
        Self::BadUserInput(why.into())
    }

    /// UNAUTHENTICATED, telling the caller `why`.
    pub fn unauthenticated(why: impl Into<String>) -> Self {
        Self::Unauthenticated(why.into())
    }

    /// INTERNAL, keeping `cause` for the logs.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(cause.into()))
    }

    /// The stable code clients see as `extensions.code`.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::BadUserInput(_) => ErrorCode::BadUserInput,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::RateLimited(_) => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::ResyncRequired(_) => ErrorCode::ResyncRequired,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a client may read: the display text, except for internal errors.
    pub fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => INTERNAL_MESSAGE.to_owned(),
            Self::Unavailable(_) => UNAVAILABLE_MESSAGE.to_owned(),
            other => other.to_string(),
        }
    }
}

/// A database error is UNAVAILABLE when the database could not be reached or refused work for
/// now (see [`crate::repo::db::is_unavailable`]), and INTERNAL otherwise.
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if crate::repo::db::is_unavailable(&err) {
            Self::Unavailable(Arc::new(err.into()))
        } else {
            Self::internal(err)
        }
    }
}

/// DataLoaders share one error among every waiting field.
impl From<Arc<AppError>> for AppError {
    fn from(shared: Arc<AppError>) -> Self {
        (*shared).clone()
    }
}

/// Shorthand for results in the request path.
pub type AppResult<T> = Result<T, AppError>;
