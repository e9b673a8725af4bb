//! Webhook delivery: each process leases endpoints with work, drains each one in its own
//! task (one at a time per endpoint, in position order), and looks again whenever this
//! process commits events, a task finishes, or the poll interval passes.

use crate::auth;
use crate::domain::time;
use crate::domain::webhook::{self as rules, Backoff, Next};
use crate::error::AppResult;
use crate::repo::events::commits;
use crate::repo::{Scope, tenants};
use crate::telemetry::Metrics;
use crate::webhooks::WebhookSettings;
use crate::webhooks::payload::event_message;
use crate::webhooks::sender::Sender;
use chrono::{DateTime, TimeDelta, Utc};
use entity::{webhook_delivery, webhook_endpoint};
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use uuid::Uuid;

/// Events turned into deliveries per statement.
const FAN_OUT_BATCH: u64 = 200;
/// Due deliveries read per statement.
const DUE_BATCH: u64 = 50;
/// How long a lease outlives the attempt in flight, so a worker that dies mid-attempt
/// gives its endpoints up soon after.
const LEASE_MARGIN: Duration = Duration::from_secs(15);
/// How much more than an attempt's time must be left of a lease before an attempt starts.
const RENEW_AHEAD: Duration = Duration::from_secs(5);
/// How long a drain keeps its endpoint with nothing due, waiting for the next event, before
/// it gives the lease back.
const IDLE_HOLD: Duration = Duration::from_secs(2);
/// The shortest pause between two looks for work that commits woke.
const COMMIT_COALESCING: Duration = Duration::from_millis(20);

/// Delivers webhooks until `shutdown` completes, counting each attempt in `metrics`.
pub async fn run(
    db: DatabaseConnection,
    settings: WebhookSettings,
    metrics: Metrics,
    shutdown: impl Future<Output = ()>,
) {
    let sender = match Sender::new(settings) {
        Ok(sender) => sender,
        Err(error) => {
            tracing::error!(%error, "webhook delivery cannot start");
            return;
        }
    };
    let stopping = Arc::new(AtomicBool::new(false));
    let mut committed = commits();
    let mut drains = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let free = settings.concurrency.saturating_sub(drains.len());
        let work = Work {
            sender: &sender,
            settings,
            stopping: &stopping,
            metrics: &metrics,
        };
        if free > 0
            && let Err(error) = lease(&db, &work, free, &mut drains).await
        {
            tracing::warn!(%error, "looking for webhook work failed; trying again");
        }
        let looked = tokio::time::Instant::now();
        tokio::select! {
            () = &mut shutdown => break,
            _ = committed.changed() => {
                // A busy tenant commits many times a second; one look covers them all.
                tokio::time::sleep_until(looked + COMMIT_COALESCING).await;
            }
            Some(_) = drains.join_next(), if !drains.is_empty() => {}
            () = tokio::time::sleep(settings.poll_interval) => {}
        }
    }
    // Attempts in flight may finish (and their leases be released); none starts.
    stopping.store(true, Ordering::Relaxed);
    let finish = async { while drains.join_next().await.is_some() {} };
    if tokio::time::timeout(settings.timeout + LEASE_MARGIN, finish)
        .await
        .is_err()
    {
        drains.shutdown().await;
    }
}

/// What every drain of this process shares.
struct Work<'a> {
    sender: &'a Sender,
    settings: WebhookSettings,
    stopping: &'a Arc<AtomicBool>,
    metrics: &'a Metrics,
}

/// Leases up to `free` endpoints with work and starts draining each.
async fn lease(
    db: &DatabaseConnection,
    work: &Work<'_>,
    mut free: usize,
    drains: &mut JoinSet<()>,
) -> AppResult<()> {
    let settings = work.settings;
    // Every tenant in turn: row-level security shows a look across tenants nothing, so each
    // tenant's own scope asks whether it has endpoints with work (one indexed read).
    for tenant_id in tenants::ids(db).await? {
        if free == 0 {
            break;
        }
        // A token of its own for each lease: a drain that stalled past its lease cannot
        // renew, fan out for or release the lease a later drain took.
        let owner = Uuid::now_v7();
        let scope = Scope::background(db.clone(), auth::operator(tenant_id));
        let now = time::now();
        let until = lease_until(now, settings);
        let leased = scope
            .lease_endpoints(owner, now, until, free as u64)
            .await?;
        free -= leased.len();
        for endpoint in leased {
            let (scope, sender) = (scope.clone(), work.sender.clone());
            let stopping = work.stopping.clone();
            let metrics = work.metrics.clone();
            drains.spawn(async move {
                let id = endpoint.id;
                let drain = Drain {
                    scope: &scope,
                    sender: &sender,
                    owner,
                    settings,
                    stopping: &stopping,
                    metrics: &metrics,
                    endpoint,
                    lease_ends: until,
                };
                if let Err(error) = drain.run().await {
                    tracing::warn!(%error, endpoint = %id, "webhook delivery stopped; retrying later");
                }
                if let Err(error) = scope.release_lease(id, owner).await {
                    tracing::warn!(%error, endpoint = %id, "releasing a webhook lease failed");
                }
            });
        }
    }
    Ok(())
}

fn lease_until(now: DateTime<Utc>, settings: WebhookSettings) -> DateTime<Utc> {
    let lease = TimeDelta::from_std(settings.timeout + LEASE_MARGIN).unwrap_or(TimeDelta::MAX);
    now.checked_add_signed(lease).unwrap_or(now)
}

/// One endpoint's deliveries, made while this worker holds its lease.
struct Drain<'a> {
    scope: &'a Scope,
    sender: &'a Sender,
    owner: Uuid,
    settings: WebhookSettings,
    stopping: &'a AtomicBool,
    metrics: &'a Metrics,
    endpoint: webhook_endpoint::Model,
    lease_ends: DateTime<Utc>,
}

impl Drain<'_> {
    /// Fans out new events and delivers what is due, in position order, until nothing has
    /// been due for [`IDLE_HOLD`], the lease is lost, or the worker stops. Before each batch
    /// it reads the endpoint afresh (an ADMIN may have changed its URL or secret, or
    /// disabled it); it renews the lease only when it runs short, so a quiet stream of
    /// events costs two writes per delivery (its fan-out and its attempt).
    async fn run(mut self) -> AppResult<()> {
        let mut committed = commits();
        let mut idle_since: Option<Instant> = None;
        while !self.stopping.load(Ordering::Relaxed) {
            let fanned = self
                .scope
                .fan_out(&mut self.endpoint, self.owner, FAN_OUT_BATCH, event_message)
                .await?;
            if fanned.is_none() {
                return Ok(());
            }
            let due = self
                .scope
                .due_deliveries(self.endpoint.id, time::now(), DUE_BATCH)
                .await?;
            if due.is_empty() {
                let idle = *idle_since.get_or_insert_with(Instant::now);
                if idle.elapsed() >= IDLE_HOLD {
                    return Ok(());
                }
                tokio::select! {
                    _ = committed.changed() => {}
                    () = tokio::time::sleep(self.settings.poll_interval.min(IDLE_HOLD)) => {}
                }
                continue;
            }
            idle_since = None;
            match self
                .scope
                .leased_endpoint(self.endpoint.id, self.owner)
                .await?
            {
                Some(fresh) => self.endpoint = fresh,
                None => return Ok(()),
            }
            for delivery in due {
                if self.stopping.load(Ordering::Relaxed) || !self.keep_lease().await? {
                    return Ok(());
                }
                if let Next::Disable(reason) = self.attempt(&delivery).await? {
                    tracing::warn!(endpoint = %self.endpoint.id, reason, "disabled a webhook endpoint");
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Renews the lease when less than an attempt's time and [`RENEW_AHEAD`] is left of it;
    /// false when it was lost (or the endpoint disabled or deleted).
    async fn keep_lease(&mut self) -> AppResult<bool> {
        let now = time::now();
        let needed =
            TimeDelta::from_std(self.settings.timeout + RENEW_AHEAD).unwrap_or(TimeDelta::MAX);
        if self.lease_ends - now >= needed {
            return Ok(true);
        }
        let until = lease_until(now, self.settings);
        match self
            .scope
            .renew_lease(self.endpoint.id, self.owner, until)
            .await?
        {
            Some(fresh) => {
                (self.endpoint, self.lease_ends) = (fresh, until);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Makes one attempt, records it, and keeps the endpoint's run of failures as recorded.
    async fn attempt(&mut self, delivery: &webhook_delivery::Model) -> AppResult<Next> {
        let now = time::now();
        let (response, record) = self.sender.attempt(&self.endpoint, delivery, now).await;
        let backoff = Backoff {
            scale: self.settings.retry_scale,
            jitter: rand::random_range(-1.0..=1.0),
        };
        let failures = u32::try_from(delivery.failures).unwrap_or(u32::MAX);
        let failing_since = self.endpoint.failing_since;
        let next = rules::after_attempt(response, failures, failing_since, now, backoff);
        self.scope
            .record_attempt(&self.endpoint, delivery, record, &next)
            .await?;
        self.metrics.webhook_delivery(outcome(&next));
        self.endpoint.failing_since = match next {
            Next::Delivered => None,
            _ => failing_since.or(Some(now)),
        };
        Ok(next)
    }
}

/// The `outcome` label of an attempt that `next` follows.
fn outcome(next: &Next) -> &'static str {
    match next {
        Next::Delivered => "delivered",
        Next::RetryAt(_) => "retrying",
        Next::GiveUp => "gave_up",
        Next::Disable(_) => "disabled",
    }
}
