//! What each GraphQL request leaves for operators: its count, duration and error codes in the
//! metrics, and its operation's name and type on the request's span. Recorded here, in the
//! handler, rather than by a schema extension, whose hooks around every field would cost
//! about a tenth of the server's CPU (docs/ARCHITECTURE.md, *Errors*).

use crate::error::ErrorCode;
use crate::telemetry::{Metrics, OperationType, Outcome, operation_label};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType as Ty};
use std::time::Instant;

/// The operation `name` selects in `document` (the only one when `name` is `None`): its
/// type, and the name it goes by.
pub(super) fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&'a str>,
) -> (OperationType, Option<&'a str>) {
    let found = match &document.operations {
        DocumentOperations::Single(operation) => Some((operation.node.ty, name)),
        DocumentOperations::Multiple(operations) => match name {
            Some(name) => operations.get_key_value(name),
            None if operations.len() == 1 => operations.iter().next(),
            None => None,
        }
        .map(|(name, operation)| (operation.node.ty, Some(name.as_str()))),
    };
    let Some((ty, name)) = found else {
        return (OperationType::Unknown, name);
    };
    let ty = match ty {
        Ty::Query => OperationType::Query,
        Ty::Mutation => OperationType::Mutation,
        Ty::Subscription => OperationType::Subscription,
    };
    (ty, name)
}

/// One request being observed, from its arrival at the handler.
pub(super) struct Observation {
    started: Instant,
    operation_type: OperationType,
    /// The name of the trusted document the request ran; `None` for any other document,
    /// counted as `other`.
    trusted_name: Option<String>,
}

impl Observation {
    /// Starts observing a request now.
    pub(super) fn start() -> Self {
        Self {
            started: Instant::now(),
            operation_type: OperationType::Unknown,
            trusted_name: None,
        }
    }

    /// Notes the operation the request runs, and records it on the request's span: the
    /// name as the client sent it (spans, unlike series, may have any number of values).
    pub(super) fn operation(&mut self, operation_type: OperationType, name: Option<&str>) {
        self.operation_type = operation_type;
        let span = tracing::Span::current();
        span.record("graphql.operation.type", operation_type.as_str());
        if let Some(name) = name {
            span.record("graphql.operation.name", name);
        }
    }

    /// Notes that the request runs the trusted document named `name`: the one label value
    /// besides `other` an operation's name may take.
    pub(super) fn trusted(&mut self, name: Option<String>) {
        self.trusted_name = name;
    }

    /// Counts a request its credentials refused.
    pub(super) fn refused(self, metrics: &Metrics, code: ErrorCode) {
        if metrics.enabled() {
            metrics.error(code.as_str());
            self.count(metrics, Outcome::Refused);
        }
    }

    /// Counts a request answered with `response` (after the error policy gave every error
    /// its code); `executed` says whether its operation ran.
    pub(super) fn answered(
        self,
        metrics: &Metrics,
        response: &async_graphql::Response,
        executed: bool,
    ) {
        if !metrics.enabled() {
            return;
        }
        for error in &response.errors {
            metrics.error(code_of(error).as_str());
        }
        let outcome = match (executed, response.errors.is_empty()) {
            (false, _) => Outcome::Refused,
            (true, true) => Outcome::Ok,
            (true, false) => Outcome::Error,
        };
        self.count(metrics, outcome);
    }

    fn count(self, metrics: &Metrics, outcome: Outcome) {
        let name = operation_label(self.trusted_name.as_deref());
        metrics.request(self.operation_type, name, outcome, self.started.elapsed());
    }
}

/// The code the error policy set on `error` (INTERNAL if, against the policy, none).
fn code_of(error: &async_graphql::ServerError) -> ErrorCode {
    let code = error.extensions.as_ref().and_then(|e| e.get("code"));
    match code {
        Some(async_graphql::Value::String(code)) => {
            ErrorCode::parse(code).unwrap_or(ErrorCode::Internal)
        }
        _ => ErrorCode::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation_of(text: &str, name: Option<&str>) -> (OperationType, Option<String>) {
        let document = async_graphql::parser::parse_query(text).expect("a document");
        let (ty, name) = operation(&document, name);
        (ty, name.map(str::to_owned))
    }

    #[test]
    fn the_operation_is_found_by_name_or_as_the_only_one() {
        let named = "mutation Add { a } query Read { b }";
        assert_eq!(
            operation_of(named, Some("Read")),
            (OperationType::Query, Some("Read".into()))
        );
        assert_eq!(
            operation_of("mutation Add { a }", None),
            (OperationType::Mutation, Some("Add".into())),
            "a single named operation needs no operationName"
        );
        assert_eq!(
            operation_of("subscription { a }", None),
            (OperationType::Subscription, None)
        );
        assert_eq!(operation_of(named, None), (OperationType::Unknown, None));
        assert_eq!(
            operation_of(named, Some("Missing")),
            (OperationType::Unknown, Some("Missing".into()))
        );
    }

    #[test]
    fn only_trusted_names_become_label_values() {
        assert_eq!(operation_label(None), "other");
        assert_eq!(operation_label(Some("IncidentList")), "IncidentList");
    }
}
