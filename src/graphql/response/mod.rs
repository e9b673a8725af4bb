//! The response step: after async-graphql has executed an operation, its `data` is put in
//! the shape the GraphQL spec gives it (see [`complete`]): keys in selection order, errored
//! fields `null`, and nulls propagated to the nearest nullable parent.

mod collect;
mod complete;
pub(crate) mod types;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Response, Variables};
use collect::Collector;
use complete::{Completer, TYPE_PROBE};
use types::{Kind, TypeTable, named};

/// Completes responses for one schema.
#[derive(Debug)]
pub struct Completion {
    types: TypeTable,
}

impl Completion {
    /// Reads the schema's types from its SDL.
    pub fn new(sdl: &str) -> anyhow::Result<Self> {
        Ok(Self {
            types: TypeTable::from_sdl(sdl)?,
        })
    }

    /// Asks for `__typename` (as [`TYPE_PROBE`]) on every field whose type is an interface
    /// or union, so that [`Self::complete`] knows each such value's object type. Apply it to
    /// the document that is executed, not to the one kept for completing.
    pub fn probe(&self, document: &mut ExecutableDocument) {
        let operations: Vec<&mut Positioned<OperationDefinition>> = match &mut document.operations {
            DocumentOperations::Single(operation) => vec![operation],
            DocumentOperations::Multiple(operations) => operations.values_mut().collect(),
        };
        for operation in operations {
            let root = self.types.root(operation.node.ty).to_owned();
            self.probe_set(&root, &mut operation.node.selection_set.node);
        }
        for fragment in document.fragments.values_mut() {
            let on = fragment.node.type_condition.node.on.node.to_string();
            self.probe_set(&on, &mut fragment.node.selection_set.node);
        }
    }

    fn probe_set(&self, parent: &str, set: &mut SelectionSet) {
        for item in &mut set.items {
            match &mut item.node {
                Selection::Field(field) => {
                    let Some(ty) = self.types.field(parent, field.node.name.node.as_str()) else {
                        continue;
                    };
                    let inner = named(ty).to_owned();
                    let selection = &mut field.node.selection_set.node;
                    match self.types.kind(&inner) {
                        Kind::Abstract => {
                            selection.items.push(probe_field());
                            self.probe_set(&inner, selection);
                        }
                        Kind::Object => self.probe_set(&inner, selection),
                        Kind::Leaf => {}
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or_else(|| parent.to_owned(), |c| c.node.on.node.to_string());
                    self.probe_set(&on, &mut inline.node.selection_set.node);
                }
                Selection::FragmentSpread(_) => {}
            }
        }
    }

    /// Puts the executed `response` to `document` (as the client sent it) in the spec's
    /// shape. Only for an operation that ran: one that did not has no data to complete.
    pub fn complete(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
        response: &mut Response,
    ) {
        let Some(operation) = operation(document, operation_name) else {
            return;
        };
        let root = self.types.root(operation.ty);
        let collector = Collector::new(document, operation, variables, &self.types);
        let data = std::mem::take(&mut response.data);
        let mut completer = Completer::new(collector, &self.types, &response.errors);
        response.data = completer.root(root, &operation.selection_set.node, data);
    }
}

/// The operation of `document` a request naming `name` runs: the one named, or the only one
/// when the request names none.
pub fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

fn at<T>(node: T) -> Positioned<T> {
    Positioned::new(node, Default::default())
}

fn probe_field() -> Positioned<Selection> {
    at(Selection::Field(at(Field {
        alias: Some(at(Name::new(TYPE_PROBE))),
        name: at(Name::new("__typename")),
        arguments: Vec::new(),
        directives: Vec::new(),
        selection_set: at(SelectionSet::default()),
    })))
}

#[cfg(test)]
mod tests;
