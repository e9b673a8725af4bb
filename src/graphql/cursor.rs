//! Opaque pagination cursors, bound to the tenant and to the list and order they came from.

use crate::error::{AppError, AppResult};
use crate::repo::Key;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Tenant the cursor belongs to.
    t: Uuid,
    /// The list and sort order, e.g. `incidents:NUMBER:DESC`.
    l: String,
    k: Key,
}

/// The opaque cursor for `key` in `list` of `tenant_id`.
pub fn encode(tenant_id: Uuid, list: &str, key: &Key) -> String {
    let cursor = Cursor {
        t: tenant_id,
        l: list.to_owned(),
        k: key.clone(),
    };
    // Serializing plain data to JSON cannot fail.
    let json = serde_json::to_vec(&cursor).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Reads a cursor back; one from another tenant, list or order is refused.
pub fn decode(tenant_id: Uuid, list: &str, cursor: &str) -> AppResult<Key> {
    let invalid = || {
        AppError::bad_input("the cursor is not valid for this list; request the first page again")
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if cursor.t != tenant_id || cursor.l != list {
        return Err(invalid());
    }
    Ok(cursor.k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::KeyValue;

    #[test]
    fn cursors_only_work_for_their_own_tenant_and_list() {
        let tenant = Uuid::now_v7();
        let key = Key {
            value: KeyValue::Int(7),
            id: Uuid::now_v7(),
        };
        let cursor = encode(tenant, "incidents:NUMBER:DESC", &key);
        assert_eq!(
            decode(tenant, "incidents:NUMBER:DESC", &cursor).unwrap(),
            key
        );
        assert!(decode(Uuid::now_v7(), "incidents:NUMBER:DESC", &cursor).is_err());
        assert!(decode(tenant, "incidents:NUMBER:ASC", &cursor).is_err());
        assert!(decode(tenant, "incidents:NUMBER:DESC", "not a cursor").is_err());
    }
}
