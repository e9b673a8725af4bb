//! One delivery attempt: sign, POST, and keep what came back. Redirects are never followed,
//! each attempt has one deadline for connecting, sending and reading, and only the first KiB
//! of a response is read.

use super::WebhookSettings;
use super::address::{NotPublic, PublicOnly};
use super::signature;
use crate::domain::webhook::{self as rules, RESPONSE_EXCERPT_BYTES, Response};
use crate::repo::webhooks::endpoints::signing_secrets;
use crate::repo::webhooks::outbox::AttemptRecord;
use chrono::{DateTime, Utc};
use entity::{webhook_delivery, webhook_endpoint};
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Makes delivery attempts.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    settings: WebhookSettings,
}

impl Sender {
    /// A sender that follows no redirect, gives each attempt `settings.timeout`, and unless
    /// private addresses are allowed connects only to public ones.
    pub fn new(settings: WebhookSettings) -> reqwest::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the address check.
            .no_proxy()
            .timeout(settings.timeout)
            .user_agent(concat!("Debrief-Webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(30));
        if !settings.addresses.allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Self {
            client: builder.build()?,
            settings,
        })
    }

    /// Sends `delivery` to `endpoint` once, signed with the secrets valid at `now`.
    pub async fn attempt(
        &self,
        endpoint: &webhook_endpoint::Model,
        delivery: &webhook_delivery::Model,
        now: DateTime<Utc>,
    ) -> (Response, AttemptRecord) {
        let started = Instant::now();
        let mut record = AttemptRecord {
            at: now,
            status_code: None,
            duration_ms: 0,
            response_excerpt: None,
            error: None,
        };
        let response = match self.post(endpoint, delivery, now).await {
            Ok(answer) => {
                let code = answer.status().as_u16();
                let retry_after = retry_after(answer.headers(), now);
                record.status_code = Some(code);
                if answer.status().is_redirection() {
                    record.error =
                        Some("the endpoint redirected; redirects are not followed".into());
                }
                record.response_excerpt = Some(excerpt(answer).await);
                Response::Status { code, retry_after }
            }
            Err(why) => {
                record.error = Some(why);
                Response::None
            }
        };
        record.duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        (response, record)
    }

    async fn post(
        &self,
        endpoint: &webhook_endpoint::Model,
        delivery: &webhook_delivery::Model,
        now: DateTime<Utc>,
    ) -> Result<reqwest::Response, String> {
        let url = rules::endpoint_url("url", &endpoint.url, self.settings.addresses)
            .map_err(|refusal| format!("the URL is not allowed: {}", refusal.message))?;
        let keys: Vec<Vec<u8>> = signing_secrets(endpoint, now)
            .into_iter()
            .filter_map(signature::key_of)
            .collect();
        let timestamp = now.timestamp();
        let signed = signature::header(&keys, &delivery.message_id, timestamp, &delivery.payload);
        self.client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", &delivery.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signed)
            .body(delivery.payload.clone())
            .send()
            .await
            .map_err(|error| self.explain(&error))
    }

    /// A reason an ADMIN can act on, without the client library's internals.
    fn explain(&self, error: &reqwest::Error) -> String {
        let mut source: Option<&dyn std::error::Error> = Some(error);
        while let Some(cause) = source {
            if cause.is::<NotPublic>() {
                return NotPublic.to_string();
            }
            source = cause.source();
        }
        if error.is_timeout() {
            format!("no answer within {}s", self.settings.timeout.as_secs_f64())
        } else if error.is_connect() {
            "could not connect to the endpoint".to_owned()
        } else {
            "the request failed before an answer came".to_owned()
        }
    }
}

/// The pause a `Retry-After` header asks for: seconds, or an HTTP date.
fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    (at - now).to_std().ok()
}

/// The first KiB of the body, as text PostgreSQL can store.
async fn excerpt(mut answer: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < RESPONSE_EXCERPT_BYTES {
        match answer.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(RESPONSE_EXCERPT_BYTES);
    String::from_utf8_lossy(&bytes).replace('\0', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
            retry_after(&headers, now)
        };
        assert_eq!(with("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            with("Tue, 01 Dec 2026 12:01:30 GMT"),
            Some(Duration::from_secs(90))
        );
        assert_eq!(with("Tue, 01 Dec 2026 11:00:00 GMT"), None);
        assert_eq!(with("soon"), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
