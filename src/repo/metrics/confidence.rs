//! Client confidence given in the range: from confidence ratings and from feedback threads
//! that carried a `confidence`, per phase.

use super::figures::{ConfidenceFigures, ConfidenceStats};
use super::sql::{self, TimeField};
use super::{ByBucket, MetricsRequest, incident_filters};
use crate::error::AppResult;
use crate::repo::scope::Scope;
use crate::repo::tenant_sql::{Sql, TenantSql, sql};
use entity::ConfidencePhase;
use sea_orm::{ActiveEnum, FromQueryResult};

#[derive(FromQueryResult)]
struct Row {
    bucket: String,
    before_count: i64,
    before_ratings: i64,
    before_mean: Option<f64>,
    after_count: i64,
    after_ratings: i64,
    after_mean: Option<f64>,
}

impl Scope {
    /// One row per confidence given, from either source: a rating, by `ratedAt` and its
    /// phase; a feedback thread, by `createdAt` and whether it was opened after the review.
    pub(super) async fn confidence_metrics(
        &self,
        request: &MetricsRequest,
    ) -> AppResult<ByBucket<ConfidenceFigures>> {
        let mut q = TenantSql::new(self);
        let from = q.bind(request.range.from());
        let to = q.bind(request.range.to());
        let after_review = q.bind(ConfidencePhase::AfterReview.to_value());
        let ratings = q.table("confidence_ratings", "c");
        let rating_filters = client_filters(&mut q, request, "c");
        let rating_series = sql::bucket_key(&q, request.bucket, TimeField::Instant("c.rated_at"));
        let feedback = q.table("feedback", "f");
        let reviews = q.table("effectiveness_reviews", "r");
        let feedback_filters = client_filters(&mut q, request, "f");
        let feedback_series =
            sql::bucket_key(&q, request.bucket, TimeField::Instant("f.created_at"));
        let base = sql! {
            "SELECT ", rating_series, " AS series, ", sql::ALL_LITERAL,
            " AS grp, c.confidence AS confidence, CASE WHEN c.phase = ", after_review,
            " THEN 1 ELSE 0 END AS after_review, 1 AS rating FROM ", ratings, " WHERE ",
            TenantSql::tenant_of("c"), " AND c.rated_at >= ", &from, " AND c.rated_at < ", &to,
            rating_filters, " UNION ALL SELECT ", feedback_series, ", ", sql::ALL_LITERAL,
            ", f.confidence, \
             CASE WHEN r.held_at IS NOT NULL AND f.created_at >= r.held_at THEN 1 ELSE 0 END, 0 \
             FROM ",
            feedback, " LEFT JOIN ", reviews, " ON ", TenantSql::tenant_of("r"),
            " AND r.ordinal = 1 AND r.incident_id = f.incident_id WHERE ",
            TenantSql::tenant_of("f"), " AND f.confidence IS NOT NULL AND f.created_at >= ", &from,
            " AND f.created_at < ", &to, feedback_filters,
        };
        let aggregates = sql! {
            sql::count_if("after_review = 0"), " AS before_count, ",
            sql::count_if("after_review = 0 AND rating = 1"), " AS before_ratings, ",
            sql::mean("CASE WHEN after_review = 0 THEN confidence END"), " AS before_mean, ",
            sql::count_if("after_review = 1"), " AS after_count, ",
            sql::count_if("after_review = 1 AND rating = 1"), " AS after_ratings, ",
            sql::mean("CASE WHEN after_review = 1 THEN confidence END"), " AS after_mean",
        };
        let statement = sql::aggregate(&q, base, false, &[], aggregates);
        let rows: Vec<Row> = self.metrics_rows(q, statement).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let figures = ConfidenceFigures {
                    at_publication: ConfidenceStats {
                        count: row.before_count,
                        from_ratings: row.before_ratings,
                        mean: row.before_mean,
                    },
                    after_review: ConfidenceStats {
                        count: row.after_count,
                        from_ratings: row.after_ratings,
                        mean: row.after_mean,
                    },
                };
                (row.bucket, figures)
            })
            .collect())
    }
}

/// The request's client and service conditions on the rows of `alias`: its incident's, and
/// with `clientId` only that client's own ratings and threads.
fn client_filters(q: &mut TenantSql, request: &MetricsRequest, alias: &'static str) -> Sql {
    let mut filters = incident_filters(q, request, sql!(alias, ".incident_id"));
    if let Some(client) = request.client_id {
        let client = q.bind(client);
        filters.push(sql!(" AND ", alias, ".client_id = ", client));
    }
    filters
}
