//! Follow-through: the prevention measures whose committed day falls in the range.

use super::figures::{FollowThrough, FollowThroughFigures};
use super::grouping::Grouping;
use super::sql::{self, TimeField};
use super::{ByBucket, Grouped, MetricsRequest, incident_filters};
use crate::error::AppResult;
use crate::repo::scope::Scope;
use crate::repo::tenant_sql::{TenantSql, sql};
use chrono::Utc;
use entity::{MeasureKind, MeasureStatus};
use sea_orm::{ActiveEnum, FromQueryResult};

#[derive(FromQueryResult)]
struct Row {
    bucket: String,
    grp: String,
    label: String,
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
        let by_kind = |_: &mut TenantSql| Grouping::by_column("m.kind");
        Ok(group(
            self.follow_through_groups(request, by_kind, true).await?,
        ))
    }

    /// The follow-through figures per bucket (and for the whole range) and per group of
    /// `grouping`; with `split`, also across every group (`grp` = [`sql::ALL`]).
    pub(super) async fn follow_through_groups(
        &self,
        request: &MetricsRequest,
        grouping: impl FnOnce(&mut TenantSql) -> Grouping,
        split: bool,
    ) -> AppResult<Vec<Grouped<FollowThroughFigures>>> {
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
        let Grouping { grp, label, joins } = grouping(&mut q);
        let series = sql::bucket_key(&q, request.bucket, TimeField::Day("m.committed_due_on"));
        let completed_day = q.utc_day("m.completed_at");
        let done_seconds = sql!(q.epoch("m.completed_at"), " - ", q.epoch("m.created_at"));
        let base = sql! {
            "SELECT ", series, " AS series, ", grp, " AS grp, ", label,
            " AS label, m.status AS status, CASE WHEN m.status = ", &done, " AND ", completed_day,
            " <= m.committed_due_on THEN 1 ELSE 0 END AS on_time, CASE WHEN m.status IN (", planned,
            ", ", in_progress, ") AND m.committed_due_on < ", today,
            " THEN 1 ELSE 0 END AS late, CASE WHEN m.status = ", &done, " THEN ", done_seconds,
            " END AS done_s FROM ", measures, joins, " WHERE ", TenantSql::tenant_of("m"),
            " AND m.committed_due_on >= ", first_day, " AND m.committed_due_on < ", end_day,
            filters,
        };
        let aggregates = sql! {
            "COUNT(*) AS committed, COALESCE(MAX(label), '') AS label, ",
            sql::count_if(sql!("status = ", done)), " AS completed, ", sql::count_if("on_time = 1"),
            " AS completed_on_time, ", sql::count_if("late = 1"), " AS overdue, ",
            sql::count_if(sql!("status = ", cancelled)), " AS cancelled, ",
            sql::median(&q, "done_s"), " AS median_done_s",
        };
        let statement = sql::aggregate(&q, base, split, &["done_s"], aggregates);
        let rows: Vec<Row> = self.metrics_rows(q, statement).await?;
        Ok(rows
            .into_iter()
            .map(|row| Grouped {
                figures: FollowThroughFigures {
                    committed: row.committed,
                    completed: row.completed,
                    completed_on_time: row.completed_on_time,
                    overdue: row.overdue,
                    cancelled: row.cancelled,
                    median_seconds_to_complete: row.median_done_s,
                },
                bucket: row.bucket,
                grp: row.grp,
                label: row.label,
            })
            .collect())
    }
}

fn group(rows: Vec<Grouped<FollowThroughFigures>>) -> ByBucket<FollowThrough> {
    let mut buckets: ByBucket<FollowThrough> = ByBucket::new();
    for row in rows {
        let bucket = buckets.entry(row.bucket).or_default();
        if row.grp == sql::ALL {
            bucket.all = row.figures;
        } else if let Ok(kind) = MeasureKind::try_from_value(&row.grp) {
            bucket.by_kind.push((kind, row.figures));
        }
    }
    buckets
}
