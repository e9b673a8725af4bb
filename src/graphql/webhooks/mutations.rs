//! Mutations on webhook endpoints and deliveries. ADMIN only.

use super::{WebhookDelivery, WebhookEndpoint};
use crate::domain::webhook::{self as rules, AddressPolicy};
use crate::domain::{Checks, FieldError, FieldErrorCode, time};
use crate::error::AppResult;
use crate::graphql::context::scope;
use crate::graphql::events::EventType;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::{Checked, answer, deletion_payload, payload};
use crate::repo::WriteError;
use crate::repo::webhooks::endpoints::{EndpointChanges, NewEndpoint};
use crate::webhooks::{address, payload::test_message, signature};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::{webhook_delivery, webhook_endpoint};

/// The longest `eventTypes` list accepted.
const MAX_EVENT_TYPES: usize = 64;

/// A new endpoint.
#[derive(InputObject)]
pub struct WebhookEndpointCreateInput {
    /// Where to POST events: https, a public address, no credentials, at most 2,000
    /// characters.
    pub url: String,
    /// What the endpoint is for; at most 500 characters.
    pub description: Option<String>,
    /// The event types to send; empty or absent for all.
    pub event_types: Option<Vec<EventType>>,
}

/// Changes to an endpoint; absent fields stay as they are.
#[derive(InputObject)]
pub struct WebhookEndpointUpdateInput {
    /// The endpoint to change.
    pub id: ID,
    /// A new URL, under the same rules as at creation.
    pub url: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// The event types to send; empty for all.
    pub event_types: Option<Vec<EventType>>,
    /// False stops deliveries; true resumes them with the events committed from then on.
    pub enabled: Option<bool>,
}

/// The endpoint to remove.
#[derive(InputObject)]
pub struct WebhookEndpointDeleteInput {
    /// The endpoint's global id.
    pub id: ID,
}

/// The endpoint whose secret to replace.
#[derive(InputObject)]
pub struct WebhookEndpointRotateSecretInput {
    /// The endpoint's global id.
    pub id: ID,
}

/// The endpoint to send a test message to.
#[derive(InputObject)]
pub struct WebhookEndpointSendTestInput {
    /// The endpoint's global id.
    pub id: ID,
}

/// The delivery to send again.
#[derive(InputObject)]
pub struct WebhookDeliveryRetryInput {
    /// The delivery's global id.
    pub id: ID,
}

/// The result of `webhookEndpointCreate` and `webhookEndpointRotateSecret`: the endpoint and
/// its new signing secret, shown only here.
#[derive(SimpleObject)]
pub struct WebhookEndpointSecretPayload {
    /// The saved endpoint; null when there are user errors.
    pub webhook_endpoint: Option<WebhookEndpoint>,
    /// The signing secret (`whsec_…`). Store it now: it is never shown again.
    pub secret: Option<String>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<crate::graphql::errors::UserError>,
}

impl From<Checked<webhook_endpoint::Model>> for WebhookEndpointSecretPayload {
    fn from(result: Checked<webhook_endpoint::Model>) -> Self {
        match result {
            Ok(model) => Self {
                secret: Some(model.secret.clone()),
                webhook_endpoint: Some(WebhookEndpoint(model)),
                user_errors: vec![],
            },
            Err(errors) => Self {
                webhook_endpoint: None,
                secret: None,
                user_errors: crate::graphql::errors::user_errors(errors),
            },
        }
    }
}

payload!(
    /// The result of `webhookEndpointUpdate`.
    WebhookEndpointPayload, webhook_endpoint: WebhookEndpoint, webhook_endpoint::Model
);
deletion_payload!(
    /// The result of `webhookEndpointDelete`.
    WebhookEndpointDeletePayload, deleted_webhook_endpoint_id, WebhookEndpoint
);
payload!(
    /// The result of `webhookEndpointSendTest` and `webhookDeliveryRetry`: the delivery
    /// queued.
    WebhookDeliveryPayload, webhook_delivery: WebhookDelivery, webhook_delivery::Model
);

/// Checks a URL as an endpoint's, resolving its name.
async fn endpoint_url(value: &str, policy: AddressPolicy) -> Result<String, FieldError> {
    let url = rules::endpoint_url("url", value, policy)?;
    address::vet("url", &url, policy).await?;
    Ok(url.to_string())
}

fn event_types(types: Vec<EventType>) -> Result<Vec<entity::EventType>, FieldError> {
    if types.len() > MAX_EVENT_TYPES {
        return Err(FieldError::new(
            "eventTypes",
            FieldErrorCode::TooLong,
            format!("eventTypes holds more than {MAX_EVENT_TYPES} entries"),
        ));
    }
    Ok(rules::event_types(
        types.into_iter().map(Into::into).collect(),
    ))
}

fn description(value: Option<&str>) -> Result<Option<String>, FieldError> {
    value
        .map(|text| rules::description("description", text))
        .transpose()
}

async fn new_endpoint(
    input: WebhookEndpointCreateInput,
    policy: AddressPolicy,
) -> Result<NewEndpoint, WriteError> {
    let (url, description, event_types) = (
        endpoint_url(&input.url, policy).await,
        description(input.description.as_deref()),
        event_types(input.event_types.unwrap_or_default()),
    )
        .all()
        .map_err(WriteError::Refused)?;
    Ok(NewEndpoint {
        url,
        description: description.unwrap_or_default(),
        event_types,
        secret: signature::new_secret(),
    })
}

async fn endpoint_changes(
    input: WebhookEndpointUpdateInput,
    policy: AddressPolicy,
) -> Result<EndpointChanges, WriteError> {
    let url = match input.url {
        Some(url) => endpoint_url(&url, policy).await.map(Some),
        None => Ok(None),
    };
    let (url, description, event_types) = (
        url,
        description(input.description.as_deref()),
        input.event_types.map(event_types).transpose(),
    )
        .all()
        .map_err(WriteError::Refused)?;
    Ok(EndpointChanges {
        url,
        description,
        event_types,
        enabled: input.enabled,
    })
}

/// Mutations on webhooks.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint for the tenant's events. The payload holds its signing secret,
    /// shown only this once. ADMIN only.
    async fn webhook_endpoint_create(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointCreateInput,
    ) -> AppResult<WebhookEndpointSecretPayload> {
        let admin = scope(ctx).admin()?;
        let policy = *ctx.data_unchecked::<AddressPolicy>();
        answer(
            async {
                let new = new_endpoint(input, policy).await?;
                admin.webhook_endpoint_create(new).await
            }
            .await,
        )
    }

    /// Changes an endpoint's URL, description, event types, or whether it is enabled.
    /// ADMIN only.
    async fn webhook_endpoint_update(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointUpdateInput,
    ) -> AppResult<WebhookEndpointPayload> {
        let admin = scope(ctx).admin()?;
        let policy = *ctx.data_unchecked::<AddressPolicy>();
        let id = ids::decode(&input.id, NodeType::WebhookEndpoint)?;
        answer(
            async {
                let changes = endpoint_changes(input, policy).await?;
                admin.webhook_endpoint_update(id, changes).await
            }
            .await,
        )
    }

    /// Removes an endpoint and what it was sent. ADMIN only.
    async fn webhook_endpoint_delete(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointDeleteInput,
    ) -> AppResult<WebhookEndpointDeletePayload> {
        let admin = scope(ctx).admin()?;
        let id = ids::decode(&input.id, NodeType::WebhookEndpoint)?;
        answer(admin.webhook_endpoint_delete(id).await)
    }

    /// Gives an endpoint a new signing secret, shown only in this payload. The old secret
    /// keeps signing beside it (a second `v1,` signature) for 24 hours. ADMIN only.
    async fn webhook_endpoint_rotate_secret(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointRotateSecretInput,
    ) -> AppResult<WebhookEndpointSecretPayload> {
        let admin = scope(ctx).admin()?;
        let id = ids::decode(&input.id, NodeType::WebhookEndpoint)?;
        answer(
            admin
                .webhook_endpoint_rotate_secret(id, signature::new_secret())
                .await,
        )
    }

    /// Queues a `webhook.test` message for an endpoint, delivered and retried like any
    /// other. ADMIN only.
    async fn webhook_endpoint_send_test(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointSendTestInput,
    ) -> AppResult<WebhookDeliveryPayload> {
        let admin = scope(ctx).admin()?;
        let id = ids::decode(&input.id, NodeType::WebhookEndpoint)?;
        let message = test_message(id, time::now());
        answer(admin.webhook_endpoint_send_test(id, message).await)
    }

    /// Sends a delivery again, whatever its state, with the same `webhook-id` and body and
    /// a fresh retry schedule. ADMIN only.
    async fn webhook_delivery_retry(
        &self,
        ctx: &Context<'_>,
        input: WebhookDeliveryRetryInput,
    ) -> AppResult<WebhookDeliveryPayload> {
        let admin = scope(ctx).admin()?;
        let id = ids::decode(&input.id, NodeType::WebhookDelivery)?;
        answer(admin.webhook_delivery_retry(id).await)
    }
}
