//! The event feed: every committed change and every deadline passed, in commit order.

use super::connection::{ListRef, TotalCount, connection, page_cost};
use super::context::{load, scope};
use super::directory::user::User;
use super::ids::{self, NodeType};
use super::incidents::Incident;
use super::loaders::{IncidentsById, UsersById};
use super::node::{Node, load_typed};
use super::scalars::Timestamp;
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use crate::repo::events::EventFilter;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use entity::event;

/// What an event says happened. Webhooks carry the lower-case dotted wire name
/// (`post_mortem.published`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::EventType")]
pub enum EventType {
    /// An incident was opened (`incident.created`).
    IncidentCreated,
    /// An incident's fields changed (`incident.updated`).
    IncidentUpdated,
    /// An incident reached RESOLVED (`incident.resolved`); written beside INCIDENT_UPDATED.
    IncidentResolved,
    /// An incident whose post-mortem was never published was deleted, with its whole record
    /// (`incident.deleted`). Its subject and incident are null from then on.
    IncidentDeleted,
    /// A timeline entry was added (`timeline_event.created`).
    TimelineEventCreated,
    /// A timeline entry changed (`timeline_event.updated`).
    TimelineEventUpdated,
    /// A timeline entry was deleted (`timeline_event.deleted`).
    TimelineEventDeleted,
    /// A root cause was added, changed or removed (`root_cause.changed`).
    RootCauseChanged,
    /// A client's impact was set or removed (`client_impact.changed`).
    ClientImpactChanged,
    /// A post-mortem's sections changed (`post_mortem.updated`).
    PostMortemUpdated,
    /// The client meeting was scheduled, moved or cleared (`meeting.scheduled`).
    MeetingScheduled,
    /// A post-mortem was published to its clients (`post_mortem.published`).
    PostMortemPublished,
    /// A post-mortem was taken back to DRAFT (`post_mortem.unpublished`).
    PostMortemUnpublished,
    /// The effectiveness review was recorded (`post_mortem.reviewed`).
    PostMortemReviewed,
    /// A prevention measure was added (`measure.created`).
    MeasureCreated,
    /// A prevention measure changed, or publication committed its due date (`measure.updated`).
    MeasureUpdated,
    /// A prevention measure reached DONE (`measure.completed`); written beside MEASURE_UPDATED.
    MeasureCompleted,
    /// A prevention measure was deleted (`measure.deleted`).
    MeasureDeleted,
    /// A client opened a feedback thread (`feedback.submitted`).
    FeedbackSubmitted,
    /// Someone replied in a feedback thread (`feedback.replied`).
    FeedbackReplied,
    /// A feedback thread was closed (`feedback.closed`).
    FeedbackClosed,
    /// A client rated their confidence that the incident will not happen again
    /// (`confidence.rated`); the subject is the post-mortem.
    ConfidenceRated,
    /// A user, client, service or the tenant's settings changed (`directory.changed`).
    DirectoryChanged,
    /// Time-driven: a measure passed its committed due date undone (`measure.overdue`).
    MeasureOverdue,
    /// Time-driven: a published post-mortem's effectiveness review fell due (`review.due`).
    ReviewDue,
    /// Time-driven: a SEV1/SEV2 incident's post-mortem is still unpublished past the
    /// tenant's `postMortemDueDays` (`post_mortem.due`).
    PostMortemDue,
    /// Time-driven: a feedback thread is unanswered past the tenant's SLA (`feedback.overdue`).
    FeedbackOverdue,
}

/// A change to Debrief's record, or a deadline that passed. Thin: ids, type, time and field
/// names, never text; read the subject with your own token for its content.
pub struct Event(pub event::Model);

impl From<event::Model> for Event {
    fn from(model: event::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Event {
    /// The event's global id; webhooks send it as `webhook-id`.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Event, self.0.id)
    }

    /// What happened.
    async fn r#type(&self) -> EventType {
        self.0.event_type.into()
    }

    /// Increasing within the tenant, in commit order.
    async fn position(&self) -> i64 {
        self.0.position
    }

    /// This event's place in the feed: pass it as `after` to `events`, or to the `events`
    /// subscription, to go on after it.
    async fn cursor(&self) -> String {
        events_list(self.0.tenant_id).cursor(&crate::repo::events::key(&self.0))
    }

    /// When the change was committed (or the deadline was noticed).
    async fn occurred_at(&self) -> Timestamp {
        Timestamp(self.0.occurred_at)
    }

    /// Who made the change: staff only; null for time-driven events, operator commands, and
    /// for other readers.
    async fn actor(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.actor_id {
            Some(id) if scope(ctx).principal().can(Capability::ReadInternal) => {
                Ok(load::<UsersById, _>(ctx, id).await?.map(User))
            }
            _ => Ok(None),
        }
    }

    /// The incident the subject belongs to, when there is one and you may see it.
    async fn incident(&self, ctx: &Context<'_>) -> AppResult<Option<Incident>> {
        match self.0.incident_id {
            Some(id) => Ok(load::<IncidentsById, _>(ctx, id).await?.map(Incident)),
            None => Ok(None),
        }
    }

    /// The thing that changed; null once it is deleted, or if you may not see it.
    async fn subject(&self, ctx: &Context<'_>) -> AppResult<Option<Node>> {
        let Some(node_type) = NodeType::from_name(&self.0.subject_type) else {
            return Ok(None);
        };
        match load_typed(scope(ctx), node_type, self.0.subject_id).await {
            Ok(node) => Ok(Some(node)),
            Err(AppError::NotFound(_) | AppError::Forbidden(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// The subject's global id; kept after the subject is deleted.
    async fn subject_id(&self) -> ID {
        match NodeType::from_name(&self.0.subject_type) {
            Some(node_type) => ids::encode(node_type, self.0.subject_id),
            None => ID(self.0.subject_id.to_string()),
        }
    }

    /// The API names of the fields that changed; empty for time-driven events.
    async fn changed_fields(&self) -> Vec<String> {
        serde_json::from_value(self.0.changed_fields.clone()).unwrap_or_default()
    }

    /// For a time-driven event, the deadline that passed.
    async fn deadline(&self) -> Option<Timestamp> {
        self.0.deadline.map(Timestamp)
    }
}

connection!(EventConnection, EventEdge, Event, event::Model);

/// Narrows the event feed.
#[derive(InputObject, Default)]
pub struct EventsFilter {
    /// Only events of these types.
    pub types: Option<Vec<EventType>>,
    /// Only events about this incident.
    pub incident_id: Option<ID>,
    /// Only events that occurred at or after this time.
    pub since: Option<Timestamp>,
}

/// The largest `types` list a filter accepts.
const MAX_TYPES: usize = 64;

impl TryFrom<EventsFilter> for EventFilter {
    type Error = AppError;

    fn try_from(filter: EventsFilter) -> AppResult<Self> {
        if filter.types.as_ref().is_some_and(|t| t.len() > MAX_TYPES) {
            return Err(AppError::bad_input(format!(
                "`types` holds more than {MAX_TYPES} entries"
            )));
        }
        Ok(Self {
            types: filter
                .types
                .map(|types| types.into_iter().map(Into::into).collect()),
            incident_id: filter
                .incident_id
                .map(|id| ids::decode_filter(&id, Some(NodeType::Incident), "incidentId"))
                .transpose()?,
            since: filter.since.map(|since| since.0),
        })
    }
}

/// The feed's cursors, in `tenant_id`.
pub fn events_list(tenant_id: uuid::Uuid) -> ListRef {
    ListRef::new(tenant_id, "events")
}

/// Query fields for the event feed.
#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// The tenant's events, oldest first. Page on with `after` set to the last `endCursor`:
    /// a reader that does so never misses an event, even one whose transaction began before
    /// an event it already read. A cursor older than the events kept answers
    /// RESYNC_REQUIRED. Staff and REPORTER read every event; a CLIENT only
    /// POST_MORTEM_PUBLISHED, POST_MORTEM_REVIEWED, MEASURE_COMPLETED and FEEDBACK_REPLIED
    /// about published post-mortems that concern their client.
    #[graphql(complexity = "page_cost(first, None, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventsFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<EventConnection> {
        let scope = scope(ctx);
        let filter = EventFilter::try_from(filter.unwrap_or_default())?;
        let list = events_list(scope.principal().tenant_id());
        let page = scope
            .events(&filter, &list.page_request(first, after, None, None)?)
            .await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let (scope, filter) = (counter.clone(), filter.clone());
            Box::pin(async move { scope.events_count(&filter).await })
        });
        Ok(EventConnection::new(&list, page, total))
    }
}
