//! Webhook endpoints and their deliveries: what an endpoint's URL may be, and what follows
//! each delivery attempt (success, a retry on the backoff schedule, giving up, or disabling
//! the endpoint).

use super::changes::Changes;
use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{DeliveryStatus, EventType, webhook_endpoint};
use std::net::IpAddr;
use std::time::Duration;
use url::{Host, Url};

/// The longest endpoint URL accepted, in characters.
pub const URL_MAX: usize = 2000;
/// The longest endpoint description accepted, in characters.
pub const DESCRIPTION_MAX: usize = 500;
/// The largest body ever sent.
pub const PAYLOAD_MAX_BYTES: usize = 20 * 1024;
/// How much of a response body each attempt keeps.
pub const RESPONSE_EXCERPT_BYTES: usize = 1024;
/// How long a rotated-out secret keeps signing beside the new one.
pub const ROTATION_OVERLAP: TimeDelta = TimeDelta::hours(24);
/// How long every attempt may fail before the endpoint is disabled.
pub const FAILURE_WINDOW: TimeDelta = TimeDelta::days(5);
/// The pause before each retry: the n-th failure waits the n-th entry (times the scale, with
/// jitter); the delivery gives up after the last.
pub const RETRY_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];
/// The longest `Retry-After` honoured; a receiver asking for more waits this long.
pub const RETRY_AFTER_MAX: Duration = Duration::from_secs(24 * 3600);
/// Jitter spreads each pause over ±20 %, so retries of many deliveries do not arrive at once.
pub const JITTER: f64 = 0.2;

/// Which destinations an endpoint may have.
#[derive(Debug, Clone, Copy, Default)]
pub struct AddressPolicy {
    /// Allows `http` and private, loopback and link-local addresses (development, tests).
    pub allow_private: bool,
}

/// Checks an endpoint URL: http(s) only, https unless private addresses are allowed, no
/// credentials, at most [`URL_MAX`] characters, and no literal address that is not public.
/// Names are resolved and checked by the caller (`webhooks::address`), here and at each
/// delivery.
pub fn endpoint_url(field: &str, value: &str, policy: AddressPolicy) -> Result<Url, FieldError> {
    let invalid = |why: &str| FieldError::new(field, FieldErrorCode::Invalid, why);
    let value = value.trim();
    let length = value.chars().count();
    if length > URL_MAX {
        return Err(FieldError::new(
            field,
            FieldErrorCode::TooLong,
            format!("{field} is {length} characters long; the limit is {URL_MAX}"),
        ));
    }
    let url = Url::parse(value).map_err(|_| invalid("url must be an absolute http(s) URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_private => {}
        _ => return Err(invalid("url must use https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "url must not hold credentials; verify deliveries by their signature",
        ));
    }
    let literal = match url.host() {
        None => return Err(invalid("url must name a host")),
        Some(Host::Domain(_)) => None,
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
    };
    if let Some(ip) = literal
        && !policy.allow_private
        && !is_public(ip)
    {
        return Err(not_public(field));
    }
    Ok(url)
}

/// The error for a URL whose host is, or resolves to, an address that is not public.
pub fn not_public(field: &str) -> FieldError {
    FieldError::new(
        field,
        FieldErrorCode::Invalid,
        "url must reach a public address, not a loopback, private, link-local, unique-local \
         or cloud-metadata one",
    )
}

/// Whether `ip` is a public unicast address: not loopback, private, shared (CGNAT, where
/// some clouds keep metadata), link-local (where most keep it), unique-local, multicast,
/// documentation or unspecified. An IPv4 address inside IPv6 is judged as IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => match v6
            .to_ipv4_mapped()
            .or_else(|| v6.to_ipv4())
            .or_else(|| embedded_ipv4(v6))
        {
            Some(v4) if !v6.is_loopback() && !v6.is_unspecified() => is_public(IpAddr::V4(v4)),
            _ => {
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
                    || v6.segments()[0] == 0x2001 && v6.segments()[1] == 0x0db8)
            }
        },
    }
}

/// The IPv4 address inside a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address, which reach
/// it through a gateway.
fn embedded_ipv4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let [s0, s1, s2, s3, s4, s5, s6, s7] = v6.segments();
    let from = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        std::net::Ipv4Addr::new(a, b, c, d)
    };
    match (s0, s1, s2, s3, s4, s5) {
        (0x64, 0xff9b, 0, 0, 0, 0) => Some(from(s6, s7)),
        (0x2002, ..) => Some(from(s1, s2)),
        _ => None,
    }
}

/// A description: kept as written, at most [`DESCRIPTION_MAX`] characters.
pub fn description(field: &str, value: &str) -> Result<String, FieldError> {
    text::bounded(field, value.trim(), DESCRIPTION_MAX)
}

/// The event types an endpoint asks for, each once, in the order given; empty means all.
pub fn event_types(types: Vec<EventType>) -> Vec<EventType> {
    let mut unique = Vec::with_capacity(types.len());
    for event_type in types {
        if !unique.contains(&event_type) {
            unique.push(event_type);
        }
    }
    unique
}

/// Whether an endpoint asking for `wanted` (empty for all) receives `event_type`.
pub fn wants(wanted: &[EventType], event_type: EventType) -> bool {
    wanted.is_empty() || wanted.contains(&event_type)
}

/// The audit diff of an endpoint created (`old` is `None`) or changed: never its secret.
pub fn endpoint_changes(
    old: Option<&webhook_endpoint::Model>,
    new: &webhook_endpoint::Model,
) -> Changes {
    let changes = Changes::default()
        .field("url", old, new, |e| e.url.clone())
        .field("description", old, new, |e| e.description.clone())
        .field("eventTypes", old, new, |e| e.event_types.clone())
        .field("enabled", old, new, |e| e.enabled);
    match old {
        Some(old) => changes.diff("disabledReason", &old.disabled_reason, &new.disabled_reason),
        None => changes,
    }
}

/// The audit diff of an endpoint deleted.
pub fn endpoint_removed(old: &webhook_endpoint::Model) -> Changes {
    Changes::default()
        .removed("url", &old.url)
        .removed("description", &old.description)
        .removed("eventTypes", &old.event_types)
        .removed("enabled", &old.enabled)
}

/// The audit diff of an endpoint Debrief disabled for `reason`.
pub fn disabled_changes(endpoint: &webhook_endpoint::Model, reason: &str) -> Changes {
    Changes::default()
        .diff("enabled", &endpoint.enabled, &false)
        .diff(
            "disabledReason",
            &endpoint.disabled_reason.as_deref(),
            &Some(reason),
        )
}

/// A delivery's status, next attempt and failure count once an attempt led to `next`, after
/// `failures` earlier failures.
pub fn delivery_after(next: &Next, failures: i32) -> (DeliveryStatus, Option<DateTime<Utc>>, i32) {
    match next {
        Next::Delivered => (DeliveryStatus::Succeeded, None, failures),
        Next::RetryAt(when) => (DeliveryStatus::Failed, Some(*when), failures + 1),
        Next::GiveUp | Next::Disable(_) => (DeliveryStatus::GaveUp, None, failures + 1),
    }
}

/// What an attempt came back with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// The endpoint answered with this status, and perhaps a `Retry-After`.
    Status {
        code: u16,
        retry_after: Option<Duration>,
    },
    /// No answer: refused, unreachable, timed out, or an address that is not allowed.
    None,
}

/// What follows an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Delivered; the endpoint's run of failures ends.
    Delivered,
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// The schedule ran out: no more attempts.
    GiveUp,
    /// Stop delivering to the endpoint, for this reason.
    Disable(String),
}

/// How the retry schedule is applied: `scale` shrinks it (tests), `jitter` is a draw from
/// [-1, 1] spreading the pause over ±[`JITTER`].
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub scale: f64,
    pub jitter: f64,
}

/// Decides what follows an attempt that came back with `response`, after `failures`
/// earlier failures of this delivery, for an endpoint failing since `failing_since`.
pub fn after_attempt(
    response: Response,
    failures: u32,
    failing_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    backoff: Backoff,
) -> Next {
    let retry_after = match response {
        Response::Status { code, .. } if (200..300).contains(&code) => return Next::Delivered,
        Response::Status { code: 410, .. } => {
            return Next::Disable("The endpoint answered 410 Gone.".to_owned());
        }
        Response::Status { retry_after, .. } => retry_after,
        Response::None => None,
    };
    if failing_since.is_some_and(|since| now - since >= FAILURE_WINDOW) {
        return Next::Disable("Every delivery failed for five days.".to_owned());
    }
    let Some(pause) = RETRY_SCHEDULE.get(failures as usize) else {
        return Next::GiveUp;
    };
    let factor = backoff.scale * (1.0 + JITTER * backoff.jitter.clamp(-1.0, 1.0));
    let scheduled = pause.mul_f64(factor.max(0.0));
    let wait = retry_after
        .map(|asked| asked.min(RETRY_AFTER_MAX))
        .map_or(scheduled, |asked| asked.max(scheduled));
    let wait = TimeDelta::from_std(wait).unwrap_or(TimeDelta::MAX);
    Next::RetryAt(now.checked_add_signed(wait).unwrap_or(now))
}

#[cfg(test)]
mod tests;
