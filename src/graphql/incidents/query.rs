//! Reading incidents: by id, by reference, and as a filtered, sorted connection.

use super::inputs::{IncidentFilterInput, IncidentOrder};
use super::object::{Incident, IncidentConnection};
use crate::domain::incident;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::{ListRef, TotalCount, page_cost};
use crate::graphql::context::scope;
use crate::graphql::ids::{self, NodeType};
use async_graphql::{Context, ID, Object};
use futures_util::FutureExt;

#[derive(Default)]
pub struct IncidentQuery;

#[Object]
impl IncidentQuery {
    /// One incident by id.
    async fn incident(&self, ctx: &Context<'_>, id: ID) -> AppResult<Incident> {
        let id = ids::decode(&id, NodeType::Incident)?;
        Ok(Incident(scope(ctx).incident(id).await?))
    }

    /// One incident by its reference, e.g. `INC-42`.
    async fn incident_by_reference(
        &self,
        ctx: &Context<'_>,
        reference: String,
    ) -> AppResult<Incident> {
        let number =
            incident::parse_reference(&reference).ok_or(AppError::not_found("incident"))?;
        Ok(Incident(scope(ctx).incident_by_number(number).await?))
    }

    /// Incidents the caller may see, filtered and sorted (newest number first by default).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)] // the Relay arguments plus filter and order
    async fn incidents(
        &self,
        ctx: &Context<'_>,
        filter: Option<IncidentFilterInput>,
        order_by: Option<IncidentOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<IncidentConnection> {
        let scope = scope(ctx);
        let filter = filter
            .map(|f| f.into_filter())
            .transpose()?
            .unwrap_or_default();
        let order = order_by.unwrap_or_default();
        let list = ListRef::new(scope.principal().tenant_id(), order.list_name());
        let request = list.page_request(first, after, last, before)?;
        let page = scope
            .incidents(
                &filter,
                order.field.into(),
                order.direction.into(),
                &request,
            )
            .await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let (scope, filter) = (counter.clone(), filter.clone());
            async move { scope.incidents_count(&filter).await }.boxed()
        });
        Ok(IncidentConnection::new(&list, page, total))
    }
}
