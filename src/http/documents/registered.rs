//! Automatic persisted queries: the texts clients registered with their hash, kept in a
//! bounded per-process cache.

use super::DocumentHash;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

/// Texts kept at most. A frontend has tens to a few hundred distinct operations, so this
/// holds every operation of several frontends (and of their versions during a deploy);
/// a client that registers ever new texts only evicts the least recently used, and each
/// registration costs it a full request with the text.
pub const MAX_REGISTERED: usize = 1_000;

/// The longest text kept, so the cache holds at most `MAX_REGISTERED` × 32 KiB (32 MiB)
/// however it is filled; a longer text runs, but its hash alone is not found again.
pub const MAX_REGISTERED_BYTES: usize = 32 * 1024;

/// The registered texts, least recently used evicted first.
pub(super) struct Registered {
    texts: Mutex<LruCache<DocumentHash, Arc<str>>>,
}

impl Default for Registered {
    fn default() -> Self {
        // A non-zero constant.
        let capacity = NonZeroUsize::new(MAX_REGISTERED).unwrap_or(NonZeroUsize::MIN);
        Self {
            texts: Mutex::new(LruCache::new(capacity)),
        }
    }
}

impl Registered {
    /// The text registered under `hash`, if it is still kept.
    pub fn get(&self, hash: &DocumentHash) -> Option<Arc<str>> {
        self.texts.lock().ok()?.get(hash).cloned()
    }

    /// Keeps `text` under `hash`, which the caller checked is its SHA-256.
    pub fn register(&self, hash: DocumentHash, text: &str) {
        if text.len() > MAX_REGISTERED_BYTES {
            return;
        }
        if let Ok(mut texts) = self.texts.lock() {
            texts.put(hash, Arc::from(text));
        }
    }
}
