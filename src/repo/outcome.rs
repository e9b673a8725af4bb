//! What a write answers: the saved value, or why nothing was saved.

use crate::domain::FieldError;
use crate::error::AppError;

/// Why a write saved nothing.
#[derive(Debug, Clone)]
pub enum WriteError {
    /// The domain refused the change; the errors name the input fields at fault.
    Refused(Vec<FieldError>),
    /// The write could not be made (a role, a missing record, the database).
    Failed(AppError),
}

/// The saved value, or why nothing was saved. Nothing is written in either error case.
pub type Outcome<T> = Result<T, WriteError>;

/// Refuses a write with `errors`.
pub fn refused<T>(errors: Vec<FieldError>) -> Outcome<T> {
    Err(WriteError::Refused(errors))
}

impl From<AppError> for WriteError {
    fn from(error: AppError) -> Self {
        Self::Failed(error)
    }
}

impl From<sea_orm::DbErr> for WriteError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Failed(error.into())
    }
}

impl From<FieldError> for WriteError {
    fn from(error: FieldError) -> Self {
        Self::Refused(vec![error])
    }
}

impl From<Vec<FieldError>> for WriteError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::Refused(errors)
    }
}
