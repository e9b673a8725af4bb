//! Effectiveness reviews whose due time falls in the range.

use super::figures::ReviewFigures;
use super::sql::{self, TimeField};
use super::{ByBucket, MetricsRequest, incident_filters};
use crate::domain::time;
use crate::error::AppResult;
use crate::repo::scope::Scope;
use crate::repo::tenant_sql::{TenantSql, sql};
use entity::Effectiveness;
use sea_orm::{ActiveEnum, FromQueryResult};

#[derive(FromQueryResult)]
struct Row {
    bucket: String,
    due: i64,
    held: i64,
    held_on_time: i64,
    overdue: i64,
    effective: i64,
    partially_effective: i64,
    not_effective: i64,
}

impl Scope {
    pub(super) async fn review_metrics(
        &self,
        request: &MetricsRequest,
    ) -> AppResult<ByBucket<ReviewFigures>> {
        let mut q = TenantSql::new(self);
        let post_mortems = q.table("post_mortems", "pm");
        let reviews = q.table("effectiveness_reviews", "r");
        let measures = q.table("prevention_measures", "m");
        let due_post_mortems = q.table("post_mortems", "dpm");
        let from = q.bind(request.range.from());
        let to = q.bind(request.range.to());
        let now = q.bind(time::now());
        let verdicts = [
            Effectiveness::Effective,
            Effectiveness::PartiallyEffective,
            Effectiveness::NotEffective,
        ]
        .map(|e| q.bind(e.to_value()));
        let not_reviewed = q.bind(Effectiveness::NotReviewed.to_value());
        let filters = incident_filters(&mut q, request, "pm.incident_id");
        let series = sql::bucket_key(&q, request.bucket, TimeField::Instant("pm.review_due_at"));
        // Only the first review (the 30-day one) holds a due review; later ones follow it.
        let [effective, partially, not_effective] =
            verdicts.map(|verdict| sql::count_if(sql!("m.effectiveness = ", verdict)));
        let base = sql! {
            "SELECT ", series, " AS series, ", sql::ALL_LITERAL,
            " AS grp, \
             CASE WHEN r.held_at IS NULL THEN 0 ELSE 1 END AS held, \
             CASE WHEN r.held_at <= pm.review_due_at THEN 1 ELSE 0 END AS on_time, \
             CASE WHEN r.held_at IS NULL AND pm.review_due_at < ",
            now,
            " THEN 1 ELSE 0 END AS late, COALESCE(v.effective, 0) AS effective, \
             COALESCE(v.partially_effective, 0) AS partially_effective, \
             COALESCE(v.not_effective, 0) AS not_effective FROM ",
            post_mortems, " LEFT JOIN ", reviews, " ON ", TenantSql::tenant_of("r"),
            " AND r.ordinal = 1 AND r.incident_id = pm.incident_id \
             LEFT JOIN (SELECT m.incident_id, ",
            effective,
            " AS effective, ",
            partially,
            " AS partially_effective, ",
            not_effective,
            " AS not_effective FROM ",
            measures,
            " WHERE ",
            TenantSql::tenant_of("m"),
            " AND m.effectiveness <> ",
            not_reviewed,
            " AND m.incident_id IN (SELECT dpm.incident_id FROM ",
            due_post_mortems,
            " WHERE ",
            TenantSql::tenant_of("dpm"),
            " AND dpm.review_due_at >= ",
            &from,
            " AND dpm.review_due_at < ",
            &to,
            ") GROUP BY m.incident_id) v \
             ON v.incident_id = pm.incident_id WHERE ",
            TenantSql::tenant_of("pm"), " AND pm.review_due_at >= ", &from,
            " AND pm.review_due_at < ", &to, filters,
        };
        let aggregates = sql! {
            "COUNT(*) AS due, ", sql::count_if("held = 1"), " AS held, ",
            sql::count_if("on_time = 1"), " AS held_on_time, ", sql::count_if("late = 1"),
            " AS overdue, CAST(COALESCE(SUM(effective), 0) AS BIGINT) AS effective, \
             CAST(COALESCE(SUM(partially_effective), 0) AS BIGINT) AS partially_effective, \
             CAST(COALESCE(SUM(not_effective), 0) AS BIGINT) AS not_effective",
        };
        let statement = sql::aggregate(&q, base, false, &[], aggregates);
        let rows: Vec<Row> = self.metrics_rows(q, statement).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let figures = ReviewFigures {
                    due: row.due,
                    held: row.held,
                    held_on_time: row.held_on_time,
                    overdue: row.overdue,
                    effective: row.effective,
                    partially_effective: row.partially_effective,
                    not_effective: row.not_effective,
                };
                (row.bucket, figures)
            })
            .collect())
    }
}
