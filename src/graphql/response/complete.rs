//! Rebuilds an executed response's `data` the way the spec's execution algorithm shapes it:
//! every selected key present, in selection order; a field that errored is `null`; a
//! non-null position that came out `null` makes its nearest nullable parent `null`.
//!
//! async-graphql resolves sibling fields concurrently and keeps them in the order they
//! finished, and it leaves an errored field's key out instead of setting it to `null`.

use super::collect::{Collected, Collector};
use super::types::{Kind, TypeTable};
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{BaseType, Field, SelectionSet, Type};
use async_graphql::{Name, PathSegment, ServerError, Value};
use std::collections::HashMap;
use std::rc::Rc;

/// The alias under which the server asks for `__typename` of every interface or union
/// value, so that fragments on their object types can be told apart.
pub const TYPE_PROBE: &str = "_debriefTypename";

/// A non-null position came out `null`: the nearest nullable parent becomes `null`.
struct NullBubble;

/// One step of the path to the value being completed.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Completes one response's data.
pub struct Completer<'a> {
    collector: Collector<'a>,
    types: &'a TypeTable,
    errors: &'a [ServerError],
    path: Vec<Step<'a>>,
    /// Collected fields by object type and selection sets: every item of a list shares them.
    collected: HashMap<(String, Vec<*const SelectionSet>), Rc<Collected<'a>>>,
}

impl<'a> Completer<'a> {
    /// A completer that reads `errors` to tell an object whose every field failed (which
    /// async-graphql answers as `null`) from one that is `null`.
    pub fn new(collector: Collector<'a>, types: &'a TypeTable, errors: &'a [ServerError]) -> Self {
        Self {
            collector,
            types,
            errors,
            path: Vec::new(),
            collected: HashMap::new(),
        }
    }

    /// The completed data of an operation on `root` selecting `set`.
    pub fn root(&mut self, root: &str, set: &'a SelectionSet, data: Value) -> Value {
        self.object(root, vec![set], data).unwrap_or(Value::Null)
    }

    fn object(
        &mut self,
        object: &str,
        sets: Vec<&'a SelectionSet>,
        raw: Value,
    ) -> Result<Value, NullBubble> {
        let mut raw = match raw {
            Value::Object(map) => map,
            _ => IndexMap::new(),
        };
        let fields = self.fields(object, sets);
        let mut completed = IndexMap::with_capacity(fields.len());
        for (key, merged) in fields.iter() {
            let key = *key;
            let (name_of_key, value) = match raw.swap_remove_entry(key) {
                Some(entry) => entry,
                None => (Name::new(key), Value::Null),
            };
            let name = merged[0].name.node.as_str();
            self.path.push(Step::Key(key));
            let value = if name == "__typename" {
                Ok(value)
            } else {
                match self.types.field(object, name) {
                    Some(ty) => self.value(ty, merged, value),
                    None => Ok(value),
                }
            };
            self.path.pop();
            completed.insert(name_of_key, value?);
        }
        Ok(Value::Object(completed))
    }

    /// The fields `sets` select on `object`, collected once per completion.
    fn fields(&mut self, object: &str, sets: Vec<&'a SelectionSet>) -> Rc<Collected<'a>> {
        let key = (
            object.to_owned(),
            sets.iter().map(|set| *set as *const SelectionSet).collect(),
        );
        if let Some(fields) = self.collected.get(&key) {
            return fields.clone();
        }
        let fields = Rc::new(self.collector.collect(object, sets));
        self.collected.insert(key, fields.clone());
        fields
    }

    fn value(&mut self, ty: &Type, merged: &[&'a Field], raw: Value) -> Result<Value, NullBubble> {
        let completed = if raw == Value::Null && !self.failed_below() {
            Value::Null
        } else {
            match &ty.base {
                BaseType::List(item) => self.list(item, merged, raw),
                BaseType::Named(name) => self.named(name.as_str(), merged, raw),
            }
        };
        if completed == Value::Null && !ty.nullable {
            Err(NullBubble)
        } else {
            Ok(completed)
        }
    }

    fn list(&mut self, item: &Type, merged: &[&'a Field], raw: Value) -> Value {
        let Value::List(items) = raw else {
            return raw;
        };
        let mut completed = Vec::with_capacity(items.len());
        for (index, value) in items.into_iter().enumerate() {
            self.path.push(Step::Index(index));
            let value = self.value(item, merged, value);
            self.path.pop();
            match value {
                Ok(value) => completed.push(value),
                Err(NullBubble) => return Value::Null,
            }
        }
        Value::List(completed)
    }

    fn named(&mut self, name: &str, merged: &[&'a Field], raw: Value) -> Value {
        let sets = || {
            merged
                .iter()
                .map(|field| &field.selection_set.node)
                .collect()
        };
        match self.types.kind(name) {
            Kind::Object => self.object(name, sets(), raw).unwrap_or(Value::Null),
            Kind::Abstract => match concrete_type(&raw) {
                Some(object) => self.object(&object, sets(), raw).unwrap_or(Value::Null),
                None => raw,
            },
            Kind::Leaf => raw,
        }
    }

    /// Whether an error was raised below the current path: async-graphql answers an object
    /// whose every field failed as `null`.
    fn failed_below(&self) -> bool {
        self.errors.iter().any(|error| {
            error.path.len() > self.path.len()
                && error
                    .path
                    .iter()
                    .zip(&self.path)
                    .all(|(segment, step)| match (segment, step) {
                        (PathSegment::Field(key), Step::Key(expected)) => key == expected,
                        (PathSegment::Index(index), Step::Index(expected)) => index == expected,
                        _ => false,
                    })
        })
    }
}

/// The object type an interface or union value reported through [`TYPE_PROBE`].
fn concrete_type(raw: &Value) -> Option<String> {
    match raw {
        Value::Object(map) => match map.get(TYPE_PROBE) {
            Some(Value::String(name)) => Some(name.clone()),
            _ => None,
        },
        _ => None,
    }
}
