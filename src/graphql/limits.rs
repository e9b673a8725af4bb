//! Operation shape limits async-graphql does not enforce itself: aliases and root fields.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};
use std::collections::HashSet;
use std::sync::Arc;

/// At most this many aliased fields in one operation document.
pub const MAX_ALIASES: usize = 30;
/// At most this many fields at the root of one operation.
pub const MAX_ROOT_FIELDS: usize = 20;

/// Refuses documents with too many aliases or root fields before they are validated.
pub struct OperationLimits;

impl ExtensionFactory for OperationLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationLimits)
    }
}

#[async_trait::async_trait]
impl Extension for OperationLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        check(&document)?;
        Ok(document)
    }
}

fn check(document: &ExecutableDocument) -> ServerResult<()> {
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

    /// Fields at the top level of `set`, looking through fragments.
    fn root_fields(&mut self, set: &'a SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(inline) => {
                    self.root_fields(&inline.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => self
                    .fragment(spread.node.fragment_name.node.as_str())
                    .map_or(0, |f| self.root_fields(f)),
            })
            .sum()
    }

    /// Aliased fields anywhere below `set`.
    fn aliases(&mut self, set: &'a SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some())
                        + self.aliases(&field.node.selection_set.node)
                }
                Selection::InlineFragment(inline) => self.aliases(&inline.node.selection_set.node),
                Selection::FragmentSpread(spread) => self
                    .fragment(spread.node.fragment_name.node.as_str())
                    .map_or(0, |f| self.aliases(f)),
            })
            .sum()
    }
}
