//! One socket, from `connection_init` to its close: authentication that lasts as long as
//! the token and the user do, pings both ways, and the operations it runs.

mod sign_in;

use super::super::negotiate::GraphQlParams;
use super::operation;
use super::protocol::{self, ClientMessage, Close};
use crate::auth::Principal;
use crate::error::ErrorCode;
use crate::graphql::errors::set_code;
use crate::http::AppState;
use crate::live::{SocketSlot, UserWatch};
use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio::time::Instant;

/// Messages queued for one socket before its operations wait for the client to read.
const OUTBOX_CAPACITY: usize = 16;

/// How long a closing socket may take to send its close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Serves `socket` until either side closes it.
pub async fn serve(socket: WebSocket, state: AppState) {
    let _open = state.live.socket_opened();
    let (sink, mut incoming) = socket.split();
    let (outbox, queued) = mpsc::channel(OUTBOX_CAPACITY);
    let mut writer = tokio::spawn(write(sink, queued));
    let mut session = Session::new(state, outbox.clone());
    let close = session.run(&mut incoming).await;
    drop(session);
    if let Some(close) = close {
        let _ = tokio::time::timeout(CLOSE_GRACE, outbox.send(close.frame())).await;
    }
    drop(outbox);
    if tokio::time::timeout(CLOSE_GRACE, &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
}

/// Sends what is queued, in order, up to and including a close frame; what is queued
/// together goes out in one write.
async fn write(mut sink: SplitSink<WebSocket, Message>, mut queued: mpsc::Receiver<Message>) {
    let mut batch = Vec::with_capacity(OUTBOX_CAPACITY);
    while queued.recv_many(&mut batch, OUTBOX_CAPACITY).await > 0 {
        for message in batch.drain(..) {
            let closing = matches!(message, Message::Close(_));
            if sink.feed(message).await.is_err() {
                return;
            }
            if closing {
                let _ = sink.close().await;
                return;
            }
        }
        if sink.flush().await.is_err() {
            return;
        }
    }
    let _ = sink.close().await;
}

/// What to do after a message.
enum Flow {
    Continue,
    Close(Close),
    /// The client closed the socket, or it broke.
    End,
}

/// An operation that ended by itself: its id and generation.
type Finished = (String, u64);

/// The signed-in side of a socket.
struct Client {
    principal: Principal,
    /// When the token expires.
    expires: Instant,
    watch: UserWatch,
    _slot: SocketSlot,
}

struct Session {
    state: AppState,
    outbox: mpsc::Sender<Message>,
    /// Set by `connection_init` (a failed one closes the socket).
    client: Option<Client>,
    /// Running operations by id, each with the generation that tells a finished one from a
    /// later one reusing its id.
    operations: HashMap<String, (u64, AbortHandle)>,
    generation: u64,
    finished_tx: mpsc::UnboundedSender<Finished>,
    finished: mpsc::UnboundedReceiver<Finished>,
    heard: Instant,
}

impl Drop for Session {
    fn drop(&mut self) {
        for (_, task) in self.operations.values() {
            task.abort();
        }
    }
}

impl Session {
    fn new(state: AppState, outbox: mpsc::Sender<Message>) -> Self {
        let (finished_tx, finished) = mpsc::unbounded_channel();
        Self {
            state,
            outbox,
            client: None,
            operations: HashMap::new(),
            generation: 0,
            finished_tx,
            finished,
            heard: Instant::now(),
        }
    }

    /// Serves the socket until it must close (with the frame to send) or has ended.
    async fn run(&mut self, incoming: &mut SplitStream<WebSocket>) -> Option<Close> {
        let settings = self.state.live.settings();
        let init_deadline = Instant::now() + settings.init_timeout;
        let mut pings = tokio::time::interval_at(
            Instant::now() + settings.ping_interval,
            settings.ping_interval,
        );
        let mut closing = self.state.live.closing();
        loop {
            let expires = self.client.as_ref().map(|c| c.expires);
            let flow = tokio::select! {
                () = shutting_down(&mut closing) => Flow::Close(Close::GoingAway),
                () = tokio::time::sleep_until(init_deadline), if self.client.is_none() => {
                    Flow::Close(Close::InitTimeout)
                }
                () = sleep_until(expires) => {
                    Flow::Close(Close::Forbidden("the token has expired".into()))
                }
                // Rare, and deep in database code: boxed, so an idle socket's task stays small.
                () = user_changed(self.client.as_ref()) => Box::pin(self.recheck()).await,
                _ = pings.tick() => self.keep_alive(settings.ping_interval),
                Some((id, generation)) = self.finished.recv() => {
                    self.forget(&id, generation);
                    Flow::Continue
                }
                message = incoming.next() => match message {
                    Some(Ok(message)) => {
                        self.heard = Instant::now();
                        self.handle(message).await
                    }
                    _ => Flow::End,
                },
            };
            match flow {
                Flow::Continue => {}
                Flow::Close(close) => return Some(close),
                Flow::End => return None,
            }
        }
    }

    async fn handle(&mut self, message: Message) -> Flow {
        match message {
            Message::Text(text) => match ClientMessage::parse(text.as_str()) {
                Some(message) => self.receive(message).await,
                None => Flow::Close(Close::InvalidMessage),
            },
            Message::Binary(_) => Flow::Close(Close::InvalidMessage),
            // Transport-level pings are answered by the WebSocket library itself.
            Message::Ping(_) | Message::Pong(_) => Flow::Continue,
            Message::Close(_) => Flow::End,
        }
    }

    async fn receive(&mut self, message: ClientMessage) -> Flow {
        match message {
            ClientMessage::ConnectionInit { payload } => Box::pin(self.initialise(payload)).await,
            ClientMessage::Ping { payload } => {
                // A client that does not read its pongs loses them, not the socket.
                let _ = self.outbox.try_send(protocol::pong(payload));
                Flow::Continue
            }
            ClientMessage::Pong { .. } => Flow::Continue,
            ClientMessage::Subscribe { id, payload } => self.subscribe(id, payload),
            ClientMessage::Complete { id } => {
                if let Some((_, task)) = self.operations.remove(&id) {
                    task.abort();
                }
                Flow::Continue
            }
        }
    }

    /// Queues a message from the session itself, which must never wait on a client that
    /// does not read: with its queue full, the socket ends.
    fn queue(&self, message: Message) -> Flow {
        match self.outbox.try_send(message) {
            Ok(()) => Flow::Continue,
            Err(_) => Flow::End,
        }
    }

    fn subscribe(&mut self, id: String, payload: GraphQlParams) -> Flow {
        // An operation that has just sent `complete` frees its id before this one takes it.
        while let Ok((finished, generation)) = self.finished.try_recv() {
            self.forget(&finished, generation);
        }
        let Some(client) = &self.client else {
            return Flow::Close(Close::Unauthorized);
        };
        if self.operations.contains_key(&id) {
            return Flow::Close(Close::DuplicateId(id));
        }
        let limit = self.state.live.settings().operations_per_socket;
        if self.operations.len() >= limit {
            let mut error = async_graphql::ServerError::new(
                format!("at most {limit} operations may run at once on one socket"),
                None,
            );
            set_code(&mut error, ErrorCode::RateLimited);
            return self.queue(protocol::error(&id, &[error]));
        }
        self.generation += 1;
        let generation = self.generation;
        let finished = self.finished_tx.clone();
        let run = operation::run(
            self.state.clone(),
            client.principal.clone(),
            id.clone(),
            payload,
            self.outbox.clone(),
        );
        let (key, outbox) = (id.clone(), self.outbox.clone());
        let task = tokio::spawn(async move {
            let last = run.await;
            // Freed before the client can learn it may reuse the id.
            let _ = finished.send((key, generation));
            if let Some(last) = last {
                let _ = outbox.send(last).await;
            }
        });
        self.operations
            .insert(id, (generation, task.abort_handle()));
        Flow::Continue
    }

    /// Forgets operation `id` once it finished, unless a later one took its id.
    fn forget(&mut self, id: &str, generation: u64) {
        if self
            .operations
            .get(id)
            .is_some_and(|(g, _)| *g == generation)
        {
            self.operations.remove(id);
        }
    }

    /// Pings the client, or ends a socket it has not answered for two intervals.
    fn keep_alive(&mut self, interval: Duration) -> Flow {
        if self.heard.elapsed() > interval * 2 {
            return Flow::End;
        }
        // A full outbox means the client is not reading: its silence will end the socket.
        let _ = self.outbox.try_send(protocol::ping());
        Flow::Continue
    }
}

async fn shutting_down(closing: &mut tokio::sync::watch::Receiver<bool>) {
    // The guard `wait_for` returns must not live across an await.
    let _ = closing.wait_for(|closing| *closing).await;
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

async fn user_changed(client: Option<&Client>) {
    match client {
        Some(client) => client.watch.changed().await,
        None => std::future::pending().await,
    }
}
