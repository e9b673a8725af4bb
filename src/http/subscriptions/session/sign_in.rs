//! Signing a socket in with `connection_init`, and checking it again whenever its user or
//! service token changes.

use super::{Client, Flow, Session};
use crate::auth::{Principal, Session as Credentials};
use crate::error::{AppError, ErrorCode};
use crate::http::subscriptions::protocol::{self, Close};
use crate::live::UserWatch;
use serde_json::{Map, Value};
use std::time::Duration;
use tokio::time::Instant;

/// How soon a user's check that the database failed is made again.
const RECHECK_AFTER_FAILURE: Duration = Duration::from_secs(1);

impl Session {
    /// Authenticates `connection_init`'s `authorization` as HTTP does, and acknowledges.
    pub(super) async fn initialise(&mut self, payload: Option<Map<String, Value>>) -> Flow {
        if self.client.is_some() {
            return Flow::Close(Close::TooManyInits);
        }
        let authorizer = &self.state.authenticator;
        let bearer = match authorizer.verify(payload.as_ref().and_then(authorization)) {
            Ok(bearer) => bearer,
            Err(error) => return Flow::Close(refusal(&error)),
        };
        let live = &self.state.live;
        // Watched before it is read: a change committed after the read reaches the watch.
        let user_watch = match bearer.user_id() {
            Some(user_id) => Some(live.watch_user(bearer.tenant_id(), user_id).await),
            None => None,
        };
        let Credentials {
            principal,
            expires_at,
        } = match authorizer.session(&bearer).await {
            Ok(credentials) => credentials,
            Err(error) => return Flow::Close(refusal(&error)),
        };
        let watch = match user_watch {
            Some(watch) => watch,
            None => match self.watch_token(&principal).await {
                Ok(watch) => watch,
                Err(close) => return Flow::Close(close),
            },
        };
        let Some(slot) = live.open_socket(&principal) else {
            return Flow::Close(Close::TryAgainLater("this user has too many sockets open"));
        };
        let remaining = (expires_at - chrono::Utc::now())
            .to_std()
            .unwrap_or_default();
        self.client = Some(Client {
            principal,
            expires: Instant::now() + remaining,
            watch,
            _slot: slot,
        });
        self.queue(protocol::ack())
    }

    /// Watches a service token's row, known only once read, and then checks it again, so
    /// that a revocation committed between the first read and the watch is not missed.
    async fn watch_token(&self, principal: &Principal) -> Result<UserWatch, Close> {
        let Some(token_id) = principal.api_token_id() else {
            return Err(Close::InternalError);
        };
        let watch = self
            .state
            .live
            .watch_user(principal.tenant_id(), token_id)
            .await;
        match self.state.authenticator.still_current(principal).await {
            Ok(true) => Ok(watch),
            Ok(false) => Err(changed_user()),
            Err(error) => Err(refusal(&error)),
        }
    }

    /// After a change to the user or service token: closes the socket unless they are still
    /// who it was opened for (active, same role and client; a token neither revoked nor
    /// expired).
    pub(super) async fn recheck(&mut self) -> Flow {
        let Some(client) = &self.client else {
            return Flow::Continue;
        };
        match self
            .state
            .authenticator
            .still_current(&client.principal)
            .await
        {
            Ok(true) => Flow::Continue,
            Ok(false) => Flow::Close(changed_user()),
            Err(error) => {
                tracing::warn!(%error, "could not check a socket's user again; trying again soon");
                client.watch.again_after(RECHECK_AFTER_FAILURE);
                Flow::Continue
            }
        }
    }
}

/// The `authorization` (or `Authorization`) entry of `connection_init`'s payload.
fn authorization(payload: &Map<String, Value>) -> Option<&str> {
    payload
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, value)| value.as_str())
}

fn changed_user() -> Close {
    Close::Forbidden("your account or service token changed; sign in again".into())
}

/// How a socket whose authentication failed is closed.
fn refusal(error: &AppError) -> Close {
    match error.code() {
        ErrorCode::Unauthenticated => Close::Forbidden(error.public_message()),
        ErrorCode::Unavailable => {
            tracing::warn!(%error, "a socket's authentication could not reach the database");
            Close::TryAgainLater("the database cannot be reached")
        }
        _ => {
            tracing::error!(%error, "a socket's authentication failed");
            Close::InternalError
        }
    }
}
