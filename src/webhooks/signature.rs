//! Standard Webhooks signatures: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`
//! under the secret's key. A few lines over `hmac` and `sha2`; see docs/WEBHOOKS.md for why
//! not the `standardwebhooks` crate.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// What every secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// The key length of a new secret.
const KEY_BYTES: usize = 32;

/// A new secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let key: [u8; KEY_BYTES] = rand::random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The signing key inside a secret; `None` unless it is `whsec_` and non-empty base64.
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    (!key.is_empty()).then_some(key)
}

/// The `webhook-signature` header for a message: one `v1,<signature>` per key, space-separated,
/// in the order given (the current secret first during a rotation).
pub fn header(keys: &[Vec<u8>], id: &str, timestamp: i64, body: &str) -> String {
    keys.iter()
        .map(|key| sign(key, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One `v1,` signature.
fn sign(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's own test vector.
    #[test]
    fn signs_the_specification_test_vector() {
        let key = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            header(
                &[key],
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                r#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn two_keys_sign_side_by_side_current_first() {
        let current = key_of(&new_secret()).unwrap();
        let previous = key_of(&new_secret()).unwrap();
        let both = header(&[current.clone(), previous.clone()], "m", 1, "{}");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(
            parts,
            [sign(&current, "m", 1, "{}"), sign(&previous, "m", 1, "{}")]
        );
    }

    #[test]
    fn new_secrets_hold_32_random_bytes_and_bad_ones_have_no_key() {
        let secret = new_secret();
        assert!(secret.starts_with(SECRET_PREFIX));
        assert_eq!(key_of(&secret).map(|k| k.len()), Some(KEY_BYTES));
        assert_ne!(secret, new_secret());
        assert_eq!(key_of("whsec_"), None);
        assert_eq!(key_of("whsec_not base64!"), None);
        assert_eq!(key_of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), None);
    }
}
