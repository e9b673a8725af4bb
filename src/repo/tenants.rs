//! Tenants: provisioning by the operator, and settings by the tenant's ADMINs.

use super::scope::{Admin, Scope};
use super::write::Change;
use crate::auth;
use crate::domain::changes::Changes;
use crate::domain::event::Action;
use crate::domain::settings::{self, SettingsChanges};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::tenant::ReadinessTerms;
use entity::{BlamelessPolicy, Role, tenant, user};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QuerySelect, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A new tenant and its first ADMIN.
pub struct NewTenant {
    /// Short unique name, e.g. `acme`.
    pub slug: String,
    /// The organisation's display name.
    pub name: String,
    /// Email of the first ADMIN user.
    pub admin_email: String,
    /// Display name of the first ADMIN user.
    pub admin_name: String,
}

/// Creates a tenant with default settings and its first ADMIN user, in one transaction.
pub async fn create(
    db: &DatabaseConnection,
    new: NewTenant,
) -> AppResult<(tenant::Model, user::Model)> {
    let id = Uuid::now_v7();
    let scope = Scope::background(db.clone(), auth::operator(id));
    let mut write = scope.begin_write().await?;
    let now = time::now();
    #[allow(clippy::disallowed_methods)] // tenants are not tenant-owned rows
    let tenant = default_tenant(id, new.slug, new.name, now)
        .insert(write.txn())
        .await?;
    let admin = scope
        .insert(user::ActiveModel {
            tenant_id: Set(tenant.id),
            id: Set(Uuid::now_v7()),
            email: Set(new.admin_email),
            display_name: Set(new.admin_name),
            role: Set(Role::Admin),
            client_id: Set(None),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_with_returning(write.txn())
        .await?;
    let changes = Changes::default()
        .set("slug", &tenant.slug)
        .set("name", &tenant.name);
    write.record(Change {
        action: Action::TenantCreate,
        subject_type: "Tenant",
        subject_id: tenant.id,
        incident_id: None,
        changes,
    });
    write.commit().await?;
    Ok((tenant, admin))
}

/// A new tenant's row with the default settings.
fn default_tenant(id: Uuid, slug: String, name: String, now: DateTime<Utc>) -> tenant::ActiveModel {
    tenant::ActiveModel {
        id: Set(id),
        slug: Set(slug),
        name: Set(name),
        cooling_off_hours: Set(48),
        review_after_days: Set(30),
        feedback_answer_sla_hours: Set(48),
        post_mortem_due_days: Set(5),
        blameless_policy: Set(BlamelessPolicy::Warn),
        readiness_terms: Set(ReadinessTerms::default()),
        time_zone: Set(crate::domain::zone::DEFAULT.to_owned()),
        contact_line: Set(String::new()),
        portal_url: Set(None),
        incident_seq: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Every tenant's id, for background work that visits each tenant in turn.
#[allow(clippy::disallowed_methods)] // tenants are not tenant-owned rows
pub async fn ids(db: &DatabaseConnection) -> AppResult<Vec<Uuid>> {
    Ok(tenant::Entity::find()
        .select_only()
        .column(tenant::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Removes a tenant and, through its cascading keys, everything it owns. Operator clean-up
/// only: the API never deletes tenants.
#[allow(clippy::disallowed_methods)] // tenants are not tenant-owned rows
pub async fn delete(db: &DatabaseConnection, id: Uuid) -> AppResult<()> {
    tenant::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

impl Scope {
    /// The caller's own tenant.
    pub async fn tenant(&self) -> AppResult<tenant::Model> {
        self.tenant_in(self.db()).await
    }

    /// The caller's own tenant for a per-request loader (keyed by `()`: there is only one).
    pub async fn tenant_for_loader(&self, keys: &[()]) -> AppResult<HashMap<(), tenant::Model>> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(HashMap::from([((), self.tenant().await?)]))
    }

    /// The caller's own tenant by id; any other tenant's id is NOT_FOUND.
    pub async fn own_tenant(&self, id: Uuid) -> AppResult<tenant::Model> {
        if id != self.tenant_id() {
            return Err(AppError::not_found("tenant"));
        }
        self.tenant().await
    }

    /// The caller's tenant, read through `db` (a transaction that may hold its row lock).
    #[allow(clippy::disallowed_methods)] // keyed by the scope's own tenant id
    pub(super) async fn tenant_in<C: ConnectionTrait>(&self, db: &C) -> AppResult<tenant::Model> {
        tenant::Entity::find_by_id(self.tenant_id())
            .one(db)
            .await?
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("the principal's tenant is missing")))
    }
}

impl Admin<'_> {
    /// Saves the tenant's settings. Ranges are checked by the caller, not here.
    pub async fn tenant_settings_update(&self, new: SettingsChanges) -> AppResult<tenant::Model> {
        let mut write = self.begin().await?;
        let old = self.scope.tenant_in(write.txn()).await?;
        let new = settings::apply(&old, new, time::now());
        let saved = new
            .into_active_model()
            .reset_all()
            .update(write.txn())
            .await?;
        let changes = settings::changes(&old, &saved);
        write.record(Change {
            action: Action::TenantSettingsUpdate,
            subject_type: "Tenant",
            subject_id: saved.id,
            incident_id: None,
            changes,
        });
        write.commit().await?;
        Ok(saved)
    }
}
