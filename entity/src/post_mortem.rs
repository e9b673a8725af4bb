//! The post-mortem of an incident: exactly one per incident, keyed by the incident's id.

use crate::PostMortemStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_mortems")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub incident_id: Uuid,
    pub status: PostMortemStatus,
    /// Client-facing.
    pub impact_summary: String,
    /// Client-facing.
    pub went_well: String,
    /// Client-facing.
    pub could_be_better: String,
    /// Internal only.
    pub lessons_learned: String,
    pub meeting_at: Option<DateTimeUtc>,
    pub published_at: Option<DateTimeUtc>,
    pub review_due_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
