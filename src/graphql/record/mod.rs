//! The post-mortem record: timeline, root causes, client impact, prevention measures and the
//! post-mortem itself. Each module holds an object, its inputs and its mutations.

pub mod confidence;
pub mod feedback;
pub mod impact;
pub mod inbox;
pub mod measure;
pub mod post_mortem;
pub mod post_mortem_mutation;
pub mod readiness;
pub mod review;
pub mod root_cause;
pub mod share_link;
pub mod timeline;
pub mod verdict;

use crate::domain::FieldError;
use crate::domain::FieldErrorCode;
use crate::graphql::ids::{self, NodeType};
use async_graphql::ID;
use uuid::Uuid;

/// Decodes the ids of one type in an input list; a bad one is a NOT_FOUND user error at its
/// position.
fn decode_list(field: &str, ids: &[ID], node_type: NodeType) -> Result<Vec<Uuid>, FieldError> {
    if ids.len() > 100 {
        return Err(FieldError::new(
            field,
            FieldErrorCode::Invalid,
            format!("{field} holds at most 100 ids"),
        ));
    }
    ids::decode_all(ids, node_type).map_err(|index| {
        FieldError::new(
            field,
            FieldErrorCode::NotFound,
            format!("no such {}", node_type.noun()),
        )
        .at_index(index)
    })
}
