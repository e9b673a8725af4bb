//! Sharing a post-mortem with clients: the client meeting, publication behind the readiness
//! gate, and withdrawal. The rules are `domain::post_mortem`'s; this file persists them.

use super::outcome::Outcome;
use super::scope::{Scope, Writer};
use super::write::{Change, NewEvent, Write};
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::post_mortem::{self as rules, PublishFacts};
use crate::domain::readiness::{self, Finding};
use crate::domain::{measure, time};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{EventType, PostMortemStatus, post_mortem, prevention_measure};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

impl Writer<'_> {
    /// Stores (or with `None` clears) the client meeting, and returns the cooling-off
    /// findings about it.
    pub async fn post_mortem_schedule_meeting(
        &self,
        incident_id: Uuid,
        meeting_at: Option<DateTime<Utc>>,
    ) -> AppResult<(post_mortem::Model, Vec<Finding>)> {
        let mut write = self.scope.begin_write().await?;
        let old = self
            .scope
            .post_mortem_locked(write.txn(), incident_id)
            .await?;
        let mut row = old.clone().into_active_model();
        row.meeting_at = Set(meeting_at);
        let saved = save(&write, &old, row).await?;
        let changes = rules::meeting_changes(&old, &saved);
        write.record(change(
            Action::PostMortemScheduleMeeting,
            incident_id,
            changes,
        ));
        let snapshot = self
            .scope
            .readiness_snapshot(write.txn(), incident_id)
            .await?;
        write.commit().await?;
        Ok((saved, readiness::meeting_findings(&snapshot)))
    }

    /// Publishes a post-mortem that passes the readiness checks, or whose blockers an ADMIN
    /// overrides with `override_reason` (already validated): sets `publishedAt` and
    /// `reviewDueAt`, and commits every measure's due date that is not committed yet.
    pub async fn post_mortem_publish(
        &self,
        incident_id: Uuid,
        override_reason: Option<String>,
    ) -> Outcome<post_mortem::Model> {
        if override_reason.is_some() {
            self.scope
                .principal()
                .require(Capability::OverrideReadiness)?;
        }
        let mut write = self.scope.begin_tenant_write().await?;
        let old = self
            .scope
            .post_mortem_locked(write.txn(), incident_id)
            .await?;
        let snapshot = self
            .scope
            .readiness_snapshot(write.txn(), incident_id)
            .await?;
        let tenant = self.scope.tenant_in(write.txn()).await?;
        let facts = PublishFacts {
            status: old.status,
            findings: &readiness::check(&snapshot),
            review_after_days: tenant.review_after_days,
        };
        let published = rules::publish(&facts, override_reason.is_some(), time::now())?;
        let mut row = old.clone().into_active_model();
        row.status = Set(PostMortemStatus::Published);
        row.published_at = Set(Some(published.published_at));
        row.review_due_at = Set(Some(published.review_due_at));
        let saved = save(&write, &old, row).await?;
        self.scope.commit_due_dates(&mut write, incident_id).await?;
        let changes =
            rules::published_changes(&old, &saved, override_reason.as_deref(), &published);
        write.record(change(Action::PostMortemPublish, incident_id, changes));
        self.refresh_signatures(write.txn(), incident_id).await?;
        write.commit().await?;
        Ok(saved)
    }

    /// Takes a published post-mortem back to DRAFT, recording why. Committed due dates stay
    /// as they were first committed.
    pub async fn post_mortem_unpublish(
        &self,
        incident_id: Uuid,
        reason: String,
    ) -> Outcome<post_mortem::Model> {
        let mut write = self.scope.begin_tenant_write().await?;
        let old = self
            .scope
            .post_mortem_locked(write.txn(), incident_id)
            .await?;
        rules::unpublish(old.status)?;
        let mut row = old.clone().into_active_model();
        row.status = Set(PostMortemStatus::Draft);
        row.published_at = Set(None);
        row.review_due_at = Set(None);
        let saved = save(&write, &old, row).await?;
        let changes = rules::unpublished_changes(&old, &saved, &reason);
        write.record(change(Action::PostMortemUnpublish, incident_id, changes));
        self.refresh_signatures(write.txn(), incident_id).await?;
        write.commit().await?;
        Ok(saved)
    }
}

/// Writes `row` as the next version of `old`, inside a transaction that holds its lock.
async fn save(
    write: &Write,
    old: &post_mortem::Model,
    mut row: post_mortem::ActiveModel,
) -> AppResult<post_mortem::Model> {
    row.version = Set(old.version + 1);
    row.updated_at = Set(time::now());
    Ok(row.update(write.txn()).await?)
}

fn change(action: Action, incident_id: Uuid, changes: crate::domain::changes::Changes) -> Change {
    Change {
        action,
        subject_type: "PostMortem",
        subject_id: incident_id,
        incident_id: Some(incident_id),
        changes,
    }
}

impl Scope {
    /// Freezes the due date of every measure of the incident that has none committed yet,
    /// with an event for each.
    async fn commit_due_dates(&self, write: &mut Write, incident_id: Uuid) -> AppResult<()> {
        for measure_id in self.uncommitted_measures(write.txn(), incident_id).await? {
            write.emit(NewEvent {
                event_type: EventType::MeasureUpdated,
                subject_type: "PreventionMeasure",
                subject_id: measure_id,
                incident_id: Some(incident_id),
                changed_fields: vec![measure::COMMITTED_DUE_ON.to_owned()],
                deadline: None,
            });
        }
        self.update::<prevention_measure::Entity>()
            .col_expr(
                prevention_measure::Column::CommittedDueOn,
                Expr::col(prevention_measure::Column::DueOn),
            )
            .filter(prevention_measure::Column::IncidentId.eq(incident_id))
            .filter(prevention_measure::Column::CommittedDueOn.is_null())
            .exec(write.txn())
            .await?;
        Ok(())
    }

    /// The measures of an incident whose due date publication has not committed yet.
    async fn uncommitted_measures(
        &self,
        txn: &DatabaseTransaction,
        incident_id: Uuid,
    ) -> AppResult<Vec<Uuid>> {
        Ok(self
            .select::<prevention_measure::Entity>()
            .select_only()
            .column(prevention_measure::Column::Id)
            .filter(prevention_measure::Column::IncidentId.eq(incident_id))
            .filter(prevention_measure::Column::CommittedDueOn.is_null())
            .order_by_asc(prevention_measure::Column::Id)
            .into_tuple()
            .all(txn)
            .await?)
    }
}
