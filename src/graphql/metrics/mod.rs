//! `metrics`: follow-through, review, incident and feedback figures for reporting tools.

mod confidence;
mod objects;
mod rows;

use crate::domain::metrics::Range;
use crate::error::{AppError, AppResult};
use crate::graphql::context::scope;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::scalars::Timestamp;
use crate::repo::metrics::MetricsRequest;
use async_graphql::{Context, Enum, ID, Object};
use objects::MetricsPeriod;
use rows::{MetricsGroupBy, MetricsRow};

/// What one statement of `metrics` costs against the complexity limit: it aggregates the
/// whole range in the database, so it is priced like a full page of incidents.
const METRICS_COST: usize = 500;

#[derive(Default)]
pub struct MetricsQuery;

#[Object]
impl MetricsQuery {
    /// Follow-through, effectiveness-review, incident and feedback figures over
    /// `[from, to)`, for the whole range and as a series of UTC buckets. Each section is
    /// filtered on its own time field (see each field). Readable by ADMIN, EDITOR, VIEWER
    /// and REPORTER; a range may cover at most five years.
    #[graphql(complexity = "METRICS_COST + child_complexity")]
    #[allow(clippy::too_many_arguments)] // one per GraphQL argument
    async fn metrics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Start of the range (inclusive). Any offset; buckets are UTC.")]
        from: Timestamp,
        #[graphql(desc = "End of the range (exclusive).")] to: Timestamp,
        #[graphql(desc = "Only incidents that impacted this client, and only its feedback.")]
        client_id: Option<ID>,
        #[graphql(desc = "Only incidents that affected this service.")] service_id: Option<ID>,
        #[graphql(
            desc = "Width of the series buckets (MONTH when omitted or null), and of the \
                    `rows` of `groupBy` (the whole range when omitted or null)."
        )]
        bucket: Option<MetricsBucket>,
        #[graphql(desc = "Split `rows` by this dimension; without it, `rows` is empty.")]
        group_by: Option<MetricsGroupBy>,
    ) -> AppResult<Metrics> {
        let range = Range::new(from.0, to.0).map_err(AppError::bad_input)?;
        let per_bucket = bucket.is_some();
        let bucket = bucket.unwrap_or(MetricsBucket::Month);
        let request = MetricsRequest {
            range,
            bucket: bucket.into(),
            client_id: client_id
                .map(|id| ids::decode(&id, NodeType::Client))
                .transpose()?,
            service_id: service_id
                .map(|id| ids::decode(&id, NodeType::Service))
                .transpose()?,
        };
        let scope = scope(ctx);
        let figures = scope.metrics(&request).await?;
        let rows = match group_by {
            Some(by) => scope
                .grouped_metrics(&request, by.into(), per_bucket)
                .await?
                .into_iter()
                .map(MetricsRow::from)
                .collect(),
            None => Vec::new(),
        };
        Ok(Metrics {
            from,
            to,
            bucket,
            total: MetricsPeriod::new(from.0, to.0, figures.total),
            series: figures
                .series
                .into_iter()
                .map(|(period, figures)| MetricsPeriod::bucket(period, figures))
                .collect(),
            rows,
        })
    }
}

/// The width of one point of a metrics series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::metrics::Bucket")]
pub enum MetricsBucket {
    /// ISO weeks: Monday 00:00 UTC to the next Monday.
    Week,
    /// Calendar months: the 1st 00:00 UTC to the next 1st.
    Month,
}

/// Reporting figures over a range, overall and per bucket.
#[derive(async_graphql::SimpleObject)]
pub struct Metrics {
    /// The start of the range, as given.
    from: Timestamp,
    /// The end of the range, as given.
    to: Timestamp,
    /// The width of the series buckets.
    bucket: MetricsBucket,
    /// Every figure over the whole range.
    total: MetricsPeriod,
    /// Every figure per UTC bucket overlapping the range, oldest first; a bucket with
    /// nothing in it has zero counts and null rates.
    series: Vec<MetricsPeriod>,
    /// With `groupBy`, long-format rows: one per period (each bucket when `bucket` is
    /// given, else the whole range) and dimension value, oldest period first, then
    /// severities and kinds in their order and clients and services by name. Severities and
    /// kinds are listed in every period; a client or service only where it has an incident
    /// or a measure. Empty without `groupBy`.
    rows: Vec<MetricsRow>,
}
