//! Time-driven events: deadlines that passed, found by query and written once each.
//!
//! Exactly once per (subject, deadline), however many workers run: a worker first takes the
//! tenant's event counter (the lock every event write ends with), then looks again for
//! deadlines without their event, so two workers on one tenant take turns and the second
//! finds nothing left. The unique key `(tenant, type, subject, deadline)` on `events` makes
//! a duplicate impossible even if that reasoning were wrong.

use super::scope::Scope;
use super::write::NewEvent;
use crate::domain::deadline;
use crate::error::AppResult;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use entity::{
    EventType, FeedbackStatus, IncidentStatus, MeasureStatus, PostMortemStatus, Severity, event,
    feedback, incident, post_mortem, prevention_measure, tenant,
};
use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, SimpleExpr};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Select,
    TryGetableMany,
};
use uuid::Uuid;

/// The most deadlines of one kind a tenant's pass writes; the next pass takes the rest.
const BATCH: u64 = 500;

impl Scope {
    /// Writes the time-driven events of this tenant whose deadline passed by `now`, and
    /// returns how many. Cheap when nothing is due: one read per kind, no write.
    pub async fn emit_due_events(&self, now: DateTime<Utc>) -> AppResult<usize> {
        let tenant = self.tenant_in(self.db()).await?;
        if self.due(self.db(), &tenant, now).await?.is_empty() {
            return Ok(0);
        }
        let mut write = self.begin_write().await?;
        write.lock_positions().await?;
        let due = self.due(write.txn(), &tenant, now).await?;
        let count = due.len();
        for event in due {
            write.emit(event);
        }
        write.commit().await?;
        Ok(count)
    }

    async fn due<C: ConnectionTrait>(
        &self,
        db: &C,
        tenant: &tenant::Model,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<NewEvent>> {
        let mut due = self.overdue_measures(db, now).await?;
        due.extend(self.due_reviews(db, now).await?);
        due.extend(self.due_post_mortems(db, tenant, now).await?);
        due.extend(self.overdue_feedback(db, tenant, now).await?);
        Ok(due)
    }

    async fn overdue_measures<C: ConnectionTrait>(
        &self,
        db: &C,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<NewEvent>> {
        use prevention_measure::{Column, Entity};
        let rows: Vec<(Uuid, Uuid, NaiveDate)> = first_batch(
            self.select::<Entity>()
                .select_only()
                .columns([Column::Id, Column::IncidentId, Column::CommittedDueOn])
                .filter(Column::CommittedDueOn.lt(deadline::overdue_before(now)))
                .filter(Column::Status.is_not_in([
                    MeasureStatus::Done.to_value(),
                    MeasureStatus::Cancelled.to_value(),
                ]))
                .filter(self.not_emitted(EventType::MeasureOverdue, (Entity, Column::Id), None)),
            db,
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, incident_id, due_on)| {
                time_driven(
                    EventType::MeasureOverdue,
                    "PreventionMeasure",
                    id,
                    incident_id,
                    deadline::measure_overdue_at(due_on),
                )
            })
            .collect())
    }

    async fn due_reviews<C: ConnectionTrait>(
        &self,
        db: &C,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<NewEvent>> {
        use post_mortem::{Column, Entity};
        let not_emitted = self.not_emitted(
            EventType::ReviewDue,
            (Entity, Column::IncidentId),
            Some(Expr::col((Entity, Column::ReviewDueAt))),
        );
        let rows: Vec<(Uuid, DateTime<Utc>)> = first_batch(
            self.select::<Entity>()
                .select_only()
                .columns([Column::IncidentId, Column::ReviewDueAt])
                .filter(Column::Status.eq(PostMortemStatus::Published.to_value()))
                .filter(Column::ReviewDueAt.lte(now))
                .filter(not_emitted),
            db,
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(incident_id, due_at)| {
                time_driven(
                    EventType::ReviewDue,
                    "PostMortem",
                    incident_id,
                    incident_id,
                    due_at,
                )
            })
            .collect())
    }

    async fn due_post_mortems<C: ConnectionTrait>(
        &self,
        db: &C,
        tenant: &tenant::Model,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<NewEvent>> {
        use incident::{Column, Entity};
        let drafts = self
            .query::<post_mortem::Entity>()
            .column(post_mortem::Column::IncidentId)
            .and_where(post_mortem::Column::Status.eq(PostMortemStatus::Draft.to_value()))
            .to_owned();
        let resolved_by = now - TimeDelta::days(i64::from(tenant.post_mortem_due_days));
        let not_emitted = self.not_emitted(
            EventType::PostMortemDue,
            (Entity, Column::Id),
            Some(Expr::col((Entity, Column::ResolvedAt))),
        );
        let rows: Vec<(Uuid, DateTime<Utc>)> = first_batch(
            self.select::<Entity>()
                .select_only()
                .columns([Column::Id, Column::ResolvedAt])
                .filter(
                    Column::Severity.is_in([Severity::Sev1.to_value(), Severity::Sev2.to_value()]),
                )
                .filter(Column::Status.eq(IncidentStatus::Resolved.to_value()))
                .filter(Column::ResolvedAt.lte(resolved_by))
                .filter(Column::Id.in_subquery(drafts))
                .filter(not_emitted),
            db,
        )
        .await?;
        let due_days = tenant.post_mortem_due_days;
        Ok(rows
            .into_iter()
            .map(|(id, resolved_at)| {
                let due_at = deadline::post_mortem_due_at(resolved_at, due_days);
                time_driven(EventType::PostMortemDue, "PostMortem", id, id, due_at)
            })
            .collect())
    }

    async fn overdue_feedback<C: ConnectionTrait>(
        &self,
        db: &C,
        tenant: &tenant::Model,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<NewEvent>> {
        use feedback::{Column, Entity};
        let opened_by = now - TimeDelta::hours(i64::from(tenant.feedback_answer_sla_hours));
        let not_emitted = self.not_emitted(
            EventType::FeedbackOverdue,
            (Entity, Column::Id),
            Some(Expr::col((Entity, Column::CreatedAt))),
        );
        let rows: Vec<(Uuid, Uuid, DateTime<Utc>)> = first_batch(
            self.select::<Entity>()
                .select_only()
                .columns([Column::Id, Column::IncidentId, Column::CreatedAt])
                .filter(Column::Status.eq(FeedbackStatus::Open.to_value()))
                .filter(Column::FirstResponseAt.is_null())
                .filter(Column::CreatedAt.lte(opened_by))
                .filter(not_emitted),
            db,
        )
        .await?;
        let sla = tenant.feedback_answer_sla_hours;
        Ok(rows
            .into_iter()
            .map(|(id, incident_id, opened_at)| {
                let due_at = deadline::feedback_overdue_at(opened_at, sla);
                time_driven(
                    EventType::FeedbackOverdue,
                    "Feedback",
                    id,
                    incident_id,
                    due_at,
                )
            })
            .collect())
    }

    /// No event of `event_type` about `subject` exists yet (with a deadline from `since` on,
    /// when the deadline can move: a new deadline is a new event).
    fn not_emitted(
        &self,
        event_type: EventType,
        subject: impl IntoColumnRef,
        since: Option<SimpleExpr>,
    ) -> SimpleExpr {
        let mut emitted = self.query::<event::Entity>();
        emitted
            .expr(Expr::val(1))
            .and_where(
                Expr::col((event::Entity, event::Column::EventType)).eq(event_type.to_value()),
            )
            .and_where(Expr::col((event::Entity, event::Column::SubjectId)).equals(subject));
        if let Some(since) = since {
            emitted.and_where(Expr::col((event::Entity, event::Column::Deadline)).gte(since));
        }
        Expr::exists(emitted.to_owned()).not()
    }
}

/// The first [`BATCH`] rows of `select`, as tuples.
async fn first_batch<E, T, C>(select: Select<E>, db: &C) -> AppResult<Vec<T>>
where
    E: EntityTrait,
    T: TryGetableMany,
    C: ConnectionTrait,
{
    Ok(select.limit(BATCH).into_tuple().all(db).await?)
}

fn time_driven(
    event_type: EventType,
    subject_type: &'static str,
    subject_id: Uuid,
    incident_id: Uuid,
    deadline: DateTime<Utc>,
) -> NewEvent {
    NewEvent {
        event_type,
        subject_type,
        subject_id,
        incident_id: Some(incident_id),
        changed_fields: Vec::new(),
        deadline: Some(deadline),
    }
}
