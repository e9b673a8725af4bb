//! Live subscriptions: each tenant's new events are read from the event table once per
//! process, by position, and handed to every subscriber of that tenant in this process, who
//! keeps what its filter and visibility let through.
//!
//! What wakes the readers is never what they send: on PostgreSQL every transaction with events
//! notifies [`crate::repo::events::EVENTS_CHANNEL`] at COMMIT, and one listening connection
//! per process wakes the readers of the tenant named; SQLite wakes them in memory. A reader
//! also looks by itself ([`poll_interval`]), and after the listener reconnects, so a lost
//! notification delays an event but never loses it.

mod feed;
mod follow;
mod sockets;
mod wakeups;

pub use follow::{EventFollower, IncidentFollower};
pub use sockets::{OpenSocket, SocketSlot, UserWatch};

use crate::auth::PrincipalCache;
use feed::Feed;
use sea_orm::{DatabaseConnection, DbBackend};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// How often a tenant's reader looks for new events when nothing woke it: every 2 s on
/// PostgreSQL, where notifications wake it; every 100 ms on SQLite, where nothing tells a
/// process of another's commits to the same file, and a look is a read of a local file.
pub fn poll_interval(backend: DbBackend) -> Duration {
    match backend {
        DbBackend::Postgres => Duration::from_secs(2),
        _ => Duration::from_millis(100),
    }
}

/// Limits and timings of live subscriptions.
#[derive(Debug, Clone, Copy)]
pub struct LiveSettings {
    /// How often the server pings each socket; a socket silent for two intervals is closed.
    pub ping_interval: Duration,
    /// How long a new socket may take to send `connection_init`.
    pub init_timeout: Duration,
    /// Open sockets per user on one server.
    pub sockets_per_user: usize,
    /// Operations running at once on one socket.
    pub operations_per_socket: usize,
    /// How many batches of events a subscriber may fall behind its tenant's reader before it
    /// is ended with RESYNC_REQUIRED.
    pub buffered_batches: usize,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(15),
            init_timeout: Duration::from_secs(10),
            sockets_per_user: 16,
            operations_per_socket: 50,
            buffered_batches: 256,
        }
    }
}

/// This process's live subscriptions: the readers of each tenant followed, the sockets open
/// per user, and the signal that closes them all at shutdown. Cheap to clone.
#[derive(Clone)]
pub struct Live {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    settings: LiveSettings,
    feeds: Mutex<HashMap<Uuid, Weak<Feed>>>,
    sockets: Mutex<HashMap<Uuid, usize>>,
    closing: watch::Sender<bool>,
    /// How many sockets are open, signed in or not.
    open: watch::Sender<usize>,
    /// Started with the first feed, so a server nobody subscribes to listens to nothing;
    /// or at once, when it keeps users whom directory changes must evict.
    wakeups: std::sync::Once,
    /// The users this process keeps, which the listener evicts on directory changes.
    principals: Option<PrincipalCache>,
}

impl Live {
    /// Live subscriptions reading from `db`. With `principals`, the listener starts at once
    /// and evicts a tenant's users from it whenever the tenant's directory changes.
    pub fn new(
        db: DatabaseConnection,
        settings: LiveSettings,
        principals: Option<PrincipalCache>,
    ) -> Self {
        let live = Self {
            inner: Arc::new(Inner {
                db,
                settings,
                feeds: Mutex::default(),
                sockets: Mutex::default(),
                closing: watch::Sender::new(false),
                open: watch::Sender::new(0),
                wakeups: std::sync::Once::new(),
                principals,
            }),
        };
        if live.inner.principals.is_some() {
            live.start_wakeups();
        }
        live
    }

    fn start_wakeups(&self) {
        self.inner
            .wakeups
            .call_once(|| wakeups::start(Arc::downgrade(&self.inner)));
    }

    /// The limits and timings in force.
    pub fn settings(&self) -> LiveSettings {
        self.inner.settings
    }

    /// Tells every socket to close: the server is shutting down.
    pub fn shut_down(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Becomes `true` when the server shuts down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    /// Waits, up to `grace`, until every socket has closed (after [`Self::shut_down`]).
    pub async fn all_closed(&self, grace: Duration) {
        let mut open = self.inner.open.subscribe();
        let _ = tokio::time::timeout(grace, open.wait_for(|open| *open == 0)).await;
    }

    /// The reader of `tenant_id`'s events, started if nobody follows it yet.
    fn feed(&self, tenant_id: Uuid) -> Arc<Feed> {
        self.start_wakeups();
        let mut feeds = self.inner.feeds();
        if let Some(feed) = feeds.get(&tenant_id).and_then(Weak::upgrade) {
            return feed;
        }
        feeds.retain(|_, feed| feed.strong_count() > 0);
        let feed = Arc::new(Feed::start(
            self.inner.db.clone(),
            tenant_id,
            self.inner.settings.buffered_batches,
        ));
        feeds.insert(tenant_id, Arc::downgrade(&feed));
        feed
    }
}

impl Inner {
    fn feeds(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Weak<Feed>>> {
        self.feeds.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes the reader of `tenant_id`, or of every tenant when `None`.
    fn wake(&self, tenant_id: Option<Uuid>) {
        let feeds = self.feeds();
        match tenant_id {
            Some(tenant_id) => {
                if let Some(feed) = feeds.get(&tenant_id).and_then(Weak::upgrade) {
                    feed.wake();
                }
            }
            None => feeds
                .values()
                .filter_map(Weak::upgrade)
                .for_each(|f| f.wake()),
        }
    }
}
