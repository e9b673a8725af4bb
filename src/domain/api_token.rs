//! Service tokens' rules: what an ADMIN may issue, when a token stands, and how often its
//! use is written down.

use super::changes::Changes;
use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{Role, api_token};
use sea_orm::ActiveEnum;

/// The longest name accepted.
pub const NAME_MAX: usize = 100;

/// How far ahead a token may expire: one year.
pub const LONGEST_LIFETIME: TimeDelta = TimeDelta::days(365);

/// How stale `lastUsedAt` may get: a token's use is written at most once per this interval,
/// so reading with it does not write on every request.
pub const USE_RECORDED_EVERY: TimeDelta = TimeDelta::minutes(1);

/// A token to issue, its input checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// Checks a token's name: trimmed, 1..=[`NAME_MAX`] characters.
pub fn name(value: &str) -> Result<String, FieldError> {
    text::required("name", value, NAME_MAX)
}

/// Checks a token's role: REPORTER or VIEWER, the roles that read and never write.
pub fn role(role: Role) -> Result<Role, FieldError> {
    match role {
        Role::Reporter | Role::Viewer => Ok(role),
        _ => Err(FieldError::new(
            "role",
            FieldErrorCode::Invalid,
            "a service token's role must be REPORTER or VIEWER",
        )),
    }
}

/// Checks an expiry: after `now`, and at most [`LONGEST_LIFETIME`] after it.
pub fn expires_at(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    if at <= now {
        return Err(FieldError::new(
            "expiresAt",
            FieldErrorCode::Invalid,
            "expiresAt must be in the future",
        ));
    }
    if at > now + LONGEST_LIFETIME {
        return Err(FieldError::new(
            "expiresAt",
            FieldErrorCode::Invalid,
            "expiresAt must be at most 365 days from now",
        ));
    }
    Ok(at)
}

/// Why `token` no longer authenticates at `now`; `None` while it stands.
pub fn refusal(token: &api_token::Model, now: DateTime<Utc>) -> Option<&'static str> {
    if token.revoked_at.is_some() {
        Some("this service token has been revoked")
    } else if token.expires_at <= now {
        Some("this service token has expired")
    } else {
        None
    }
}

/// Whether a use at `now` should be written down (see [`USE_RECORDED_EVERY`]).
pub fn use_worth_recording(last_used_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_used_at.is_none_or(|last| now - last >= USE_RECORDED_EVERY)
}

/// The audit diff of a token issued: never its secret or hash.
pub fn issued(token: &api_token::Model) -> Changes {
    Changes::default()
        .set("name", &token.name)
        .set("role", &token.role.to_value())
        .set("expiresAt", &token.expires_at)
}

/// The audit diff of a token revoked; empty when it already was.
pub fn revoked(old: &api_token::Model, new: &api_token::Model) -> Changes {
    Changes::default().diff("revokedAt", &old.revoked_at, &new.revoked_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn token(expires_in: TimeDelta, revoked: bool) -> api_token::Model {
        let now = Utc::now();
        api_token::Model {
            tenant_id: Uuid::now_v7(),
            id: Uuid::now_v7(),
            name: "BI".into(),
            role: Role::Reporter,
            token_hash: String::new(),
            created_by: None,
            created_at: now,
            expires_at: now + expires_in,
            last_used_at: None,
            revoked_at: revoked.then_some(now),
        }
    }

    #[test]
    fn only_reading_roles_may_be_issued() {
        assert!(role(Role::Reporter).is_ok());
        assert!(role(Role::Viewer).is_ok());
        for refused in [Role::Admin, Role::Editor, Role::Client] {
            assert_eq!(role(refused).unwrap_err().code, FieldErrorCode::Invalid);
        }
    }

    #[test]
    fn an_expiry_lies_within_the_next_year() {
        let now = Utc::now();
        assert!(expires_at(now, now).is_err());
        assert!(expires_at(now - TimeDelta::seconds(1), now).is_err());
        assert!(expires_at(now + LONGEST_LIFETIME, now).is_ok());
        assert!(expires_at(now + LONGEST_LIFETIME + TimeDelta::seconds(1), now).is_err());
    }

    #[test]
    fn names_are_required_and_bounded() {
        assert_eq!(name("  BI export ").unwrap(), "BI export");
        assert_eq!(name(" ").unwrap_err().code, FieldErrorCode::Blank);
        assert_eq!(
            name(&"x".repeat(NAME_MAX + 1)).unwrap_err().code,
            FieldErrorCode::TooLong
        );
    }

    #[test]
    fn revoked_and_expired_tokens_stop_authenticating() {
        let now = Utc::now() + TimeDelta::seconds(1);
        assert_eq!(refusal(&token(TimeDelta::hours(1), false), now), None);
        assert!(refusal(&token(TimeDelta::hours(1), true), now).is_some());
        assert!(refusal(&token(TimeDelta::zero(), false), now).is_some());
    }

    #[test]
    fn a_use_is_recorded_at_most_once_a_minute() {
        let now = Utc::now();
        assert!(use_worth_recording(None, now));
        assert!(!use_worth_recording(
            Some(now - TimeDelta::seconds(59)),
            now
        ));
        assert!(use_worth_recording(Some(now - TimeDelta::seconds(60)), now));
    }
}
