//! Serving the router over TCP with limits on every connection: how many are served at once,
//! how long a new one may take to send its first request head, and how long one may idle.
//!
//! hyper's own `header_read_timeout` also runs while a kept-alive connection waits for its
//! next request, so it cannot give a short limit for the first head and a longer one for
//! idling. Each connection therefore has a watchdog that knows whether a request is in
//! flight and closes the connection once it has been idle past the limit that applies.

use crate::config::ConnectionLimits;
use axum::Router;
use axum::extract::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

/// How long to wait before accepting again after the process ran out of file descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` until `shutdown` completes, then lets the requests in flight
/// finish for up to `drain` before returning.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // The watchdog below replaces hyper's header timer (see the module's documentation).
    builder.http1().header_read_timeout(None);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::warn!(
                limit = limits.max_connections,
                "refused a connection: the server is at its connection limit"
            );
            continue;
        };
        let slot = ConnectionSlot(Arc::new(permit));
        let activity = Arc::new(Activity::new());
        let service =
            TowerToHyperService::new(tracked(router.clone(), activity.clone(), slot.clone()));
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {}
                () = activity.expired(limits) => {}
            }
            drop(slot);
        });
    }
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            seconds = drain.as_secs(),
            "requests still in flight after the drain period were dropped"
        );
    }
}

/// A connection's place among `--max-connections`, held until every clone is dropped. Each
/// request carries one, so a connection upgraded to a WebSocket, which hyper no longer
/// tracks, keeps its place for as long as the socket is open.
#[derive(Clone)]
pub struct ConnectionSlot(#[allow(dead_code)] Arc<OwnedSemaphorePermit>);

/// `router`, reporting to `activity` when each request starts and when its response is ready,
/// and giving each request the connection's `slot`.
fn tracked(
    router: Router,
    activity: Arc<Activity>,
    slot: ConnectionSlot,
) -> impl tower::Service<
    Request<hyper::body::Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Future + Send,
> + Clone {
    tower::service_fn(move |mut request: Request<hyper::body::Incoming>| {
        let busy = Busy::start(activity.clone());
        request.extensions_mut().insert(slot.clone());
        let response = router.clone().oneshot(request.map(axum::body::Body::new));
        async move {
            let response = response.await;
            drop(busy);
            response
        }
    })
}

/// What one connection is doing, as its watchdog sees it.
struct Activity {
    state: Mutex<State>,
    changed: Notify,
}

struct State {
    in_flight: usize,
    idle_since: Instant,
    served: bool,
}

impl Activity {
    fn new() -> Self {
        Self {
            state: Mutex::new(State {
                in_flight: 0,
                idle_since: Instant::now(),
                served: false,
            }),
            changed: Notify::new(),
        }
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
        self.changed.notify_one();
    }

    /// When the connection is due to close: `None` while a request is in flight. A connection
    /// that has not yet sent a request head gets the header timeout; one that has been served
    /// gets the keep-alive timeout.
    fn deadline(&self, limits: ConnectionLimits) -> Option<Instant> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        (state.in_flight == 0).then(|| {
            let limit = if state.served {
                limits.keep_alive_timeout
            } else {
                limits.header_read_timeout
            };
            state.idle_since + limit
        })
    }

    /// Completes once the connection has been idle past its deadline.
    async fn expired(&self, limits: ConnectionLimits) {
        loop {
            match self.deadline(limits) {
                None => self.changed.notified().await,
                Some(deadline) => tokio::select! {
                    () = tokio::time::sleep_until(deadline) => {
                        if self.deadline(limits).is_some_and(|due| due <= Instant::now()) {
                            return;
                        }
                    }
                    () = self.changed.notified() => {}
                },
            }
        }
    }
}

/// Marks a request in flight on its connection until dropped.
struct Busy(Arc<Activity>);

impl Busy {
    fn start(activity: Arc<Activity>) -> Self {
        activity.update(|state| state.in_flight += 1);
        Self(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.update(|state| {
            state.in_flight -= 1;
            state.served = true;
            state.idle_since = Instant::now();
        });
    }
}
