//! Reading the event feed, with each role's visibility, and purging what retention lets go.

use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::Scope;
use crate::domain::event::CLIENT_READABLE;
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{EventType, Role, event, event_sequence, feedback, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select,
};
use std::collections::HashMap;
use std::sync::LazyLock;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

/// The PostgreSQL channel every transaction with events notifies at COMMIT, with the
/// payload `<tenant id>:<last position>`, so the live readers of every server wake up. A
/// transaction with a DIRECTORY_CHANGED event adds `:`[`DIRECTORY_CHANGED_MARK`], so every
/// server forgets the tenant's users it keeps without reading the events first.
pub const EVENTS_CHANNEL: &str = "debrief_events";

/// The last part of an [`EVENTS_CHANNEL`] payload whose transaction changed the directory.
pub const DIRECTORY_CHANGED_MARK: &str = "directory";

/// Bumped whenever this process commits events, so its workers need not poll for them.
static COMMITTED: LazyLock<watch::Sender<u64>> = LazyLock::new(|| watch::Sender::new(0));

/// The tenant of each transaction this process commits with events, for live subscribers.
static COMMITTED_TENANTS: LazyLock<broadcast::Sender<Uuid>> =
    LazyLock::new(|| broadcast::Sender::new(1024));

/// A receiver that changes whenever this process commits events.
pub fn commits() -> watch::Receiver<u64> {
    COMMITTED.subscribe()
}

/// The tenant of each transaction with events this process commits from now on. A receiver
/// that lags behind is told so ([`broadcast::error::RecvError::Lagged`]) and should look at
/// every tenant it follows.
pub fn committed_tenants() -> broadcast::Receiver<Uuid> {
    COMMITTED_TENANTS.subscribe()
}

/// Tells this process's workers and live subscribers that `tenant_id` committed events.
pub(super) fn announce_commit(tenant_id: Uuid) {
    COMMITTED.send_modify(|count| *count = count.wrapping_add(1));
    // No receiver is no error: nobody is subscribed in this process.
    let _ = COMMITTED_TENANTS.send(tenant_id);
}

/// Narrows the feed.
#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    /// Only events of these types; `None` for all.
    pub types: Option<Vec<EventType>>,
    /// Only events about this incident.
    pub incident_id: Option<Uuid>,
    /// Only events that occurred at or after this time.
    pub since: Option<DateTime<Utc>>,
}

impl EventFilter {
    /// Whether `event` passes the filter (visibility aside).
    pub fn matches(&self, event: &event::Model) -> bool {
        self.types
            .as_ref()
            .is_none_or(|types| types.contains(&event.event_type))
            && self
                .incident_id
                .is_none_or(|id| event.incident_id == Some(id))
            && self.since.is_none_or(|since| event.occurred_at >= since)
    }
}

/// Feed order: by position, which follows commit order.
fn by_position() -> Ordering<event::Entity> {
    Ordering {
        column: event::Column::Position,
        kind: KeyKind::Int,
        id: event::Column::Id,
        direction: Direction::Asc,
        key,
    }
}

/// The cursor key of an event: its position.
pub fn key(event: &event::Model) -> Key {
    Key {
        value: KeyValue::Int(event.position),
        id: event.id,
    }
}

impl Scope {
    /// The feed, oldest first, as this caller may read it. A cursor older than what
    /// retention kept answers RESYNC_REQUIRED rather than skip what was purged.
    pub async fn events(
        &self,
        filter: &EventFilter,
        request: &PageRequest,
    ) -> AppResult<Page<event::Model>> {
        if let Some(after) = &request.after {
            self.require_retained(after).await?;
        }
        page::fetch(
            self.db(),
            self.readable_events(filter)?,
            &by_position(),
            request,
        )
        .await
    }

    /// How many events of the feed this caller may read.
    pub async fn events_count(&self, filter: &EventFilter) -> AppResult<u64> {
        Ok(self.readable_events(filter)?.count(self.db()).await?)
    }

    /// One event, if the caller may read it.
    pub async fn event(&self, id: Uuid) -> AppResult<event::Model> {
        self.readable_events(&EventFilter::default())?
            .filter(event::Column::Id.eq(id))
            .one(self.db())
            .await?
            .ok_or(AppError::not_found("event"))
    }

    /// The events with these ids the caller may read, keyed by id; others are absent.
    pub async fn events_by_id(&self, ids: &[Uuid]) -> AppResult<HashMap<Uuid, event::Model>> {
        let rows = self
            .readable_events(&EventFilter::default())?
            .filter(event::Column::Id.is_in(ids.iter().copied()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }

    /// Up to `limit` events after `position` that the caller may read and `filter` lets
    /// through, oldest first: what a live subscriber reads to catch up.
    pub async fn events_after(
        &self,
        filter: &EventFilter,
        position: i64,
        limit: u64,
    ) -> AppResult<Vec<event::Model>> {
        Ok(self
            .readable_events(filter)?
            .filter(event::Column::Position.gt(position))
            .order_by_asc(event::Column::Position)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// The position of the tenant's latest event; 0 before its first. Where a live
    /// subscriber without a cursor starts.
    pub async fn last_position(&self) -> AppResult<i64> {
        self.last_position_in(self.db()).await
    }

    /// [`Self::last_position`] as `db` sees it (a new webhook endpoint starts there).
    pub(super) async fn last_position_in<C: ConnectionTrait>(&self, db: &C) -> AppResult<i64> {
        Ok(self.event_counter(db).await?.map_or(0, |c| c.last_position))
    }

    /// Those of `events` that `filter` lets through and the caller may read, in their order:
    /// what a live subscriber keeps of what its tenant's reader found. Staff and reporters
    /// read every event, so only a CLIENT's candidates cost a query.
    pub async fn readable_among(
        &self,
        filter: &EventFilter,
        events: &[event::Model],
    ) -> AppResult<Vec<event::Model>> {
        let catalog = self.principal().can(Capability::ReadCatalog);
        let candidates: Vec<&event::Model> = events
            .iter()
            .filter(|e| filter.matches(e))
            .filter(|e| catalog || CLIENT_READABLE.contains(&e.event_type))
            .collect();
        if catalog || candidates.is_empty() {
            return Ok(candidates.into_iter().cloned().collect());
        }
        let ids: Vec<Uuid> = candidates.iter().map(|e| e.id).collect();
        let readable = self.events_by_id(&ids).await?;
        Ok(candidates
            .into_iter()
            .filter(|e| readable.contains_key(&e.id))
            .cloned()
            .collect())
    }

    /// Fails with RESYNC_REQUIRED when events after `position` were purged.
    pub async fn require_retained_position(&self, position: i64) -> AppResult<()> {
        if position < self.purged_through(self.db()).await? {
            return Err(AppError::ResyncRequired(format!(
                "events after position {position} are no longer kept; reload the state you \
                 follow, then read the feed again from its end"
            )));
        }
        Ok(())
    }

    /// Fails with RESYNC_REQUIRED when events after `after` were purged.
    async fn require_retained(&self, after: &Key) -> AppResult<()> {
        match after.value {
            KeyValue::Int(position) => self.require_retained_position(position).await,
            _ => Ok(()),
        }
    }

    async fn purged_through<C: ConnectionTrait>(&self, db: &C) -> AppResult<i64> {
        Ok(self
            .event_counter(db)
            .await?
            .map_or(0, |c| c.purged_through))
    }

    /// The tenant's event counter; `None` before its first event.
    pub(super) async fn event_counter<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> AppResult<Option<event_sequence::Model>> {
        #[allow(clippy::disallowed_methods)] // keyed by the scope's own tenant id
        let counter = event_sequence::Entity::find_by_id(self.tenant_id())
            .one(db)
            .await?;
        Ok(counter)
    }

    /// The events the caller may read. Staff and reporters read the whole tenant's feed (it
    /// holds no text); a CLIENT user only [`CLIENT_READABLE`] about incidents they can see
    /// (published, and impacting their client), and of replies only staff replies in their
    /// client's own threads.
    fn readable_events(&self, filter: &EventFilter) -> AppResult<Select<event::Entity>> {
        let mut select = self.select::<event::Entity>();
        if let Some(types) = &filter.types {
            select =
                select.filter(event::Column::EventType.is_in(types.iter().map(|t| t.to_value())));
        }
        if let Some(incident_id) = filter.incident_id {
            select = select.filter(event::Column::IncidentId.eq(incident_id));
        }
        if let Some(since) = filter.since {
            select = select.filter(event::Column::OccurredAt.gte(since));
        }
        if self.principal().can(Capability::ReadCatalog) {
            return Ok(select);
        }
        let Some(own_client) = self.principal().client_id() else {
            return Err(AppError::forbidden("your role cannot read events"));
        };
        let visible = self
            .visible_incidents()
            .select_only()
            .column(entity::incident::Column::Id);
        let own_threads = self
            .query::<feedback::Entity>()
            .column(feedback::Column::Id)
            .and_where(feedback::Column::ClientId.eq(own_client))
            .to_owned();
        let client_users = self
            .query::<user::Entity>()
            .column(user::Column::Id)
            .and_where(user::Column::Role.eq(Role::Client.to_value()))
            .to_owned();
        let replied = EventType::FeedbackReplied.to_value();
        Ok(select
            .filter(event::Column::EventType.is_in(CLIENT_READABLE.iter().map(|t| t.to_value())))
            .filter(event::Column::IncidentId.in_subquery(visible.into_query()))
            .filter(
                sea_orm::Condition::any()
                    .add(event::Column::EventType.ne(replied.clone()))
                    .add(
                        sea_orm::Condition::all()
                            .add(event::Column::SubjectId.in_subquery(own_threads))
                            .add(event::Column::ActorId.not_in_subquery(client_users)),
                    ),
            ))
    }
}

impl Scope {
    /// Deletes up to `batch` of this tenant's events older than `cutoff`, oldest first, and
    /// moves the purge mark past them first, so no reader is told of a gap too late.
    /// Returns how many were deleted.
    pub async fn purge_events(&self, cutoff: DateTime<Utc>, batch: u64) -> AppResult<u64> {
        let expired: Vec<i64> = self
            .select::<event::Entity>()
            .select_only()
            .column(event::Column::Position)
            .filter(event::Column::OccurredAt.lt(cutoff))
            .order_by_asc(event::Column::Position)
            .limit(batch)
            .into_tuple()
            .all(self.db())
            .await?;
        let Some(&last) = expired.last() else {
            return Ok(0);
        };
        let txn = self.begin_branch().await?;
        #[allow(clippy::disallowed_methods)] // keyed by the scope's own tenant id
        event_sequence::Entity::update_many()
            .col_expr(event_sequence::Column::PurgedThrough, Expr::value(last))
            .filter(event_sequence::Column::TenantId.eq(self.tenant_id()))
            .filter(event_sequence::Column::PurgedThrough.lt(last))
            .exec(&txn)
            .await?;
        self.delete::<event::Entity>()
            .filter(event::Column::Position.lte(last))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(expired.len() as u64)
    }
}
