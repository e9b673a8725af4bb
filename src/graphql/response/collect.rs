//! The spec's CollectFields: the response keys an object's selection sets produce, in the
//! order they were selected, with `@skip`/`@include` applied and fragments expanded where
//! their type condition holds.

use super::types::TypeTable;
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Positioned, Variables};
use async_graphql_value::{ConstValue, Value};
use std::collections::HashSet;

/// Response keys in selection order, each with the fields merged under it.
pub type Collected<'a> = IndexMap<&'a str, Vec<&'a Field>>;

/// Collects fields over one operation's document.
pub struct Collector<'a> {
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    types: &'a TypeTable,
}

impl<'a> Collector<'a> {
    /// A collector for `operation` of `document`, run with `variables`.
    pub fn new(
        document: &'a ExecutableDocument,
        operation: &'a OperationDefinition,
        variables: &'a Variables,
        types: &'a TypeTable,
    ) -> Self {
        Self {
            document,
            operation,
            variables,
            types,
        }
    }

    /// The fields `sets` select on an object of type `object`.
    pub fn collect(
        &self,
        object: &str,
        sets: impl IntoIterator<Item = &'a SelectionSet>,
    ) -> Collected<'a> {
        let mut collected = Collected::new();
        let mut visited = HashSet::new();
        for set in sets {
            self.collect_into(object, set, &mut collected, &mut visited);
        }
        collected
    }

    fn collect_into(
        &self,
        object: &str,
        set: &'a SelectionSet,
        collected: &mut Collected<'a>,
        visited: &mut HashSet<&'a str>,
    ) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    if self.included(&field.node.directives) {
                        let key = field.node.response_key().node.as_str();
                        collected.entry(key).or_default().push(&field.node);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if !self.included(&spread.node.directives) || !visited.insert(name) {
                        continue;
                    }
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    let condition = fragment.node.type_condition.node.on.node.as_str();
                    if self.types.applies(condition, object) {
                        self.collect_into(
                            object,
                            &fragment.node.selection_set.node,
                            collected,
                            visited,
                        );
                    }
                }
                Selection::InlineFragment(inline) => {
                    let applies = inline.node.type_condition.as_ref().is_none_or(|condition| {
                        self.types.applies(condition.node.on.node.as_str(), object)
                    });
                    if applies && self.included(&inline.node.directives) {
                        self.collect_into(
                            object,
                            &inline.node.selection_set.node,
                            collected,
                            visited,
                        );
                    }
                }
            }
        }
    }

    /// Whether `@skip` and `@include` keep a selection.
    fn included(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().all(|directive| {
            let keeps_when = match directive.node.name.node.as_str() {
                "skip" => false,
                "include" => true,
                _ => return true,
            };
            let condition = directive
                .node
                .get_argument("if")
                .is_some_and(|value| self.boolean(&value.node));
            condition == keeps_when
        })
    }

    fn boolean(&self, value: &Value) -> bool {
        match value {
            Value::Boolean(flag) => *flag,
            Value::Variable(name) => {
                let given = self.variables.get(name.as_str());
                let default = || {
                    self.operation
                        .variable_definitions
                        .iter()
                        .find(|definition| definition.node.name.node == *name)
                        .and_then(|definition| definition.node.default_value.as_ref())
                        .map(|default| &default.node)
                };
                matches!(given.or_else(default), Some(ConstValue::Boolean(true)))
            }
            _ => false,
        }
    }
}
