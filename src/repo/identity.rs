//! Look-ups that happen before a scope exists: resolving a token's user or service token,
//! and the operator commands that name a tenant by slug.

use super::tenant_connection::TenantConnection;
use chrono::{DateTime, Utc};
use entity::{api_token, tenant, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionOptions,
};
use uuid::Uuid;

/// The user a verified token names, looked up within the token's own tenant (`db`'s).
#[allow(clippy::disallowed_methods)] // keyed by the token's tenant: this is where a scope begins
pub async fn user_for_token(
    db: &TenantConnection,
    user_id: Uuid,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id((db.tenant_id(), user_id))
        .one(db)
        .await
}

/// The service token whose hash is `hash`, looked up within the tenant the token names.
#[allow(clippy::disallowed_methods)] // keyed by the token's tenant: this is where a scope begins
pub async fn api_token_by_hash(
    db: &TenantConnection,
    hash: &str,
) -> Result<Option<api_token::Model>, DbErr> {
    api_token::Entity::find()
        .filter(api_token::Column::TenantId.eq(db.tenant_id()))
        .filter(api_token::Column::TokenHash.eq(hash))
        .one(db)
        .await
}

/// A service token by id, within the tenant of the principal it authenticated (a socket's
/// check that it still stands).
#[allow(clippy::disallowed_methods)] // keyed by the principal's own tenant
pub async fn api_token_by_id(
    db: &TenantConnection,
    id: Uuid,
) -> Result<Option<api_token::Model>, DbErr> {
    api_token::Entity::find_by_id((db.tenant_id(), id))
        .one(db)
        .await
}

/// Writes down that `token` was used at `now`, unless a request racing this one already did
/// within the last minute.
#[allow(clippy::disallowed_methods)] // keyed by the token's own tenant and id
pub async fn record_api_token_use(
    db: &TenantConnection,
    token: &api_token::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    // On a transaction of its own, so the request's does not hold the row's lock.
    let txn = db.begin(TransactionOptions::default()).await?;
    let stale = now - crate::domain::api_token::USE_RECORDED_EVERY;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
        .filter(api_token::Column::TenantId.eq(db.tenant_id()))
        .filter(api_token::Column::Id.eq(token.id))
        .filter(
            Condition::any()
                .add(api_token::Column::LastUsedAt.is_null())
                .add(Expr::col(api_token::Column::LastUsedAt).lte(stale)),
        )
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// A tenant by its slug (operator commands).
#[allow(clippy::disallowed_methods)] // tenants are not tenant-owned rows
pub async fn tenant_by_slug(
    db: &DatabaseConnection,
    slug: &str,
) -> Result<Option<tenant::Model>, DbErr> {
    tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// A user of `tenant_id` by email (operator commands).
#[allow(clippy::disallowed_methods)] // filtered by the tenant the operator named
pub async fn user_by_email(
    db: &TenantConnection,
    email: &str,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::TenantId.eq(db.tenant_id()))
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await
}
