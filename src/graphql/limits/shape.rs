//! The expanded shape of an operation, computed in time linear in the document's size.
//!
//! A fragment may be spread many times, and each of its spreads may sit inside another
//! fragment spread many times, so the expanded operation can be exponentially larger than its
//! text. Each fragment's shape is therefore computed once and reused at every spread; only
//! the counts multiply, never the work.

use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Variables};
use async_graphql_value::{ConstValue, Value};
use std::collections::HashMap;

/// What one selection set amounts to once every fragment spread in it is expanded. Counts
/// saturate instead of overflowing, so any over-limit shape stays over the limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// Fields, fragment spreads, inline fragments, directives and argument values.
    pub size: u64,
    /// Aliased fields.
    pub aliases: u64,
    /// Directives.
    pub directives: u64,
    /// Fields at the set's own level, looking through fragments.
    pub fields: u64,
    /// The deepest nesting of fields: a set of leaf fields has depth 1.
    pub depth: u64,
}

impl Shape {
    /// The shape of two parts of one selection set.
    fn beside(self, other: Self) -> Self {
        Self {
            size: self.size.saturating_add(other.size),
            aliases: self.aliases.saturating_add(other.aliases),
            directives: self.directives.saturating_add(other.directives),
            fields: self.fields.saturating_add(other.fields),
            depth: self.depth.max(other.depth),
        }
    }
}

/// Why a walk stopped before it finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Selection sets are nested deeper than the limit the walk was given.
    TooNested,
    /// The fragment spreads itself, directly or through others.
    Cycle(String),
}

/// Computes shapes over one document, remembering each fragment's.
pub struct Shapes<'a> {
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    max_nesting: u64,
    fragments: HashMap<&'a str, Option<Shape>>,
    variable_sizes: HashMap<&'a str, u64>,
}

impl<'a> Shapes<'a> {
    /// A walk over `document` with the request's `variables` (their values count towards the
    /// size of the arguments that use them). It stops once selection sets nest deeper than
    /// `max_nesting`, which also bounds its own recursion.
    pub fn new(
        document: &'a ExecutableDocument,
        variables: &'a Variables,
        max_nesting: u64,
    ) -> Self {
        Self {
            document,
            variables,
            max_nesting,
            fragments: HashMap::new(),
            variable_sizes: HashMap::new(),
        }
    }

    /// The expanded shape of one operation, its own directives and variable defaults included.
    pub fn operation(&mut self, operation: &'a OperationDefinition) -> Result<Shape, Stop> {
        let mut shape = self.set(&operation.selection_set.node, 1)?;
        let own = self.directives(&operation.directives);
        let defaults: u64 = operation
            .variable_definitions
            .iter()
            .map(|definition| {
                let default = definition.node.default_value.as_ref();
                let default_size = default.map_or(0, |value| constant_size(&value.node));
                self.directives(&definition.node.directives)
                    .size
                    .saturating_add(default_size)
                    .saturating_add(1)
            })
            .fold(0, u64::saturating_add);
        shape.size = shape.size.saturating_add(own.size).saturating_add(defaults);
        shape.directives = shape.directives.saturating_add(own.directives);
        Ok(shape)
    }

    fn set(&mut self, set: &'a SelectionSet, level: u64) -> Result<Shape, Stop> {
        if level > self.max_nesting {
            return Err(Stop::TooNested);
        }
        let mut shape = Shape::default();
        for item in &set.items {
            let part = match &item.node {
                Selection::Field(field) => self.field(&field.node, level)?,
                Selection::InlineFragment(inline) => {
                    let inner = self.set(&inline.node.selection_set.node, level + 1)?;
                    self.enclosing(inner, &inline.node.directives)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let inner = self.fragment(name, level + 1)?;
                    self.enclosing(inner, &spread.node.directives)
                }
            };
            shape = shape.beside(part);
        }
        Ok(shape)
    }

    fn field(&mut self, field: &'a Field, level: u64) -> Result<Shape, Stop> {
        let selection = &field.selection_set.node;
        let inner = if selection.items.is_empty() {
            Shape::default()
        } else {
            self.set(selection, level + 1)?
        };
        let arguments = self.arguments(field.arguments.as_slice());
        let directives = self.directives(&field.directives);
        Ok(Shape {
            size: inner
                .size
                .saturating_add(1)
                .saturating_add(arguments)
                .saturating_add(directives.size),
            aliases: inner
                .aliases
                .saturating_add(u64::from(field.alias.is_some())),
            directives: inner.directives.saturating_add(directives.directives),
            fields: 1,
            depth: inner.depth.saturating_add(1),
        })
    }

    /// A fragment or inline fragment around `inner`: one more node.
    fn enclosing(&mut self, inner: Shape, directives: &'a [Positioned<Directive>]) -> Shape {
        let own = self.directives(directives);
        Shape {
            size: inner.size.saturating_add(1).saturating_add(own.size),
            directives: inner.directives.saturating_add(own.directives),
            ..inner
        }
    }

    /// The shape of the named fragment's selection set, computed on its first spread. An
    /// unknown fragment counts as empty: validation reports it.
    fn fragment(&mut self, name: &'a str, level: u64) -> Result<Shape, Stop> {
        match self.fragments.get(name) {
            Some(Some(shape)) => return Ok(*shape),
            Some(None) => return Err(Stop::Cycle(name.to_owned())),
            None => {}
        }
        let Some(definition) = self.document.fragments.get(name) else {
            return Ok(Shape::default());
        };
        self.fragments.insert(name, None);
        let mut shape = self.set(&definition.node.selection_set.node, level)?;
        let own = self.directives(&definition.node.directives);
        shape.size = shape.size.saturating_add(own.size);
        shape.directives = shape.directives.saturating_add(own.directives);
        self.fragments.insert(name, Some(shape));
        Ok(shape)
    }

    /// Directives with their arguments: `size` counts both, `directives` the directives.
    fn directives(&mut self, directives: &'a [Positioned<Directive>]) -> Shape {
        let size = directives
            .iter()
            .map(|directive| {
                self.arguments(directive.node.arguments.as_slice())
                    .saturating_add(1)
            })
            .fold(0, u64::saturating_add);
        Shape {
            size,
            directives: directives.len() as u64,
            ..Shape::default()
        }
    }

    fn arguments(&mut self, arguments: &'a [(Positioned<Name>, Positioned<Value>)]) -> u64 {
        arguments
            .iter()
            .map(|(_, value)| self.value_size(&value.node))
            .fold(0, u64::saturating_add)
    }

    /// How many values `value` holds, counting a variable as the value the request gave it.
    fn value_size(&mut self, value: &'a Value) -> u64 {
        let mut size = 0u64;
        let mut pending = vec![value];
        while let Some(value) = pending.pop() {
            size = size.saturating_add(1);
            match value {
                Value::Variable(name) => {
                    size = size.saturating_add(self.variable_size(name.as_str()));
                }
                Value::List(items) => pending.extend(items),
                Value::Object(fields) => pending.extend(fields.values()),
                _ => {}
            }
        }
        size
    }

    fn variable_size(&mut self, name: &'a str) -> u64 {
        let variables = self.variables;
        *self
            .variable_sizes
            .entry(name)
            .or_insert_with(|| variables.get(name).map_or(0, constant_size))
    }
}

/// How many values a constant value holds.
fn constant_size(value: &ConstValue) -> u64 {
    let mut size = 0u64;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        size = size.saturating_add(1);
        match value {
            ConstValue::List(items) => pending.extend(items),
            ConstValue::Object(fields) => pending.extend(fields.values()),
            _ => {}
        }
    }
    size
}
