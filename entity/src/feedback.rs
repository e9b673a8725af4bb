//! A client's question, concern or suggestion about a published post-mortem: a thread.

use crate::{FeedbackKind, FeedbackStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    /// The client account the thread belongs to.
    pub client_id: Uuid,
    /// The CLIENT user who opened it.
    pub author_id: Uuid,
    pub kind: FeedbackKind,
    pub body: String,
    /// 1..5: how confident the client is that this will not happen again.
    pub confidence: Option<i32>,
    pub status: FeedbackStatus,
    /// When staff first replied.
    pub first_response_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
