//! Client accounts: the customers who read post-mortems.

use super::directory::{DirectoryRecord, Fresh, Unique};
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::Scope;
use crate::domain::directory::{self, Audit};
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::client;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, PaginatorTrait, QueryFilter};
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
    /// The client's IANA time zone; documents use the tenant's when unset.
    pub time_zone: Option<String>,
}

/// Changes to a client account; `None` keeps the current value.
pub struct ClientChanges {
    /// A new name; unique within the tenant.
    pub name: Option<String>,
    /// A new contact address; `Some(None)` clears it.
    pub contact_email: Option<Option<String>>,
    /// A new time zone; `Some(None)` falls back to the tenant's.
    pub time_zone: Option<Option<String>>,
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

impl DirectoryRecord for client::Entity {
    type New = NewClient;
    type Edit = ClientChanges;
    const NAME: Unique<Self> = Unique::new(client::Column::Name, directory::name_taken);
    const AUDIT: Audit<client::Model> = directory::CLIENT_AUDIT;

    fn created(
        NewClient {
            name,
            contact_email,
            time_zone,
        }: NewClient,
        fresh: Fresh,
    ) -> client::Model {
        client::Model {
            tenant_id: fresh.tenant_id,
            id: fresh.id,
            name,
            contact_email,
            time_zone,
            created_at: fresh.at,
            updated_at: fresh.at,
        }
    }

    fn edited(old: &client::Model, edit: ClientChanges, at: DateTime<Utc>) -> client::Model {
        client::Model {
            name: edit.name.unwrap_or_else(|| old.name.clone()),
            contact_email: edit
                .contact_email
                .unwrap_or_else(|| old.contact_email.clone()),
            time_zone: edit.time_zone.unwrap_or_else(|| old.time_zone.clone()),
            updated_at: at,
            ..old.clone()
        }
    }

    async fn load(scope: &Scope, txn: &DatabaseTransaction, id: Uuid) -> AppResult<client::Model> {
        scope.client_in(txn, id).await
    }
}
