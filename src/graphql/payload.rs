//! Mutation payloads: the saved object or the user errors that kept it from being saved.

use crate::domain::FieldError;
use crate::error::AppResult;
use crate::repo::{Outcome, WriteError};

/// The saved value, or the user errors that kept it from being saved: what a payload is
/// built from.
pub type Checked<T> = Result<T, Vec<FieldError>>;

/// A mutation's answer from a write's outcome: the payload of the saved value or of the
/// refusal's user errors. A failure (a role, a missing record, the database) stays a
/// top-level error.
pub fn answer<T, P: From<Checked<T>>>(outcome: Outcome<T>) -> AppResult<P> {
    match outcome {
        Ok(value) => Ok(P::from(Ok(value))),
        Err(WriteError::Refused(errors)) => Ok(P::from(Err(errors))),
        Err(WriteError::Failed(error)) => Err(error),
    }
}

/// Declares `$payload { $field: Option<$object>, userErrors }` built from a
/// `Checked<$model>`.
macro_rules! payload {
    ($(#[$doc:meta])* $payload:ident, $field:ident: $object:ident, $model:ty) => {
        $(#[$doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $payload {
            /// The saved object; null when there are user errors.
            pub $field: Option<$object>,
            /// Why nothing was saved; empty on success.
            pub user_errors: Vec<$crate::graphql::errors::UserError>,
        }

        impl From<$crate::graphql::payload::Checked<$model>> for $payload {
            fn from(result: $crate::graphql::payload::Checked<$model>) -> Self {
                match result {
                    Ok(model) => Self { $field: Some($object::from(model)), user_errors: vec![] },
                    Err(errors) => Self { $field: None, user_errors: $crate::graphql::errors::user_errors(errors) },
                }
            }
        }
    };
}

/// Declares `$payload { $field: Option<ID>, userErrors }` for a deletion.
macro_rules! deletion_payload {
    ($(#[$doc:meta])* $payload:ident, $field:ident, $node_type:ident) => {
        $(#[$doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $payload {
            /// The id of what was removed; null when there are user errors.
            pub $field: Option<async_graphql::ID>,
            /// Why nothing was removed; empty on success.
            pub user_errors: Vec<$crate::graphql::errors::UserError>,
        }

        impl From<$crate::graphql::payload::Checked<uuid::Uuid>> for $payload {
            fn from(result: $crate::graphql::payload::Checked<uuid::Uuid>) -> Self {
                match result {
                    Ok(id) => Self {
                        $field: Some($crate::graphql::ids::encode($crate::graphql::ids::NodeType::$node_type, id)),
                        user_errors: vec![],
                    },
                    Err(errors) => Self { $field: None, user_errors: $crate::graphql::errors::user_errors(errors) },
                }
            }
        }
    };
}

pub(crate) use {deletion_payload, payload};
