//! The long-format rows of `metrics(groupBy:)`, for BI tools that want one row per period
//! and dimension value rather than nested objects.

use super::objects::{FollowThroughFigures, IncidentMetrics};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::scalars::Timestamp;
use crate::repo::metrics::grouped::{Dimension, GroupedRow};
use async_graphql::{Enum, ID, SimpleObject};
use sea_orm::ActiveEnum;

/// What the rows of `metrics(groupBy:)` are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::metrics::GroupBy")]
pub enum MetricsGroupBy {
    /// The clients an incident impacted (a measure counts for its incident's clients). An
    /// incident that impacted two clients is in both rows. Incident and follow-through
    /// figures.
    Client,
    /// The services an incident affected, likewise. Incident and follow-through figures.
    Service,
    /// The incident's severity, every severity listed. Incident figures only.
    Severity,
    /// The prevention measure's kind, every kind listed. Follow-through figures only.
    Kind,
}

/// One period and one value of the `groupBy` dimension, with the figures that dimension
/// carries; figures it does not carry are null.
#[derive(SimpleObject)]
pub struct MetricsRow {
    /// The bucket's start (UTC) when `bucket` is given, else the range's `from`.
    start: Timestamp,
    /// The bucket's end, else the range's `to`.
    end: Timestamp,
    /// The client's or service's name, the severity (`SEV1` …) or the kind (`TECHNICAL` …).
    dimension: String,
    /// The client's or service's global id; null for severities and kinds.
    dimension_id: Option<ID>,
    /// The incidents of this dimension value whose `startedAt` falls in the period (null
    /// for KIND).
    incidents: Option<IncidentMetrics>,
    /// The committed measures of this dimension value whose `committedDueOn` falls in the
    /// period (null for SEVERITY).
    follow_through: Option<FollowThroughFigures>,
}

impl From<GroupedRow> for MetricsRow {
    fn from(row: GroupedRow) -> Self {
        let (dimension, dimension_id) = match row.dimension {
            Dimension::Client { id, name } => (name, Some(ids::encode(NodeType::Client, id))),
            Dimension::Service { id, name } => (name, Some(ids::encode(NodeType::Service, id))),
            Dimension::Severity(severity) => (severity.to_value(), None),
            Dimension::Kind(kind) => (kind.to_value(), None),
        };
        MetricsRow {
            start: Timestamp(row.period.start),
            end: Timestamp(row.period.end),
            dimension,
            dimension_id,
            incidents: row.incidents.as_ref().map(Into::into),
            follow_through: row.follow_through.as_ref().map(Into::into),
        }
    }
}
