//! Tenants: provisioning by the operator, and settings by the tenant's ADMINs.

use super::changes::Changes;
use super::scope::{Admin, Scope};
use super::write::{Change, Write};
use crate::auth;
use crate::domain::event::Action;
use crate::domain::time;
use crate::error::{AppError, AppResult};
use entity::tenant::ReadinessTerms;
use entity::{BlamelessPolicy, Role, tenant, user};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QuerySelect, Set,
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
    let mut write = Write::begin(db, &auth::operator(id)).await?;
    let now = time::now();
    let tenant = tenant::ActiveModel {
        id: Set(id),
        slug: Set(new.slug),
        name: Set(new.name),
        cooling_off_hours: Set(48),
        review_after_days: Set(30),
        feedback_answer_sla_hours: Set(48),
        post_mortem_due_days: Set(5),
        blameless_policy: Set(BlamelessPolicy::Warn),
        readiness_terms: Set(ReadinessTerms::default()),
        incident_seq: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(write.txn())
    .await?;
    let admin = user::ActiveModel {
        tenant_id: Set(tenant.id),
        id: Set(Uuid::now_v7()),
        email: Set(new.admin_email),
        display_name: Set(new.admin_name),
        role: Set(Role::Admin),
        client_id: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(write.txn())
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

/// New values for the tenant's settings; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct SettingsChanges {
    /// Hours after resolution before a client meeting should be held.
    pub cooling_off_hours: Option<i32>,
    /// Days after publication that the effectiveness review falls due.
    pub review_after_days: Option<i32>,
    /// Hours within which client feedback should get a first staff answer.
    pub feedback_answer_sla_hours: Option<i32>,
    /// Days after resolution by which a SEV1/SEV2 post-mortem should be published.
    pub post_mortem_due_days: Option<i32>,
    /// Whether blame findings warn or block publication.
    pub blameless_policy: Option<BlamelessPolicy>,
    /// Phrases added to the built-in blame list (replacing the tenant's earlier ones).
    pub blameless_terms: Option<Vec<String>>,
    /// Phrases added to the built-in defensive list.
    pub defensive_terms: Option<Vec<String>>,
    /// Phrases added to the built-in self-flagellation list.
    pub self_flagellation_terms: Option<Vec<String>>,
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
        let mut row = old.clone().into_active_model();
        let pick = |new: Option<i32>, old: i32| new.unwrap_or(old);
        row.cooling_off_hours = Set(pick(new.cooling_off_hours, old.cooling_off_hours));
        row.review_after_days = Set(pick(new.review_after_days, old.review_after_days));
        row.feedback_answer_sla_hours = Set(pick(
            new.feedback_answer_sla_hours,
            old.feedback_answer_sla_hours,
        ));
        row.post_mortem_due_days = Set(pick(new.post_mortem_due_days, old.post_mortem_due_days));
        row.blameless_policy = Set(new.blameless_policy.unwrap_or(old.blameless_policy));
        let terms = &old.readiness_terms;
        row.readiness_terms = Set(ReadinessTerms {
            blame: new.blameless_terms.unwrap_or_else(|| terms.blame.clone()),
            defensive: new
                .defensive_terms
                .unwrap_or_else(|| terms.defensive.clone()),
            self_flagellation: new
                .self_flagellation_terms
                .unwrap_or_else(|| terms.self_flagellation.clone()),
        });
        row.updated_at = Set(time::now());
        let saved = row.update(write.txn()).await?;
        let changes = Changes::default()
            .diff(
                "coolingOffHours",
                &old.cooling_off_hours,
                &saved.cooling_off_hours,
            )
            .diff(
                "reviewAfterDays",
                &old.review_after_days,
                &saved.review_after_days,
            )
            .diff(
                "feedbackAnswerSlaHours",
                &old.feedback_answer_sla_hours,
                &saved.feedback_answer_sla_hours,
            )
            .diff(
                "postMortemDueDays",
                &old.post_mortem_due_days,
                &saved.post_mortem_due_days,
            )
            .diff(
                "blamelessPolicy",
                &old.blameless_policy.to_value(),
                &saved.blameless_policy.to_value(),
            )
            .diff(
                "blamelessTerms",
                &old.readiness_terms.blame,
                &saved.readiness_terms.blame,
            )
            .diff(
                "defensiveTerms",
                &old.readiness_terms.defensive,
                &saved.readiness_terms.defensive,
            )
            .diff(
                "selfFlagellationTerms",
                &old.readiness_terms.self_flagellation,
                &saved.readiness_terms.self_flagellation,
            );
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
