//! One committed change (or a deadline passing), numbered per tenant. Thin: ids, type, time
//! and field names, never text.

use crate::enums::EventType;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Increasing per tenant, in commit order: the feed's cursor.
    pub position: i64,
    pub event_type: EventType,
    pub occurred_at: DateTimeUtc,
    /// The user whose change it was; `None` for time-driven events and operator commands.
    pub actor_id: Option<Uuid>,
    /// The incident the subject belongs to, when there is one.
    pub incident_id: Option<Uuid>,
    /// The GraphQL type name of the subject, e.g. `PostMortem`.
    pub subject_type: String,
    pub subject_id: Uuid,
    /// The API names of the fields that changed, as a JSON array of strings.
    pub changed_fields: Json,
    /// For a time-driven event, the deadline that passed; unique per type and subject.
    pub deadline: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
