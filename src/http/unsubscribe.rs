//! `GET /unsubscribe/<token>` (and `POST`, for mail clients' one-click unsubscribe, RFC
//! 8058): turns the notifications of the recipient the token was issued to off, and says so
//! in a small page. A token that names nothing answers 404 with the same kind of page.

use super::AppState;
use crate::domain::document::page;
use crate::error::AppError;
use crate::repo::notifications::preferences;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Follows an unsubscribe link.
pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match preferences::unsubscribe(&state.db, &token).await {
        Ok(true) => answer(
            StatusCode::OK,
            "You are unsubscribed",
            "<h1>You are unsubscribed</h1>\n<p>You will receive no more notification emails. \
             Signed-in users can turn them back on in their notification preferences.</p>\n",
        ),
        Ok(false) | Err(AppError::NotFound(_)) => answer(
            StatusCode::NOT_FOUND,
            "Link not recognised",
            "<h1>This link is not recognised</h1>\n<p>Nothing was changed.</p>\n",
        ),
        Err(error) => {
            tracing::warn!(%error, "unsubscribing failed");
            answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "<h1>Please try again in a few minutes</h1>\n<p>Nothing was changed yet.</p>\n",
            )
        }
    }
}

fn answer(status: StatusCode, title: &str, body: &str) -> Response {
    let html = page::standalone(title, &[body.to_owned()]);
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
