//! A provider organisation. Tenants are created by the operator, never through the API.

use crate::BlamelessPolicy;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub cooling_off_hours: i32,
    pub review_after_days: i32,
    pub feedback_answer_sla_hours: i32,
    pub post_mortem_due_days: i32,
    pub blameless_policy: BlamelessPolicy,
    /// Phrases the tenant adds to the built-in readiness lists.
    #[sea_orm(column_type = "Json")]
    pub readiness_terms: ReadinessTerms,
    /// The IANA time zone client documents are written in, unless the client has its own.
    pub time_zone: String,
    /// How clients reach the provider, printed at the end of every client document.
    pub contact_line: String,
    /// Where clients read and ask about post-mortems; documents link to it.
    pub portal_url: Option<String>,
    /// The last incident number handed out; incremented under the row's write lock.
    pub incident_seq: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Phrases a tenant adds to the built-in blame, defensive and self-flagellation lists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(default, rename_all = "camelCase")]
pub struct ReadinessTerms {
    pub blame: Vec<String>,
    pub defensive: Vec<String>,
    pub self_flagellation: Vec<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
