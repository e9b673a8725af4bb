//! Client accounts: the customers who read post-mortems.

use super::changes::Changes;
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::{Admin, Scope};
use super::write::Change;
use super::{Checked, unique};
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::time;
use crate::error::{AppError, AppResult};
use entity::client;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

fn by_name() -> Ordering<client::Entity> {
    Ordering {
        column: client::Column::Name,
        kind: KeyKind::Text,
        id: client::Column::Id,
        direction: Direction::Asc,
        key: |m| Key {
            value: KeyValue::Text(m.name.clone()),
            id: m.id,
        },
    }
}

/// A new client account.
pub struct NewClient {
    /// The account's name; unique within the tenant.
    pub name: String,
    /// Where the provider reaches the client, if known.
    pub contact_email: Option<String>,
}

/// Changes to a client account; `None` keeps the current value.
pub struct ClientChanges {
    /// A new name; unique within the tenant.
    pub name: Option<String>,
    /// A new contact address; `Some(None)` clears it.
    pub contact_email: Option<Option<String>>,
}

impl Scope {
    /// Client accounts sorted by name.
    pub async fn clients(&self, request: &PageRequest) -> AppResult<Page<client::Model>> {
        self.principal().require(Capability::ReadCatalog)?;
        page::fetch(
            self.db(),
            self.select::<client::Entity>(),
            &by_name(),
            request,
        )
        .await
    }

    /// How many client accounts the tenant has. Staff and reporters only.
    pub async fn clients_count(&self) -> AppResult<u64> {
        self.principal().require(Capability::ReadCatalog)?;
        Ok(self.select::<client::Entity>().count(self.db()).await?)
    }

    /// One client account: staff and reporters see any; a CLIENT user only their own.
    pub async fn client(&self, id: Uuid) -> AppResult<client::Model> {
        self.client_in(self.db(), id).await
    }

    /// [`Scope::client`], read through `db` (a transaction, when writing).
    pub(super) async fn client_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<client::Model> {
        let own = self.principal().client_id() == Some(id);
        if !own && !self.principal().can(Capability::ReadCatalog) {
            return Err(AppError::not_found("client"));
        }
        self.select::<client::Entity>()
            .filter(client::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(AppError::not_found("client"))
    }
}

impl Admin<'_> {
    /// Adds a client account, or answers a `name` field error when the name is taken.
    pub async fn client_create(&self, new: NewClient) -> AppResult<Checked<client::Model>> {
        let mut write = self.begin().await?;
        if unique::name_taken(
            write.txn(),
            self.scope.select::<client::Entity>(),
            client::Column::Name,
            &new.name,
            None,
        )
        .await?
        {
            return Ok(Err(vec![unique::taken("name")]));
        }
        let now = time::now();
        let saved = client::ActiveModel {
            tenant_id: Set(self.scope.tenant_id()),
            id: Set(Uuid::now_v7()),
            name: Set(new.name),
            contact_email: Set(new.contact_email),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(write.txn())
        .await?;
        let changes = Changes::default()
            .set("name", &saved.name)
            .set("contactEmail", &saved.contact_email);
        write.record(Change {
            action: Action::ClientCreate,
            subject_type: "Client",
            subject_id: saved.id,
            incident_id: None,
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
    }

    /// Changes a client account, or answers a `name` field error when another account has
    /// the name. NOT_FOUND for an unknown id.
    pub async fn client_update(
        &self,
        id: Uuid,
        new: ClientChanges,
    ) -> AppResult<Checked<client::Model>> {
        let mut write = self.begin().await?;
        let old = self.scope.client_in(write.txn(), id).await?;
        if let Some(name) = &new.name
            && unique::name_taken(
                write.txn(),
                self.scope.select::<client::Entity>(),
                client::Column::Name,
                name,
                Some((client::Column::Id, id)),
            )
            .await?
        {
            return Ok(Err(vec![unique::taken("name")]));
        }
        let mut row = old.clone().into_active_model();
        row.name = Set(new.name.unwrap_or_else(|| old.name.clone()));
        row.contact_email = Set(new
            .contact_email
            .unwrap_or_else(|| old.contact_email.clone()));
        row.updated_at = Set(time::now());
        let saved = row.update(write.txn()).await?;
        let changes = Changes::default()
            .diff("name", &old.name, &saved.name)
            .diff("contactEmail", &old.contact_email, &saved.contact_email);
        write.record(Change {
            action: Action::ClientUpdate,
            subject_type: "Client",
            subject_id: saved.id,
            incident_id: None,
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
    }
}
