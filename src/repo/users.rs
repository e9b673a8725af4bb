//! Users of the tenant: their roles, client bindings and activity.

use super::directory::{DirectoryRecord, Fresh, Rows, Unique};
use super::outcome::{Outcome, refused};
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::Scope;
use crate::domain::directory::{self, Audit};
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{Role, client, user};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseTransaction, PaginatorTrait, QueryFilter,
};
use std::collections::HashMap;
use uuid::Uuid;

fn by_email() -> Ordering<user::Entity> {
    Ordering {
        column: user::Column::Email,
        kind: KeyKind::Text,
        id: user::Column::Id,
        direction: Direction::Asc,
        key: |m| Key {
            value: KeyValue::Text(m.email.clone()),
            id: m.id,
        },
    }
}

/// A new user.
pub struct NewUser {
    /// The sign-in email, already lower-cased; unique within the tenant.
    pub email: String,
    /// How the user is shown to others.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The client account of a CLIENT user; `None` for everyone else.
    pub client_id: Option<Uuid>,
}

/// Changes to a user; `None` keeps the current value.
#[derive(Default)]
pub struct UserChanges {
    /// A new display name.
    pub display_name: Option<String>,
    /// A new role.
    pub role: Option<Role>,
    /// A new client binding; `Some(None)` unbinds. When `None`, only a CLIENT keeps theirs.
    pub client_id: Option<Option<Uuid>>,
    /// `false` deactivates the user; `true` reactivates them.
    pub active: Option<bool>,
}

impl Scope {
    /// Users sorted by email. Staff only.
    pub async fn users(&self, request: &PageRequest) -> AppResult<Page<user::Model>> {
        self.principal().require(Capability::ReadInternal)?;
        page::fetch(
            self.db(),
            self.select::<user::Entity>(),
            &by_email(),
            request,
        )
        .await
    }

    /// How many users the tenant has. Staff only.
    pub async fn users_count(&self) -> AppResult<u64> {
        self.principal().require(Capability::ReadInternal)?;
        Ok(self.select::<user::Entity>().count(self.db()).await?)
    }

    /// One user: staff see anyone; everyone sees themselves.
    pub async fn user(&self, id: Uuid) -> AppResult<user::Model> {
        self.user_in(self.db(), id).await
    }

    /// [`Scope::user`], read through `db` (a transaction, when writing).
    pub(super) async fn user_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<user::Model> {
        let own = self.principal().user_id() == Some(id);
        if !own && !self.principal().can(Capability::ReadInternal) {
            return Err(AppError::not_found("user"));
        }
        self.select::<user::Entity>()
            .filter(user::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(AppError::not_found("user"))
    }

    /// Users by id (one statement), for timeline authors.
    pub async fn users_by_id(&self, ids: &[Uuid]) -> AppResult<HashMap<Uuid, user::Model>> {
        let rows = self
            .select::<user::Entity>()
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|u| (u.id, u)).collect())
    }

    /// Whether the tenant has the client account `id`, read through `db`.
    pub(super) async fn client_exists<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<bool> {
        Ok(self
            .select::<client::Entity>()
            .filter(client::Column::Id.eq(id))
            .count(db)
            .await?
            > 0)
    }

    /// How many active ADMINs other than `except` the tenant has.
    async fn other_active_admins<C: ConnectionTrait>(
        &self,
        db: &C,
        except: Uuid,
    ) -> AppResult<u64> {
        Ok(self
            .select::<user::Entity>()
            .filter(user::Column::Role.eq(Role::Admin.to_value()))
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::Id.ne(except))
            .count(db)
            .await?)
    }
}

impl DirectoryRecord for user::Entity {
    type New = NewUser;
    type Edit = UserChanges;
    const NAME: Unique<Self> = Unique::new(user::Column::Email, directory::email_taken);
    const AUDIT: Audit<user::Model> = directory::USER_AUDIT;

    /// The client binding, a newly bound client account that must exist, and the last
    /// active ADMIN.
    async fn check(
        scope: &Scope,
        txn: &DatabaseTransaction,
        rows: Rows<'_, user::Model>,
    ) -> Outcome<()> {
        let Rows { old, new } = rows;
        directory::client_binding(new.role, new.client_id)?;
        if let Some(client_id) = new.client_id
            && old.is_none_or(|old| old.client_id != Some(client_id))
            && !scope.client_exists(txn, client_id).await?
        {
            return refused(vec![directory::client_not_found()]);
        }
        if let Some(old) = old
            && directory::removes_an_admin(old, new)
        {
            let others = scope.other_active_admins(txn, new.id).await?;
            directory::keeps_an_admin(new, others)?;
        }
        Ok(())
    }

    /// A new user is active at once.
    fn created(new: NewUser, fresh: Fresh) -> user::Model {
        user::Model {
            tenant_id: fresh.tenant_id,
            id: fresh.id,
            email: new.email,
            display_name: new.display_name,
            role: new.role,
            client_id: new.client_id,
            active: true,
            created_at: fresh.at,
            updated_at: fresh.at,
        }
    }

    /// A CLIENT keeps their client account unless the edit rebinds them; anyone else is
    /// unbound.
    fn edited(old: &user::Model, edit: UserChanges, at: DateTime<Utc>) -> user::Model {
        let role = edit.role.unwrap_or(old.role);
        user::Model {
            display_name: edit
                .display_name
                .unwrap_or_else(|| old.display_name.clone()),
            role,
            client_id: directory::client_after(role, edit.client_id, old.client_id),
            active: edit.active.unwrap_or(old.active),
            updated_at: at,
            ..old.clone()
        }
    }

    async fn load(scope: &Scope, txn: &DatabaseTransaction, id: Uuid) -> AppResult<user::Model> {
        scope.user_in(txn, id).await
    }
}
