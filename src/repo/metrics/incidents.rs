//! Incidents that started in the range: counts, time to resolve and publish, post-mortems
//! overdue, and recurrences.

use super::figures::{DurationStats, IncidentFigures};
use super::grouping::Grouping;
use super::sql::{self, TimeField};
use super::{ByBucket, Grouped, MetricsRequest, incident_filters};
use crate::domain::time;
use crate::error::AppResult;
use crate::repo::scope::Scope;
use crate::repo::tenant_sql::{Sql, TenantSql, sql};
use chrono::TimeDelta;
use entity::{IncidentStatus, PostMortemStatus, Severity};
use sea_orm::{ActiveEnum, FromQueryResult};

#[derive(FromQueryResult)]
struct Row {
    bucket: String,
    grp: String,
    label: String,
    count: i64,
    sev1: i64,
    sev2: i64,
    sev3: i64,
    sev4: i64,
    resolve_n: i64,
    resolve_mean: Option<f64>,
    resolve_median: Option<f64>,
    resolve_p90: Option<f64>,
    publish_n: i64,
    publish_mean: Option<f64>,
    publish_median: Option<f64>,
    publish_p90: Option<f64>,
    post_mortem_due: i64,
    recurrences: i64,
}

impl Scope {
    pub(super) async fn incident_metrics(
        &self,
        request: &MetricsRequest,
        post_mortem_due_days: i32,
    ) -> AppResult<ByBucket<IncidentFigures>> {
        let rows = self
            .incident_groups(request, post_mortem_due_days, |_| Grouping::whole())
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.bucket, row.figures))
            .collect())
    }

    /// The incident figures per bucket (and for the whole range) and per group of `grouping`.
    pub(super) async fn incident_groups(
        &self,
        request: &MetricsRequest,
        post_mortem_due_days: i32,
        grouping: impl FnOnce(&mut TenantSql) -> Grouping,
    ) -> AppResult<Vec<Grouped<IncidentFigures>>> {
        let mut q = TenantSql::new(self);
        let incidents = q.table("incidents", "i");
        let post_mortems = q.table("post_mortems", "pm");
        let from = q.bind(request.range.from());
        let to = q.bind(request.range.to());
        let severities: Vec<Sql> = [
            Severity::Sev1,
            Severity::Sev2,
            Severity::Sev3,
            Severity::Sev4,
        ]
        .iter()
        .map(|s| q.bind(s.to_value()))
        .collect();
        let resolved = q.bind(IncidentStatus::Resolved.to_value());
        let draft = q.bind(PostMortemStatus::Draft.to_value());
        let due_before = q.bind(time::now() - TimeDelta::days(i64::from(post_mortem_due_days)));
        let filters = incident_filters(&mut q, request, "i.id");
        let Grouping { grp, label, joins } = grouping(&mut q);
        let series = sql::bucket_key(&q, request.bucket, TimeField::Instant("i.started_at"));
        let (started, resolved_at, published) = (
            q.epoch("i.started_at"),
            q.epoch("i.resolved_at"),
            q.epoch("pm.published_at"),
        );
        let base = sql! {
            "SELECT ", series, " AS series, ", grp, " AS grp, ", label,
            " AS label, i.severity AS severity, ", &resolved_at, " - ", started,
            " AS resolve, \
             CASE WHEN pm.published_at IS NOT NULL THEN ",
            published, " - ", &resolved_at, " END AS publish, CASE WHEN i.status = ", resolved,
            " AND i.severity IN (", &severities[0], ", ", &severities[1], ") AND i.resolved_at < ",
            due_before, " AND pm.status = ", draft,
            " THEN 1 ELSE 0 END AS overdue, \
             CASE WHEN i.recurring THEN 1 ELSE 0 END AS recurs FROM ",
            incidents, " JOIN ", post_mortems, " ON ", TenantSql::tenant_of("pm"),
            " AND pm.incident_id = i.id", joins, " WHERE ", TenantSql::tenant_of("i"),
            " AND i.started_at >= ", from, " AND i.started_at < ", to, filters,
        };
        let by_severity = severities
            .iter()
            .zip(["sev1", "sev2", "sev3", "sev4"])
            .map(|(s, name)| sql!(sql::count_if(sql!("severity = ", s)), " AS ", name));
        let aggregates = sql! {
            "COUNT(*) AS count, COALESCE(MAX(label), '') AS label, ", Sql::join(by_severity, ", "),
            ", ", stats(&q, "resolve"), ", ", stats(&q, "publish"), ", ",
            sql::count_if("overdue = 1"), " AS post_mortem_due, ", sql::count_if("recurs = 1"),
            " AS recurrences",
        };
        let statement = sql::aggregate(&q, base, false, &["resolve", "publish"], aggregates);
        let rows: Vec<Row> = self.metrics_rows(q, statement).await?;
        Ok(rows
            .into_iter()
            .map(|row| Grouped {
                bucket: row.bucket.clone(),
                grp: row.grp.clone(),
                label: row.label.clone(),
                figures: figures(row),
            })
            .collect())
    }
}

/// `<value>_n`, `_mean`, `_median` and `_p90` columns of a ranked duration.
fn stats(q: &TenantSql, value: &'static str) -> Sql {
    sql! {
        "COUNT(", value, ") AS ", value, "_n, ", sql::mean(value), " AS ", value, "_mean, ",
        sql::median(q, value), " AS ", value, "_median, ", sql::p90(q, value), " AS ", value,
        "_p90",
    }
}

fn figures(row: Row) -> IncidentFigures {
    IncidentFigures {
        count: row.count,
        by_severity: vec![
            (Severity::Sev1, row.sev1),
            (Severity::Sev2, row.sev2),
            (Severity::Sev3, row.sev3),
            (Severity::Sev4, row.sev4),
        ],
        time_to_resolve: DurationStats {
            count: row.resolve_n,
            mean_seconds: row.resolve_mean,
            median_seconds: row.resolve_median,
            p90_seconds: row.resolve_p90,
        },
        time_to_publish: DurationStats {
            count: row.publish_n,
            mean_seconds: row.publish_mean,
            median_seconds: row.publish_median,
            p90_seconds: row.publish_p90,
        },
        post_mortem_due: row.post_mortem_due,
        recurrences: row.recurrences,
    }
}
