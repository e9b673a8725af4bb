//! Webhooks: the endpoints a tenant's ADMIN registers, and what each was sent. ADMIN only:
//! other roles get FORBIDDEN on the lists and NOT_FOUND on single objects.

pub mod mutations;

use super::connection::{ListRef, TotalCount, connection, page_cost};
use super::context::{load, scope};
use super::events::{Event, EventType};
use super::ids::{self, NodeType};
use super::loaders::{AttemptsOfDelivery, EventsById};
use super::scalars::Timestamp;
use crate::error::AppResult;
use crate::repo::webhooks::deliveries::DeliveryFilter;
use crate::repo::webhooks::endpoints::event_types_of;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{webhook_attempt, webhook_delivery, webhook_endpoint};
use futures_util::FutureExt;

/// A URL that receives the tenant's events, signed per the Standard Webhooks specification.
pub struct WebhookEndpoint(pub webhook_endpoint::Model);

impl From<webhook_endpoint::Model> for WebhookEndpoint {
    fn from(model: webhook_endpoint::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl WebhookEndpoint {
    /// The endpoint's global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookEndpoint, self.0.id)
    }

    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// What the endpoint is for, in the ADMIN's words.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The event types sent; empty means all of them.
    async fn event_types(&self) -> Vec<EventType> {
        event_types_of(&self.0)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// Whether events are being sent.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }

    /// When the endpoint was disabled, by an ADMIN or by Debrief.
    async fn disabled_at(&self) -> Option<Timestamp> {
        self.0.disabled_at.map(Timestamp)
    }

    /// Why it was disabled: by an ADMIN, a 410 Gone, or five days of failures.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    /// When the current run of failed attempts began; null while deliveries succeed. Five
    /// days of failure disables the endpoint.
    async fn failing_since(&self) -> Option<Timestamp> {
        self.0.failing_since.map(Timestamp)
    }

    /// Until when the secret replaced by the last rotation still signs beside the new one.
    async fn previous_secret_expires_at(&self) -> Option<Timestamp> {
        self.0.previous_secret_expires_at.map(Timestamp)
    }

    /// When the endpoint was registered.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When it was last changed.
    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }

    /// What the endpoint was sent, newest first.
    #[graphql(complexity = "page_cost(first, None, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        filter: Option<WebhookDeliveriesFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<WebhookDeliveryConnection> {
        let scope = scope(ctx);
        let filter = DeliveryFilter {
            status: filter.and_then(|f| f.status).map(Into::into),
        };
        let endpoint_id = self.0.id;
        let list = ListRef::new(endpoint_id, "webhookDeliveries");
        let page = scope
            .webhook_deliveries(
                endpoint_id,
                &filter,
                &list.page_request(first, after, None, None)?,
            )
            .await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let (scope, filter) = (counter.clone(), filter.clone());
            async move { scope.webhook_deliveries_count(endpoint_id, &filter).await }.boxed()
        });
        Ok(WebhookDeliveryConnection::new(&list, page, total))
    }
}

connection!(
    WebhookEndpointConnection,
    WebhookEndpointEdge,
    WebhookEndpoint,
    webhook_endpoint::Model
);

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::DeliveryStatus")]
pub enum WebhookDeliveryStatus {
    /// Not attempted yet, or queued again.
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// The last attempt failed; `nextAttemptAt` says when the next one is due.
    Failed,
    /// No attempt is scheduled: the retry schedule ran out, the endpoint answered 410 Gone
    /// (and was disabled), or the body was over the size limit.
    GaveUp,
}

/// Narrows an endpoint's deliveries.
#[derive(InputObject, Default)]
pub struct WebhookDeliveriesFilter {
    /// Only deliveries in this state.
    pub status: Option<WebhookDeliveryStatus>,
}

/// One message owed to an endpoint: an event, or a test message.
pub struct WebhookDelivery(pub webhook_delivery::Model);

impl From<webhook_delivery::Model> for WebhookDelivery {
    fn from(model: webhook_delivery::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl WebhookDelivery {
    /// The delivery's global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookDelivery, self.0.id)
    }

    /// The event delivered; null for a test message, or once the event is past retention.
    async fn event(&self, ctx: &Context<'_>) -> AppResult<Option<Event>> {
        match self.0.event_id {
            Some(id) => Ok(load::<EventsById, _>(ctx, id).await?.map(Event)),
            None => Ok(None),
        }
    }

    /// The body's `type`: an event's wire name such as `post_mortem.published`, or
    /// `webhook.test`.
    async fn r#type(&self) -> &str {
        &self.0.message_type
    }

    /// The `webhook-id` header, the same on every attempt: receivers drop repeats by it.
    async fn webhook_id(&self) -> &str {
        &self.0.message_id
    }

    /// Where the delivery stands.
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }

    /// Every attempt, oldest first.
    async fn attempts(&self, ctx: &Context<'_>) -> AppResult<Vec<WebhookAttempt>> {
        let attempts = load::<AttemptsOfDelivery, _>(ctx, self.0.id).await?;
        Ok(attempts
            .unwrap_or_default()
            .into_iter()
            .map(WebhookAttempt::from)
            .collect())
    }

    /// When the next attempt is due; null when none is scheduled.
    async fn next_attempt_at(&self) -> Option<Timestamp> {
        self.0.next_attempt_at.map(Timestamp)
    }

    /// When the delivery was made.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

connection!(
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDelivery,
    webhook_delivery::Model
);

/// One attempt to deliver a message.
#[derive(SimpleObject)]
pub struct WebhookAttempt {
    /// When the request was made.
    pub at: Timestamp,
    /// The answer's HTTP status; null when no answer came.
    pub status_code: Option<i32>,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: i32,
    /// The first KiB of the answer's body.
    pub response_excerpt: Option<String>,
    /// Why the attempt failed without an answer (refused, timed out, an address that is not
    /// allowed), or that a redirect was not followed.
    pub error: Option<String>,
}

impl From<webhook_attempt::Model> for WebhookAttempt {
    fn from(model: webhook_attempt::Model) -> Self {
        Self {
            at: Timestamp(model.attempted_at),
            status_code: model.status_code,
            duration_ms: model.duration_ms,
            response_excerpt: model.response_excerpt,
            error: model.error,
        }
    }
}

/// Query fields for webhooks.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The tenant's webhook endpoints, oldest first. ADMIN only.
    #[graphql(complexity = "page_cost(first, None, child_complexity)")]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<WebhookEndpointConnection> {
        let scope = scope(ctx);
        let list = ListRef::new(scope.principal().tenant_id(), "webhookEndpoints");
        let page = scope
            .webhook_endpoints(&list.page_request(first, after, None, None)?)
            .await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let scope = counter.clone();
            async move { scope.webhook_endpoints_count().await }.boxed()
        });
        Ok(WebhookEndpointConnection::new(&list, page, total))
    }
}
