//! The Relay `Node` interface, `node(id)` and `nodes(ids)`.

use super::api_tokens::ApiToken;
use super::audit::AuditEntry;
use super::context::scope;
use super::directory::{client::Client, service::Service, tenant::Tenant, user::User};
use super::events::Event;
use super::ids::{self, NodeType};
use super::incidents::Incident;
use super::record::feedback::Feedback;
use super::record::impact::ClientImpact;
use super::record::measure::PreventionMeasure;
use super::record::post_mortem::PostMortem;
use super::record::root_cause::RootCause;
use super::record::share_link::ShareLink;
use super::record::timeline::TimelineEvent;
use super::webhooks::{WebhookDelivery, WebhookEndpoint};
use crate::error::{AppError, AppResult};
use crate::repo::Scope;
use async_graphql::{Context, ID, Interface, Object, PathSegment};
use uuid::Uuid;

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Tenant(Tenant),
    TimelineEvent(TimelineEvent),
    RootCause(RootCause),
    ClientImpact(ClientImpact),
    PostMortem(PostMortem),
    PreventionMeasure(PreventionMeasure),
    Feedback(Feedback),
    Incident(Incident),
    User(User),
    Client(Client),
    Service(Service),
    AuditEntry(AuditEntry),
    Event(Event),
    WebhookEndpoint(WebhookEndpoint),
    WebhookDelivery(WebhookDelivery),
    ShareLink(ShareLink),
    ApiToken(ApiToken),
}

/// The most ids `nodes` accepts at once.
pub const MAX_NODES: usize = 100;

async fn load(scope: &Scope, id: &ID) -> AppResult<Node> {
    let (node_type, uuid) = ids::decode_any(id)?;
    load_typed(scope, node_type, uuid).await
}

/// The object of `node_type` with `uuid`, if the caller may see it.
pub(super) async fn load_typed(scope: &Scope, node_type: NodeType, uuid: Uuid) -> AppResult<Node> {
    Ok(match node_type {
        NodeType::Tenant => Node::Tenant(Tenant(scope.own_tenant(uuid).await?)),
        NodeType::Incident => Node::Incident(Incident(scope.incident(uuid).await?)),
        NodeType::TimelineEvent => {
            Node::TimelineEvent(TimelineEvent(scope.timeline_event(uuid).await?))
        }
        NodeType::RootCause => Node::RootCause(RootCause(scope.root_cause(uuid).await?)),
        NodeType::ClientImpact => Node::ClientImpact(ClientImpact(scope.impact(uuid).await?)),
        NodeType::PostMortem => Node::PostMortem(PostMortem(scope.post_mortem(uuid).await?)),
        NodeType::PreventionMeasure => {
            Node::PreventionMeasure(PreventionMeasure(scope.measure(uuid).await?))
        }
        NodeType::Feedback => Node::Feedback(Feedback(scope.feedback(uuid).await?)),
        NodeType::User => Node::User(User(scope.user(uuid).await?)),
        NodeType::Client => Node::Client(Client(scope.client(uuid).await?)),
        NodeType::Service => Node::Service(Service(scope.service(uuid).await?)),
        NodeType::AuditEntry => Node::AuditEntry(AuditEntry(scope.audit_entry(uuid).await?)),
        NodeType::Event => Node::Event(Event(scope.event(uuid).await?)),
        NodeType::WebhookEndpoint => {
            Node::WebhookEndpoint(WebhookEndpoint(scope.webhook_endpoint(uuid).await?))
        }
        NodeType::WebhookDelivery => {
            Node::WebhookDelivery(WebhookDelivery(scope.webhook_delivery(uuid).await?))
        }
        NodeType::ShareLink => Node::ShareLink(ShareLink(scope.share_link(uuid).await?)),
        NodeType::ApiToken => Node::ApiToken(ApiToken(scope.api_token(uuid).await?)),
    })
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id. Ids the caller may not see answer NOT_FOUND.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> AppResult<Node> {
        load(scope(ctx), &id).await
    }

    /// Up to 100 objects by global id, in order. Each id the caller may not see is null,
    /// with a NOT_FOUND error whose path ends in its position (`["nodes", 2]`).
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> AppResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(AppError::bad_input(format!(
                "`ids` holds {} ids; the limit is {MAX_NODES}",
                ids.len()
            )));
        }
        let scope = scope(ctx);
        let mut nodes = Vec::with_capacity(ids.len());
        for (index, id) in ids.iter().enumerate() {
            match load(scope, id).await {
                Ok(node) => nodes.push(Some(node)),
                Err(error) => {
                    let mut error = ctx.set_error_path(
                        async_graphql::Error::from(error).into_server_error(ctx.item.pos),
                    );
                    error.path.push(PathSegment::Index(index));
                    ctx.add_error(error);
                    nodes.push(None);
                }
            }
        }
        Ok(nodes)
    }
}
