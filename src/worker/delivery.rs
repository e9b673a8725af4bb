//! Webhook delivery: each process leases endpoints with work, drains each one in its own
//! task (one at a time per endpoint, in position order), and looks again whenever this
//! process commits events, a task finishes, or the poll interval passes.

use crate::auth;
use crate::domain::time;
use crate::domain::webhook::{self as rules, Backoff, Next};
use crate::error::AppResult;
use crate::repo::Scope;
use crate::repo::events::commits;
use crate::repo::webhooks::outbox::tenants_with_endpoints;
use crate::webhooks::WebhookSettings;
use crate::webhooks::payload::event_message;
use crate::webhooks::sender::Sender;
use chrono::{DateTime, TimeDelta, Utc};
use entity::{webhook_delivery, webhook_endpoint};
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
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
/// The shortest pause between two looks for work that commits woke.
const COMMIT_COALESCING: Duration = Duration::from_millis(20);

/// Delivers webhooks until `shutdown` completes.
pub async fn run(
    db: DatabaseConnection,
    settings: WebhookSettings,
    shutdown: impl Future<Output = ()>,
) {
    let sender = match Sender::new(settings) {
        Ok(sender) => sender,
        Err(error) => {
            tracing::error!(%error, "webhook delivery cannot start");
            return;
        }
    };
    let owner = Uuid::now_v7();
    let stopping = Arc::new(AtomicBool::new(false));
    let mut committed = commits();
    let mut drains = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let free = settings.concurrency.saturating_sub(drains.len());
        let work = Work {
            sender: &sender,
            owner,
            settings,
            stopping: &stopping,
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
    owner: Uuid,
    settings: WebhookSettings,
    stopping: &'a Arc<AtomicBool>,
}

/// Leases up to `free` endpoints with work and starts draining each.
async fn lease(
    db: &DatabaseConnection,
    work: &Work<'_>,
    mut free: usize,
    drains: &mut JoinSet<()>,
) -> AppResult<()> {
    let (owner, settings) = (work.owner, work.settings);
    for tenant_id in tenants_with_endpoints(db).await? {
        if free == 0 {
            break;
        }
        let scope = Scope::new(db.clone(), auth::operator(tenant_id));
        let now = time::now();
        let leased = scope
            .lease_endpoints(owner, now, lease_until(now, settings), free as u64)
            .await?;
        free -= leased.len();
        for endpoint in leased {
            let (scope, sender) = (scope.clone(), work.sender.clone());
            let stopping = work.stopping.clone();
            drains.spawn(async move {
                let id = endpoint.id;
                let drained = drain(&scope, endpoint, &sender, owner, settings, &stopping).await;
                if let Err(error) = drained {
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

/// Delivers everything due to one endpoint, fanning out new events first, until nothing is
/// due, the lease is lost, or the worker stops. The lease is renewed, and the endpoint read
/// afresh (an ADMIN may have changed its URL or secret, or disabled it), at the start of each
/// batch and whenever less than an attempt's time and [`RENEW_AHEAD`] is left of it.
async fn drain(
    scope: &Scope,
    mut endpoint: webhook_endpoint::Model,
    sender: &Sender,
    owner: Uuid,
    settings: WebhookSettings,
    stopping: &AtomicBool,
) -> AppResult<()> {
    let renew_before =
        TimeDelta::from_std(settings.timeout + RENEW_AHEAD).unwrap_or(TimeDelta::MAX);
    loop {
        scope
            .fan_out(&endpoint, FAN_OUT_BATCH, event_message)
            .await?;
        let due = scope
            .due_deliveries(endpoint.id, time::now(), DUE_BATCH)
            .await?;
        if due.is_empty() {
            return Ok(());
        }
        let mut lease_ends = DateTime::<Utc>::MIN_UTC;
        for delivery in due {
            if stopping.load(Ordering::Relaxed) {
                return Ok(());
            }
            let now = time::now();
            if lease_ends - now < renew_before {
                let until = lease_until(now, settings);
                let Some(fresh) = scope.renew_lease(endpoint.id, owner, until).await? else {
                    return Ok(());
                };
                (endpoint, lease_ends) = (fresh, until);
            }
            let next = attempt(scope, &mut endpoint, &delivery, sender, settings).await?;
            if let Next::Disable(reason) = &next {
                tracing::warn!(endpoint = %endpoint.id, reason, "disabled a webhook endpoint");
                return Ok(());
            }
        }
    }
}

/// Makes one attempt, records it, and keeps `endpoint`'s run of failures as recorded.
async fn attempt(
    scope: &Scope,
    endpoint: &mut webhook_endpoint::Model,
    delivery: &webhook_delivery::Model,
    sender: &Sender,
    settings: WebhookSettings,
) -> AppResult<Next> {
    let now = time::now();
    let (response, record) = sender.attempt(endpoint, delivery, now).await;
    let backoff = Backoff {
        scale: settings.retry_scale,
        jitter: rand::random_range(-1.0..=1.0),
    };
    let failures = u32::try_from(delivery.failures).unwrap_or(u32::MAX);
    let next = rules::after_attempt(response, failures, endpoint.failing_since, now, backoff);
    scope
        .record_attempt(endpoint, delivery, record, &next)
        .await?;
    endpoint.failing_since = match next {
        Next::Delivered => None,
        _ => endpoint.failing_since.or(Some(now)),
    };
    Ok(next)
}
