//! Look-ups that happen before a scope exists: resolving a token's user, and the operator
//! commands that name a tenant by slug.

use entity::{tenant, user};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The user a verified token names, looked up within the token's own tenant.
#[allow(clippy::disallowed_methods)] // keyed by the token's tenant: this is where a scope begins
pub async fn user_for_token(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id((tenant_id, user_id)).one(db).await
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
    db: &DatabaseConnection,
    tenant_id: Uuid,
    email: &str,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await
}
