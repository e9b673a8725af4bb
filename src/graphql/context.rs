//! Per-request data: the caller's scope and the DataLoaders built for this request alone,
//! so nothing cached ever crosses users or tenants.

use crate::error::AppError;
use crate::repo::Scope;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Request};
use entity::service;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Attaches the caller's scope and fresh loaders to a request before it is executed.
pub fn attach(request: Request, scope: Scope) -> Request {
    request
        .data(DataLoader::new(
            IncidentServices(scope.clone()),
            tokio::spawn,
        ))
        .data(scope)
}

/// The caller's scope. Every request carries one: the HTTP layer attaches it before execution.
pub fn scope<'a>(ctx: &Context<'a>) -> &'a Scope {
    ctx.data_unchecked::<Scope>()
}

/// Batches `Incident.services` for every incident in a response into one look-up.
pub struct IncidentServices(Scope);

impl Loader<Uuid> for IncidentServices {
    type Value = Vec<service::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.0.services_of_incidents(keys).await.map_err(Arc::new)
    }
}
