//! Service tokens on the wire: `dbt_` and an opaque secret naming its tenant
//! ([`super::opaque`]). The tenant travels inside the token, so the look-up is scoped to it
//! like every other; only the SHA-256 of the whole token is stored, and presented tokens are
//! found by that hash, never compared as secrets.

use super::opaque::{self, Issued};
use crate::error::{AppError, AppResult};
use uuid::Uuid;

/// What every service token starts with; a bearer token without it is a JWT.
pub const PREFIX: &str = "dbt_";

/// A presented token, taken apart: the tenant it names and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub tenant_id: Uuid,
    pub hash: String,
}

/// A new token for `tenant_id`: shown once, then only its hash is kept.
pub fn mint(tenant_id: Uuid) -> Issued {
    opaque::issue(PREFIX, tenant_id)
}

/// Whether a bearer token is a service token (rather than a JWT).
pub fn is_service_token(token: &str) -> bool {
    token.starts_with(PREFIX)
}

/// Takes a presented token apart. UNAUTHENTICATED when it is not of the shape [`mint`] makes.
pub fn parse(token: &str) -> AppResult<Presented> {
    opaque::parse(PREFIX, token)
        .map(|(tenant_id, hash)| Presented { tenant_id, hash })
        .ok_or_else(|| AppError::unauthenticated("the service token is malformed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_parses_back_to_its_tenant_and_hash() {
        let tenant_id = Uuid::now_v7();
        let minted = mint(tenant_id);
        assert!(is_service_token(&minted.token));
        let presented = parse(&minted.token).unwrap();
        assert_eq!(presented.tenant_id, tenant_id);
        assert_eq!(presented.hash, minted.hash);
    }

    #[test]
    fn anything_else_is_malformed() {
        for token in ["dbt_", "dbt_!!!", "dbt_AAAA", "jwt.like.token"] {
            assert!(parse(token).is_err(), "{token}");
        }
        let mut tampered = mint(Uuid::now_v7()).token;
        tampered.push('A');
        assert!(parse(&tampered).is_err());
    }
}
