//! Users of the tenant: their roles, client bindings and activity.

use super::changes::Changes;
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::{Admin, Scope};
use super::write::Change;
use super::{Checked, unique};
use crate::domain::directory;
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::{FieldError, FieldErrorCode, time};
use crate::error::{AppError, AppResult};
use entity::{Role, client, user};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, Set,
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

    async fn client_exists<C: ConnectionTrait>(&self, db: &C, id: Uuid) -> AppResult<bool> {
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

impl Admin<'_> {
    /// Adds an active user, or answers field errors for a bad client binding, an unknown
    /// client account or a taken email.
    pub async fn user_create(&self, new: NewUser) -> AppResult<Checked<user::Model>> {
        let mut write = self.begin().await?;
        if let Err(error) = directory::client_binding(new.role, new.client_id) {
            return Ok(Err(vec![error]));
        }
        if let Some(client_id) = new.client_id
            && !self.scope.client_exists(write.txn(), client_id).await?
        {
            return Ok(Err(vec![client_not_found()]));
        }
        if unique::name_taken(
            write.txn(),
            self.scope.select::<user::Entity>(),
            user::Column::Email,
            &new.email,
            None,
        )
        .await?
        {
            return Ok(Err(vec![unique::taken("email")]));
        }
        let now = time::now();
        let saved = user::ActiveModel {
            tenant_id: Set(self.scope.tenant_id()),
            id: Set(Uuid::now_v7()),
            email: Set(new.email),
            display_name: Set(new.display_name),
            role: Set(new.role),
            client_id: Set(new.client_id),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(write.txn())
        .await?;
        let changes = Changes::default()
            .set("email", &saved.email)
            .set("displayName", &saved.display_name)
            .set("role", &saved.role.to_value())
            .set("clientId", &saved.client_id);
        write.record(Change {
            action: Action::UserCreate,
            subject_type: "User",
            subject_id: saved.id,
            incident_id: None,
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
    }

    /// Updates a user. The tenant always keeps at least one active ADMIN.
    pub async fn user_update(
        &self,
        id: Uuid,
        new: UserChanges,
        action: Action,
    ) -> AppResult<Checked<user::Model>> {
        let mut write = self.begin().await?;
        let old = self.scope.user_in(write.txn(), id).await?;
        let role = new.role.unwrap_or(old.role);
        let client_id = match new.client_id {
            Some(client_id) => client_id,
            None if role == Role::Client => old.client_id,
            None => None,
        };
        let active = new.active.unwrap_or(old.active);
        if let Err(error) = directory::client_binding(role, client_id) {
            return Ok(Err(vec![error]));
        }
        if let Some(client_id) = client_id
            && Some(client_id) != old.client_id
            && !self.scope.client_exists(write.txn(), client_id).await?
        {
            return Ok(Err(vec![client_not_found()]));
        }
        let stops_being_admin =
            old.role == Role::Admin && old.active && (role != Role::Admin || !active);
        if stops_being_admin && self.scope.other_active_admins(write.txn(), id).await? == 0 {
            let field = if active { "role" } else { "id" };
            return Ok(Err(vec![FieldError::new(
                field,
                FieldErrorCode::Invalid,
                "the tenant must keep at least one active ADMIN",
            )]));
        }
        let mut row = old.clone().into_active_model();
        row.display_name = Set(new.display_name.unwrap_or_else(|| old.display_name.clone()));
        row.role = Set(role);
        row.client_id = Set(client_id);
        row.active = Set(active);
        row.updated_at = Set(time::now());
        let saved = row.update(write.txn()).await?;
        let changes = Changes::default()
            .diff("displayName", &old.display_name, &saved.display_name)
            .diff("role", &old.role.to_value(), &saved.role.to_value())
            .diff("clientId", &old.client_id, &saved.client_id)
            .diff("active", &old.active, &saved.active);
        write.record(Change {
            action,
            subject_type: "User",
            subject_id: saved.id,
            incident_id: None,
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
    }
}

fn client_not_found() -> FieldError {
    FieldError::new(
        "clientId",
        FieldErrorCode::NotFound,
        "no such client account",
    )
}
