//! Operation shape limits async-graphql does not enforce itself: aliases and root fields.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};
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
    let mut aliases = 0;
    for (_, operation) in document.operations.iter() {
        let root_fields = count_root_fields(&operation.node.selection_set.node, document);
        if root_fields > MAX_ROOT_FIELDS {
            return Err(ServerError::new(
                format!(
                    "the operation selects {root_fields} root fields; the limit is {MAX_ROOT_FIELDS}"
                ),
                None,
            ));
        }
        aliases += count_aliases(&operation.node.selection_set.node);
    }
    for fragment in document.fragments.values() {
        aliases += count_aliases(&fragment.node.selection_set.node);
    }
    if aliases > MAX_ALIASES {
        return Err(ServerError::new(
            format!("the document uses {aliases} aliases; the limit is {MAX_ALIASES}"),
            None,
        ));
    }
    Ok(())
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some())
                    + count_aliases(&field.node.selection_set.node)
            }
            Selection::InlineFragment(inline) => count_aliases(&inline.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

fn count_root_fields(set: &SelectionSet, document: &ExecutableDocument) -> usize {
    count_fields(set, document, 0)
}

fn count_fields(set: &SelectionSet, document: &ExecutableDocument, depth: usize) -> usize {
    if depth > 8 {
        return 0; // fragment cycles are rejected by validation; stop counting here
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(inline) => {
                count_fields(&inline.node.selection_set.node, document, depth + 1)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |f| {
                    count_fields(&f.node.selection_set.node, document, depth + 1)
                }),
        })
        .sum()
}
