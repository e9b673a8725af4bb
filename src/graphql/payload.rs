//! Mutation payloads: the saved object or the user errors that kept it from being saved.

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

        impl From<$crate::repo::Checked<$model>> for $payload {
            fn from(result: $crate::repo::Checked<$model>) -> Self {
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

        impl From<$crate::repo::Checked<uuid::Uuid>> for $payload {
            fn from(result: $crate::repo::Checked<uuid::Uuid>) -> Self {
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
