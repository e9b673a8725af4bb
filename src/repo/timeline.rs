//! Timeline entries: what happened, when, and who may read it.

use super::outcome::{Outcome, refused};
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::{Scope, Writer};
use super::write::Change;
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::{time, timeline};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{TimelineEventKind, Visibility, timeline_event};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// One page of one incident's timeline, as the batch loader asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimelinePageKey {
    pub incident_id: Uuid,
    pub first: u64,
    pub after: Option<Key>,
    /// Only entries of this visibility; `None` for all the caller may read.
    pub visibility: Option<Visibility>,
}

/// A page of entries, and whether more follow.
#[derive(Debug, Clone, Default)]
pub struct TimelinePage {
    pub events: Vec<timeline_event::Model>,
    pub has_next_page: bool,
}

/// A new timeline entry.
pub struct NewTimelineEvent {
    pub incident_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub kind: TimelineEventKind,
    pub body: String,
    pub visibility: Visibility,
}

/// Changes to a timeline entry; `None` keeps the current value.
#[derive(Default)]
pub struct TimelineEventChanges {
    pub occurred_at: Option<DateTime<Utc>>,
    pub kind: Option<TimelineEventKind>,
    pub body: Option<String>,
    pub visibility: Option<Visibility>,
}

/// Timeline order: by time, then by (time-ordered) id.
fn in_time_order() -> Ordering<timeline_event::Entity> {
    Ordering {
        column: timeline_event::Column::OccurredAt,
        kind: KeyKind::Time,
        id: timeline_event::Column::Id,
        direction: Direction::Asc,
        key,
    }
}

/// The cursor key of an entry: its time, then its (time-ordered) id.
pub fn key(event: &timeline_event::Model) -> Key {
    Key {
        value: KeyValue::Time(event.occurred_at),
        id: event.id,
    }
}

impl Scope {
    /// The visibility the caller may read: staff read everything, everyone else only what
    /// clients may see. A requested visibility narrows it further.
    pub(in crate::repo) fn readable_visibility(
        &self,
        requested: Option<Visibility>,
    ) -> Option<Vec<Visibility>> {
        match (self.principal().can(Capability::ReadInternal), requested) {
            (true, None) => None,
            (true, Some(v)) => Some(vec![v]),
            (false, Some(Visibility::Internal)) => Some(vec![]),
            (false, _) => Some(vec![Visibility::Client]),
        }
    }

    /// One entry, if the caller may see it and its incident.
    pub async fn timeline_event(&self, id: Uuid) -> AppResult<timeline_event::Model> {
        let mut select = self
            .select::<timeline_event::Entity>()
            .filter(timeline_event::Column::Id.eq(id));
        if let Some(visible) = self.readable_visibility(None) {
            select = select.filter(
                timeline_event::Column::Visibility.is_in(visible.iter().map(|v| v.to_value())),
            );
        }
        let event = select
            .one(self.db())
            .await?
            .ok_or(AppError::not_found("timeline event"))?;
        self.require_visible_incident(self.db(), event.incident_id, "timeline event")
            .await?;
        Ok(event)
    }

    /// Any page of one incident's timeline, `last`/`before` included; the first pages of
    /// many incidents are batched by [`Self::timeline_pages`] instead.
    pub async fn timeline_of_incident(
        &self,
        incident_id: Uuid,
        visibility: Option<Visibility>,
        request: &PageRequest,
    ) -> AppResult<Page<timeline_event::Model>> {
        self.require_visible_incident(self.db(), incident_id, "incident")
            .await?;
        let mut select = self
            .select::<timeline_event::Entity>()
            .filter(timeline_event::Column::IncidentId.eq(incident_id));
        if let Some(readable) = self.readable_visibility(visibility) {
            select = select.filter(
                timeline_event::Column::Visibility.is_in(readable.iter().map(|v| v.to_value())),
            );
        }
        page::fetch(self.db(), select, &in_time_order(), request).await
    }

    /// Pages of several incidents' timelines, ordered by time then creation. Keys that share
    /// their page arguments are answered together ([`Self::timeline_window`]).
    pub async fn timeline_pages(
        &self,
        keys: &[TimelinePageKey],
    ) -> AppResult<HashMap<TimelinePageKey, TimelinePage>> {
        let mut groups: HashMap<(u64, Option<Key>, Option<Visibility>), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.first, key.after.clone(), key.visibility))
                .or_default()
                .push(key.incident_id);
        }
        let mut pages = HashMap::new();
        for ((first, after, visibility), incident_ids) in groups {
            let mut rows = self
                .timeline_window(&incident_ids, first + 1, after.as_ref(), visibility)
                .await?;
            for incident_id in incident_ids {
                let mut events = rows.remove(&incident_id).unwrap_or_default();
                events.sort_by_key(|e| (e.occurred_at, e.id));
                let has_next_page = events.len() as u64 > first;
                events.truncate(first as usize);
                let key = TimelinePageKey {
                    incident_id,
                    first,
                    after: after.clone(),
                    visibility,
                };
                pages.insert(
                    key,
                    TimelinePage {
                        events,
                        has_next_page,
                    },
                );
            }
        }
        Ok(pages)
    }
}

impl Writer<'_> {
    /// Adds an entry to an incident's timeline.
    pub async fn timeline_event_create(
        &self,
        new: NewTimelineEvent,
    ) -> Outcome<timeline_event::Model> {
        let mut write = self.scope.begin_write().await?;
        let incident = self.scope.incident_in(write.txn(), new.incident_id).await?;
        if let Err(error) = timeline::occurred_at(new.occurred_at, incident.started_at, time::now())
        {
            return refused(vec![error]);
        }
        let now = time::now();
        let saved = self
            .scope
            .insert(timeline_event::ActiveModel {
                tenant_id: Set(self.scope.tenant_id()),
                id: Set(Uuid::now_v7()),
                incident_id: Set(incident.id),
                occurred_at: Set(new.occurred_at),
                kind: Set(new.kind),
                body: Set(new.body),
                visibility: Set(new.visibility),
                author_id: Set(self.scope.principal().user_id()),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(write.txn())
            .await?;
        let changes = timeline::changes(None, &saved);
        write.record(Change {
            action: Action::TimelineEventCreate,
            subject_type: "TimelineEvent",
            subject_id: saved.id,
            incident_id: Some(saved.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(saved)
    }

    /// Changes an entry.
    pub async fn timeline_event_update(
        &self,
        id: Uuid,
        new: TimelineEventChanges,
    ) -> Outcome<timeline_event::Model> {
        let mut write = self.scope.begin_write().await?;
        let old = self.event_in(write.txn(), id).await?;
        let occurred_at = new.occurred_at.unwrap_or(old.occurred_at);
        if new.occurred_at.is_some() {
            let incident = self.scope.incident_in(write.txn(), old.incident_id).await?;
            if let Err(error) = timeline::occurred_at(occurred_at, incident.started_at, time::now())
            {
                return refused(vec![error]);
            }
        }
        let mut row = old.clone().into_active_model();
        row.occurred_at = Set(occurred_at);
        row.kind = Set(new.kind.unwrap_or(old.kind));
        row.body = Set(new.body.unwrap_or_else(|| old.body.clone()));
        row.visibility = Set(new.visibility.unwrap_or(old.visibility));
        row.updated_at = Set(time::now());
        let saved = row.update(write.txn()).await?;
        let changes = timeline::changes(Some(&old), &saved);
        write.record(Change {
            action: Action::TimelineEventUpdate,
            subject_type: "TimelineEvent",
            subject_id: saved.id,
            incident_id: Some(saved.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(saved)
    }

    /// Deletes an entry.
    pub async fn timeline_event_delete(&self, id: Uuid) -> Outcome<Uuid> {
        let mut write = self.scope.begin_write().await?;
        let old = self.event_in(write.txn(), id).await?;
        self.scope
            .delete::<timeline_event::Entity>()
            .filter(timeline_event::Column::Id.eq(id))
            .exec(write.txn())
            .await?;
        let changes = timeline::deleted(&old);
        write.record(Change {
            action: Action::TimelineEventDelete,
            subject_type: "TimelineEvent",
            subject_id: id,
            incident_id: Some(old.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(id)
    }

    async fn event_in(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        id: Uuid,
    ) -> AppResult<timeline_event::Model> {
        self.scope
            .select::<timeline_event::Entity>()
            .filter(timeline_event::Column::Id.eq(id))
            .one(txn)
            .await?
            .ok_or(AppError::not_found("timeline event"))
    }
}
