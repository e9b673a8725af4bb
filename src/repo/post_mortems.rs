//! Post-mortems: one per incident, from DRAFT to PUBLISHED to REVIEWED.

use chrono::{DateTime, Utc};
use entity::{PostMortemStatus, post_mortem};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use uuid::Uuid;

/// The empty DRAFT every incident starts with, written in the incident's transaction.
pub(super) async fn create_draft<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    incident_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    post_mortem::ActiveModel {
        tenant_id: Set(tenant_id),
        incident_id: Set(incident_id),
        status: Set(PostMortemStatus::Draft),
        impact_summary: Set(String::new()),
        went_well: Set(String::new()),
        could_be_better: Set(String::new()),
        lessons_learned: Set(String::new()),
        meeting_at: Set(None),
        published_at: Set(None),
        review_due_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}
