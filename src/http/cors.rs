//! Cross-origin requests: which web pages may call the API from a browser.
//!
//! Tokens travel in the `Authorization` header, never in cookies, so no origin is ever
//! allowed to send credentials; that also makes `*` safe to configure for a public API.

use axum::http::{HeaderName, HeaderValue, Method, header};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The request headers GraphQL clients send (Apollo, Relay, urql, graphql-request, GraphiQL).
const ALLOWED_HEADERS: [&str; 7] = [
    "authorization",
    "content-type",
    "accept",
    "x-request-id",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
];

/// The origins allowed to call the API from a browser.
#[derive(Debug, Clone, Default)]
pub struct CorsOrigins {
    /// Exact origins (`https://app.example.com`), or `*` for any.
    pub allowed: Vec<String>,
    /// Also allow pages served from `http://localhost:*` and `http://127.0.0.1:*`
    /// (development only).
    pub loopback: bool,
}

impl CorsOrigins {
    /// Whether a page served from `origin` may call the API.
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed
            .iter()
            .any(|allowed| allowed == "*" || allowed == origin)
            || (self.loopback && is_loopback_page(origin))
    }
}

/// `http://localhost` or `http://127.0.0.1`, on any port.
fn is_loopback_page(origin: &str) -> bool {
    ["http://localhost", "http://127.0.0.1"].iter().any(|host| {
        origin.strip_prefix(host).is_some_and(|port| {
            port.is_empty()
                || port.strip_prefix(':').is_some_and(|digits| {
                    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                })
        })
    })
}

/// The CORS layer for `origins`: preflights for `GET` and `POST`, the headers GraphQL
/// clients send, and `x-request-id` and `Retry-After` readable by the page.
pub fn layer(origins: CorsOrigins) -> CorsLayer {
    let allowed_headers: Vec<HeaderName> = ALLOWED_HEADERS
        .iter()
        .map(|name| HeaderName::from_static(name))
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|origin| origins.allows(origin))
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(allowed_headers)
        .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
        .max_age(PREFLIGHT_MAX_AGE)
}

/// Checks configured origins: each `*` or a bare `scheme://host[:port]`.
pub fn validate(origins: &[String]) -> Result<(), String> {
    for origin in origins {
        if origin == "*" {
            continue;
        }
        let parsed = url::Url::parse(origin).map_err(|_| format!("`{origin}` is not an origin"))?;
        let bare = parsed.origin().ascii_serialization();
        if bare != *origin {
            return Err(format!(
                "`{origin}` is not a bare origin: write it as `{bare}`, with no path or trailing slash"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_allows_loopback_pages_on_any_port_and_nothing_else() {
        let origins = CorsOrigins {
            allowed: vec!["https://app.example.com".into()],
            loopback: true,
        };
        for allowed in [
            "http://localhost:5173",
            "http://127.0.0.1:3000",
            "http://localhost",
            "https://app.example.com",
        ] {
            assert!(origins.allows(allowed), "{allowed}");
        }
        for refused in [
            "http://localhost.evil.example",
            "http://127.0.0.1:30x",
            "https://localhost:5173",
            "http://localhost:",
            "https://app.example.com.evil",
        ] {
            assert!(!origins.allows(refused), "{refused}");
        }
    }

    #[test]
    fn configured_origins_must_be_bare() {
        assert!(
            validate(&[
                "https://app.example.com".into(),
                "http://localhost:5173".into(),
                "*".into()
            ])
            .is_ok()
        );
        assert!(validate(&["https://app.example.com/".into()]).is_err());
        assert!(validate(&["app.example.com".into()]).is_err());
        assert!(validate(&["https://app.example.com/path".into()]).is_err());
    }
}
