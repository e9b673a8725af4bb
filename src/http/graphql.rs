//! The GraphQL-over-HTTP endpoint: `POST /graphql`, and `GET /graphql` for queries.

use super::admission::{self, Admitted};
use super::body::{self, BodyError, BodyProgress};
use super::negotiate::{self, GraphQlParams, MediaType};
use super::observe::{self, Observation};
use super::{AppState, Resolved, graphiql, respond};
use crate::error::ErrorCode;
use crate::graphql::limits::Price;
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
        return respond::not_acceptable();
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
        Err(BodyError::TooLarge { drained }) => return respond::too_large(media, drained),
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
        Ok(params) => execute(&state, &headers, media, params, Method::Post).await,
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
        return respond::not_acceptable();
    };
    let params = match negotiate::params_from_query(pairs) {
        Ok(params) => params,
        Err(message) => return respond::bad_request(media, &message),
    };
    execute(&state, &headers, media, params, Method::Get).await
}

/// The method a request came by: GET may not run mutations.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// Finds the request's document, authenticates the caller, admits the document for their
/// role, and runs the operation.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    media: MediaType,
    params: GraphQlParams,
    method: Method,
) -> Response {
    let mut observation = Observation::start();
    let GraphQlParams {
        document,
        operation_name,
        variables,
    } = params;
    let found = match state.documents.find(document) {
        Ok(found) => found,
        Err(refusal) => return refuse_document(state, media, refusal, observation),
    };
    if method == Method::Get && found.is_mutation(operation_name.as_deref()) {
        observation.refused(&state.metrics, ErrorCode::BadUserInput);
        return mutation_over_get(media);
    }
    let bearer = match state.authenticator.verify(authorization(headers)) {
        Ok(bearer) => bearer,
        Err(refusal) => {
            observation.refused(&state.metrics, refusal.code());
            return respond::unauthenticated(media, &refusal);
        }
    };
    let variables = async_graphql::Variables::from_json(Value::Object(variables));
    let parsed = found.parse();
    let price = match price(
        state,
        parsed.as_ref(),
        operation_name.as_deref(),
        &variables,
    ) {
        Ok(price) => price,
        Err(refusal) => {
            let refusal = async_graphql::Response::from_errors(vec![refusal]);
            return answer(state, media, refusal, false, observation);
        }
    };
    let Admitted { scope, admission } =
        match admission::admit(state, &bearer, price.cost, media).await {
            Ok(admitted) => admitted,
            Err(refusal) => {
                if refusal.code == ErrorCode::RateLimited {
                    state.metrics.rate_limited();
                }
                observation.refused(&state.metrics, refusal.code);
                return refusal.response;
            }
        };
    let role = scope.principal().role();
    let mut resolved = match state
        .documents
        .admit(found, role, operation_name.as_deref())
    {
        Ok(resolved) => resolved,
        Err(refusal) => {
            scope.release().await;
            return refuse_document(state, media, refusal, observation);
        }
    };
    resolved.parsed = parsed;
    observation.trusted(resolved.trusted_name.take());
    let (mut request, finishing) =
        match prepare(state, resolved, operation_name, variables, scope.clone()) {
            Ok(prepared) => prepared,
            Err(refusal) => {
                scope.release().await;
                let refusal = async_graphql::Response::from_errors(vec![refusal]);
                return answer(state, media, refusal, false, observation);
            }
        };
    finishing.observe(&mut observation);
    if let Some(admission) = admission.clone() {
        request = request.data(admission);
    }
    let response = state.schema.execute(request).await;
    let (mut response, executed) = finishing.finish(state, response).await;
    scope.release().await;
    let actual = if executed {
        finishing.actual_cost(state, &response.data)
    } else {
        0
    };
    let extension = admission::cost_extension(price.cost, actual, admission.as_ref());
    response.extensions.insert(
        "cost".to_owned(),
        async_graphql::Value::from_json(extension).unwrap_or_default(),
    );
    let mut answered = answer(state, media, response, executed, observation);
    if let Some(admission) = &admission {
        admission::add_headers(answered.headers_mut(), admission);
    }
    answered
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// Answers a request whose document was not found or not admitted, as a request error that
/// no cache may keep (a client that registers the text next must not be answered from one).
fn refuse_document(
    state: &AppState,
    media: MediaType,
    refusal: async_graphql::ServerError,
    observation: Observation,
) -> Response {
    let refusal = async_graphql::Response::from_errors(vec![refusal]);
    let mut response = answer(state, media, refusal, false, observation);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache, must-revalidate"),
    );
    response
}

fn mutation_over_get(media: MediaType) -> Response {
    let mut response = respond::error(
        media,
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::BadUserInput,
        "mutations must be sent with POST",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// What finishing the responses of a prepared operation needs.
pub(super) struct Finishing {
    /// The document as the client sent it, when it parsed.
    sent: Option<ExecutableDocument>,
    operation_name: Option<String>,
    variables: async_graphql::Variables,
}

/// Prices the operation `operation_name` of `document` (when it parsed) in rate-limit
/// points, after checking it within the operation limits, which bound the pricing's walk;
/// refuses one over a limit or dearer than [`limits::within_cost`] allows. A document that
/// does not parse costs one point.
fn price(
    state: &AppState,
    document: Option<&ExecutableDocument>,
    operation_name: Option<&str>,
    variables: &async_graphql::Variables,
) -> Result<Price, async_graphql::ServerError> {
    let Some(document) = document else {
        return Ok(Price {
            requests: 0,
            cost: 1,
        });
    };
    limits::check(document, variables)?;
    let price = state.pricing.requested(document, operation_name, variables);
    limits::within_cost(price)?;
    Ok(price)
}

/// Prepares `document` to run in `scope`: parsed (unless it was already), within the
/// operation limits, asking for what completing its response needs, with the caller's scope
/// and loaders attached. Fails with the error that refuses an operation over the limits. A
/// document that does not parse is left to the engine, which reports the syntax error.
pub(super) fn prepare(
    state: &AppState,
    document: Resolved,
    operation_name: Option<String>,
    variables: async_graphql::Variables,
    scope: Scope,
) -> Result<(async_graphql::Request, Finishing), async_graphql::ServerError> {
    let mut request = async_graphql::Request::new(document.query).variables(variables);
    request.operation_name = operation_name;
    let parsed = match document.parsed {
        Some(parsed) => Some(parsed),
        None => async_graphql::parser::parse_query(&request.query).ok(),
    };
    let mut sent = None;
    if let Some(document) = parsed {
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

    /// The points the operation cost by the connections its response `data` holds.
    fn actual_cost(&self, state: &AppState, data: &async_graphql::Value) -> u64 {
        self.sent.as_ref().map_or(0, |document| {
            state
                .pricing
                .actual(document, self.operation_name.as_deref(), data)
        })
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

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}
