//! Timeline entries: the object, the incident's connection of them, and their mutations.

use crate::domain::policy::Capability;
use crate::domain::{FieldError, time, timeline};
use crate::error::AppResult;
use crate::graphql::connection::connection;
use crate::graphql::context::{load, scope};
use crate::graphql::directory::user::User;
use crate::graphql::enums::{TimelineEventKind, Visibility};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::UsersById;
use crate::graphql::payload::answer;
use crate::graphql::payload::{deletion_payload, payload};
use crate::graphql::scalars::Timestamp;
use crate::repo::timeline::{NewTimelineEvent, TimelineEventChanges};
use async_graphql::{Context, ID, InputObject, Object};
use entity::timeline_event;

/// One entry of an incident's timeline.
pub struct TimelineEvent(pub timeline_event::Model);

impl From<timeline_event::Model> for TimelineEvent {
    fn from(model: timeline_event::Model) -> Self {
        Self(model)
    }
}

/// One entry of an incident's timeline.
#[Object]
impl TimelineEvent {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::TimelineEvent, self.0.id)
    }

    /// When it happened.
    async fn occurred_at(&self) -> Timestamp {
        Timestamp(self.0.occurred_at)
    }

    /// What the entry records.
    async fn kind(&self) -> TimelineEventKind {
        self.0.kind.into()
    }

    /// What happened, in Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// Who may read the entry.
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }

    /// Who wrote the entry; null for operator commands. Staff only.
    async fn author(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        let Some(author) = self.0.author_id else {
            return Ok(None);
        };
        Ok(load::<UsersById, _>(ctx, author).await?.map(User))
    }

    /// When the entry was written.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When the entry last changed.
    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }
}

connection!(
    TimelineEventConnection,
    TimelineEventEdge,
    TimelineEvent,
    timeline_event::Model
);

/// A new timeline entry.
#[derive(InputObject)]
pub struct TimelineEventCreateInput {
    /// The incident the entry belongs to.
    pub incident_id: ID,
    /// When it happened: not before the incident started, at most a day ahead.
    pub occurred_at: Timestamp,
    pub kind: TimelineEventKind,
    /// What happened, in Markdown; at most 10,000 characters.
    pub body: String,
    /// Who may read it; INTERNAL unless given.
    #[graphql(default_with = "Visibility::Internal")]
    pub visibility: Visibility,
}

/// Changes to a timeline entry; omitted fields keep their value.
#[derive(InputObject)]
pub struct TimelineEventUpdateInput {
    pub id: ID,
    pub occurred_at: Option<Timestamp>,
    pub kind: Option<TimelineEventKind>,
    pub body: Option<String>,
    pub visibility: Option<Visibility>,
}

/// The timeline entry to delete.
#[derive(InputObject)]
pub struct TimelineEventDeleteInput {
    pub id: ID,
}

payload!(
    /// The result of `timelineEventCreate` and `timelineEventUpdate`.
    TimelineEventPayload, timeline_event: TimelineEvent, timeline_event::Model
);
deletion_payload!(
    /// The result of `timelineEventDelete`.
    TimelineEventDeletePayload, deleted_timeline_event_id, TimelineEvent
);

/// Timeline mutations. ADMIN or EDITOR.
#[derive(Default)]
pub struct TimelineMutation;

#[Object]
impl TimelineMutation {
    /// Adds an entry to an incident's timeline. ADMIN or EDITOR.
    async fn timeline_event_create(
        &self,
        ctx: &Context<'_>,
        input: TimelineEventCreateInput,
    ) -> AppResult<TimelineEventPayload> {
        let writer = scope(ctx).writer()?;
        let incident_id = ids::decode(&input.incident_id, NodeType::Incident)?;
        let body = match timeline::body(&input.body) {
            Ok(body) => body,
            Err(error) => return Ok(Err(vec![error]).into()),
        };
        let new = NewTimelineEvent {
            incident_id,
            occurred_at: time::to_storage_precision(input.occurred_at.0),
            kind: input.kind.into(),
            body,
            visibility: input.visibility.into(),
        };
        answer(writer.timeline_event_create(new).await)
    }

    /// Changes a timeline entry. ADMIN or EDITOR.
    async fn timeline_event_update(
        &self,
        ctx: &Context<'_>,
        input: TimelineEventUpdateInput,
    ) -> AppResult<TimelineEventPayload> {
        let writer = scope(ctx).writer()?;
        let id = ids::decode(&input.id, NodeType::TimelineEvent)?;
        answer(async { writer.timeline_event_update(id, input.try_into()?).await }.await)
    }

    /// Deletes a timeline entry. ADMIN or EDITOR.
    async fn timeline_event_delete(
        &self,
        ctx: &Context<'_>,
        input: TimelineEventDeleteInput,
    ) -> AppResult<TimelineEventDeletePayload> {
        let writer = scope(ctx).writer()?;
        let id = ids::decode(&input.id, NodeType::TimelineEvent)?;
        answer(writer.timeline_event_delete(id).await)
    }
}

impl TryFrom<TimelineEventUpdateInput> for TimelineEventChanges {
    type Error = FieldError;

    fn try_from(input: TimelineEventUpdateInput) -> Result<Self, FieldError> {
        Ok(TimelineEventChanges {
            occurred_at: input.occurred_at.map(|at| time::to_storage_precision(at.0)),
            kind: input.kind.map(Into::into),
            body: input.body.map(|b| timeline::body(&b)).transpose()?,
            visibility: input.visibility.map(Into::into),
        })
    }
}
