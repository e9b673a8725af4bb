//! Operation limits checked before async-graphql sees a document.
//!
//! async-graphql's own depth, recursion and complexity checks walk a fragment again at every
//! place it is spread, so a small document of fragments that each spread the previous one
//! twice costs exponential time there, on the async worker threads. This check computes each
//! fragment's expanded shape once ([`shape`]) and refuses an over-limit document in time
//! linear in its size; only documents within every limit reach async-graphql, whose work is
//! then bounded by [`MAX_SIZE`].

mod cost;
mod points;
mod shape;

pub use cost::{CostMeter, Measure};
pub use points::{Price, Pricing};

use crate::domain::rate_limit::MAX_QUERY_COST;
use crate::error::ErrorCode;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, Value, Variables};
use shape::{Shape, Shapes, Stop};

/// At most this many aliased fields in one operation.
pub const MAX_ALIASES: usize = 30;
/// At most this many fields at the root of one operation.
pub const MAX_ROOT_FIELDS: usize = 20;
/// Fields nested deeper than this are refused.
pub const MAX_DEPTH: usize = 15;
/// Selection sets, fragments and inline fragments included, nested deeper than this are
/// refused.
pub const MAX_NESTING: usize = 32;
/// At most this many fields, fragment spreads, inline fragments, directives and argument
/// values in one document, counted again at every place a fragment is spread.
pub const MAX_SIZE: usize = 5_000;
/// At most this many directives in one document, counted at every spread.
pub const MAX_DIRECTIVES: usize = 50;

/// Refuses a document that exceeds a limit, before it is validated. `variables` are the
/// request's: large values count towards the size of the arguments they are passed to.
pub fn check(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    let mut shapes = Shapes::new(document, variables, MAX_NESTING as u64);
    let mut total = Shape::default();
    for (_, operation) in document.operations.iter() {
        let shape = shapes.operation(&operation.node).map_err(stopped)?;
        per_operation(&shape)?;
        total.size = total.size.saturating_add(shape.size);
        total.directives = total.directives.saturating_add(shape.directives);
    }
    within("size", total.size, MAX_SIZE, |size, limit| {
        format!(
            "the document is too large once its fragments are expanded: {size} fields, \
             fragments, directives and argument values; the limit is {limit}"
        )
    })?;
    within(
        "directives",
        total.directives,
        MAX_DIRECTIVES,
        |count, limit| {
            format!(
                "the document uses {count} directives once its fragments are expanded; the limit \
             is {limit}"
            )
        },
    )
}

/// Refuses an operation priced over [`MAX_QUERY_COST`] points before it runs.
pub fn within_cost(price: Price) -> ServerResult<()> {
    within(
        "requestedQueryCost",
        price.cost,
        MAX_QUERY_COST as usize,
        |cost, limit| {
            format!(
                "the operation costs {cost} rate-limit points; one operation may cost at most \
                 {limit} (docs/OPERATIONS.md gives the formula)"
            )
        },
    )
}

fn per_operation(shape: &Shape) -> ServerResult<()> {
    within(
        "rootFields",
        shape.fields,
        MAX_ROOT_FIELDS,
        |count, limit| format!("the operation selects {count} root fields; the limit is {limit}"),
    )?;
    within("aliases", shape.aliases, MAX_ALIASES, |count, limit| {
        format!("the operation uses {count} aliases; the limit is {limit}")
    })?;
    within("depth", shape.depth, MAX_DEPTH, |depth, limit| {
        format!("the operation is nested too deep: {depth} levels of fields; the limit is {limit}")
    })
}

/// Refuses `figure` over `limit`, with the message `describe` writes from both.
fn within(
    key: &str,
    figure: u64,
    limit: usize,
    describe: impl FnOnce(u64, usize) -> String,
) -> ServerResult<()> {
    if figure <= limit as u64 {
        Ok(())
    } else {
        Err(refusal(key, figure, limit, describe(figure, limit)))
    }
}

/// The error for `figure` over `limit`, naming both in `extensions`: the figure under `key`,
/// and the limit under `limit`.
fn refusal(key: &str, figure: u64, limit: usize, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", ErrorCode::BadUserInput.as_str());
    extensions.set(key, Value::from(figure));
    extensions.set("limit", Value::from(limit));
    error
}

fn stopped(stop: Stop) -> ServerError {
    match stop {
        // The walk stops at the first level past the limit, so that is the figure it knows.
        Stop::TooNested => refusal(
            "nesting",
            MAX_NESTING as u64 + 1,
            MAX_NESTING,
            format!(
                "the operation is nested too deep: more than {MAX_NESTING} levels of selection \
                 sets, fragments included; the limit is {MAX_NESTING}"
            ),
        ),
        Stop::Cycle(name) => {
            let mut error = ServerError::new(
                format!("the fragment `{name}` spreads itself, directly or through others"),
                None,
            );
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", ErrorCode::BadUserInput.as_str());
            error
        }
    }
}

#[cfg(test)]
mod tests;
