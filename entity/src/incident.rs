//! An incident: the event a post-mortem explains.

use crate::{IncidentStatus, Severity};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Sequential per tenant, starting at 1; shown as `INC-<number>`.
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub started_at: DateTimeUtc,
    pub detected_at: Option<DateTimeUtc>,
    pub mitigated_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    /// Whether this incident recurs an earlier one (see `recurrenceOf`). Derived, and kept
    /// up to date by the write path from `incident_signatures`.
    pub recurring: bool,
    /// Optimistic-concurrency counter, bumped by every update.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
