//! Opaque bearer secrets (share links, service tokens): a prefix, then the base64url of the
//! tenant's id and 32 random bytes. The tenant inside lets the lookup stay within one
//! tenant's rows; only the SHA-256 of the whole token is stored, so a copy of the database
//! holds no usable token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Random bytes in a token: 256 bits, beyond guessing.
const SECRET_BYTES: usize = 32;

/// A token as made: the text shown once, and what is stored.
pub struct Issued {
    /// The whole token, e.g. `dbs_…`; never stored.
    pub token: String,
    /// [`hash`] of the token.
    pub hash: String,
}

/// A new token of `tenant_id` with `prefix`.
pub fn issue(prefix: &str, tenant_id: Uuid) -> Issued {
    let secret: [u8; SECRET_BYTES] = rand::random();
    let mut bytes = tenant_id.as_bytes().to_vec();
    bytes.extend_from_slice(&secret);
    let token = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    Issued {
        hash: hash(&token),
        token,
    }
}

/// The tenant a token names and the hash to look it up by; `None` for anything that is not
/// a well-formed token of `prefix`.
pub fn parse(prefix: &str, token: &str) -> Option<(Uuid, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(token.strip_prefix(prefix)?).ok()?;
    if bytes.len() != 16 + SECRET_BYTES {
        return None;
    }
    let tenant_id = Uuid::from_slice(&bytes[..16]).ok()?;
    Some((tenant_id, hash(token)))
}

/// The stored form of a token: base64url of its SHA-256.
pub fn hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_tenant_and_parses_back_to_its_hash() {
        let tenant = Uuid::now_v7();
        let issued = issue("dbs_", tenant);
        assert!(issued.token.starts_with("dbs_"));
        assert_eq!(
            parse("dbs_", &issued.token),
            Some((tenant, issued.hash.clone()))
        );
        assert_ne!(
            issue("dbs_", tenant).token,
            issued.token,
            "tokens are random"
        );
    }

    #[test]
    fn anything_else_does_not_parse() {
        let issued = issue("dbs_", Uuid::now_v7());
        let cut = &issued.token[..issued.token.len() - 2];
        for bad in [
            "",
            "dbs_",
            "dbs_!!!",
            cut,
            &issued.token.replace("dbs_", "dbt_"),
        ] {
            assert_eq!(parse("dbs_", bad), None, "{bad}");
        }
    }
}
