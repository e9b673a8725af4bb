//! Reading request bodies within the size limit, so that an over-size upload still gets its
//! 413 and a trickled one can be told apart from a slow operation.

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The largest request body accepted (256 KiB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// How much of an over-size body is read and discarded before answering 413. A client that
/// is still sending when the server closes the connection sees a reset instead of the answer,
/// so the rest of the body is drained first; beyond this much, the connection is closed.
pub const MAX_DRAINED_BYTES: usize = 16 * 1024 * 1024;

/// Whether a request's body is still being read: set by the handler, read by the deadline
/// when the request runs out of time (408 for a body that never arrived, 503 otherwise).
#[derive(Debug, Clone, Default)]
pub struct BodyProgress(Arc<AtomicBool>);

impl BodyProgress {
    /// Whether the handler is still waiting for the body.
    pub fn is_reading(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn set_reading(&self, reading: bool) {
        self.0.store(reading, Ordering::Relaxed);
    }
}

/// Why a body was not read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than [`MAX_BODY_BYTES`]; `drained` tells whether all of it was read, so the
    /// connection can stay open and the client reads the answer.
    TooLarge { drained: bool },
    /// The connection failed while the body was arriving.
    Broken,
}

/// Reads `body` whole if it is at most [`MAX_BODY_BYTES`]; `declared` is its
/// `Content-Length`, if any.
pub async fn read(
    body: Body,
    declared: Option<u64>,
    progress: &BodyProgress,
) -> Result<Bytes, BodyError> {
    if declared.is_some_and(|length| length > MAX_DRAINED_BYTES as u64) {
        return Err(BodyError::TooLarge { drained: false });
    }
    progress.set_reading(true);
    let result = collect(body).await;
    progress.set_reading(false);
    result
}

async fn collect(body: Body) -> Result<Bytes, BodyError> {
    let mut stream = body.into_data_stream();
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Broken)?;
        seen = seen.saturating_add(chunk.len());
        if seen > MAX_DRAINED_BYTES {
            return Err(BodyError::TooLarge { drained: false });
        }
        if seen <= MAX_BODY_BYTES {
            kept.extend_from_slice(&chunk);
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(BodyError::TooLarge { drained: true });
    }
    Ok(Bytes::from(kept))
}
