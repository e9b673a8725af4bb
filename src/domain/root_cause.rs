//! What a root cause's audit entry records.

use super::changes::Changes;
use entity::root_cause;
use sea_orm::ActiveEnum;

/// The audit diff of a root cause created (`old` is `None`) or changed.
pub fn changes(old: Option<&root_cause::Model>, new: &root_cause::Model) -> Changes {
    let changes = match old {
        None => Changes::default().set("incidentId", &new.incident_id),
        Some(_) => Changes::default(),
    };
    changes
        .field("kind", old, new, |c| c.kind.to_value())
        .field("category", old, new, |c| c.category.to_value())
        .field("internalAnalysis", old, new, |c| {
            c.internal_analysis.clone()
        })
        .field("clientExplanation", old, new, |c| {
            c.client_explanation.clone()
        })
}

/// The audit diff of a deleted root cause.
pub fn deleted(old: &root_cause::Model) -> Changes {
    Changes::default().removed("clientExplanation", &old.client_explanation)
}
