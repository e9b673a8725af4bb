//! A client contact's answer to "how confident are you this will not happen again?" about a
//! published post-mortem: one per contact and phase, the latest answer kept.

use crate::ConfidencePhase;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "confidence_ratings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The rated post-mortem's incident.
    pub incident_id: Uuid,
    /// The client account of the contact who rated.
    pub client_id: Uuid,
    /// The CLIENT user who rated.
    pub user_id: Uuid,
    pub phase: ConfidencePhase,
    /// 1..5.
    pub confidence: i32,
    /// Internal to staff and that client.
    pub comment: Option<String>,
    /// When the rating was last given (a second rating in the phase replaces the first).
    pub rated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
