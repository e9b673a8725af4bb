//! `GET /reports/metrics.csv`: the long-format rows of `metrics(groupBy:)` as CSV, for BI
//! tools that import files rather than speak GraphQL. The rows come from running that very
//! query with the caller's own scope, so the file holds exactly what GraphQL answers, under
//! the same authentication and roles.

mod table;

use super::AppState;
use crate::graphql::{context, errors};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// The operation the file is made from; [`table::COLUMNS`] reads its rows.
const QUERY: &str = "query($from: DateTime!, $to: DateTime!, $bucket: MetricsBucket, $groupBy: MetricsGroupBy!) {
  metrics(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy) {
    rows { start end dimension dimensionId
      incidents { count bySeverity { count } postMortemDue
        timeToResolve { count meanHours medianHours p90Hours }
        timeToPublish { count meanHours medianHours p90Hours } }
      followThrough { committed completed completedOnTime overdue cancelled completionRate onTimeRate medianDaysToComplete } }
  }
}";

/// The parameters, as GraphQL variables, and the file's name.
struct Report {
    variables: Map<String, Value>,
    filename: String,
}

/// `GET /reports/metrics.csv?from&to&bucket&groupBy`.
pub async fn metrics_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let scope = match state.authenticator.authenticate(authorization).await {
        Ok(scope) => scope,
        Err(error) => {
            let status = status_of(Some(error.code().as_str()));
            return plain(status, &error.public_message());
        }
    };
    let report = match parse(pairs) {
        Ok(report) => report,
        Err(message) => return plain(StatusCode::BAD_REQUEST, &message),
    };
    let request = async_graphql::Request::new(QUERY).variables(
        async_graphql::Variables::from_json(Value::Object(report.variables)),
    );
    let request = context::attach(request, scope.clone(), state.batch_window);
    let mut response = state.schema.execute(request).await;
    scope.release().await;
    errors::police(&mut response);
    if let Some(error) = response.errors.first() {
        return plain(status_of(code_of(error).as_deref()), &error.message);
    }
    let data = response.data.into_json().unwrap_or_default();
    let rows = data["metrics"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    match table::write(&rows) {
        Ok(body) => csv(body, &report.filename),
        Err(error) => {
            tracing::error!(%error, "a metrics CSV could not be written");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the CSV could not be written",
            )
        }
    }
}

/// Reads the parameters: `from` and `to` (RFC 3339), `groupBy` (CLIENT, SERVICE, SEVERITY
/// or KIND), and optionally `bucket` (WEEK or MONTH). Anything else, or any twice, is refused.
fn parse(pairs: Vec<(String, String)>) -> Result<Report, String> {
    let mut variables = Map::new();
    for (name, value) in pairs {
        let (key, value) = match name.as_str() {
            // A `+` offset sent unencoded arrives as a space.
            "from" | "to" => (name.as_str(), timestamp(&name, &value.replace(' ', "+"))?),
            "bucket" => ("bucket", choice(&name, value, &["WEEK", "MONTH"])?),
            "groupBy" => (
                "groupBy",
                choice(&name, value, &["CLIENT", "SERVICE", "SEVERITY", "KIND"])?,
            ),
            _ => {
                return Err(format!(
                    "unknown parameter `{name}`: use from, to, bucket and groupBy"
                ));
            }
        };
        if variables.insert(key.to_owned(), value).is_some() {
            return Err(format!("`{name}` is given more than once"));
        }
    }
    for required in ["from", "to", "groupBy"] {
        if !variables.contains_key(required) {
            return Err(format!("`{required}` is required"));
        }
    }
    let filename = format!(
        "debrief-metrics-{}-{}-{}.csv",
        variables["groupBy"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase(),
        day_of(&variables["from"]),
        day_of(&variables["to"]),
    );
    Ok(Report {
        variables,
        filename,
    })
}

fn timestamp(name: &str, value: &str) -> Result<Value, String> {
    chrono::DateTime::parse_from_rfc3339(value)
        .map(|at| json!(at.to_rfc3339()))
        .map_err(|_| format!("`{name}` must be an RFC 3339 timestamp such as 2026-07-01T00:00:00Z"))
}

fn choice(name: &str, value: String, allowed: &[&str]) -> Result<Value, String> {
    if allowed.contains(&value.as_str()) {
        Ok(Value::String(value))
    } else {
        Err(format!("`{name}` must be one of {}", allowed.join(", ")))
    }
}

/// The UTC day of a timestamp variable, for the file name.
fn day_of(value: &Value) -> String {
    value
        .as_str()
        .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
        .map(|at| at.to_utc().date_naive().to_string())
        .unwrap_or_default()
}

fn code_of(error: &async_graphql::ServerError) -> Option<String> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.clone()),
        async_graphql::Value::Enum(code) => Some(code.to_string()),
        _ => None,
    }
}

/// The HTTP status of an error's `extensions.code`.
fn status_of(code: Option<&str>) -> StatusCode {
    match code {
        Some("UNAUTHENTICATED") => StatusCode::UNAUTHORIZED,
        Some("FORBIDDEN") => StatusCode::FORBIDDEN,
        Some("NOT_FOUND") => StatusCode::NOT_FOUND,
        Some("BAD_USER_INPUT") => StatusCode::BAD_REQUEST,
        Some("UNAVAILABLE") => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A plain-text answer; 401 carries the `Bearer` challenge, 503 a `Retry-After`.
fn plain(status: StatusCode, message: &str) -> Response {
    let mut response = (status, format!("{message}\n")).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        return super::respond::retry_later(response);
    }
    response
}

fn csv(body: Vec<u8>, filename: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}
