//! GraphQL-over-HTTP request parsing and media-type negotiation.

use super::documents::{DocumentHash, DocumentRef};
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

/// A GraphQL request as the spec defines its parameters, with the persisted-document forms.
#[derive(Debug)]
pub struct GraphQlParams {
    /// The GraphQL document, or how to find it.
    pub document: DocumentRef,
    /// Which operation of the document to run; needed when it holds several.
    pub operation_name: Option<String>,
    /// Variable values; empty when none were sent.
    pub variables: Map<String, Value>,
}

/// Checks the parameter types the spec requires: `query` a string; `operationName` a string
/// or null; `variables` and `extensions` objects or null. A request may name its document
/// instead, by `documentId` or by `extensions.persistedQuery` (see [`DocumentRef`]).
pub fn params(mut object: Map<String, Value>) -> Result<GraphQlParams, String> {
    let query = match object.remove("query") {
        None | Some(Value::Null) => None,
        Some(Value::String(query)) => Some(query),
        Some(_) => return Err("`query` must be a string".into()),
    };
    let document_id = match object.remove("documentId") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(document_id(&id)?),
        Some(_) => return Err("`documentId` must be a string".into()),
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
    // Extensions other than `persistedQuery` are checked for shape, as the spec asks, and
    // ignored.
    let persisted = persisted_query(&map("extensions")?)?;
    let document = match (query, document_id, persisted) {
        (Some(text), None, None) => DocumentRef::Text(text),
        (None, Some(hash), None) => DocumentRef::Id(hash),
        (Some(text), None, Some(hash)) if DocumentHash::of(&text) != hash => {
            return Err(
                "provided sha does not match query: `extensions.persistedQuery.sha256Hash` \
                 must be the SHA-256 of `query`"
                    .into(),
            );
        }
        (text, None, Some(hash)) => DocumentRef::Persisted { hash, text },
        (None, None, None) => return Err("the request has no `query` (nor `documentId`)".into()),
        (Some(_), Some(_), _) => return Err("send `query` or `documentId`, not both".into()),
        (None, Some(_), Some(_)) => {
            return Err("send `documentId` or `extensions.persistedQuery`, not both".into());
        }
    };
    Ok(GraphQlParams {
        document,
        operation_name,
        variables,
    })
}

/// `sha256:` and the document's SHA-256 in hex, the form the GraphQL-over-HTTP persisted
/// documents proposal names.
fn document_id(id: &str) -> Result<DocumentHash, String> {
    id.strip_prefix("sha256:")
        .and_then(DocumentHash::parse)
        .ok_or_else(|| "`documentId` must be `sha256:` and 64 hex digits".to_owned())
}

/// Apollo's `extensions.persistedQuery`: `{ "version": 1, "sha256Hash": "<hex>" }`.
fn persisted_query(extensions: &Map<String, Value>) -> Result<Option<DocumentHash>, String> {
    let Some(persisted) = extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let shape = "`extensions.persistedQuery` must be `{ \"version\": 1, \"sha256Hash\": \"<64 hex digits>\" }`";
    let Value::Object(persisted) = persisted else {
        return Err(shape.into());
    };
    if persisted.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(format!("{shape}: only version 1 is supported"));
    }
    persisted
        .get("sha256Hash")
        .and_then(Value::as_str)
        .and_then(DocumentHash::parse)
        .map(Some)
        .ok_or_else(|| shape.to_owned())
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

    #[test]
    fn a_document_may_be_named_by_id_or_by_its_persisted_query_hash() {
        let parse = |json: &str| params(serde_json::from_str(json).unwrap());
        let hash = "a".repeat(64);
        let id = format!(r#"{{"documentId":"sha256:{hash}"}}"#);
        assert!(matches!(parse(&id).unwrap().document, DocumentRef::Id(_)));
        let persisted = format!(
            r#"{{"extensions":{{"persistedQuery":{{"version":1,"sha256Hash":"{hash}"}}}}}}"#
        );
        assert!(matches!(
            parse(&persisted).unwrap().document,
            DocumentRef::Persisted { text: None, .. }
        ));
        for refused in [
            format!(r#"{{"documentId":"{hash}"}}"#),
            r#"{"documentId":"sha256:abc"}"#.to_owned(),
            format!(r#"{{"documentId":"sha256:{hash}","query":"{{a}}"}}"#),
            r#"{"extensions":{"persistedQuery":{"version":2,"sha256Hash":"x"}}}"#.to_owned(),
            r#"{"extensions":{"persistedQuery":true}}"#.to_owned(),
            r#"{}"#.to_owned(),
        ] {
            assert!(parse(&refused).is_err(), "{refused}");
        }
    }
}
