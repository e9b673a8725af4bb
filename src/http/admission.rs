//! Admitting a GraphQL request: who is calling, and whether their budgets hold what the
//! operation costs. A user's request is charged before the user is looked up, so that one
//! over budget runs no SQL beyond its charge; a service token is looked up first, since
//! only its row says which token it is.

use super::negotiate::MediaType;
use super::{AppState, respond};
use crate::auth::Bearer;
use crate::domain::rate_limit::{Admission, Caller, Charge, Level};
use crate::domain::time;
use crate::error::{AppError, ErrorCode};
use crate::repo::{Scope, rate_limits};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

/// A request refused admission: the answer, and the code it carries (for the metrics).
pub(super) struct Refused {
    pub code: ErrorCode,
    pub response: Response,
}

impl Refused {
    fn new(code: ErrorCode, response: Response) -> Self {
        Self { code, response }
    }
}

/// An admitted request: the caller's scope, and its charge when budgets are enforced.
pub(super) struct Admitted {
    pub scope: Scope,
    pub admission: Option<Admission>,
}

/// Looks up the verified `bearer` and charges `cost` to their budgets; or answers the
/// refusal: 401 for an unknown or deactivated caller, 429 over budget, 503 when the database
/// cannot be reached.
pub(super) async fn admit(
    state: &AppState,
    bearer: &Bearer,
    cost: u64,
    media: MediaType,
) -> Result<Admitted, Refused> {
    match bearer {
        Bearer::User(subject) => {
            let caller = Caller::User(subject.user_id);
            let admission = charge(state, subject.tenant_id, caller, cost, media).await?;
            let scope = authenticate(state, bearer, media).await?;
            Ok(Admitted { scope, admission })
        }
        Bearer::Service(_) => {
            let scope = authenticate(state, bearer, media).await?;
            // The charge takes a connection of its own: the lookup's goes back first.
            scope.release().await;
            let token = scope.principal().api_token_id().unwrap_or_else(Uuid::nil);
            let caller = Caller::ServiceToken(token);
            let admission =
                charge(state, scope.principal().tenant_id(), caller, cost, media).await?;
            Ok(Admitted { scope, admission })
        }
    }
}

async fn authenticate(
    state: &AppState,
    bearer: &Bearer,
    media: MediaType,
) -> Result<Scope, Refused> {
    state
        .authenticator
        .authenticate_bearer(bearer)
        .await
        .map_err(|error| refusal(media, &error))
}

/// Charges the request, refunding a bucket that paid when the other refused; answers 429
/// when either refused.
async fn charge(
    state: &AppState,
    tenant_id: Uuid,
    caller: Caller,
    cost: u64,
    media: MediaType,
) -> Result<Option<Admission>, Refused> {
    let Some(charge) = state.budgets.charge(caller, cost, time::now()) else {
        return Ok(None);
    };
    let (tenant, caller) = rate_limits::charge(&state.db, tenant_id, &charge)
        .await
        .map_err(|error| refusal(media, &error))?;
    refund_split(state, tenant_id, &charge, tenant, caller).await;
    let admission = Admission::decide(&charge, tenant, caller);
    if admission.accepted {
        Ok(Some(admission))
    } else {
        Err(Refused::new(
            ErrorCode::RateLimited,
            too_many_requests(media, &admission),
        ))
    }
}

/// A request one bucket paid for and the other refused does not run: the payment goes back.
async fn refund_split(
    state: &AppState,
    tenant_id: Uuid,
    charge: &Charge,
    tenant: Level,
    caller: Level,
) {
    let paid = match (tenant.accepted, caller.accepted) {
        (true, false) => &charge.tenant,
        (false, true) => &charge.caller,
        _ => return,
    };
    // A bucket standing in for a budget turned off has nothing to get back.
    if paid.budget.is_none() {
        return;
    }
    if let Err(error) = rate_limits::refund(&state.db, tenant_id, charge, &paid.key).await {
        tracing::warn!(%error, "could not refund a refused request's charge");
    }
}

/// The answer to credentials that failed, or to a database that could not check them.
fn refusal(media: MediaType, error: &AppError) -> Refused {
    Refused::new(error.code(), refusal_response(media, error))
}

fn refusal_response(media: MediaType, error: &AppError) -> Response {
    match error.code() {
        ErrorCode::Unauthenticated => respond::unauthenticated(media, error),
        ErrorCode::Unavailable => {
            tracing::warn!(%error, "admission could not reach the database");
            respond::unavailable(media)
        }
        _ => {
            tracing::error!(%error, "admission failed");
            respond::error(
                media,
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                &error.public_message(),
            )
        }
    }
}

/// 429 RATE_LIMITED with `Retry-After`, the rate-limit headers and the cost extension.
fn too_many_requests(media: MediaType, admission: &Admission) -> Response {
    let retry_after = admission.retry_after().as_secs();
    let body = json!({
        "errors": [{
            "message": format!(
                "this request costs {} points and the {} budget has {} left; it refills to {} \
                 points by {}: retry in {retry_after} s",
                admission.cost,
                admission.policy,
                admission.remaining(),
                admission.budget.points,
                admission.reset_at().to_rfc3339(),
            ),
            "extensions": { "code": ErrorCode::RateLimited.as_str(), "retryAfter": retry_after },
        }],
        "extensions": { "cost": cost_extension(admission.cost, 0, Some(admission)) },
    });
    let mut response = respond::json(media, StatusCode::TOO_MANY_REQUESTS, &body);
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    add_headers(headers, admission);
    response
}

/// `extensions.cost`, Shopify's shape: what the operation was priced at before it ran, what
/// it cost by what it returned, and the budget that binds the caller.
pub(super) fn cost_extension(
    requested: u64,
    actual: u64,
    admission: Option<&Admission>,
) -> serde_json::Value {
    let mut cost = json!({ "requestedQueryCost": requested, "actualQueryCost": actual });
    if let Some(admission) = admission {
        cost["throttleStatus"] = json!({
            "maximumAvailable": f64::from(admission.budget.points),
            "currentlyAvailable": admission.remaining(),
            "restoreRate": admission.budget.restore_rate(),
        });
    }
    cost
}

/// The IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers)
/// for the budget that binds the caller.
pub(super) fn add_headers(headers: &mut HeaderMap, admission: &Admission) {
    let policy = format!(
        "\"{}\";q={};w={}",
        admission.policy,
        admission.budget.points,
        admission.budget.window.as_secs()
    );
    let until_full = (admission.reset_at() - admission.at).num_seconds().max(0);
    let state = format!(
        "\"{}\";r={};t={until_full}",
        admission.policy,
        admission.remaining()
    );
    for (name, value) in [("ratelimit-policy", policy), ("ratelimit", state)] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}
