//! Operation shape limits async-graphql does not enforce itself: aliases and root fields.

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult};
use std::collections::HashSet;

/// At most this many aliased fields in one operation document.
pub const MAX_ALIASES: usize = 30;
/// At most this many fields at the root of one operation.
pub const MAX_ROOT_FIELDS: usize = 20;

/// Refuses documents with too many aliases or root fields, before they are validated.
pub fn check(document: &ExecutableDocument) -> ServerResult<()> {
    for (_, operation) in document.operations.iter() {
        let root = &operation.node.selection_set.node;
        let root_fields = Walk::new(document).root_fields(root);
        if root_fields > MAX_ROOT_FIELDS {
            return Err(ServerError::new(
                format!(
                    "the operation selects {root_fields} root fields; the limit is {MAX_ROOT_FIELDS}"
                ),
                None,
            ));
        }
        let aliases = Walk::new(document).aliases(root);
        if aliases > MAX_ALIASES {
            return Err(ServerError::new(
                format!("the operation uses {aliases} aliases; the limit is {MAX_ALIASES}"),
                None,
            ));
        }
    }
    Ok(())
}

/// Counts over one operation, expanding each named fragment once (validation rejects
/// fragment cycles; the visited set keeps this walk finite before validation runs).
struct Walk<'a> {
    document: &'a ExecutableDocument,
    visited: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    fn new(document: &'a ExecutableDocument) -> Self {
        Self {
            document,
            visited: HashSet::new(),
        }
    }

    fn fragment(&mut self, name: &'a str) -> Option<&'a SelectionSet> {
        if !self.visited.insert(name) {
            return None;
        }
        self.document
            .fragments
            .get(name)
            .map(|f| &f.node.selection_set.node)
    }

    /// Fields at the top level of `root`, looking through fragments.
    fn root_fields(&mut self, root: &'a SelectionSet) -> usize {
        self.count(root, false, |_| true)
    }

    /// Aliased fields anywhere below `root`.
    fn aliases(&mut self, root: &'a SelectionSet) -> usize {
        self.count(root, true, |field| field.alias.is_some())
    }

    /// Fields that `counts`, looking through fragments, and into fields' own selections when
    /// `nested`. The walk keeps its own stack, so no nesting of fragments can exhaust the
    /// thread's.
    fn count(
        &mut self,
        root: &'a SelectionSet,
        nested: bool,
        counts: impl Fn(&Field) -> bool,
    ) -> usize {
        let mut count = 0;
        let mut pending = vec![root];
        while let Some(set) = pending.pop() {
            for item in &set.items {
                match &item.node {
                    Selection::Field(field) => {
                        count += usize::from(counts(&field.node));
                        if nested {
                            pending.push(&field.node.selection_set.node);
                        }
                    }
                    Selection::InlineFragment(inline) => {
                        pending.push(&inline.node.selection_set.node)
                    }
                    Selection::FragmentSpread(spread) => {
                        pending.extend(self.fragment(spread.node.fragment_name.node.as_str()));
                    }
                }
            }
        }
        count
    }
}
