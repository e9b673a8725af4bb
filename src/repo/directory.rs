//! The directory's writes (users, client accounts, services), all made by one create and
//! one update path: take the tenant lock, run the record's own checks, check that its name
//! is free, write the row, record the change, commit. What differs between the tables is a
//! [`DirectoryRecord`]; what is allowed and what is audited, the domain decides.

use super::clients::{ClientChanges, NewClient};
use super::outcome::{Outcome, refused};
use super::scope::{Admin, Scope, TenantOwned};
use super::unique;
use super::users::{NewUser, UserChanges};
use super::write::Change;
use crate::domain::FieldError;
use crate::domain::changes::Changes;
use crate::domain::directory::Audit;
use crate::domain::event::Action;
use crate::domain::time;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{client, service, user};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, IntoActiveModel, ModelTrait};
use uuid::Uuid;

/// What a new row gets besides its input: its tenant, its id and its creation time.
pub(super) struct Fresh {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub at: DateTime<Utc>,
}

/// The column whose value is unique within the tenant, and the field error for a value
/// another row has.
pub(super) struct Unique<R: TenantOwned> {
    column: R::Column,
    taken: fn() -> FieldError,
}

impl<R: TenantOwned> Unique<R> {
    pub(super) const fn new(column: R::Column, taken: fn() -> FieldError) -> Self {
        Self { column, taken }
    }
}

/// A row as it was (`None` before its creation) and as it is to be written.
pub(super) struct Rows<'a, M> {
    pub old: Option<&'a M>,
    pub new: &'a M,
}

/// A directory table: how its rows are checked, made and read.
pub(super) trait DirectoryRecord:
    TenantOwned<Model: IntoActiveModel<Self::ActiveModel> + Sync, ActiveModel: Send>
{
    /// What a creation is made from.
    type New;
    /// What an update is made from.
    type Edit;
    /// The name no two rows of a tenant share.
    const NAME: Unique<Self>;
    /// How the audit log records the table's rows.
    const AUDIT: Audit<Self::Model>;

    /// The record's own checks, made before the name's; none by default.
    async fn check(
        _scope: &Scope,
        _txn: &DatabaseTransaction,
        _rows: Rows<'_, Self::Model>,
    ) -> Outcome<()> {
        Ok(())
    }

    /// The new row.
    fn created(new: Self::New, fresh: Fresh) -> Self::Model;

    /// `old` with `edit` applied, changed `at`.
    fn edited(old: &Self::Model, edit: Self::Edit, at: DateTime<Utc>) -> Self::Model;

    /// The row to update, read through the write's transaction; NOT_FOUND when unknown.
    async fn load(scope: &Scope, txn: &DatabaseTransaction, id: Uuid) -> AppResult<Self::Model>;
}

impl Admin<'_> {
    /// Adds an active user, or answers field errors for a bad client binding, an unknown
    /// client account or a taken email.
    pub async fn user_create(&self, new: NewUser) -> Outcome<user::Model> {
        self.create::<user::Entity>(new).await
    }

    /// Updates a user, audited as `action`. The tenant always keeps at least one active
    /// ADMIN.
    pub async fn user_update(
        &self,
        id: Uuid,
        new: UserChanges,
        action: Action,
    ) -> Outcome<user::Model> {
        self.update::<user::Entity>(id, new, action).await
    }

    /// Adds a client account, or answers a `name` field error when the name is taken.
    pub async fn client_create(&self, new: NewClient) -> Outcome<client::Model> {
        self.create::<client::Entity>(new).await
    }

    /// Changes a client account, or answers a `name` field error when another account has
    /// the name. NOT_FOUND for an unknown id.
    pub async fn client_update(&self, id: Uuid, new: ClientChanges) -> Outcome<client::Model> {
        self.update::<client::Entity>(id, new, Action::ClientUpdate)
            .await
    }

    /// Adds a service, or answers a `name` field error when the name is taken.
    pub async fn service_create(&self, name: String) -> Outcome<service::Model> {
        self.create::<service::Entity>(name).await
    }

    /// Renames a service, or answers a `name` field error when another service has the name.
    /// NOT_FOUND for an unknown id.
    pub async fn service_update(&self, id: Uuid, name: String) -> Outcome<service::Model> {
        self.update::<service::Entity>(id, name, Action::ServiceUpdate)
            .await
    }

    /// Adds a row of `R`, or refuses it with the field errors of its checks or of a taken
    /// name.
    async fn create<R: DirectoryRecord>(&self, new: R::New) -> Outcome<R::Model> {
        let mut write = self.begin().await?;
        let id = Uuid::now_v7();
        let fresh = Fresh {
            tenant_id: self.scope.tenant_id(),
            id,
            at: time::now(),
        };
        let row = R::created(new, fresh);
        let rows = Rows {
            old: None,
            new: &row,
        };
        R::check(self.scope, write.txn(), rows).await?;
        name_free::<R>(self.scope, write.txn(), &row).await?;
        let saved = self
            .scope
            .insert(row.into_active_model())
            .exec_with_returning(write.txn())
            .await?;
        let changes = (R::AUDIT.created)(&saved);
        write.record(change::<R>(R::AUDIT.create, id, changes));
        write.commit().await?;
        Ok(saved)
    }

    /// Changes the row `id` of `R`, audited as `action`, or refuses it with the field errors
    /// of its checks or of a taken name. A name that stays is not checked again.
    async fn update<R: DirectoryRecord>(
        &self,
        id: Uuid,
        edit: R::Edit,
        action: Action,
    ) -> Outcome<R::Model> {
        let mut write = self.begin().await?;
        let old = R::load(self.scope, write.txn(), id).await?;
        let row = R::edited(&old, edit, time::now());
        let rows = Rows {
            old: Some(&old),
            new: &row,
        };
        R::check(self.scope, write.txn(), rows).await?;
        if row.get(R::NAME.column) != old.get(R::NAME.column) {
            name_free::<R>(self.scope, write.txn(), &row).await?;
        }
        // The edited row is the whole new state: write every column, not only the changed.
        let saved = row
            .into_active_model()
            .reset_all()
            .update(write.txn())
            .await?;
        let changes = (R::AUDIT.changes)(&old, &saved);
        write.record(change::<R>(action, id, changes));
        write.commit().await?;
        Ok(saved)
    }
}

/// Refuses `row` when another row of the tenant has its name. (The row's own name can
/// only be in the way when it does not change, and then it is not checked.)
async fn name_free<R: DirectoryRecord>(
    scope: &Scope,
    txn: &DatabaseTransaction,
    row: &R::Model,
) -> Outcome<()> {
    let Unique { column, taken } = R::NAME;
    if unique::name_taken(txn, scope.select::<R>(), column, row.get(column)).await? {
        return refused(vec![taken()]);
    }
    Ok(())
}

/// The audit entry of a change to the row `subject_id` of `R`.
fn change<R: DirectoryRecord>(action: Action, subject_id: Uuid, changes: Changes) -> Change {
    Change {
        action,
        subject_type: R::AUDIT.subject_type,
        subject_id,
        incident_id: None,
        changes,
    }
}
