//! One message owed to one endpoint: an event (or a test message), its frozen body, and
//! where its delivery stands.

use crate::enums::DeliveryStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub endpoint_id: Uuid,
    /// The event delivered; `None` for a test message.
    pub event_id: Option<Uuid>,
    /// The event's position (0 for a test message): due deliveries go out in this order.
    pub position: i64,
    /// The body's `type`, e.g. `post_mortem.published`.
    pub message_type: String,
    /// The `webhook-id` header, the same on every attempt.
    pub message_id: String,
    /// The JSON body, fixed when the delivery was made so every attempt sends the same.
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempt_count: i32,
    /// Failed attempts since the delivery was last queued: the step of the retry schedule.
    pub failures: i32,
    /// When the next attempt is due; `None` when none is scheduled.
    pub next_attempt_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
