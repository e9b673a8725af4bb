//! Incident filters for follow-through: reviews that need scheduling, post-mortems overdue.

use super::IncidentFilter;
use crate::domain::time;
use crate::error::AppResult;
use crate::repo::scope::Scope;
use chrono::TimeDelta;
use entity::{IncidentStatus, PostMortemStatus, Severity, incident, post_mortem};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{ActiveEnum, ColumnTrait, QueryFilter, Select};

impl Scope {
    /// Adds the `reviewDue` and `postMortemDue` conditions of `filter` to `select`.
    pub(super) async fn follow_through_filters(
        &self,
        mut select: Select<incident::Entity>,
        filter: &IncidentFilter,
    ) -> AppResult<Select<incident::Entity>> {
        let now = time::now();
        if let Some(wanted) = filter.review_due {
            let due = self
                .post_mortems_where(PostMortemStatus::Published)
                .and_where(post_mortem::Column::ReviewDueAt.lte(now))
                .to_owned();
            select = select.filter(if wanted {
                incident::Column::Id.in_subquery(due)
            } else {
                incident::Column::Id.not_in_subquery(due)
            });
        }
        if let Some(wanted) = filter.post_mortem_due {
            let days = self.tenant().await?.post_mortem_due_days;
            let drafts = self.post_mortems_where(PostMortemStatus::Draft);
            let due = self
                .query::<incident::Entity>()
                .column(incident::Column::Id)
                .and_where(incident::Column::Status.eq(IncidentStatus::Resolved.to_value()))
                .and_where(
                    incident::Column::Severity
                        .is_in([Severity::Sev1.to_value(), Severity::Sev2.to_value()]),
                )
                .and_where(incident::Column::ResolvedAt.lt(now - TimeDelta::days(i64::from(days))))
                .and_where(incident::Column::Id.in_subquery(drafts))
                .to_owned();
            select = select.filter(if wanted {
                incident::Column::Id.in_subquery(due)
            } else {
                incident::Column::Id.not_in_subquery(due)
            });
        }
        Ok(select)
    }

    /// `SELECT incident_id FROM post_mortems WHERE <this tenant> AND status = <status>`.
    fn post_mortems_where(&self, status: PostMortemStatus) -> SelectStatement {
        self.query::<post_mortem::Entity>()
            .column(post_mortem::Column::IncidentId)
            .and_where(post_mortem::Column::Status.eq(status.to_value()))
            .to_owned()
    }
}
