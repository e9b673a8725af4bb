//! The changed fields an audit entry records, by their API names; events list the same names.

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

    /// Records `field` of a record created (`old` is `None`: every field is set) or changed
    /// (only when it differs), reading its value with `value`.
    pub fn field<M, T: Serialize + PartialEq>(
        self,
        field: &str,
        old: Option<&M>,
        new: &M,
        value: impl Fn(&M) -> T,
    ) -> Self {
        match old {
            None => self.set(field, &value(new)),
            Some(old) => self.diff(field, &value(old), &value(new)),
        }
    }

    /// Records `field` as removed along with its record.
    pub fn removed<T: Serialize + PartialEq>(self, field: &str, old: &T) -> Self {
        self.diff(field, &Some(old), &None)
    }

    /// Records the linked services of a record created (`before` is `None`) or relinked.
    pub fn services(self, before: Option<&[uuid::Uuid]>, after: &[uuid::Uuid]) -> Self {
        match before {
            None => self.set("serviceIds", &after),
            Some(before) => self.diff("serviceIds", &before, &after),
        }
    }

    /// The changes as a JSON object, for the audit entry's `changes` column.
    pub fn into_json(self) -> Value {
        Value::Object(self.0)
    }
}
