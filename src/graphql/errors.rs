//! Error policy: every top-level error leaves with `extensions.code`, and internal text never
//! leaves at all. Also the `UserError` type that mutation payloads carry.

use crate::domain::readiness::FindingCode;
use crate::domain::{FieldError, FieldErrorCode};
use crate::error::{AppError, ErrorCode, INTERNAL_MESSAGE};
use async_graphql::{Enum, Response, ServerError, SimpleObject};

/// At most this many errors are returned in one response; one more says how many were left
/// out.
pub const MAX_ERRORS: usize = 50;

/// What [`police`] found among a response's errors.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policed {
    /// Some step failed because the database could not be reached (UNAVAILABLE).
    pub unavailable: bool,
}

/// Sets `extensions.code` on every error of a response, and replaces the message of anything
/// internal. Errors raised by the GraphQL engine itself (syntax, validation, limits, argument
/// coercion) are the client's input: BAD_USER_INPUT. Keeps the first [`MAX_ERRORS`] errors
/// and adds one, ERRORS_OMITTED, that counts the rest. The HTTP layer applies it to every
/// response; a schema extension would do the same at the cost of a hook around every field.
pub fn police(response: &mut Response) -> Policed {
    let mut policed = Policed::default();
    for error in &mut response.errors {
        policed.unavailable |= apply(error) == ErrorCode::Unavailable;
    }
    let omitted = response.errors.len().saturating_sub(MAX_ERRORS);
    if omitted > 0 {
        response.errors.truncate(MAX_ERRORS);
        response.errors.push(omission(omitted));
    }
    policed
}

/// The error that stands for `omitted` errors left out of a response.
fn omission(omitted: usize) -> ServerError {
    let mut error = ServerError::new(
        format!("{omitted} more errors were left out; at most {MAX_ERRORS} are listed"),
        None,
    );
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", ErrorCode::ErrorsOmitted.as_str());
    extensions.set("omitted", omitted);
    error
}

/// Gives one error its code and a safe message; returns the code.
fn apply(error: &mut ServerError) -> ErrorCode {
    let app = error
        .source::<AppError>()
        .map(|app| (app.code(), app.public_message(), app.to_string()));
    let code = if let Some((code, public_message, full_message)) = app {
        match code {
            ErrorCode::Internal => {
                tracing::error!(error = %full_message, path = ?error.path, "internal error");
            }
            ErrorCode::Unavailable => {
                tracing::warn!(error = %full_message, path = ?error.path, "database unavailable");
            }
            _ => {}
        }
        error.message = public_message;
        code
    } else if error.source.is_some() {
        tracing::error!(error = %error.message, path = ?error.path, "unexpected error type reached the API");
        error.message = INTERNAL_MESSAGE.to_owned();
        ErrorCode::Internal
    } else if let Some(code) = existing_code(error) {
        return code;
    } else {
        ErrorCode::BadUserInput
    };
    set_code(error, code);
    code
}

/// The code an error already carries (the operation limits set their own).
fn existing_code(error: &ServerError) -> Option<ErrorCode> {
    let extensions = error.extensions.as_ref()?;
    match extensions.get("code")? {
        async_graphql::Value::String(code) => ErrorCode::parse(code),
        _ => None,
    }
}

/// Sets `extensions.code`.
pub fn set_code(error: &mut ServerError, code: ErrorCode) {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
}

/// A problem with one field of a mutation's input; nothing was changed.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserError {
    /// Path to the input field, e.g. `["serviceIds", "2"]`.
    pub field: Vec<String>,
    /// Machine-readable reason.
    pub code: UserErrorCode,
    /// Readable explanation.
    pub message: String,
    /// For `postMortemPublish`'s refusals: the path of the record and text the blocking
    /// readiness finding is about, as `ReadinessFinding.path` gives it
    /// (`rootCauses[<id>].clientExplanation`); null for every other user error.
    pub finding_path: Option<String>,
}

/// Why an input was refused. `postMortemPublish` also answers with the code of each
/// blocking readiness finding (`ReadinessCode`), at the finding's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum UserErrorCode {
    /// Required but empty.
    Blank,
    /// Longer than allowed.
    TooLong,
    /// Outside the allowed range or format.
    Invalid,
    /// Already used where it must be unique.
    Taken,
    /// Refers to a record that does not exist in this tenant.
    NotFound,
    /// Times that must be ordered are not.
    OutOfOrder,
    /// The record changed since it was read: reload and try again.
    Conflict,
    /// The post-mortem was published at least once (clients may have read it), so the record
    /// cannot be deleted; unpublishing does not undo that.
    Published,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    NoClientTimeline,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    NoRootCauseExplanation,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    NoImpactSummary,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    ImpactDescriptionMissing,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    NoImpactedClient,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    NoPreventionMeasure,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    IncidentNotResolved,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    PersonNamed,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    BlamingLanguage,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    DefensiveTone,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    SelfFlagellation,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    MeasureOwnerMissing,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    MeasureDueDateMissing,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    MeasureCriterionMissing,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    VagueMeasure,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    MeasurePastDue,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    MeasureKindMissing,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    MeetingTooSoon,
    /// The readiness finding of this code, when it blocks publication (see `ReadinessCode`).
    MeetingBeforeSummary,
}

impl From<FieldErrorCode> for UserErrorCode {
    fn from(code: FieldErrorCode) -> Self {
        use FieldErrorCode::*;
        match code {
            Blank => Self::Blank,
            TooLong => Self::TooLong,
            Invalid => Self::Invalid,
            Taken => Self::Taken,
            NotFound => Self::NotFound,
            OutOfOrder => Self::OutOfOrder,
            Conflict => Self::Conflict,
            Published => Self::Published,
            NotReady(FindingCode::NoClientTimeline) => Self::NoClientTimeline,
            NotReady(FindingCode::NoRootCauseExplanation) => Self::NoRootCauseExplanation,
            NotReady(FindingCode::NoImpactSummary) => Self::NoImpactSummary,
            NotReady(FindingCode::ImpactDescriptionMissing) => Self::ImpactDescriptionMissing,
            NotReady(FindingCode::NoImpactedClient) => Self::NoImpactedClient,
            NotReady(FindingCode::NoPreventionMeasure) => Self::NoPreventionMeasure,
            NotReady(FindingCode::IncidentNotResolved) => Self::IncidentNotResolved,
            NotReady(FindingCode::PersonNamed) => Self::PersonNamed,
            NotReady(FindingCode::BlamingLanguage) => Self::BlamingLanguage,
            NotReady(FindingCode::DefensiveTone) => Self::DefensiveTone,
            NotReady(FindingCode::SelfFlagellation) => Self::SelfFlagellation,
            NotReady(FindingCode::MeasureOwnerMissing) => Self::MeasureOwnerMissing,
            NotReady(FindingCode::MeasureDueDateMissing) => Self::MeasureDueDateMissing,
            NotReady(FindingCode::MeasureCriterionMissing) => Self::MeasureCriterionMissing,
            NotReady(FindingCode::VagueMeasure) => Self::VagueMeasure,
            NotReady(FindingCode::MeasurePastDue) => Self::MeasurePastDue,
            NotReady(FindingCode::MeasureKindMissing) => Self::MeasureKindMissing,
            NotReady(FindingCode::MeetingTooSoon) => Self::MeetingTooSoon,
            NotReady(FindingCode::MeetingBeforeSummary) => Self::MeetingBeforeSummary,
        }
    }
}

impl From<FieldError> for UserError {
    fn from(error: FieldError) -> Self {
        Self {
            field: error.field,
            code: error.code.into(),
            message: error.message,
            finding_path: error
                .finding
                .map(|target| target.path(super::record::readiness::name_record)),
        }
    }
}

/// Converts field errors for a payload.
pub fn user_errors(errors: Vec<FieldError>) -> Vec<UserError> {
    errors.into_iter().map(UserError::from).collect()
}
