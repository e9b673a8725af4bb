//! The changed fields an audit entry records.

use serde::Serialize;
use serde_json::{Map, Value, json};

/// `{ field: { "from": old, "to": new } }` for every field that changed.
#[derive(Debug, Default)]
pub struct Changes(Map<String, Value>);

impl Changes {
    /// Records `field` when `old` and `new` differ.
    pub fn diff<T: Serialize + PartialEq>(mut self, field: &str, old: &T, new: &T) -> Self {
        if old != new {
            self.0
                .insert(field.to_owned(), json!({ "from": old, "to": new }));
        }
        self
    }

    /// Records a field set on creation.
    pub fn set<T: Serialize>(mut self, field: &str, new: &T) -> Self {
        self.0
            .insert(field.to_owned(), json!({ "from": null, "to": new }));
        self
    }

    /// The changes as a JSON object, for the audit entry's `changes` column.
    pub fn into_json(self) -> Value {
        Value::Object(self.0)
    }
}
