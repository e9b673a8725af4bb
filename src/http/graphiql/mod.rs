//! GraphiQL for browsers, in development. Its assets are vendored in `vendor/` (see the
//! README there) and served from the binary, so the page works without internet access.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

/// What the page starts with.
#[derive(Debug, Clone, Default)]
pub struct GraphiqlSettings {
    /// The header editor's first text, e.g. `{"Authorization": "Bearer …"}`.
    pub headers: Option<String>,
}

/// The query the editor starts with.
const STARTER_QUERY: &str = "# Welcome to Debrief. Run this with the ▶ button or Ctrl-Enter.
query Viewer {
  viewer {
    role
    user { displayName email }
    tenant { name slug }
  }
  incidents(first: 5) {
    totalCount
    nodes { reference title severity status startedAt }
  }
}
";

/// The GraphiQL page, pointed at `/graphql`, with `settings`.
pub fn page(settings: &GraphiqlSettings) -> Html<String> {
    let settings = json!({
        "headers": settings.headers.clone().unwrap_or_else(|| "{}".to_owned()),
        "query": STARTER_QUERY,
    });
    // `<` is escaped so that no text in the settings can close the script element.
    let settings = settings.to_string().replace('<', "\\u003c");
    Html(include_str!("page.html").replace("{{SETTINGS}}", &settings))
}

/// `GET /graphiql/assets/{file}`: one of the vendored files, or the page's own script.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, content_type): (&'static [u8], &str) = match file.as_str() {
        "graphiql.min.js" => (include_bytes!("vendor/graphiql.min.js"), JS),
        "graphiql.min.css" => (include_bytes!("vendor/graphiql.min.css"), CSS),
        "react.production.min.js" => (include_bytes!("vendor/react.production.min.js"), JS),
        "react-dom.production.min.js" => (include_bytes!("vendor/react-dom.production.min.js"), JS),
        "debrief.js" => (include_bytes!("debrief.js"), JS),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
