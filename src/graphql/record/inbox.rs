//! The staff inbox: clients' open questions across every incident, in one cheap query.

use crate::error::AppResult;
use crate::graphql::connection::{ListRef, TotalCount, page_cost};
use crate::graphql::context::scope;
use crate::graphql::enums::FeedbackStatus;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::record::feedback::FeedbackConnection;
use crate::repo::feedback_inbox::InboxFilter;
use async_graphql::{Context, ID, InputObject, Object};
use futures_util::FutureExt;

/// Narrows the staff inbox; all given conditions must hold.
#[derive(InputObject, Default)]
#[graphql(name = "FeedbackFilter")]
pub struct FeedbackFilterInput {
    /// Threads in this status.
    pub status: Option<FeedbackStatus>,
    /// `true`: threads still waiting for a first staff answer past the tenant's
    /// `feedbackAnswerSlaHours`; `false`: every other thread.
    pub overdue: Option<bool>,
    /// Threads from this client account.
    pub client_id: Option<ID>,
    /// Threads on this incident.
    pub incident_id: Option<ID>,
}

impl FeedbackFilterInput {
    fn into_filter(self) -> AppResult<InboxFilter> {
        let decode = |id: Option<ID>, kind, argument| {
            id.map(|id| ids::decode_filter(&id, Some(kind), argument))
                .transpose()
        };
        Ok(InboxFilter {
            status: self.status.map(Into::into),
            overdue: self.overdue,
            client_id: decode(self.client_id, NodeType::Client, "clientId")?,
            incident_id: decode(self.incident_id, NodeType::Incident, "incidentId")?,
        })
    }
}

/// The inbox query.
#[derive(Default)]
pub struct InboxQuery;

#[Object]
impl InboxQuery {
    /// Clients' questions, concerns and suggestions across every incident, oldest first: the
    /// staff inbox. ADMIN, EDITOR and VIEWER.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn feedback(
        &self,
        ctx: &Context<'_>,
        filter: Option<FeedbackFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<FeedbackConnection> {
        let scope = scope(ctx);
        let filter = filter
            .map(FeedbackFilterInput::into_filter)
            .transpose()?
            .unwrap_or_default();
        let list = ListRef::new(scope.principal().tenant_id(), "feedback-inbox");
        let request = list.page_request(first, after, last, before)?;
        let page = scope.feedback_inbox(&filter, &request).await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let (scope, filter) = (counter.clone(), filter.clone());
            async move { scope.feedback_inbox_count(&filter).await }.boxed()
        });
        Ok(FeedbackConnection::new(&list, page, total))
    }
}
