//! Services: the systems incidents affect.

use crate::domain::directory;
use crate::error::AppResult;
use crate::graphql::connection::{ListRef, TotalCount, connection, page_cost};
use crate::graphql::context::scope;
use crate::graphql::errors::{UserError, user_errors};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::Checked;
use crate::graphql::payload::answer;
use crate::graphql::scalars::Timestamp;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::service;
use futures_util::FutureExt;

/// A system or component that incidents can affect.
pub struct Service(pub service::Model);

impl From<service::Model> for Service {
    fn from(model: service::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Service {
    /// The service's global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Service, self.0.id)
    }

    /// The service's name.
    async fn name(&self) -> &str {
        &self.0.name
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

connection!(ServiceConnection, ServiceEdge, Service, service::Model);

/// A new service.
#[derive(InputObject)]
pub struct ServiceCreateInput {
    /// Unique within the tenant; at most 200 characters.
    pub name: String,
}

/// A new name for a service.
#[derive(InputObject)]
pub struct ServiceUpdateInput {
    /// The service to rename.
    pub id: ID,
    /// The new name; unique within the tenant, at most 200 characters.
    pub name: String,
}

/// The result of a service mutation.
#[derive(SimpleObject)]
pub struct ServicePayload {
    /// The saved service; null when nothing was saved.
    pub service: Option<Service>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<UserError>,
}

impl From<Checked<service::Model>> for ServicePayload {
    fn from(result: Checked<service::Model>) -> Self {
        match result {
            Ok(model) => Self {
                service: Some(Service(model)),
                user_errors: vec![],
            },
            Err(errors) => Self {
                service: None,
                user_errors: user_errors(errors),
            },
        }
    }
}

/// Query fields for services.
#[derive(Default)]
pub struct ServiceQuery;

#[Object]
impl ServiceQuery {
    /// The tenant's services, by name.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn services(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<ServiceConnection> {
        let scope = scope(ctx);
        let list = ListRef::new(scope.principal().tenant_id(), "services");
        let page = scope
            .services(&list.page_request(first, after, last, before)?)
            .await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let scope = counter.clone();
            async move { scope.services_count().await }.boxed()
        });
        Ok(ServiceConnection::new(&list, page, total))
    }
}

/// Mutations on services.
#[derive(Default)]
pub struct ServiceMutation;

#[Object]
impl ServiceMutation {
    /// Adds a service. ADMIN only.
    async fn service_create(
        &self,
        ctx: &Context<'_>,
        input: ServiceCreateInput,
    ) -> AppResult<ServicePayload> {
        let admin = scope(ctx).admin()?;
        match directory::name("name", &input.name) {
            Ok(name) => answer(admin.service_create(name).await),
            Err(error) => Ok(Err(vec![error]).into()),
        }
    }

    /// Renames a service. ADMIN only.
    async fn service_update(
        &self,
        ctx: &Context<'_>,
        input: ServiceUpdateInput,
    ) -> AppResult<ServicePayload> {
        let admin = scope(ctx).admin()?;
        let id = ids::decode(&input.id, NodeType::Service)?;
        match directory::name("name", &input.name) {
            Ok(name) => answer(admin.service_update(id, name).await),
            Err(error) => Ok(Err(vec![error]).into()),
        }
    }
}
