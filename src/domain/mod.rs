//! Pure rules: validation, state transitions and the role policy. No I/O happens here, so
//! every rule can be unit-tested on its own.

pub mod directory;
pub mod field_error;
pub mod incident;
pub mod policy;
pub mod text;
pub mod time;

pub use field_error::{FieldError, FieldErrorCode, Validation};
