//! One operation of a socket: run with the socket's principal, its results sent as `next`
//! messages until `complete`, or refused with one `error` message.

use super::super::AppState;
use super::super::graphql::prepare;
use super::super::negotiate::GraphQlParams;
use super::protocol;
use crate::auth::Principal;
use crate::graphql::errors;
use crate::repo::Scope;
use axum::extract::ws::Message;
use futures_util::StreamExt;
use tokio::sync::mpsc;

/// Runs `params` as operation `id` for `principal`, sending its messages to `outbox`, and
/// returns its `complete` (if it ends with one) for the caller to send once it has freed the
/// id. Waits while `outbox` is full, so a client that reads slowly slows its own operations
/// down (and a subscription that falls too far behind ends with RESYNC_REQUIRED).
pub async fn run(
    state: AppState,
    principal: Principal,
    id: String,
    params: GraphQlParams,
    outbox: mpsc::Sender<Message>,
) -> Option<Message> {
    let GraphQlParams {
        document,
        operation_name,
        variables,
    } = params;
    let role = principal.role();
    // The same rule as over HTTP, so a role bound to trusted documents is bound here too.
    let resolved = state.documents.find(document).and_then(|found| {
        state
            .documents
            .admit(found, role, operation_name.as_deref())
    });
    let scope = Scope::new(state.db.clone(), principal);
    let prepared = resolved.and_then(|resolved| {
        let variables = async_graphql::Variables::from_json(serde_json::Value::Object(variables));
        prepare(&state, resolved, operation_name, variables, scope.clone())
    });
    let (request, finishing) = match prepared {
        Ok(prepared) => prepared,
        Err(refusal) => {
            let mut refusal = async_graphql::Response::from_errors(vec![refusal]);
            errors::police(&mut refusal);
            let _ = outbox.send(protocol::error(&id, &refusal.errors)).await;
            return None;
        }
    };
    let request = request.data(state.live.clone());
    let mut results = state.schema.execute_stream(request);
    let mut first = true;
    while let Some(response) = results.next().await {
        // Boxed: explaining a refused operation's cost runs a validation, whose future would
        // otherwise be part of every idle subscription's task.
        let (mut response, executed) = Box::pin(finishing.finish(&state, response)).await;
        // Nothing is held while the operation waits for its next result.
        scope.release().await;
        errors::police(&mut response);
        if first && !executed {
            // Refused before it ran (syntax, validation, variables): `error`, then nothing.
            let _ = outbox.send(protocol::error(&id, &response.errors)).await;
            return None;
        }
        first = false;
        if outbox.send(protocol::next(&id, &response)).await.is_err() {
            return None;
        }
    }
    Some(protocol::complete(&id))
}
