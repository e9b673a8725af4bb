//! Incident inputs, and their parsing into validated repository requests.

use crate::domain::incident::{self, Timeline};
use crate::domain::{Checks, FieldError, FieldErrorCode, time};
use crate::error::{AppError, AppResult};
use crate::graphql::enums::{IncidentStatus, OrderDirection, Severity};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::scalars::Timestamp;
use crate::repo::incidents::{IncidentChanges, IncidentFilter, IncidentSort, NewIncident};
use async_graphql::{Enum, ID, InputObject, MaybeUndefined};
use chrono::{DateTime, Utc};

/// The incident to delete, and why.
#[derive(InputObject)]
pub struct IncidentDeleteInput {
    /// The incident to delete.
    pub id: ID,
    /// Why it is deleted (1..2,000 characters); recorded in the audit log.
    pub reason: String,
}

/// Narrows `incidents`; all given conditions must hold.
#[derive(InputObject, Default)]
#[graphql(name = "IncidentFilter")]
pub struct IncidentFilterInput {
    /// Any of these statuses.
    pub status: Option<Vec<IncidentStatus>>,
    /// Any of these severities.
    pub severity: Option<Vec<Severity>>,
    /// Incidents that affected this service.
    pub service_id: Option<ID>,
    /// Started at or after this time.
    pub started_after: Option<Timestamp>,
    /// Started before this time.
    pub started_before: Option<Timestamp>,
    /// `true`: published post-mortems past their review date and not yet reviewed, the
    /// reviews that need scheduling.
    pub review_due: Option<bool>,
    /// `true`: resolved SEV1 and SEV2 incidents whose post-mortem is still a draft more than
    /// the tenant's `postMortemDueDays` after resolution.
    pub post_mortem_due: Option<bool>,
}

impl IncidentFilterInput {
    pub fn into_filter(self) -> AppResult<IncidentFilter> {
        Ok(IncidentFilter {
            status: self.status.map(|s| s.into_iter().map(Into::into).collect()),
            severity: self
                .severity
                .map(|s| s.into_iter().map(Into::into).collect()),
            service_id: self
                .service_id
                .map(|id| ids::decode_filter(&id, Some(NodeType::Service), "serviceId"))
                .transpose()?,
            started_after: self
                .started_after
                .map(|at| time_filter("startedAfter", at))
                .transpose()?,
            started_before: self
                .started_before
                .map(|at| time_filter("startedBefore", at))
                .transpose()?,
            review_due: self.review_due,
            post_mortem_due: self.post_mortem_due,
        })
    }
}

fn time_filter(argument: &str, at: Timestamp) -> AppResult<DateTime<Utc>> {
    time::in_range(argument, at.0).map_err(|error| AppError::bad_input(error.message))
}

/// What incidents can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum IncidentOrderField {
    /// The per-tenant number: creation order.
    Number,
    /// When the incident started.
    StartedAt,
}

impl From<IncidentOrderField> for IncidentSort {
    fn from(field: IncidentOrderField) -> Self {
        match field {
            IncidentOrderField::Number => Self::Number,
            IncidentOrderField::StartedAt => Self::StartedAt,
        }
    }
}

/// Sort order of `incidents`; the default is NUMBER DESC (newest first).
#[derive(InputObject, Clone, Copy)]
pub struct IncidentOrder {
    pub field: IncidentOrderField,
    pub direction: OrderDirection,
}

impl Default for IncidentOrder {
    fn default() -> Self {
        Self {
            field: IncidentOrderField::Number,
            direction: OrderDirection::Desc,
        }
    }
}

impl IncidentOrder {
    /// Cursors are bound to the order they were issued for.
    pub fn list_name(&self) -> String {
        let field = match self.field {
            IncidentOrderField::Number => "NUMBER",
            IncidentOrderField::StartedAt => "STARTED_AT",
        };
        let direction = match self.direction {
            OrderDirection::Asc => "ASC",
            OrderDirection::Desc => "DESC",
        };
        format!("incidents:{field}:{direction}")
    }
}

#[derive(InputObject)]
pub struct IncidentCreateInput {
    /// At most 200 characters.
    pub title: String,
    /// Internal summary, Markdown, at most 10,000 characters.
    #[graphql(default)]
    pub summary: String,
    pub severity: Severity,
    /// Defaults to INVESTIGATING.
    pub status: Option<IncidentStatus>,
    pub started_at: Timestamp,
    pub detected_at: Option<Timestamp>,
    pub mitigated_at: Option<Timestamp>,
    /// Required when the status is RESOLVED.
    pub resolved_at: Option<Timestamp>,
    #[graphql(default)]
    pub service_ids: Vec<ID>,
}

/// Changes to an incident; omitted fields keep their value, `null` clears an optional time.
#[derive(InputObject)]
pub struct IncidentUpdateInput {
    pub id: ID,
    /// The `version` you read; if someone saved since, you get a CONFLICT and nothing changes.
    pub version: i32,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub severity: Option<Severity>,
    pub status: Option<IncidentStatus>,
    pub started_at: Option<Timestamp>,
    pub detected_at: MaybeUndefined<Timestamp>,
    pub mitigated_at: MaybeUndefined<Timestamp>,
    pub resolved_at: MaybeUndefined<Timestamp>,
    /// Replaces the affected services.
    pub service_ids: Option<Vec<ID>>,
}

/// The most services one incident may list.
pub const MAX_SERVICES: usize = 100;

/// The services of an incident or root cause, decoded.
pub fn service_ids(list: &[ID]) -> Result<Vec<uuid::Uuid>, FieldError> {
    if list.len() > MAX_SERVICES {
        return Err(FieldError::new(
            "serviceIds",
            FieldErrorCode::Invalid,
            format!("an incident lists at most {MAX_SERVICES} services"),
        ));
    }
    ids::decode_all(list, NodeType::Service).map_err(|index| {
        FieldError::new("serviceIds", FieldErrorCode::NotFound, "no such service").at_index(index)
    })
}

fn stored(at: Timestamp) -> DateTime<Utc> {
    time::to_storage_precision(at.0)
}

fn maybe(value: MaybeUndefined<Timestamp>) -> Option<Option<DateTime<Utc>>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(at) => Some(Some(stored(at))),
    }
}

impl TryFrom<IncidentCreateInput> for NewIncident {
    type Error = Vec<FieldError>;

    fn try_from(input: IncidentCreateInput) -> Result<Self, Self::Error> {
        let (title, summary, service_ids) = (
            incident::title(&input.title),
            incident::summary(&input.summary),
            service_ids(&input.service_ids),
        )
            .all()?;
        let timeline = Timeline {
            started_at: stored(input.started_at),
            detected_at: input.detected_at.map(stored),
            mitigated_at: input.mitigated_at.map(stored),
            resolved_at: input.resolved_at.map(stored),
        };
        Ok(NewIncident {
            title,
            summary,
            severity: input.severity.into(),
            status: input.status.unwrap_or(IncidentStatus::Investigating).into(),
            timeline,
            service_ids,
        })
    }
}

impl TryFrom<IncidentUpdateInput> for IncidentChanges {
    type Error = Vec<FieldError>;

    fn try_from(input: IncidentUpdateInput) -> Result<Self, Self::Error> {
        let (title, summary, service_ids) = (
            input.title.map(|t| incident::title(&t)).transpose(),
            input.summary.map(|s| incident::summary(&s)).transpose(),
            input.service_ids.map(|list| service_ids(&list)).transpose(),
        )
            .all()?;
        Ok(IncidentChanges {
            version: input.version,
            title,
            summary,
            severity: input.severity.map(Into::into),
            status: input.status.map(Into::into),
            started_at: input.started_at.map(stored),
            detected_at: maybe(input.detected_at),
            mitigated_at: maybe(input.mitigated_at),
            resolved_at: maybe(input.resolved_at),
            service_ids,
        })
    }
}
