//! A subscriber's view of its tenant's feed: what it missed, read from the event table by
//! position, then what the tenant's reader finds, filtered and checked against the
//! subscriber's own visibility. Every event it may read after its starting point reaches it
//! once, in position order.

use super::Live;
use super::feed::{Batch, Feed};
use crate::error::{AppError, AppResult};
use crate::repo::Scope;
use crate::repo::events::EventFilter;
use entity::{event, incident};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

/// How many missed events one read of the event table takes.
const CATCH_UP_PAGE: u64 = 200;

/// Follows the events a subscriber may read, from a position on.
pub struct EventFollower {
    scope: Scope,
    filter: EventFilter,
    /// Every event through this position the subscriber may read was handed over.
    checked: i64,
    /// While set, the event table is read from `checked`; once a read comes back short,
    /// everything through at least this position has been checked.
    catching_up: Option<i64>,
    /// Set when a catch-up ends, until the next batch arrives: batches broadcast while the
    /// subscriber read the table may have run past its buffer, which is no fault of its own.
    just_caught_up: bool,
    batches: broadcast::Receiver<Arc<Batch>>,
    ready: VecDeque<event::Model>,
    /// Set when events passed the filter that the subscriber may not read.
    hidden: bool,
    ended: bool,
    _feed: Arc<Feed>,
}

impl EventFollower {
    /// Follows what `scope` may read and `filter` lets through. With `after`, starts by
    /// replaying every such event after that position (RESYNC_REQUIRED when some were
    /// purged); without, starts with the next event committed.
    pub async fn start(
        live: &Live,
        scope: Scope,
        filter: EventFilter,
        after: Option<i64>,
    ) -> AppResult<Self> {
        let feed = live.feed(scope.principal().tenant_id());
        // Subscribing before reading where to start, once the reader has started, leaves no
        // gap between the two.
        let batches = feed.subscribe();
        feed.started().await;
        let (checked, catching_up) = match after {
            Some(position) => {
                scope.require_retained_position(position).await?;
                (position, Some(position))
            }
            None => (scope.last_position().await?, None),
        };
        Ok(Self {
            scope,
            filter,
            checked,
            catching_up,
            just_caught_up: false,
            batches,
            ready: VecDeque::new(),
            hidden: false,
            ended: false,
            _feed: feed,
        })
    }

    /// The next event; an error (RESYNC_REQUIRED for a subscriber that fell too far behind)
    /// ends the stream.
    pub async fn next(&mut self) -> Option<AppResult<event::Model>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(Ok(event));
            }
            if let Err(error) = self.advance().await? {
                return Some(Err(error));
            }
        }
    }

    /// The events ready now: those one transaction (or a few close together) wrote, which a
    /// subscriber to a whole record answers once. Empty when only events the subscriber may
    /// not read passed the filter: something it follows changed out of its sight.
    pub async fn next_group(&mut self) -> Option<AppResult<Vec<event::Model>>> {
        loop {
            if !self.ready.is_empty() {
                return Some(Ok(self.ready.drain(..).collect()));
            }
            if std::mem::take(&mut self.hidden) {
                return Some(Ok(Vec::new()));
            }
            if let Err(error) = self.advance().await? {
                return Some(Err(error));
            }
        }
    }

    /// [`Self::fill`] once, unless the stream has ended (`None`); an error ends it.
    async fn advance(&mut self) -> Option<AppResult<()>> {
        if self.ended {
            return None;
        }
        let filled = self.fill().await;
        self.ended = filled.is_err();
        Some(filled)
    }

    /// Adds to `ready`: a page of missed events while catching up, else the next batch.
    async fn fill(&mut self) -> AppResult<()> {
        if let Some(through) = self.catching_up {
            let page = self
                .scope
                .events_after(&self.filter, self.checked, CATCH_UP_PAGE)
                .await?;
            let short = (page.len() as u64) < CATCH_UP_PAGE;
            if let Some(last) = page.last() {
                self.checked = last.position;
            }
            if short {
                self.checked = self.checked.max(through);
                self.catching_up = None;
                self.just_caught_up = true;
            }
            self.ready.extend(page);
            return Ok(());
        }
        // A subscription may wait for hours: it holds no connection while it does.
        self.scope.release().await;
        let batch = match self.batches.recv().await {
            Ok(batch) => batch,
            // What was missed is in the table: read it there, once.
            Err(RecvError::Lagged(_)) if self.just_caught_up => {
                self.just_caught_up = false;
                self.catching_up = Some(self.checked);
                return Ok(());
            }
            Err(RecvError::Lagged(_)) => return Err(too_slow()),
            // The reader's sender lives as long as the feed this follower holds.
            Err(RecvError::Closed) => {
                return Err(AppError::internal(anyhow::anyhow!("a live reader stopped")));
            }
        };
        self.just_caught_up = false;
        if batch.after > self.checked {
            // Events before this batch were never seen here: read them (and this batch's)
            // from the event table.
            self.catching_up = Some(batch.through());
            return Ok(());
        }
        let fresh: Vec<event::Model> = batch
            .events
            .iter()
            .filter(|e| e.position > self.checked)
            .cloned()
            .collect();
        self.checked = self.checked.max(batch.through());
        let matching = fresh.iter().filter(|e| self.filter.matches(e)).count();
        let readable = self.scope.readable_among(&self.filter, &fresh).await?;
        self.hidden |= readable.len() < matching;
        self.ready.extend(readable);
        Ok(())
    }
}

fn too_slow() -> AppError {
    AppError::ResyncRequired(
        "this subscription fell too far behind the events and was ended; reload the state you \
         follow, then subscribe again"
            .to_owned(),
    )
}

/// Follows one incident: its state now, then again after each change to its record that the
/// subscriber may see.
pub struct IncidentFollower {
    incident_id: Uuid,
    events: EventFollower,
    started: bool,
}

impl IncidentFollower {
    /// Follows `incident_id` as `scope` sees it; NOT_FOUND when it cannot see it.
    pub async fn start(live: &Live, scope: Scope, incident_id: Uuid) -> AppResult<Self> {
        scope.incident(incident_id).await?;
        let filter = EventFilter {
            incident_id: Some(incident_id),
            ..EventFilter::default()
        };
        Ok(Self {
            incident_id,
            events: EventFollower::start(live, scope, filter, None).await?,
            started: false,
        })
    }

    /// The incident as it is now: at once the first time, then after its next change the
    /// subscriber may see. A change out of its sight (an unpublication, for a CLIENT) sends
    /// nothing, unless the incident is no longer visible: then NOT_FOUND ends the stream.
    pub async fn next(&mut self) -> Option<AppResult<incident::Model>> {
        while self.started {
            match self.events.next_group().await? {
                Err(error) => return Some(Err(error)),
                Ok(group) if group.is_empty() => {
                    if let Err(error) = self.events.scope.incident(self.incident_id).await {
                        self.events.ended = true;
                        return Some(Err(error));
                    }
                }
                Ok(_) => break,
            }
        }
        self.started = true;
        let incident = self.events.scope.incident(self.incident_id).await;
        if incident.is_err() {
            self.events.ended = true;
        }
        Some(incident)
    }
}
