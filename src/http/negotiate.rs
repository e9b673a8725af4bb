//! GraphQL-over-HTTP request parsing and media-type negotiation.

use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};

/// The two response media types the spec defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: request errors get a 4xx status.
    GraphQlResponse,
    /// `application/json`: the legacy type; well-formed requests always get 200.
    Json,
}

impl MediaType {
    /// The `Content-Type` header value for this media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphQlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response type from `Accept`: the first supported type listed, and
/// `application/json` when the header is absent. `None` means nothing acceptable was listed.
pub fn response_type(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    accept.split(',').find_map(|item| {
        let essence = item
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/graphql-response+json" => Some(MediaType::GraphQlResponse),
            "application/json" | "application/*" | "*/*" => Some(MediaType::Json),
            _ => None,
        }
    })
}

/// Whether a POST body is declared as JSON.
pub fn is_json_body(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// A GraphQL request as the spec defines its parameters.
#[derive(Debug)]
pub struct GraphQlParams {
    /// The GraphQL document.
    pub query: String,
    /// Which operation of the document to run; needed when it holds several.
    pub operation_name: Option<String>,
    /// Variable values; empty when none were sent.
    pub variables: Map<String, Value>,
}

/// Checks the parameter types the spec requires: `query` a string; `operationName` a string
/// or null; `variables` and `extensions` objects or null.
pub fn params(mut object: Map<String, Value>) -> Result<GraphQlParams, String> {
    let query = match object.remove("query") {
        Some(Value::String(query)) => query,
        Some(_) => return Err("`query` must be a string".into()),
        None => return Err("the request has no `query`".into()),
    };
    let operation_name = match object.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err("`operationName` must be a string".into()),
    };
    let mut map = |name: &str| match object.remove(name) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(format!("`{name}` must be an object")),
    };
    let variables = map("variables")?;
    // Extensions are checked for shape, as the spec asks, but none are supported yet.
    map("extensions")?;
    Ok(GraphQlParams {
        query,
        operation_name,
        variables,
    })
}

/// Reads GET parameters; `variables` and `extensions` arrive as JSON text.
pub fn params_from_query(pairs: Vec<(String, String)>) -> Result<GraphQlParams, String> {
    let mut object = Map::new();
    for (name, value) in pairs {
        let value = match name.as_str() {
            "variables" | "extensions" => serde_json::from_str(&value)
                .map_err(|_| format!("`{name}` must be a JSON object"))?,
            _ => Value::String(value),
        };
        object.insert(name, value);
    }
    params(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn accept_picks_the_first_supported_type() {
        assert_eq!(response_type(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(response_type(&accept("*/*")), Some(MediaType::Json));
        assert_eq!(
            response_type(&accept(
                "application/graphql-response+json, application/json"
            )),
            Some(MediaType::GraphQlResponse)
        );
        assert_eq!(
            response_type(&accept("text/html, application/json;q=0.9")),
            Some(MediaType::Json)
        );
        assert_eq!(response_type(&accept("text/html")), None);
    }

    #[test]
    fn parameters_must_have_the_types_the_spec_names() {
        let parse = |json: &str| params(serde_json::from_str(json).unwrap());
        assert!(
            parse(r#"{"query":"{a}","variables":null,"operationName":null,"extensions":null}"#)
                .is_ok()
        );
        assert!(parse(r#"{"query":1}"#).is_err());
        assert!(parse(r#"{"notquery":"{a}"}"#).is_err());
        assert!(parse(r#"{"query":"{a}","variables":"x"}"#).is_err());
        assert!(parse(r#"{"query":"{a}","operationName":0}"#).is_err());
        assert!(parse(r#"{"query":"{a}","extensions":[]}"#).is_err());
    }
}
