//! Reporting metrics, computed by aggregate SQL in the database: one statement per section,
//! each returning the whole range and every bucket at once. docs/METRICS.md defines every
//! figure and the time field it is filtered on.

mod confidence;
mod feedback;
pub mod figures;
mod follow_through;
pub mod grouped;
mod grouping;
mod incidents;
mod reviews;
mod sql;

use crate::domain::metrics::{Bucket, Range};
use crate::domain::policy::Capability;
use crate::error::AppResult;
use crate::repo::scope::Scope;
use crate::repo::tenant_sql::{Sql, TenantSql, sql};
use figures::{Metrics, PeriodFigures};
use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult};
use std::collections::HashMap;
use uuid::Uuid;

/// What to measure: a range, its bucket width, and optionally one client or one service.
#[derive(Debug, Clone, Copy)]
pub struct MetricsRequest {
    pub range: Range,
    pub bucket: Bucket,
    /// Only incidents that impacted this client (and only this client's feedback).
    pub client_id: Option<Uuid>,
    /// Only incidents that affected this service.
    pub service_id: Option<Uuid>,
}

/// Memory for one section's sorts on PostgreSQL (the server default is 4 MB).
const SECTION_WORK_MEM: &str = "SET LOCAL work_mem = '64MB'";

/// Figures of one section keyed by bucket: [`sql::TOTAL`] or the bucket's first day.
type ByBucket<T> = HashMap<String, T>;

/// One group's figures of one section in one bucket, as its statement returned them.
struct Grouped<T> {
    /// [`sql::TOTAL`] or the bucket's first day.
    bucket: String,
    /// The group's key ([`sql::ALL`] across every group).
    grp: String,
    /// The group's name: a client's or service's name, a severity or a kind.
    label: String,
    figures: T,
}

impl Scope {
    /// Every metric over the request's range and per bucket. Readers of metrics only; an
    /// unknown client or service is NOT_FOUND.
    pub async fn metrics(&self, request: &MetricsRequest) -> AppResult<Metrics> {
        self.check_metrics_request(request).await?;
        let tenant = self.tenant().await?;
        let (follow_through, reviews, incidents, feedback, confidence) = tokio::try_join!(
            self.follow_through_metrics(request),
            self.review_metrics(request),
            self.incident_metrics(request, tenant.post_mortem_due_days),
            self.feedback_metrics(request, tenant.feedback_answer_sla_hours),
            self.confidence_metrics(request),
        )?;
        let mut sections = Sections {
            follow_through,
            reviews,
            incidents,
            feedback,
            confidence,
        };
        let total = sections.take(sql::TOTAL);
        let series = request
            .range
            .buckets(request.bucket)
            .into_iter()
            .map(|period| (period, sections.take(&period.key())))
            .collect();
        Ok(Metrics { total, series })
    }

    /// FORBIDDEN unless the caller reads metrics; NOT_FOUND for an unknown client or service.
    async fn check_metrics_request(&self, request: &MetricsRequest) -> AppResult<()> {
        self.principal().require(Capability::ReadMetrics)?;
        if let Some(client) = request.client_id {
            self.client(client).await?;
        }
        if let Some(service) = request.service_id {
            self.service(service).await?;
        }
        Ok(())
    }

    /// Runs one section's statement in its own transaction, which on PostgreSQL raises
    /// `work_mem` for itself alone ([`SECTION_WORK_MEM`]), so its sorts stay in memory.
    async fn metrics_rows<R: FromQueryResult>(
        &self,
        query: TenantSql,
        sql: Sql,
    ) -> AppResult<Vec<R>> {
        let statement = query.finish(sql)?;
        let txn = self.begin_branch().await?;
        if self.db().get_database_backend() == DatabaseBackend::Postgres {
            #[allow(clippy::disallowed_methods)] // a setting of this transaction alone, no table
            txn.execute_unprepared(SECTION_WORK_MEM).await?;
        }
        #[allow(clippy::disallowed_methods)] // built and checked by `TenantSql`
        let rows = R::find_by_statement(statement).all(&txn).await?;
        txn.commit().await?;
        Ok(rows)
    }
}

struct Sections {
    follow_through: ByBucket<figures::FollowThrough>,
    reviews: ByBucket<figures::ReviewFigures>,
    incidents: ByBucket<figures::IncidentFigures>,
    feedback: ByBucket<figures::FeedbackFigures>,
    confidence: ByBucket<figures::ConfidenceFigures>,
}

impl Sections {
    /// The figures of one bucket; a bucket with no rows has all counts zero.
    fn take(&mut self, key: &str) -> PeriodFigures {
        PeriodFigures {
            follow_through: self.follow_through.remove(key).unwrap_or_default(),
            reviews: self.reviews.remove(key).unwrap_or_default(),
            incidents: self.incidents.remove(key).unwrap_or_default(),
            feedback: self.feedback.remove(key).unwrap_or_default(),
            confidence: self.confidence.remove(key).unwrap_or_default(),
        }
    }
}

/// `AND …` conditions restricting the incident whose id is `incident_id` (a column) to the
/// requested client and service.
fn incident_filters(
    query: &mut TenantSql,
    request: &MetricsRequest,
    incident_id: impl Into<Sql>,
) -> Sql {
    let incident_id = incident_id.into();
    let links = [
        ("client_impacts", "fci", ".client_id = ", request.client_id),
        (
            "incident_services",
            "fis",
            ".service_id = ",
            request.service_id,
        ),
    ];
    let mut conditions = Sql::default();
    for (table, alias, column, wanted) in links {
        let Some(wanted) = wanted else { continue };
        let table = query.table(table, alias);
        let wanted = query.bind(wanted);
        conditions.push(sql! {
            " AND EXISTS (SELECT 1 FROM ", table, " WHERE ", TenantSql::tenant_of(alias), " AND ",
            alias, ".incident_id = ", &incident_id, " AND ", alias, column, wanted, ")",
        });
    }
    conditions
}
