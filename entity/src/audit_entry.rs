//! One record per mutation: who changed what, and when. Written in the mutation's transaction.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The user who made the change; `None` for operator commands run from the CLI.
    pub actor_id: Option<Uuid>,
    /// Dotted verb, e.g. `incident.update`.
    pub action: String,
    /// The GraphQL type name of the changed object, e.g. `Incident`.
    pub entity_type: String,
    pub entity_id: Uuid,
    /// Changed fields as a JSON object of `{ field: { "from": old, "to": new } }`.
    pub changes: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
