//! What wakes the tenants' readers: this process's own commits, and on PostgreSQL the
//! notifications of every server's commits, heard on one listening connection per process.

use super::Inner;
use crate::repo::events::{DIRECTORY_CHANGED_MARK, EVENTS_CHANNEL, committed_tenants};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sea_orm::{DatabaseConnection, DbBackend};
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

/// The `application_name` of the listening connection, so operators can tell it apart.
pub const LISTENER_APPLICATION_NAME: &str = "debrief-live-listener";

/// How long to wait before connecting again after the listening connection failed.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// Starts waking `live`'s readers; the tasks end once `live` is gone.
pub(super) fn start(live: Weak<Inner>) {
    let Some(inner) = live.upgrade() else {
        return;
    };
    let postgres = (inner.db.get_database_backend() == DbBackend::Postgres)
        .then(|| listener_options(&inner.db));
    drop(inner);
    tokio::spawn(local_commits(live.clone()));
    if let Some(options) = postgres {
        tokio::spawn(notifications(live, options));
    }
}

/// Wakes the reader of each tenant this process commits events for.
async fn local_commits(live: Weak<Inner>) {
    let mut commits = committed_tenants();
    loop {
        let tenant = match commits.recv().await {
            Ok(tenant_id) => Some(tenant_id),
            Err(RecvError::Lagged(_)) => None,
            Err(RecvError::Closed) => return,
        };
        if !wake(&live, tenant) {
            return;
        }
    }
}

/// The options of the listening connection: the pool's own, under its own name, outside the
/// pool so that it never takes a connection a request could use.
fn listener_options(db: &DatabaseConnection) -> PgConnectOptions {
    let pool = db.get_postgres_connection_pool();
    pool.connect_options()
        .as_ref()
        .clone()
        .application_name(LISTENER_APPLICATION_NAME)
}

/// Listens on [`EVENTS_CHANNEL`] and wakes the reader of each tenant notified, evicting the
/// tenant's users when its directory changed. When the connection is lost or fails, kept users
/// are untrusted until a new connection listens; every reader then looks for what it missed.
async fn notifications(live: Weak<Inner>, options: PgConnectOptions) {
    loop {
        match listen(&options).await {
            Ok(mut listener) => {
                tracing::debug!("listening for committed events");
                if !caught_up(&live, true) {
                    return;
                }
                loop {
                    let heard = match listener.try_recv().await {
                        Ok(Some(notification)) => notified(&live, notification.payload()),
                        // Lost: what is sent until a new connection listens goes unheard.
                        Ok(None) => {
                            tracing::warn!("the listening connection was lost");
                            break;
                        }
                        Err(error) => {
                            tracing::warn!(%error, "the listening connection failed");
                            break;
                        }
                    };
                    if !heard {
                        return;
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "could not listen for committed events"),
        }
        if !caught_up(&live, false) {
            return;
        }
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

/// After the listening connection (re)connected (`listening`) or failed: every reader looks
/// for what it missed, and every user kept is forgotten. `false` once `live` is gone.
fn caught_up(live: &Weak<Inner>, listening: bool) -> bool {
    let Some(inner) = live.upgrade() else {
        return false;
    };
    if let Some(principals) = &inner.principals {
        principals.set_listening(listening);
    }
    inner.wake(None);
    true
}

/// Acts on one notification's `payload`; `false` once `live` is gone.
fn notified(live: &Weak<Inner>, payload: &str) -> bool {
    let Some(inner) = live.upgrade() else {
        return false;
    };
    let tenant_id = tenant_of(payload);
    if let Some(principals) = &inner.principals {
        match tenant_id {
            Some(tenant_id) if payload.ends_with(DIRECTORY_CHANGED_MARK) => {
                principals.directory_changed(tenant_id);
            }
            Some(_) => {}
            // A payload this version does not understand may be anyone's change.
            None => principals.set_listening(true),
        }
    }
    inner.wake(tenant_id);
    true
}

async fn listen(options: &PgConnectOptions) -> Result<PgListener, sea_orm::sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_lazy_with(options.clone());
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(EVENTS_CHANNEL).await?;
    Ok(listener)
}

/// Wakes the reader of `tenant_id` (every reader when `None`); `false` once `live` is gone.
fn wake(live: &Weak<Inner>, tenant_id: Option<Uuid>) -> bool {
    let Some(inner) = live.upgrade() else {
        return false;
    };
    inner.wake(tenant_id);
    true
}

/// The tenant a notification's payload (`<tenant id>:<last position>`) names; `None`, which
/// wakes every reader, for a payload this version does not understand.
fn tenant_of(payload: &str) -> Option<Uuid> {
    payload.split(':').next().and_then(|id| id.parse().ok())
}
