//! A service token: a credential an ADMIN issued to a reporting tool, with a role of its own
//! and no user behind it. Only the SHA-256 of its secret is stored.

use crate::enums::Role;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What the token is for, in the ADMIN's words.
    pub name: String,
    /// REPORTER or VIEWER.
    pub role: Role,
    /// The whole token's SHA-256, base64url without padding; never read back through the API.
    pub token_hash: String,
    /// The ADMIN who issued it; `None` when the operator did.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// When the token was last presented, to the minute.
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
