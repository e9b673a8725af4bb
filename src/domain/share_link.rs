//! Share links: how long one may live, when it may be shown, and what its audit entry says.

use super::changes::Changes;
use super::{FieldError, FieldErrorCode};
use chrono::{DateTime, TimeDelta, Utc};
use entity::share_link;

/// What every share token starts with.
pub const TOKEN_PREFIX: &str = "dbs_";

/// The longest a link may live.
pub const MAX_LIFETIME: TimeDelta = TimeDelta::days(90);

/// How long a link lives when its maker gives no date.
pub const DEFAULT_LIFETIME: TimeDelta = TimeDelta::days(30);

/// When a link made at `now` expires: `requested`, which must lie after `now` and at most
/// [`MAX_LIFETIME`] ahead, or [`DEFAULT_LIFETIME`] from now.
pub fn expiry(
    requested: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, FieldError> {
    let Some(at) = requested else {
        return Ok(now + DEFAULT_LIFETIME);
    };
    if at <= now {
        return Err(FieldError::new(
            "expiresAt",
            FieldErrorCode::Invalid,
            "expiresAt must lie in the future",
        ));
    }
    if at > now + MAX_LIFETIME {
        return Err(FieldError::new(
            "expiresAt",
            FieldErrorCode::Invalid,
            "a share link lives at most 90 days",
        ));
    }
    Ok(at)
}

/// Where a link stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// It shows its document (while the post-mortem is published).
    Active,
    /// Its date has passed.
    Expired,
    /// Someone withdrew it.
    Revoked,
}

/// Where `link` stands at `now`.
pub fn state(link: &share_link::Model, now: DateTime<Utc>) -> State {
    if link.revoked_at.is_some() {
        State::Revoked
    } else if link.expires_at <= now {
        State::Expired
    } else {
        State::Active
    }
}

/// The audit entry of a new link: whose document, until when. Never the token.
pub fn created(link: &share_link::Model) -> Changes {
    Changes::default()
        .set("clientId", &link.client_id)
        .set("expiresAt", &link.expires_at)
}

/// The audit entry of a revocation.
pub fn revoked(link: &share_link::Model) -> Changes {
    Changes::default().set("revokedAt", &link.revoked_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_lives_at_most_ninety_days_and_thirty_by_default() {
        let now = Utc::now();
        assert_eq!(expiry(None, now).unwrap(), now + TimeDelta::days(30));
        assert_eq!(
            expiry(Some(now + MAX_LIFETIME), now).unwrap(),
            now + MAX_LIFETIME
        );
        assert!(expiry(Some(now + MAX_LIFETIME + TimeDelta::seconds(1)), now).is_err());
        assert!(expiry(Some(now), now).is_err());
        assert!(expiry(Some(now - TimeDelta::days(1)), now).is_err());
    }
}
