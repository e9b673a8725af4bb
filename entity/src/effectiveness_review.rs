//! An effectiveness review of a published post-mortem: the 30-day review first, then any
//! later ones, numbered per post-mortem.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "effectiveness_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The reviewed post-mortem's incident.
    pub incident_id: Uuid,
    /// 1 for the 30-day review, then 2, 3… for the reviews after it.
    pub ordinal: i32,
    pub held_at: DateTimeUtc,
    /// Client-facing: "here is what we implemented, and did it work?"
    pub summary: String,
    /// The verdicts as recorded: `[{ "measureId", "effectiveness", "note" }]`.
    pub verdicts: Json,
    /// Who recorded it; `None` for operator commands.
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
