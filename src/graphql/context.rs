//! Per-request data: the caller's scope and the DataLoaders built for this request alone,
//! so nothing cached ever crosses users or tenants.

use super::loaders::{self, RecordParts};
use crate::error::{AppError, AppResult};
use crate::repo::Scope;
use crate::repo::batch::{List, Part, Rows};
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Request};
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

/// Attaches the caller's scope and fresh loaders to a request before it is executed. Each
/// loader gathers the keys asked for within `batch_window` into one statement.
pub fn attach(request: Request, scope: Scope, batch_window: Duration) -> Request {
    loaders::attach(request, &scope, batch_window).data(scope)
}

/// The caller's scope. Every request carries one: the HTTP layer attaches it before execution.
pub fn scope<'a>(ctx: &Context<'a>) -> &'a Scope {
    ctx.data_unchecked::<Scope>()
}

/// Loads one value through this request's loader of type `L`.
pub async fn load<L, K>(ctx: &Context<'_>, key: K) -> AppResult<Option<L::Value>>
where
    L: Loader<K, Error = Arc<AppError>>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    ctx.data_unchecked::<DataLoader<L>>()
        .load_one(key)
        .await
        .map_err(AppError::from)
}

/// `list` of `parent`, batched with every other list asked for at the same level.
pub async fn load_list(ctx: &Context<'_>, list: List, parent: uuid::Uuid) -> AppResult<Rows> {
    Ok(load::<RecordParts, _>(ctx, Part { list, parent })
        .await?
        .unwrap_or_else(|| list.empty()))
}
