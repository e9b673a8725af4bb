//! What an operation costs in rate-limit points, GitHub's way: every connection it selects is
//! one request for each item of the connections around it, each assumed to return its whole
//! page (`first` or `last`, else the default page); the cost is a hundredth of those requests,
//! rounded, at least one. A mutation costs [`MUTATION_COST`]. The actual cost counts the
//! connections the response really holds instead.

use crate::domain::rate_limit::{MUTATION_COST, query_cost};
use crate::graphql::connection::MAX_PAGE_SIZE;
use crate::graphql::response::operation;
use crate::graphql::response::types::{Kind, TypeTable, named};
use crate::repo::DEFAULT_PAGE_SIZE;
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Variables};
use async_graphql_value::{ConstValue, Value};
use std::collections::HashSet;

/// Prices operations against one schema's types.
#[derive(Debug)]
pub struct Pricing {
    types: TypeTable,
}

/// An operation's price before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    /// The connection requests the document may need at most.
    pub requests: u64,
    /// The points it costs.
    pub cost: u64,
}

impl Pricing {
    /// Reads the schema's types from its SDL.
    pub fn new(sdl: &str) -> anyhow::Result<Self> {
        Ok(Self {
            types: TypeTable::from_sdl(sdl)?,
        })
    }

    /// The price of the operation of `document` named `operation_name`; an operation the
    /// document does not have costs one point (it will not run).
    pub fn requested(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Price {
        let Some(operation) = operation(document, operation_name) else {
            return Price {
                requests: 0,
                cost: 1,
            };
        };
        let walk = Requested {
            types: &self.types,
            document,
            variables,
        };
        let root = self.types.root(operation.ty);
        let requests = walk.set(root, &operation.selection_set.node, 1);
        let cost = match operation.ty {
            OperationType::Mutation => MUTATION_COST,
            _ => query_cost(requests),
        };
        Price { requests, cost }
    }

    /// The points the operation cost once executed into `data`: the connections `data` holds,
    /// priced like [`Self::requested`]'s.
    pub fn actual(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        data: &ConstValue,
    ) -> u64 {
        let Some(operation) = operation(document, operation_name) else {
            return 0;
        };
        if operation.ty == OperationType::Mutation {
            return MUTATION_COST;
        }
        let walk = Actual {
            types: &self.types,
            document,
        };
        let root = self.types.root(operation.ty);
        query_cost(walk.value(root, &[&operation.selection_set.node], data))
    }
}

/// Whether fields of type `name` are connections: by the Relay naming the schema keeps.
fn is_connection(types: &TypeTable, name: &str) -> bool {
    name.ends_with("Connection") && types.kind(name) == Kind::Object
}

/// The worst case walk: every fragment counted, every page full.
struct Requested<'a> {
    types: &'a TypeTable,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
}

impl Requested<'_> {
    /// The requests `set` on `parent` needs when it is selected `times` times. The operation
    /// limits checked before pricing bound the fragments' expanded size, so the walk is too.
    fn set(&self, parent: &str, set: &SelectionSet, times: u64) -> u64 {
        set.items.iter().fold(0u64, |total, item| {
            let requests = match &item.node {
                Selection::Field(field) => self.field(parent, &field.node, times),
                Selection::FragmentSpread(spread) => self
                    .document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .map_or(0, |fragment| {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        self.set(on, &fragment.node.selection_set.node, times)
                    }),
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(parent, |condition| condition.node.on.node.as_str());
                    self.set(on, &inline.node.selection_set.node, times)
                }
            };
            total.saturating_add(requests)
        })
    }

    fn field(&self, parent: &str, field: &Field, times: u64) -> u64 {
        let Some(ty) = self.types.field(parent, field.name.node.as_str()) else {
            return 0;
        };
        let inner = named(ty);
        let selection = &field.selection_set.node;
        if is_connection(self.types, inner) {
            let items = times.saturating_mul(self.page_size(field));
            times.saturating_add(self.set(inner, selection, items))
        } else {
            self.set(inner, selection, times)
        }
    }

    /// The page a connection field asks for: `first` or `last`, else the default, within
    /// the page limits the connection enforces.
    fn page_size(&self, field: &Field) -> u64 {
        let argument = |name: &str| {
            let (_, value) = field
                .arguments
                .iter()
                .find(|(argument, _)| argument.node.as_str() == name)?;
            let value = match &value.node {
                Value::Variable(variable) => self.variables.get(variable)?.clone(),
                other => other.clone().into_const()?,
            };
            match value {
                ConstValue::Number(number) => number.as_i64(),
                _ => None,
            }
        };
        let size = argument("first")
            .or_else(|| argument("last"))
            .unwrap_or(DEFAULT_PAGE_SIZE as i64);
        size.clamp(1, i64::from(MAX_PAGE_SIZE)) as u64
    }
}

/// The walk over an executed response: only connections that came back count.
struct Actual<'a> {
    types: &'a TypeTable,
    document: &'a ExecutableDocument,
}

impl<'a> Actual<'a> {
    /// The connections in `value`, of type `parent`, selected by `sets`.
    fn value(&self, parent: &str, sets: &[&'a SelectionSet], value: &ConstValue) -> u64 {
        match value {
            ConstValue::List(items) => items.iter().fold(0u64, |total, item| {
                total.saturating_add(self.value(parent, sets, item))
            }),
            ConstValue::Object(object) => {
                let mut seen = HashSet::new();
                sets.iter().fold(0u64, |total, set| {
                    total.saturating_add(self.object(parent, set, object, &mut seen))
                })
            }
            _ => 0,
        }
    }

    fn object(
        &self,
        parent: &str,
        set: &'a SelectionSet,
        object: &async_graphql::indexmap::IndexMap<Name, ConstValue>,
        seen: &mut HashSet<&'a str>,
    ) -> u64 {
        set.items.iter().fold(0u64, |total, item| {
            let requests = match &item.node {
                // A leaf holds no connection; skipping it spares a type lookup per value.
                Selection::Field(field) if field.node.selection_set.node.items.is_empty() => 0,
                Selection::Field(field) => {
                    let key = field.node.response_key().node.as_str();
                    match (seen.insert(key), object.get(key)) {
                        (true, Some(value)) => self.field(parent, &field.node, value),
                        _ => 0,
                    }
                }
                Selection::FragmentSpread(spread) => self
                    .document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .map_or(0, |fragment| {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        self.object(on, &fragment.node.selection_set.node, object, seen)
                    }),
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(parent, |condition| condition.node.on.node.as_str());
                    self.object(on, &inline.node.selection_set.node, object, seen)
                }
            };
            total.saturating_add(requests)
        })
    }

    fn field(&self, parent: &str, field: &'a Field, value: &ConstValue) -> u64 {
        let Some(ty) = self.types.field(parent, field.name.node.as_str()) else {
            return 0;
        };
        let inner = named(ty);
        let own = u64::from(is_connection(self.types, inner) && value != &ConstValue::Null);
        own.saturating_add(self.value(inner, &[&field.selection_set.node], value))
    }
}

#[cfg(test)]
mod tests;
