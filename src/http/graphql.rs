//! The GraphQL-over-HTTP endpoint: `POST /graphql`, and `GET /graphql` for queries.

use super::body::{self, BodyError, BodyProgress};
use super::negotiate::{self, GraphQlParams, MediaType};
use super::observe::{self, Observation};
use super::{AppState, MAX_BODY_BYTES, graphiql, respond};
use crate::error::{AppError, ErrorCode};
use crate::graphql::{context, errors, limits};
use crate::repo::Scope;
use crate::telemetry::OperationType;
use async_graphql::parser::types::ExecutableDocument;
use axum::body::Body;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// `POST /graphql`: runs the one operation in the JSON body; batches are refused.
pub async fn post(
    State(state): State<AppState>,
    Extension(progress): Extension<BodyProgress>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(media) = negotiate::response_type(&headers) else {
        return not_acceptable();
    };
    if !negotiate::is_json_body(&headers) {
        return respond::error(
            media,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "send the request body as `Content-Type: application/json`",
        );
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bytes = match body::read(body, declared, &progress).await {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge { drained }) => return too_large(media, drained),
        Err(BodyError::Broken) => {
            return respond::bad_request(media, "the request body could not be read");
        }
    };
    let params = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(object)) => negotiate::params(object),
        Ok(Value::Array(_)) => {
            Err("batched requests are not supported: send one operation per request".to_owned())
        }
        Ok(_) => Err("the request body must be a JSON object".to_owned()),
        Err(_) => Err("the request body is not valid JSON".to_owned()),
    };
    match params {
        Ok(params) => execute(&state, &headers, media, params).await,
        Err(message) => respond::bad_request(media, &message),
    }
}

/// `GET /graphql`: runs a query from the URL parameters; mutations get 405. Browsers get
/// GraphiQL when it is enabled.
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if let Some(settings) = &state.graphiql
        && pairs.is_empty()
        && wants_html(&headers)
    {
        return graphiql::page(settings).into_response();
    }
    let Some(media) = negotiate::response_type(&headers) else {
        return not_acceptable();
    };
    let params = match negotiate::params_from_query(pairs) {
        Ok(params) => params,
        Err(message) => return respond::bad_request(media, &message),
    };
    if is_mutation(&params) {
        let mut response = respond::error(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadUserInput,
            "mutations must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&state, &headers, media, params).await
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    media: MediaType,
    params: GraphQlParams,
) -> Response {
    let mut observation = Observation::start();
    let scope = match authenticate(state, headers).await {
        Ok(scope) => scope,
        Err(error) => {
            observation.refused(&state.metrics, error.code());
            return refuse(media, &error);
        }
    };
    let (request, finishing) = match prepare(state, params, scope.clone()) {
        Ok(prepared) => prepared,
        Err(refusal) => {
            scope.release().await;
            let refusal = async_graphql::Response::from_errors(vec![refusal]);
            return answer(state, media, refusal, false, observation);
        }
    };
    finishing.observe(&mut observation);
    let response = state.schema.execute(request).await;
    let (response, executed) = finishing.finish(state, response).await;
    scope.release().await;
    answer(state, media, response, executed, observation)
}

/// What finishing the responses of a prepared operation needs.
pub(super) struct Finishing {
    /// The document as the client sent it, when it parsed.
    sent: Option<ExecutableDocument>,
    operation_name: Option<String>,
    variables: async_graphql::Variables,
}

/// Prepares `params` to run in `scope`: parsed, within the operation limits, asking for what
/// completing its response needs, with the caller's scope and loaders attached. Fails with
/// the error that refuses an operation over the limits. A document that does not parse
/// is left to the engine, which reports the syntax error.
pub(super) fn prepare(
    state: &AppState,
    params: GraphQlParams,
    scope: Scope,
) -> Result<(async_graphql::Request, Finishing), async_graphql::ServerError> {
    let mut request = async_graphql::Request::new(params.query).variables(
        async_graphql::Variables::from_json(Value::Object(params.variables)),
    );
    request.operation_name = params.operation_name;
    let mut sent = None;
    if let Ok(document) = async_graphql::parser::parse_query(&request.query) {
        limits::check(&document, &request.variables)?;
        let mut executed = document.clone();
        state.completion.probe(&mut executed);
        request.set_parsed_query(executed);
        sent = Some(document);
    }
    let finishing = Finishing {
        operation_name: request.operation_name.clone(),
        variables: request.variables.clone(),
        sent,
    };
    Ok((
        context::attach(request, scope, state.batch_window),
        finishing,
    ))
}

impl Finishing {
    /// Notes the operation this request runs on `observation` (`unknown` when the document
    /// did not parse).
    pub(super) fn observe(&self, observation: &mut Observation) {
        let name = self.operation_name.as_deref();
        match &self.sent {
            Some(document) => {
                let (ty, name) = observe::operation(document, name);
                observation.operation(ty, name);
            }
            None => observation.operation(OperationType::Unknown, name),
        }
    }

    /// Puts one `response` of this operation in the spec's shape, or explains what an
    /// operation refused as too complex costs; says whether the operation ran.
    pub(super) async fn finish(
        &self,
        state: &AppState,
        mut response: async_graphql::Response,
    ) -> (async_graphql::Response, bool) {
        let executed = reached_execution(&response);
        if let Some(document) = &self.sent {
            let name = self.operation_name.as_deref();
            if executed {
                state
                    .completion
                    .complete(document, name, &self.variables, &mut response);
            } else {
                state
                    .cost_meter
                    .explain(&mut response, document, &self.variables, name)
                    .await;
            }
        }
        (response, executed)
    }
}

/// The caller's scope, or the error that refuses them.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Scope, AppError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state.authenticator.authenticate(authorization).await
}

/// The answer that refuses a caller: 401 for bad credentials, 503 when the database cannot
/// be reached to look them up.
fn refuse(media: MediaType, error: &AppError) -> Response {
    match error.code() {
        ErrorCode::Unauthenticated => respond::unauthenticated(media, error),
        ErrorCode::Unavailable => {
            tracing::warn!(error = %error, "authentication could not reach the database");
            respond::unavailable(media)
        }
        _ => {
            tracing::error!(error = %error, "authentication failed");
            respond::error(
                media,
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                &error.public_message(),
            )
        }
    }
}

/// Applies the error policy to `response`, counts it, and answers it.
fn answer(
    state: &AppState,
    media: MediaType,
    mut response: async_graphql::Response,
    executed: bool,
    observation: Observation,
) -> Response {
    let policed = errors::police(&mut response);
    observation.answered(&state.metrics, &response, executed);
    let outcome = respond::Outcome {
        executed,
        unavailable: policed.unavailable,
    };
    respond::graphql(media, response, outcome)
}

/// Whether the operation ran. One that never did (syntax, validation or variable errors) is a
/// request error, answered without `data`: its data is null and none of its errors has a path,
/// whereas an operation that ran has data, or a null root reached by an error on a field.
pub(super) fn reached_execution(response: &async_graphql::Response) -> bool {
    response.data != async_graphql::Value::Null
        || response.errors.iter().any(|error| !error.path.is_empty())
}

/// Whether the operation that would run is a mutation (refused over GET).
fn is_mutation(params: &GraphQlParams) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(&params.query) else {
        return false;
    };
    let (ty, _) = observe::operation(&document, params.operation_name.as_deref());
    ty == OperationType::Mutation
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

fn not_acceptable() -> Response {
    respond::error(
        MediaType::Json,
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::BadUserInput,
        "accept application/graphql-response+json or application/json",
    )
}

/// Answers 413. When the body was not read to its end, bytes are left on the connection, so it
/// closes after the answer.
fn too_large(media: MediaType, drained: bool) -> Response {
    let mut response = respond::error(
        media,
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BadUserInput,
        &format!(
            "the request body is larger than {} KiB",
            MAX_BODY_BYTES / 1024
        ),
    );
    if !drained {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
