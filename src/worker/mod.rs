//! Background work that no request triggers: the time-driven events, event retention,
//! webhook delivery ([`delivery`]) and email notifications ([`email`]).
//! It runs inside `serve` (unless `--no-workers`) and alone in `debrief worker`; any number
//! of processes may run it on one database (see `repo::deadlines` for why each deadline's
//! event is still written once).

use crate::auth;
use crate::domain::time;
use crate::error::AppResult;
use crate::notifications::NotificationSettings;
use crate::repo::{Scope, tenants};
use crate::telemetry::Metrics;
use crate::webhooks::WebhookSettings;
use chrono::TimeDelta;
use futures_util::FutureExt;
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::time::Duration;

pub mod delivery;
pub mod email;

/// How often the worker looks, and how long events are kept.
#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// The pause between passes; a deadline's event is written at most this long after it.
    pub interval: Duration,
    /// Events older than this are purged.
    pub event_retention: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(15),
            event_retention: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// Finished webhook deliveries and emails, and their attempts, are kept at least this long,
/// and as long as events.
const DELIVERY_RETENTION: TimeDelta = TimeDelta::days(7);
/// How long an email's unsubscribe link keeps working.
const UNSUBSCRIBE_LINK_LIFETIME: TimeDelta = TimeDelta::days(365);
/// Events purged per statement, so retention never holds a long lock.
const PURGE_BATCH: u64 = 500;
/// Purge statements per tenant and pass; a backlog is worked off over several passes.
const PURGE_BATCHES_PER_PASS: usize = 20;

/// What the background work delivers, and where its links point.
pub struct Outbound {
    pub webhooks: WebhookSettings,
    pub notifications: NotificationSettings,
    /// Where unsubscribe links point.
    pub public_url: url::Url,
    /// Where webhook attempts and pending deliveries are counted.
    pub metrics: Metrics,
}

/// Runs the background work until `shutdown` completes: a pass every `settings.interval`
/// (a failed pass is logged and the next one tries again), webhook delivery, and email
/// notifications.
pub async fn run(
    db: DatabaseConnection,
    settings: WorkerSettings,
    outbound: Outbound,
    shutdown: impl Future<Output = ()>,
) {
    let shutdown = shutdown.shared();
    let metrics = outbound.metrics;
    tokio::join!(
        passes(&db, settings, &metrics, shutdown.clone()),
        delivery::run(
            db.clone(),
            outbound.webhooks,
            metrics.clone(),
            shutdown.clone()
        ),
        email::run(
            db.clone(),
            outbound.notifications,
            outbound.public_url,
            shutdown
        ),
    );
}

async fn passes(
    db: &DatabaseConnection,
    settings: WorkerSettings,
    metrics: &Metrics,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut ticks = tokio::time::interval(settings.interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => {}
        }
        if let Err(error) = pass(db, settings).await {
            tracing::warn!(%error, "worker pass failed; retrying on the next one");
        }
        if metrics.enabled() {
            match pending_deliveries(db).await {
                Ok(pending) => metrics.events_pending(pending),
                Err(error) => tracing::warn!(%error, "counting pending webhook deliveries failed"),
            }
        }
    }
}

/// The webhook deliveries of every tenant that wait for a successful attempt.
async fn pending_deliveries(db: &DatabaseConnection) -> AppResult<u64> {
    let mut pending = 0;
    for tenant_id in tenants::ids(db).await? {
        let scope = Scope::background(db.clone(), auth::operator(tenant_id));
        pending += scope.pending_deliveries().await?;
    }
    Ok(pending)
}

/// One pass over every tenant.
pub async fn pass(db: &DatabaseConnection, settings: WorkerSettings) -> AppResult<()> {
    let retention = TimeDelta::from_std(settings.event_retention).unwrap_or(TimeDelta::MAX);
    for tenant_id in tenants::ids(db).await? {
        let scope = Scope::background(db.clone(), auth::operator(tenant_id));
        let now = time::now();
        let emitted = scope.emit_due_events(now).await?;
        if emitted > 0 {
            tracing::info!(%tenant_id, emitted, "wrote time-driven events");
        }
        let cutoff = now
            .checked_sub_signed(retention)
            .unwrap_or(chrono::DateTime::UNIX_EPOCH);
        for _ in 0..PURGE_BATCHES_PER_PASS {
            if scope.purge_events(cutoff, PURGE_BATCH).await? < PURGE_BATCH {
                break;
            }
        }
        let delivery_cutoff = cutoff.min(now - DELIVERY_RETENTION);
        for _ in 0..PURGE_BATCHES_PER_PASS {
            if scope.purge_deliveries(delivery_cutoff, PURGE_BATCH).await? < PURGE_BATCH {
                break;
            }
        }
        let tokens_cutoff = now - UNSUBSCRIBE_LINK_LIFETIME;
        for _ in 0..PURGE_BATCHES_PER_PASS {
            let purged = scope
                .purge_emails(delivery_cutoff, tokens_cutoff, PURGE_BATCH)
                .await?;
            if purged < PURGE_BATCH {
                break;
            }
        }
    }
    Ok(())
}
