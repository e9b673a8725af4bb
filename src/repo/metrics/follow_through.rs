//! Follow-through: the prevention measures whose committed day falls in the range.

use super::figures::{FollowThrough, FollowThroughFigures};
use super::sql::{self, TimeField};
use super::{ByBucket, MetricsRequest, incident_filters};
use crate::error::AppResult;
use crate::repo::scope::Scope;
use crate::repo::tenant_sql::TenantSql;
use chrono::Utc;
use entity::{MeasureKind, MeasureStatus};
use sea_orm::{ActiveEnum, FromQueryResult};

#[derive(FromQueryResult)]
struct Row {
    bucket: String,
    grp: String,
    committed: i64,
    completed: i64,
    completed_on_time: i64,
    overdue: i64,
    cancelled: i64,
    median_done_s: Option<f64>,
}

impl Scope {
    pub(super) async fn follow_through_metrics(
        &self,
        request: &MetricsRequest,
    ) -> AppResult<ByBucket<FollowThrough>> {
        let mut q = TenantSql::new(self);
        let measures = q.table("prevention_measures", "m");
        let (first_day, end_day) = request.range.days();
        let (first_day, end_day) = (q.bind(first_day), q.bind(end_day));
        let today = q.bind(Utc::now().date_naive());
        let done = q.bind(MeasureStatus::Done.to_value());
        let cancelled = q.bind(MeasureStatus::Cancelled.to_value());
        let planned = q.bind(MeasureStatus::Planned.to_value());
        let in_progress = q.bind(MeasureStatus::InProgress.to_value());
        let filters = incident_filters(&mut q, request, "m.incident_id");
        let series = sql::bucket_key(&q, request.bucket, TimeField::Day("m.committed_due_on"));
        let completed_day = q.utc_day("m.completed_at");
        let done_seconds = format!(
            "{} - {}",
            q.epoch("m.completed_at"),
            q.epoch("m.created_at")
        );
        let base = format!(
            "SELECT {series} AS series, m.kind AS grp, m.status AS status, \
             CASE WHEN m.status = {done} AND {completed_day} <= m.committed_due_on \
                THEN 1 ELSE 0 END AS on_time, \
             CASE WHEN m.status IN ({planned}, {in_progress}) AND m.committed_due_on < {today} \
                THEN 1 ELSE 0 END AS late, \
             CASE WHEN m.status = {done} THEN {done_seconds} END AS done_s \
             FROM {measures} \
             WHERE {} AND m.committed_due_on >= {first_day} AND m.committed_due_on < {end_day}{filters}",
            TenantSql::tenant_of("m"),
        );
        let aggregates = format!(
            "COUNT(*) AS committed, {} AS completed, {} AS completed_on_time, \
             {} AS overdue, {} AS cancelled, {} AS median_done_s",
            sql::count_if(&format!("status = {done}")),
            sql::count_if("on_time = 1"),
            sql::count_if("late = 1"),
            sql::count_if(&format!("status = {cancelled}")),
            sql::median(&q, "done_s"),
        );
        let statement = sql::aggregate(&q, &base, true, &["done_s"], &aggregates);
        let rows: Vec<Row> = self.metrics_rows(q, statement).await?;
        Ok(group(rows))
    }
}

fn group(rows: Vec<Row>) -> ByBucket<FollowThrough> {
    let mut buckets: ByBucket<FollowThrough> = ByBucket::new();
    for row in rows {
        let figures = FollowThroughFigures {
            committed: row.committed,
            completed: row.completed,
            completed_on_time: row.completed_on_time,
            overdue: row.overdue,
            cancelled: row.cancelled,
            median_seconds_to_complete: row.median_done_s,
        };
        let bucket = buckets.entry(row.bucket).or_default();
        if row.grp == sql::ALL {
            bucket.all = figures;
        } else if let Ok(kind) = MeasureKind::try_from_value(&row.grp) {
            bucket.by_kind.push((kind, figures));
        }
    }
    buckets
}
