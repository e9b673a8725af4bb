//! One HTTP request made to deliver a webhook, and what came back.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub attempted_at: DateTimeUtc,
    /// The response's status; `None` when no response came (refused, timed out).
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    /// The first KiB of the response body.
    pub response_excerpt: Option<String>,
    /// Why the attempt failed without a response, or why the response counts as failure.
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
