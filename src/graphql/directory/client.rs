//! Client accounts: the customers who read post-mortems.

use crate::domain::policy::Capability;
use crate::domain::{Checks, FieldError, directory, zone};
use crate::error::AppResult;
use crate::graphql::connection::{ListRef, TotalCount, connection, page_cost};
use crate::graphql::context::scope;
use crate::graphql::errors::{UserError, user_errors};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::Checked;
use crate::graphql::payload::answer;
use crate::graphql::record::impact::ClientImpactConnection;
use crate::graphql::scalars::Timestamp;
use crate::repo::clients::{ClientChanges, NewClient};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::client;
use futures_util::FutureExt;

/// A customer account of the tenant.
pub struct Client(pub client::Model);

impl From<client::Model> for Client {
    fn from(model: client::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Client {
    /// The client account's global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Client, self.0.id)
    }

    /// The client account's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Where the provider reaches this client. Staff only.
    async fn contact_email(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        Ok(self.0.contact_email.as_deref())
    }

    /// The client's IANA time zone, which its documents and emails are written in; null
    /// means the tenant's.
    async fn time_zone(&self) -> Option<&str> {
        self.0.time_zone.as_deref()
    }

    /// The incidents that affected this client, newest first. Staff and reporters only.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn impacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<ClientImpactConnection> {
        let scope = scope(ctx);
        let list = ListRef::new(
            scope.principal().tenant_id(),
            format!("clientImpacts:{}", self.0.id),
        );
        let page = scope
            .impacts_of_client(self.0.id, &list.page_request(first, after, last, before)?)
            .await?;
        let (counter, client_id) = (scope.clone(), self.0.id);
        let total = TotalCount::new(move || {
            let scope = counter.clone();
            async move { scope.impacts_of_client_count(client_id).await }.boxed()
        });
        Ok(ClientImpactConnection::new(&list, page, total))
    }

    /// When the record was created.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When the record was last changed.
    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }
}

connection!(ClientConnection, ClientEdge, Client, client::Model);

/// A new client account.
#[derive(InputObject)]
pub struct ClientCreateInput {
    /// Unique within the tenant; at most 200 characters.
    pub name: String,
    /// Where the provider reaches this client; a valid email address.
    pub contact_email: Option<String>,
    /// An IANA time zone name such as `America/New_York`; documents for this client are
    /// written in it. Omitted: the tenant's.
    pub time_zone: Option<String>,
}

/// Changes to a client account; omitted fields keep their value.
#[derive(InputObject)]
pub struct ClientUpdateInput {
    /// The client account to change.
    pub id: ID,
    /// The new name; unique within the tenant, at most 200 characters.
    pub name: Option<String>,
    /// `null` clears the address.
    pub contact_email: MaybeUndefined<String>,
    /// An IANA time zone name; `null` falls back to the tenant's.
    pub time_zone: MaybeUndefined<String>,
}

/// The result of a client account mutation.
#[derive(SimpleObject)]
pub struct ClientPayload {
    /// The saved client account; null when nothing was saved.
    pub client: Option<Client>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<UserError>,
}

impl From<Checked<client::Model>> for ClientPayload {
    fn from(result: Checked<client::Model>) -> Self {
        match result {
            Ok(model) => Self {
                client: Some(Client(model)),
                user_errors: vec![],
            },
            Err(errors) => Self {
                client: None,
                user_errors: user_errors(errors),
            },
        }
    }
}

/// Query fields for client accounts.
#[derive(Default)]
pub struct ClientQuery;

#[Object]
impl ClientQuery {
    /// The tenant's client accounts, by name.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<ClientConnection> {
        let scope = scope(ctx);
        let list = ListRef::new(scope.principal().tenant_id(), "clients");
        let page = scope
            .clients(&list.page_request(first, after, last, before)?)
            .await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let scope = counter.clone();
            async move { scope.clients_count().await }.boxed()
        });
        Ok(ClientConnection::new(&list, page, total))
    }
}

/// Mutations on client accounts.
#[derive(Default)]
pub struct ClientMutation;

#[Object]
impl ClientMutation {
    /// Adds a client account. ADMIN only.
    async fn client_create(
        &self,
        ctx: &Context<'_>,
        input: ClientCreateInput,
    ) -> AppResult<ClientPayload> {
        let admin = scope(ctx).admin()?;
        answer(async { admin.client_create(input.try_into()?).await }.await)
    }

    /// Changes a client account. ADMIN only.
    async fn client_update(
        &self,
        ctx: &Context<'_>,
        input: ClientUpdateInput,
    ) -> AppResult<ClientPayload> {
        let admin = scope(ctx).admin()?;
        let id = ids::decode(&input.id, NodeType::Client)?;
        answer(async { admin.client_update(id, input.try_into()?).await }.await)
    }
}

impl TryFrom<ClientCreateInput> for NewClient {
    type Error = Vec<FieldError>;

    fn try_from(input: ClientCreateInput) -> Result<Self, Self::Error> {
        let (name, contact_email, time_zone) = (
            directory::name("name", &input.name),
            input
                .contact_email
                .map(|e| directory::email("contactEmail", &e))
                .transpose(),
            input
                .time_zone
                .map(|z| zone::parse("timeZone", &z))
                .transpose(),
        )
            .all()?;
        Ok(NewClient {
            name,
            contact_email,
            time_zone,
        })
    }
}

impl TryFrom<ClientUpdateInput> for ClientChanges {
    type Error = Vec<FieldError>;

    fn try_from(input: ClientUpdateInput) -> Result<Self, Self::Error> {
        let contact_email = match input.contact_email {
            MaybeUndefined::Undefined => Ok(None),
            MaybeUndefined::Null => Ok(Some(None)),
            MaybeUndefined::Value(e) => directory::email("contactEmail", &e).map(|e| Some(Some(e))),
        };
        let time_zone = match input.time_zone {
            MaybeUndefined::Undefined => Ok(None),
            MaybeUndefined::Null => Ok(Some(None)),
            MaybeUndefined::Value(z) => zone::parse("timeZone", &z).map(|z| Some(Some(z))),
        };
        let (name, contact_email, time_zone) = (
            input.name.map(|n| directory::name("name", &n)).transpose(),
            contact_email,
            time_zone,
        )
            .all()?;
        Ok(ClientChanges {
            name,
            contact_email,
            time_zone,
        })
    }
}
