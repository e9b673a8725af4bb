//! Service tokens on the wire: `dbt_` and the unpadded base64url of the tenant's uuid (16
//! bytes) followed by 32 random bytes from a CSPRNG (rand's thread generator, ChaCha seeded
//! by the operating system). The tenant travels inside the token, so the look-up is scoped
//! to it like every other; only the SHA-256 of the whole token is stored, and presented
//! tokens are found by that hash, never compared as secrets.

use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What every service token starts with; a bearer token without it is a JWT.
pub const PREFIX: &str = "dbt_";

/// The random part's length.
const SECRET_BYTES: usize = 32;

/// A token just issued: shown once, then only its hash is kept.
pub struct Minted {
    pub token: String,
    pub hash: String,
}

/// A presented token, taken apart: the tenant it names and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub tenant_id: Uuid,
    pub hash: String,
}

/// A new token for `tenant_id`.
pub fn mint(tenant_id: Uuid) -> Minted {
    let mut bytes = Vec::with_capacity(16 + SECRET_BYTES);
    bytes.extend_from_slice(tenant_id.as_bytes());
    let mut secret = [0_u8; SECRET_BYTES];
    rand::fill(&mut secret);
    bytes.extend_from_slice(&secret);
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    Minted {
        hash: hash(&token),
        token,
    }
}

/// Whether a bearer token is a service token (rather than a JWT).
pub fn is_service_token(token: &str) -> bool {
    token.starts_with(PREFIX)
}

/// Takes a presented token apart. UNAUTHENTICATED when it is not of the shape [`mint`] makes.
pub fn parse(token: &str) -> AppResult<Presented> {
    let malformed = || AppError::unauthenticated("the service token is malformed");
    let bytes = URL_SAFE_NO_PAD
        .decode(token.strip_prefix(PREFIX).ok_or_else(malformed)?)
        .map_err(|_| malformed())?;
    if bytes.len() != 16 + SECRET_BYTES {
        return Err(malformed());
    }
    let tenant_id = Uuid::from_slice(&bytes[..16]).map_err(|_| malformed())?;
    Ok(Presented {
        tenant_id,
        hash: hash(token),
    })
}

/// The lowercase hex SHA-256 of a token, as stored.
fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_parses_back_to_its_tenant_and_hash() {
        let tenant_id = Uuid::now_v7();
        let minted = mint(tenant_id);
        assert!(is_service_token(&minted.token));
        assert_eq!(minted.token.len(), PREFIX.len() + 64);
        let presented = parse(&minted.token).unwrap();
        assert_eq!(presented.tenant_id, tenant_id);
        assert_eq!(presented.hash, minted.hash);
        assert_eq!(minted.hash.len(), 64);
        assert_ne!(mint(tenant_id).token, minted.token);
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
