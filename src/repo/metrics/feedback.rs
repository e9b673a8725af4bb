//! Client feedback received in the range: volume, answers against the SLA, confidence.

use super::figures::FeedbackFigures;
use super::sql::{self, TimeField};
use super::{ByBucket, MetricsRequest, incident_filters};
use crate::domain::time;
use crate::error::AppResult;
use crate::repo::scope::Scope;
use crate::repo::tenant_sql::{TenantSql, sql};
use chrono::TimeDelta;
use entity::FeedbackStatus;
use sea_orm::{ActiveEnum, FromQueryResult};

#[derive(FromQueryResult)]
struct Row {
    bucket: String,
    received: i64,
    open: i64,
    answered: i64,
    median_response: Option<f64>,
    within_sla: i64,
    sla_decided: i64,
    confidence_before: Option<f64>,
    confidence_after: Option<f64>,
}

impl Scope {
    pub(super) async fn feedback_metrics(
        &self,
        request: &MetricsRequest,
        sla_hours: i32,
    ) -> AppResult<ByBucket<FeedbackFigures>> {
        let mut q = TenantSql::new(self);
        let feedback = q.table("feedback", "f");
        let reviews = q.table("effectiveness_reviews", "r");
        let from = q.bind(request.range.from());
        let to = q.bind(request.range.to());
        let open = q.bind(FeedbackStatus::Open.to_value());
        let sla = TimeDelta::hours(i64::from(sla_hours));
        let sla_seconds = q.bind(sla.num_seconds());
        let window_closed_before = q.bind(time::now() - sla);
        let mut filters = incident_filters(&mut q, request, "f.incident_id");
        if let Some(client) = request.client_id {
            filters.push(sql!(" AND f.client_id = ", q.bind(client)));
        }
        let series = sql::bucket_key(&q, request.bucket, TimeField::Instant("f.created_at"));
        let response = sql! {
            q.epoch("f.first_response_at"), " - ", q.epoch("f.created_at"),
        };
        let base = sql! {
            "SELECT ", series, " AS series, ", sql::ALL_LITERAL,
            " AS grp, f.status AS status, f.confidence AS confidence, ", response,
            " AS response, CASE WHEN f.first_response_at IS NOT NULL OR f.created_at < ",
            window_closed_before,
            " THEN 1 ELSE 0 END AS decided, \
             CASE WHEN r.held_at IS NOT NULL AND f.created_at >= r.held_at THEN 1 ELSE 0 END \
             AS after_review FROM ",
            feedback, " LEFT JOIN ", reviews, " ON ", TenantSql::tenant_of("r"),
            " AND r.ordinal = 1 AND r.incident_id = f.incident_id \
             WHERE ",
            TenantSql::tenant_of("f"), " AND f.created_at >= ", from, " AND f.created_at < ", to,
            filters,
        };
        let aggregates = sql! {
            "COUNT(*) AS received, ", sql::count_if(sql!("status = ", open)),
            " AS open, COUNT(response) AS answered, ", sql::median(&q, "response"),
            " AS median_response, ", sql::count_if(sql!("response <= ", sla_seconds)),
            " AS within_sla, ", sql::count_if("decided = 1"), " AS sla_decided, ",
            sql::mean("CASE WHEN after_review = 0 THEN confidence END"), " AS confidence_before, ",
            sql::mean("CASE WHEN after_review = 1 THEN confidence END"), " AS confidence_after",
        };
        let statement = sql::aggregate(&q, base, false, &["response"], aggregates);
        let rows: Vec<Row> = self.metrics_rows(q, statement).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let figures = FeedbackFigures {
                    received: row.received,
                    open: row.open,
                    answered: row.answered,
                    median_first_response_seconds: row.median_response,
                    answered_within_sla: row.within_sla,
                    sla_decided: row.sla_decided,
                    mean_confidence_at_publication: row.confidence_before,
                    mean_confidence_after_review: row.confidence_after,
                };
                (row.bucket, figures)
            })
            .collect())
    }
}
