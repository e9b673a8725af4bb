//! Rebuilds an executed response's `data` the way the spec's execution algorithm shapes it:
//! every selected key present, in selection order; a field that errored is `null`; a
//! non-null position that came out `null` makes its nearest nullable parent `null`.
//!
//! async-graphql resolves sibling fields concurrently and keeps them in the order they
//! finished, and it leaves an errored field's key out instead of setting it to `null`.

use super::collect::Collector;
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

/// The fields some selection sets select on an object type: each response key, the fields
/// merged under it, and the field's type on that object (`None` for `__typename` and for
/// what the schema does not know).
type Shape<'a> = Vec<(&'a str, Vec<&'a Field>, Option<&'a Type>)>;

/// The shapes known for one object type, each with the selection sets it was worked out for.
type Shapes<'a> = Vec<(Vec<&'a SelectionSet>, Rc<Shape<'a>>)>;

/// Completes one response's data.
pub struct Completer<'a> {
    collector: Collector<'a>,
    types: &'a TypeTable,
    errors: &'a [ServerError],
    path: Vec<Step<'a>>,
    /// Shapes by object type and selection sets (told apart by address): every item of a
    /// list shares one, so collecting fields and looking up their types happen once.
    shapes: HashMap<&'a str, Shapes<'a>>,
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
            shapes: HashMap::new(),
        }
    }

    /// The completed data of an operation on `root` selecting `set`.
    pub fn root(&mut self, root: &'a str, set: &'a SelectionSet, data: Value) -> Value {
        self.object(root, vec![set], data).unwrap_or(Value::Null)
    }

    fn object(
        &mut self,
        object: &'a str,
        sets: Vec<&'a SelectionSet>,
        raw: Value,
    ) -> Result<Value, NullBubble> {
        let mut raw = match raw {
            Value::Object(map) => map,
            _ => IndexMap::new(),
        };
        let shape = self.shape(object, sets);
        let mut completed = IndexMap::with_capacity(shape.len());
        for (key, merged, ty) in shape.iter() {
            let key = *key;
            let (name_of_key, value) = match raw.swap_remove_entry(key) {
                Some(entry) => entry,
                None => (Name::new(key), Value::Null),
            };
            self.path.push(Step::Key(key));
            let value = match ty {
                Some(ty) => self.value(ty, merged, value),
                None => Ok(value),
            };
            self.path.pop();
            completed.insert(name_of_key, value?);
        }
        Ok(Value::Object(completed))
    }

    /// What `sets` select on `object`, worked out once per completion.
    fn shape(&mut self, object: &'a str, sets: Vec<&'a SelectionSet>) -> Rc<Shape<'a>> {
        let same = |known: &[&SelectionSet]| {
            known.len() == sets.len() && known.iter().zip(&sets).all(|(a, b)| std::ptr::eq(*a, *b))
        };
        let mut known = self.shapes.get(object).into_iter().flatten();
        if let Some((_, shape)) = known.find(|(known, _)| same(known)) {
            return shape.clone();
        }
        let collected = self.collector.collect(object, sets.iter().copied());
        let shape: Shape<'a> = collected
            .into_iter()
            .map(|(key, merged)| {
                let name = merged[0].name.node.as_str();
                let ty = (name != "__typename")
                    .then(|| self.types.field(object, name))
                    .flatten();
                (key, merged, ty)
            })
            .collect();
        let shape = Rc::new(shape);
        let known = self.shapes.entry(object).or_default();
        known.push((sets, shape.clone()));
        shape
    }

    fn value(
        &mut self,
        ty: &'a Type,
        merged: &[&'a Field],
        raw: Value,
    ) -> Result<Value, NullBubble> {
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

    fn list(&mut self, item: &'a Type, merged: &[&'a Field], raw: Value) -> Value {
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

    fn named(&mut self, name: &'a str, merged: &[&'a Field], raw: Value) -> Value {
        let sets = || {
            merged
                .iter()
                .map(|field| &field.selection_set.node)
                .collect()
        };
        match self.types.kind(name) {
            Kind::Object => self.object(name, sets(), raw).unwrap_or(Value::Null),
            Kind::Abstract => match concrete_type(&raw).and_then(|name| self.types.name(&name)) {
                Some(object) => self.object(object, sets(), raw).unwrap_or(Value::Null),
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
