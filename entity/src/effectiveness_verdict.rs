//! One verdict on a prevention measure, at a review or later: the measure's history of
//! judgements. The measure's own `effectiveness` and note are the latest of these.

use crate::Effectiveness;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "effectiveness_verdicts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub measure_id: Uuid,
    /// The review that gave it; `None` for a verdict recorded on its own after the review.
    pub review_id: Option<Uuid>,
    pub effectiveness: Effectiveness,
    pub note: Option<String>,
    /// When the measure was judged: the review's `heldAt`, or when the verdict was recorded.
    pub judged_at: DateTimeUtc,
    /// Who recorded it; `None` for operator commands.
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
