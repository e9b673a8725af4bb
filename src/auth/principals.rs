//! Users recently looked up, so that a request need not read its user again. An entry is
//! trusted only while this process hears every directory change: on PostgreSQL every
//! transaction with a DIRECTORY_CHANGED event says so in its commit notification
//! (`crate::repo::events::EVENTS_CHANNEL`), and the listener that hears it evicts the
//! tenant's entries ([`PrincipalCache::directory_changed`]). While the listener is down the
//! cache is bypassed, and an entry lives at most [`TTL`] in any case, which bounds a change
//! made outside the API (SQL by hand).

use super::Principal;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long an entry is trusted, at most.
pub const TTL: Duration = Duration::from_secs(10);

/// How many users one process keeps. (`expect` runs at compile time, on a constant.)
const CAPACITY: NonZeroUsize = NonZeroUsize::new(10_000).expect("a non-zero capacity");

/// The users of every tenant this process served lately, by tenant and user id. Cheap to
/// clone; clones share their entries.
#[derive(Clone)]
pub struct PrincipalCache {
    inner: Arc<Inner>,
}

struct Inner {
    ttl: Duration,
    entries: Mutex<LruCache<(Uuid, Uuid), Entry>>,
    /// Counts invalidations, so that a lookup that began before one is not kept after it.
    epoch: AtomicU64,
    /// Whether directory changes are being heard; until they are, nothing is trusted.
    listening: AtomicBool,
}

struct Entry {
    principal: Principal,
    looked_up: Instant,
}

/// Taken before a lookup: the cache keeps the lookup's result only if nothing was
/// invalidated meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct Epoch(u64);

impl Default for PrincipalCache {
    fn default() -> Self {
        Self::with_ttl(TTL)
    }
}

impl PrincipalCache {
    /// A cache whose entries are trusted for `ttl` at most.
    pub fn with_ttl(ttl: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                ttl,
                entries: Mutex::new(LruCache::new(CAPACITY)),
                epoch: AtomicU64::new(0),
                listening: AtomicBool::new(false),
            }),
        }
    }

    /// The user `user_id` of `tenant_id`, if looked up less than the TTL ago and nothing
    /// about the tenant's directory changed since.
    pub fn get(&self, tenant_id: Uuid, user_id: Uuid) -> Option<Principal> {
        if !self.inner.listening.load(Ordering::Acquire) {
            return None;
        }
        let mut entries = self.inner.entries();
        let entry = entries.get(&(tenant_id, user_id))?;
        if entry.looked_up.elapsed() < self.inner.ttl {
            return Some(entry.principal.clone());
        }
        entries.pop(&(tenant_id, user_id));
        None
    }

    /// Where invalidations stand before a lookup begins.
    pub fn epoch(&self) -> Epoch {
        Epoch(self.inner.epoch.load(Ordering::Acquire))
    }

    /// Keeps `principal`, a user looked up after `epoch` was taken, unless something was
    /// invalidated since: the lookup may then have read the directory before the change.
    pub fn insert(&self, epoch: Epoch, principal: &Principal) {
        let Some(user_id) = principal.user_id() else {
            return;
        };
        let mut entries = self.inner.entries();
        // Under the lock, so an invalidation cannot fall between this check and the insert.
        if !self.inner.listening.load(Ordering::Acquire) || self.epoch().0 != epoch.0 {
            return;
        }
        let entry = Entry {
            principal: principal.clone(),
            looked_up: Instant::now(),
        };
        entries.put((principal.tenant_id(), user_id), entry);
    }

    /// Forgets every user of `tenant_id`: its directory changed.
    pub fn directory_changed(&self, tenant_id: Uuid) {
        let mut entries = self.inner.entries();
        self.inner.epoch.fetch_add(1, Ordering::AcqRel);
        let stale: Vec<(Uuid, Uuid)> = entries
            .iter()
            .filter(|((tenant, _), _)| *tenant == tenant_id)
            .map(|(key, _)| *key)
            .collect();
        for key in stale {
            entries.pop(&key);
        }
    }

    /// Whether directory changes are heard from now on. Either way everything is forgotten:
    /// changes may have gone unheard before.
    pub fn set_listening(&self, listening: bool) {
        let mut entries = self.inner.entries();
        self.inner.epoch.fetch_add(1, Ordering::AcqRel);
        self.inner.listening.store(listening, Ordering::Release);
        entries.clear();
    }
}

impl Inner {
    fn entries(&self) -> MutexGuard<'_, LruCache<(Uuid, Uuid), Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests;
