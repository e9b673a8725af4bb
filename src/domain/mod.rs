//! Pure rules: validation, state transitions and the role policy. No I/O happens here, so
//! every rule can be unit-tested on its own.

pub mod api_token;
pub mod changes;
pub mod confidence;
pub mod deadline;
pub mod deletion;
pub mod directory;
pub mod document;
pub mod event;
pub mod feedback;
pub mod field_error;
pub mod follow_up;
pub mod impact;
pub mod incident;
pub mod labels;
pub mod measure;
pub mod metrics;
pub mod notification;
pub mod policy;
pub mod post_mortem;
pub mod rate_limit;
pub mod readiness;
pub mod review;
pub mod root_cause;
pub mod settings;
pub mod share_link;
pub mod text;
pub mod time;
pub mod timeline;
pub mod webhook;
pub mod zone;

pub use field_error::{Checks, FieldError, FieldErrorCode};
