//! What an operation over the complexity limit costs. async-graphql refuses it with "Query is
//! too complex." and no figure, so the refusal is measured again, by a second schema that has
//! no complexity limit and whose validation stops before anything executes.

use super::refusal;
use crate::graphql::{DebriefSchema, MAX_COMPLEXITY};
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError, ValidationResult, Variables};
use std::sync::Arc;

/// async-graphql's message for an operation over the complexity limit.
const TOO_COMPLEX: &str = "Query is too complex.";

/// Measures refused operations; see the module's documentation.
pub struct CostMeter(DebriefSchema);

impl CostMeter {
    /// A meter over `schema`, a schema without a complexity limit built with [`Measure`].
    pub fn new(schema: DebriefSchema) -> Self {
        Self(schema)
    }

    /// Replaces async-graphql's complexity refusal in `response`, if there is one, by one
    /// that gives the operation's cost and the limit.
    pub async fn explain(
        &self,
        response: &mut Response,
        document: &ExecutableDocument,
        variables: &Variables,
        operation_name: Option<&str>,
    ) {
        let Some(error) = response
            .errors
            .iter_mut()
            .find(|e| e.message == TOO_COMPLEX)
        else {
            return;
        };
        let mut request = Request::new("").variables(variables.clone());
        request.operation_name = operation_name.map(str::to_owned);
        request.set_parsed_query(document.clone());
        let measured = self.0.execute(request).await;
        if let Some(cost) = measured.errors.iter().find_map(measured_cost) {
            *error = refusal(
                "cost",
                cost,
                MAX_COMPLEXITY,
                format!(
                    "the operation costs {cost}; the limit is {MAX_COMPLEXITY} (each field costs 1, \
                 and a connection `first` or `last` times what each of its items costs)"
                ),
            );
        }
    }
}

/// The cost a [`Measure`] error carries.
fn measured_cost(error: &ServerError) -> Option<u64> {
    match error.extensions.as_ref()?.get("measuredCost")? {
        async_graphql::Value::Number(cost) => cost.as_u64(),
        _ => None,
    }
}

/// The extension of the measuring schema: it validates, then stops with the complexity.
pub struct Measure;

impl ExtensionFactory for Measure {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Measure)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Measure {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let mut stop = ServerError::new("measured", None);
        stop.extensions
            .get_or_insert_with(Default::default)
            .set("measuredCost", result.complexity as u64);
        Err(vec![stop])
    }
}
