//! One tenant's reader: it reads the tenant's new events by position when woken (or every
//! [`super::poll_interval`]) and broadcasts them, unfiltered, to the subscribers of this
//! process. It stops when its last subscriber lets go of it.

use crate::repo::Scope;
use crate::repo::events::EventFilter;
use entity::{EventType, event};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;
use tokio::sync::{Notify, broadcast, watch};
use uuid::Uuid;

/// How many events one read takes.
const READ_LIMIT: u64 = 500;

/// How long a reader waits before trying again after the database failed it.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Every event of the tenant after `after`, through the last one's position, as one read
/// found them. Positions have no gaps, so a subscriber that has seen everything through
/// `after` misses nothing by taking this batch.
pub struct Batch {
    pub after: i64,
    pub events: Vec<event::Model>,
}

impl Batch {
    /// The last position this batch covers.
    pub fn through(&self) -> i64 {
        self.events.last().map_or(self.after, |e| e.position)
    }
}

/// A tenant's reader, running while this handle lives.
pub struct Feed {
    shared: Arc<Shared>,
    reader: tokio::task::AbortHandle,
}

struct Shared {
    batches: broadcast::Sender<Arc<Batch>>,
    /// Becomes `true` once the reader knows where it starts: from then on, every event
    /// committed later reaches its batches and its user watches.
    started: watch::Sender<bool>,
    wake: Notify,
    /// Whom to tell when a DIRECTORY_CHANGED event is about a user or a service token: the
    /// sockets it authenticated.
    users: Mutex<HashMap<Uuid, Vec<Weak<Notify>>>>,
}

impl Feed {
    /// Starts reading `tenant_id`'s events from its latest position on; subscribers may fall
    /// `buffered` batches behind.
    pub fn start(db: DatabaseConnection, tenant_id: Uuid, buffered: usize) -> Self {
        let shared = Arc::new(Shared {
            batches: broadcast::Sender::new(buffered.max(1)),
            started: watch::Sender::new(false),
            wake: Notify::new(),
            users: Mutex::default(),
        });
        let poll = super::poll_interval(db.get_database_backend());
        let scope = Scope::background(db, crate::auth::operator(tenant_id));
        let reader = tokio::spawn(read(scope, shared.clone(), poll)).abort_handle();
        Self { shared, reader }
    }

    /// Batches read from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Batch>> {
        self.shared.batches.subscribe()
    }

    /// Completes once the reader knows where it starts, so that whatever is committed after
    /// reaches its subscribers. A subscriber reads its own starting point only then, or an
    /// event committed in between would wait for the next batch to be noticed.
    pub async fn started(&self) {
        let mut started = self.shared.started.subscribe();
        // The sender lives as long as this feed.
        let _ = started.wait_for(|started| *started).await;
    }

    /// Makes the reader look for new events now.
    pub fn wake(&self) {
        self.shared.wake.notify_one();
    }

    /// Notifies `signal` whenever a DIRECTORY_CHANGED event is about `user_id`, for as long
    /// as `signal` lives.
    pub fn watch_user(&self, user_id: Uuid, signal: &Arc<Notify>) {
        let mut users = self.shared.users();
        let watchers = users.entry(user_id).or_default();
        watchers.retain(|w| w.strong_count() > 0);
        watchers.push(Arc::downgrade(signal));
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Shared {
    fn users(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Vec<Weak<Notify>>>> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells the sockets of each user or service token a DIRECTORY_CHANGED event in `events`
    /// is about.
    fn announce_directory_changes(&self, events: &[event::Model]) {
        let mut users = self.users();
        for event in events {
            let about_a_caller = matches!(event.subject_type.as_str(), "User" | "ApiToken");
            if event.event_type != EventType::DirectoryChanged || !about_a_caller {
                continue;
            }
            if let Some(watchers) = users.get_mut(&event.subject_id) {
                watchers.retain(|w| w.strong_count() > 0);
                watchers
                    .iter()
                    .filter_map(Weak::upgrade)
                    .for_each(|signal| signal.notify_one());
            }
        }
        users.retain(|_, watchers| !watchers.is_empty());
    }
}

async fn read(scope: Scope, shared: Arc<Shared>, poll: Duration) {
    let mut head = loop {
        match scope.last_position().await {
            Ok(position) => {
                shared.started.send_replace(true);
                break position;
            }
            Err(error) => {
                tracing::warn!(%error, "a live reader could not read its tenant's position");
                tokio::time::sleep(RETRY_AFTER_FAILURE).await;
            }
        }
    };
    loop {
        tokio::select! {
            () = shared.wake.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
        loop {
            let events = match scope
                .events_after(&EventFilter::default(), head, READ_LIMIT)
                .await
            {
                Ok(events) => events,
                Err(error) => {
                    tracing::warn!(%error, "a live reader could not read new events");
                    tokio::time::sleep(RETRY_AFTER_FAILURE).await;
                    break;
                }
            };
            if events.is_empty() {
                break;
            }
            let full = events.len() as u64 == READ_LIMIT;
            shared.announce_directory_changes(&events);
            let batch = Batch {
                after: head,
                events,
            };
            head = batch.through();
            // No receiver is no error: every subscriber may have just left.
            let _ = shared.batches.send(Arc::new(batch));
            if !full {
                break;
            }
        }
    }
}
