//! Webhooks on the wire (the Standard Webhooks specification): what a message says
//! ([`payload`]), how it is signed ([`signature`]), where it may go ([`address`]), and how one
//! attempt is made ([`sender`]). The workers in `worker::delivery` drain the outbox with them.

pub mod address;
pub mod payload;
pub mod sender;
pub mod signature;

use crate::domain::webhook::AddressPolicy;
use std::time::Duration;

/// How webhooks are delivered.
#[derive(Debug, Clone, Copy)]
pub struct WebhookSettings {
    /// Which destinations endpoints may have.
    pub addresses: AddressPolicy,
    /// Multiplies every pause of the retry schedule (1.0 in production; small in tests).
    pub retry_scale: f64,
    /// How long one attempt may take, from connecting to the last byte read.
    pub timeout: Duration,
    /// How often a worker looks for work it was not woken for (events other processes
    /// committed, retries falling due).
    pub poll_interval: Duration,
    /// Endpoints one process delivers to at once.
    pub concurrency: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            addresses: AddressPolicy::default(),
            retry_scale: 1.0,
            timeout: Duration::from_secs(15),
            poll_interval: Duration::from_secs(1),
            concurrency: 16,
        }
    }
}
