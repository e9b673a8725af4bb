//! The sockets open on this server: how many each user has, and the signal that tells a
//! socket its user changed.

use super::feed::Feed;
use super::{Inner, Live};
use crate::auth::Principal;
use std::sync::{Arc, PoisonError, Weak};
use tokio::sync::Notify;
use uuid::Uuid;

/// An open socket, counted until dropped.
pub struct OpenSocket(Weak<Inner>);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        if let Some(inner) = self.0.upgrade() {
            inner.open.send_modify(|open| *open -= 1);
        }
    }
}

/// One of a user's open sockets; dropping it frees its place.
pub struct SocketSlot {
    live: Weak<Inner>,
    user_id: Uuid,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let Some(inner) = self.live.upgrade() else {
            return;
        };
        let mut sockets = inner.sockets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = sockets.get_mut(&self.user_id) {
            *count -= 1;
            if *count == 0 {
                sockets.remove(&self.user_id);
            }
        }
    }
}

/// Wakes when a DIRECTORY_CHANGED event is about the user, so their socket can check that
/// they are still who it was opened for.
pub struct UserWatch {
    signal: Arc<Notify>,
    _feed: Arc<Feed>,
}

impl UserWatch {
    /// Completes at the next change to the user.
    pub async fn changed(&self) {
        self.signal.notified().await;
    }

    /// Completes [`Self::changed`] after `delay` as if the user had changed: for a check
    /// that could not be made, so that it is made again.
    pub fn again_after(&self, delay: std::time::Duration) {
        let signal = Arc::downgrade(&self.signal);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if let Some(signal) = signal.upgrade() {
                signal.notify_one();
            }
        });
    }
}

impl Live {
    /// Counts a socket as open until the guard is dropped, so shutdown can wait for it.
    pub fn socket_opened(&self) -> OpenSocket {
        self.inner.open.send_modify(|open| *open += 1);
        OpenSocket(Arc::downgrade(&self.inner))
    }

    /// Takes one of `principal`'s socket places on this server; `None` when they already have
    /// [`super::LiveSettings::sockets_per_user`] open. A service token counts as a user of its
    /// own. Operator principals have neither and never open sockets.
    pub fn open_socket(&self, principal: &Principal) -> Option<SocketSlot> {
        let user_id = principal.user_id().or(principal.api_token_id())?;
        let mut sockets = self
            .inner
            .sockets
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let count = sockets.entry(user_id).or_default();
        if *count >= self.inner.settings.sockets_per_user {
            return None;
        }
        *count += 1;
        Some(SocketSlot {
            live: Arc::downgrade(&self.inner),
            user_id,
        })
    }

    /// Watches user `user_id` of `tenant_id` (or a service token by its id) for changes
    /// written by any server from now on:
    /// it returns once the tenant's reader has started, so that a change committed after it
    /// returns is seen. (Read the user after it returns, for a change made before.)
    pub async fn watch_user(&self, tenant_id: Uuid, user_id: Uuid) -> UserWatch {
        let feed = self.feed(tenant_id);
        let signal = Arc::new(Notify::new());
        feed.watch_user(user_id, &signal);
        feed.started().await;
        UserWatch {
            signal,
            _feed: feed,
        }
    }
}
