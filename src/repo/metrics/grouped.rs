//! The long-format rows of `metrics(groupBy:)`: one per period and dimension value, from the
//! same section statements as `metrics`, grouped by the dimension in the database.

use super::figures::{FollowThroughFigures, IncidentFigures};
use super::grouping::Grouping;
use super::sql::TOTAL;
use super::{Grouped, MetricsRequest};
use crate::domain::metrics::{GroupBy, Period};
use crate::error::AppResult;
use crate::repo::scope::Scope;
use crate::repo::tenant_sql::TenantSql;
use entity::{MeasureKind, Severity};
use sea_orm::{ActiveEnum, Iterable};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Which value of the dimension a row is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Dimension {
    Client { id: Uuid, name: String },
    Service { id: Uuid, name: String },
    Severity(Severity),
    Kind(MeasureKind),
}

/// One row: a period, a dimension value, and the figures the dimension carries (incidents
/// for clients, services and severities; follow-through for clients, services and kinds).
#[derive(Debug, Clone)]
pub struct GroupedRow {
    pub period: Period,
    pub dimension: Dimension,
    pub incidents: Option<IncidentFigures>,
    pub follow_through: Option<FollowThroughFigures>,
}

/// A section's figures by (bucket, group), and each group's label.
struct Section<T> {
    figures: HashMap<(String, String), T>,
    labels: HashMap<String, String>,
}

impl<T: Default> Section<T> {
    fn new(rows: Vec<Grouped<T>>) -> Self {
        let mut section = Section {
            figures: HashMap::new(),
            labels: HashMap::new(),
        };
        for row in rows {
            section.labels.insert(row.grp.clone(), row.label);
            section.figures.insert((row.bucket, row.grp), row.figures);
        }
        section
    }

    /// The groups with figures in `bucket`.
    fn groups_in<'s>(&'s self, bucket: &'s str) -> impl Iterator<Item = &'s String> + 's {
        self.figures
            .keys()
            .filter(move |(b, _)| b == bucket)
            .map(|(_, grp)| grp)
    }

    fn take(&mut self, bucket: &str, grp: &str) -> T {
        self.figures
            .remove(&(bucket.to_owned(), grp.to_owned()))
            .unwrap_or_default()
    }
}

impl Scope {
    /// The rows of `metrics(groupBy: by)`: per bucket of the request with `per_bucket`, else
    /// for the whole range. Severities and kinds are all listed in every period; clients and
    /// services only where they have an incident or a measure. Readers of metrics only.
    pub async fn grouped_metrics(
        &self,
        request: &MetricsRequest,
        by: GroupBy,
        per_bucket: bool,
    ) -> AppResult<Vec<GroupedRow>> {
        self.check_metrics_request(request).await?;
        let incidents = async {
            if !by.counts_incidents() {
                return Ok(None);
            }
            let due_days = self.tenant().await?.post_mortem_due_days;
            let rows = self
                .incident_groups(request, due_days, |q| grouping(q, by, "i.id"))
                .await?;
            AppResult::Ok(Some(Section::new(rows)))
        };
        let follow_through = async {
            if !by.counts_follow_through() {
                return Ok(None);
            }
            let rows = self
                .follow_through_groups(request, |q| grouping(q, by, "m.incident_id"), false)
                .await?;
            AppResult::Ok(Some(Section::new(rows)))
        };
        let (mut incidents, mut follow_through) = tokio::try_join!(incidents, follow_through)?;
        let periods: Vec<(String, Period)> = if per_bucket {
            let buckets = request.range.buckets(request.bucket).into_iter();
            buckets.map(|period| (period.key(), period)).collect()
        } else {
            vec![(TOTAL.to_owned(), request.range.whole())]
        };
        let mut rows = Vec::new();
        for (key, period) in periods {
            let groups = groups(by, &key, incidents.as_ref(), follow_through.as_ref());
            for (grp, dimension) in groups {
                rows.push(GroupedRow {
                    period,
                    dimension,
                    incidents: incidents.as_mut().map(|s| s.take(&key, &grp)),
                    follow_through: follow_through.as_mut().map(|s| s.take(&key, &grp)),
                });
            }
        }
        Ok(rows)
    }
}

fn grouping(q: &mut TenantSql, by: GroupBy, incident_id: &'static str) -> Grouping {
    match by {
        GroupBy::Client | GroupBy::Service => Grouping::by_link(q, by, incident_id),
        GroupBy::Severity => Grouping::by_column("i.severity"),
        GroupBy::Kind => Grouping::by_column("m.kind"),
    }
}

/// The groups of one bucket, in order, with the dimension value each stands for: every
/// severity or kind; the clients or services with figures, by name.
fn groups(
    by: GroupBy,
    bucket: &str,
    incidents: Option<&Section<IncidentFigures>>,
    follow_through: Option<&Section<FollowThroughFigures>>,
) -> Vec<(String, Dimension)> {
    match by {
        GroupBy::Severity => Severity::iter()
            .map(|s| (s.to_value(), Dimension::Severity(s)))
            .collect(),
        GroupBy::Kind => MeasureKind::iter()
            .map(|k| (k.to_value(), Dimension::Kind(k)))
            .collect(),
        GroupBy::Client | GroupBy::Service => {
            let mut named = BTreeMap::new();
            let labels = |grp: &String| {
                let label = incidents.and_then(|s| s.labels.get(grp));
                label.or_else(|| follow_through.and_then(|s| s.labels.get(grp)))
            };
            let seen = incidents.into_iter().flat_map(|s| s.groups_in(bucket));
            let seen = seen.chain(follow_through.into_iter().flat_map(|s| s.groups_in(bucket)));
            for grp in seen {
                if let (Some(label), Ok(id)) = (labels(grp), Uuid::parse_str(grp)) {
                    named.insert((label.clone(), id), grp.clone());
                }
            }
            named
                .into_iter()
                .map(|((name, id), grp)| {
                    let dimension = match by {
                        GroupBy::Service => Dimension::Service { id, name },
                        _ => Dimension::Client { id, name },
                    };
                    (grp, dimension)
                })
                .collect()
        }
    }
}
