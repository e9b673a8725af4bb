//! A concrete step that keeps an incident from happening again.

use crate::{Effectiveness, MeasureKind, MeasureStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "prevention_measures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub kind: MeasureKind,
    pub title: String,
    pub description: String,
    /// How we will know it worked.
    pub success_criterion: String,
    pub owner_team: String,
    pub due_on: Option<Date>,
    /// `due_on` as it stood when the post-mortem was published; never changes afterwards.
    pub committed_due_on: Option<Date>,
    pub status: MeasureStatus,
    pub completed_at: Option<DateTimeUtc>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    pub tracker_url: Option<String>,
    pub effectiveness: Effectiveness,
    pub effectiveness_note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
