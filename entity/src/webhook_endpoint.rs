//! A URL a tenant's ADMIN registered to receive the tenant's events, signed with its secret.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub url: String,
    pub description: String,
    /// The event types sent, as a JSON array of their GraphQL names; empty for all.
    pub event_types: Json,
    pub enabled: bool,
    /// The signing secret, `whsec_` and base64; never read back through the API.
    pub secret: String,
    /// The secret a rotation replaced; it signs beside the new one until it expires.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    pub disabled_at: Option<DateTimeUtc>,
    /// Why the endpoint was disabled, in the operator's words or Debrief's.
    pub disabled_reason: Option<String>,
    /// When the current run of failed attempts began; `None` after a success.
    pub failing_since: Option<DateTimeUtc>,
    /// Every event up to this position has been considered for delivery.
    pub scanned_through: i64,
    /// The worker currently delivering to the endpoint, and until when it may.
    pub lease_owner: Option<Uuid>,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
