//! Building HTTP responses that carry GraphQL results and errors.

use super::negotiate::MediaType;
use crate::error::{AppError, ErrorCode};
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// `body` as JSON in `media`, with `status`.
pub fn json(media: MediaType, status: StatusCode, body: &Value) -> Response {
    json_bytes(media, status, body.to_string().into_bytes())
}

fn json_bytes(media: MediaType, status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    response
}

/// A response whose only content is one top-level error.
pub fn error(media: MediaType, status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    json(media, status, &body)
}

/// A request the server refuses before executing it (bad JSON, bad parameters).
pub fn bad_request(media: MediaType, message: &str) -> Response {
    error(
        media,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadUserInput,
        message,
    )
}

/// An authentication failure: 401 with a `WWW-Authenticate` challenge.
pub fn unauthenticated(media: MediaType, error: &AppError) -> Response {
    let mut response = self::error(
        media,
        StatusCode::UNAUTHORIZED,
        error.code(),
        &error.public_message(),
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// How long a client is asked to wait before retrying an UNAVAILABLE answer.
const RETRY_AFTER_SECONDS: &str = "2";

/// The database could not be reached: 503 with `Retry-After` and the code UNAVAILABLE.
pub fn unavailable(media: MediaType) -> Response {
    retry_later(error(
        media,
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        crate::error::UNAVAILABLE_MESSAGE,
    ))
}

/// `response` with `Retry-After`: the same request may succeed in a moment.
pub(super) fn retry_later(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECONDS),
    );
    response
}

/// How an operation's result is answered.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Whether the operation ran; one that never did (syntax, validation or variable errors)
    /// has no `data`, and `application/graphql-response+json` gets 400.
    pub executed: bool,
    /// Whether a step failed because the database could not be reached: 503, `Retry-After`.
    pub unavailable: bool,
}

/// The result of running an operation, answered as `outcome` says.
pub fn graphql(media: MediaType, response: async_graphql::Response, outcome: Outcome) -> Response {
    let executed = outcome.executed;
    let status = if outcome.unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else if !executed && media == MediaType::GraphQlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = if executed {
        serde_json::to_vec(&response)
    } else {
        serde_json::to_vec(&RequestError {
            errors: &response.errors,
            extensions: &response.extensions,
        })
    };
    match body {
        Ok(body) if outcome.unavailable => retry_later(json_bytes(media, status, body)),
        Ok(body) => json_bytes(media, status, body),
        Err(err) => internal(media, &err.to_string()),
    }
}

/// The body of an operation that never ran: a GraphQL response without `data`.
#[derive(serde::Serialize)]
struct RequestError<'a> {
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

fn internal(media: MediaType, cause: &str) -> Response {
    tracing::error!(cause, "could not serialize a response");
    error(
        media,
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        crate::error::INTERNAL_MESSAGE,
    )
}

/// A request that ran past its deadline while it was being served, and was stopped: 503
/// UNAVAILABLE, since a server too slow to answer in time may answer later.
pub fn timeout(limit: std::time::Duration) -> Response {
    let message = format!(
        "the request took longer than {} and was stopped; try again shortly",
        humantime::format_duration(limit)
    );
    retry_later(error(
        MediaType::Json,
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        &message,
    ))
}

/// A request whose body had not arrived by the deadline: 408, and the connection closes.
pub fn body_timeout(limit: std::time::Duration) -> Response {
    let message = format!(
        "the request body did not arrive within {}",
        humantime::format_duration(limit)
    );
    let mut response = error(
        MediaType::Json,
        StatusCode::REQUEST_TIMEOUT,
        ErrorCode::BadUserInput,
        &message,
    );
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Answers a panic with a plain INTERNAL error; the panic is logged, never shown.
pub fn panic(payload: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("<non-string panic>");
    tracing::error!(panic = detail, "a request handler panicked");
    error(
        MediaType::Json,
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        crate::error::INTERNAL_MESSAGE,
    )
}

/// 406: the client accepts neither JSON media type.
pub fn not_acceptable() -> Response {
    error(
        MediaType::Json,
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::BadUserInput,
        "accept application/graphql-response+json or application/json",
    )
}

/// Answers 413. When the body was not read to its end, bytes are left on the connection, so it
/// closes after the answer.
pub fn too_large(media: MediaType, drained: bool) -> Response {
    let mut response = error(
        media,
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BadUserInput,
        &format!(
            "the request body is larger than {} KiB",
            super::MAX_BODY_BYTES / 1024
        ),
    );
    if !drained {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
