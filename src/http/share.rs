//! `GET /share/<token>`: one client's copy of a post-mortem, as a whole page, for whoever
//! holds the link. Every reason not to show it (a wrong, expired or revoked token, a
//! post-mortem not published, a client no longer impacted) answers the same 404 page, so a
//! guess learns nothing.

use super::AppState;
use crate::domain::document::{self, page};
use crate::domain::follow_up;
use crate::error::{AppError, AppResult};
use crate::repo::share_links::{self, OpenLink};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use entity::PostMortemStatus;
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The page's policy: nothing but its own inline style sheet (allowed by its hash), and
/// images over https; no scripts, frames, forms or plugins.
static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(page::STYLE));
    format!(
        "default-src 'none'; style-src 'sha256-{digest}'; img-src https:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
});

/// Serves the page a share token opens.
pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match shared_page(&state.db, &token).await {
        Ok(Some(html)) => answer(StatusCode::OK, html),
        Ok(None) | Err(AppError::NotFound(_)) => answer(StatusCode::NOT_FOUND, page::not_found()),
        Err(AppError::Unavailable(cause)) => {
            tracing::warn!(error = %cause, "share page: database unavailable");
            super::respond::retry_later(answer(StatusCode::SERVICE_UNAVAILABLE, unavailable()))
        }
        Err(other) => {
            tracing::error!(error = %other, "share page failed");
            answer(StatusCode::INTERNAL_SERVER_ERROR, unavailable())
        }
    }
}

/// The page, or `None` when the token opens nothing.
async fn shared_page(db: &DatabaseConnection, token: &str) -> AppResult<Option<String>> {
    let Some(link) = share_links::open(db, token).await? else {
        return Ok(None);
    };
    let fragments = fragments(&link).await?;
    link.record_view().await?;
    Ok(Some(page::standalone(&fragments.0, &fragments.1)))
}

/// The page's title and its articles: the summary, then the follow-up report once the
/// review is recorded.
async fn fragments(link: &OpenLink) -> AppResult<(String, Vec<String>)> {
    let (scope, incident_id) = (&link.scope, link.incident_id);
    let reader = scope.document_reader(incident_id, None).await?;
    let summary = scope
        .document_snapshot(incident_id, reader.as_ref())
        .await?;
    let title = format!("{}: {}", summary.reference, summary.title.trim());
    let mut articles = vec![document::html(&summary)];
    if scope.post_mortem(incident_id).await?.status == PostMortemStatus::Reviewed {
        let report = scope
            .follow_up_snapshot(incident_id, reader.as_ref())
            .await?;
        articles.push(follow_up::html(&report));
    }
    Ok((title, articles))
}

/// The page for a failure that is not the link's: the reader may try again later.
fn unavailable() -> String {
    page::standalone(
        "Temporarily unavailable",
        &["<h1>This page is temporarily unavailable</h1>\n<p>Please try again in a few minutes.</p>\n".to_owned()],
    )
}

/// An HTML answer that no cache keeps, no search engine lists, and that sends no referrer
/// (the URL holds the token).
fn answer(status: StatusCode, html: String) -> Response {
    let mut headers = HeaderMap::new();
    let fixed = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::HeaderName::from_static("x-robots-tag"),
            "noindex, nofollow",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if let Ok(policy) = HeaderValue::from_str(&CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    (status, headers, html).into_response()
}
