//! Sharing a post-mortem with clients: the client meeting, publication behind the readiness
//! gate, and withdrawal.

use super::Checked;
use super::changes::Changes;
use super::scope::Writer;
use super::write::{Change, NewEvent};
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::post_mortem as rules;
use crate::domain::readiness::{self, Finding, NameRecord};
use crate::domain::{FieldError, FieldErrorCode, text, time};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{EventType, PostMortemStatus, post_mortem, prevention_measure};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

/// How to publish: optionally over blocking findings (ADMIN only, with a reason), and how
/// the API names records in a finding's path.
pub struct Publication {
    /// Why blocking findings are overridden; unchecked (publishing checks it).
    pub override_reason: Option<String>,
    pub name_record: NameRecord,
}

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
        row.version = Set(old.version + 1);
        row.updated_at = Set(time::now());
        let saved = row.update(write.txn()).await?;
        let changes = Changes::default().diff("meetingAt", &old.meeting_at, &saved.meeting_at);
        write.record(Change {
            action: Action::PostMortemScheduleMeeting,
            subject_type: "PostMortem",
            subject_id: incident_id,
            incident_id: Some(incident_id),
            changes,
        });
        let snapshot = self
            .scope
            .readiness_snapshot(write.txn(), incident_id)
            .await?;
        write.commit().await?;
        Ok((saved, readiness::meeting_findings(&snapshot)))
    }

    /// Publishes a post-mortem that passes the readiness checks: sets `publishedAt` and
    /// `reviewDueAt`, and commits every measure's due date that is not committed yet.
    /// Blocking findings refuse it unless an ADMIN overrides them with a reason, which the
    /// audit entry records with the findings overridden.
    pub async fn post_mortem_publish(
        &self,
        incident_id: Uuid,
        publication: Publication,
    ) -> AppResult<Checked<post_mortem::Model>> {
        let override_reason = match publication.override_reason {
            None => None,
            Some(reason) => {
                self.scope
                    .principal()
                    .require(Capability::OverrideReadiness)?;
                match text::required("reason", &reason, rules::REASON_MAX) {
                    Ok(reason) => Some(reason),
                    Err(mut error) => {
                        error.field.insert(0, "override".into());
                        return Ok(Err(vec![error]));
                    }
                }
            }
        };
        let mut write = self.scope.begin_tenant_write().await?;
        let old = self
            .scope
            .post_mortem_locked(write.txn(), incident_id)
            .await?;
        if old.status != PostMortemStatus::Draft {
            return Ok(Err(vec![FieldError::new(
                "postMortemId",
                FieldErrorCode::Invalid,
                "the post-mortem is already published",
            )]));
        }
        let snapshot = self
            .scope
            .readiness_snapshot(write.txn(), incident_id)
            .await?;
        let findings = readiness::check(&snapshot);
        let overriding = override_reason.is_some();
        let refusals = readiness::refusals(&findings, overriding);
        if !refusals.is_empty() {
            let name = publication.name_record;
            return Ok(Err(refusals
                .iter()
                .map(|f| f.to_field_error(name))
                .collect()));
        }
        let tenant = self.scope.tenant_in(write.txn()).await?;
        let now = time::now();
        let mut row = old.clone().into_active_model();
        row.status = Set(PostMortemStatus::Published);
        row.published_at = Set(Some(now));
        row.review_due_at = Set(Some(rules::review_due_at(now, tenant.review_after_days)));
        row.version = Set(old.version + 1);
        row.updated_at = Set(now);
        let saved = row.update(write.txn()).await?;
        for measure_id in self
            .scope
            .uncommitted_measures(write.txn(), incident_id)
            .await?
        {
            write.emit(NewEvent {
                event_type: EventType::MeasureUpdated,
                subject_type: "PreventionMeasure",
                subject_id: measure_id,
                incident_id: Some(incident_id),
                changed_fields: vec!["committedDueOn".to_owned()],
                deadline: None,
            });
        }
        self.scope
            .update::<prevention_measure::Entity>()
            .col_expr(
                prevention_measure::Column::CommittedDueOn,
                Expr::col(prevention_measure::Column::DueOn),
            )
            .filter(prevention_measure::Column::IncidentId.eq(incident_id))
            .filter(prevention_measure::Column::CommittedDueOn.is_null())
            .exec(write.txn())
            .await?;
        let mut changes = Changes::default()
            .diff("status", &old.status.to_value(), &saved.status.to_value())
            .diff("publishedAt", &old.published_at, &saved.published_at)
            .diff("reviewDueAt", &old.review_due_at, &saved.review_due_at);
        let overridden = readiness::refusals(&findings, false);
        if let (Some(reason), false) = (&override_reason, overridden.is_empty()) {
            changes = changes.set(
                "override",
                &overridden_json(reason, &overridden, publication.name_record),
            );
        }
        write.record(Change {
            action: Action::PostMortemPublish,
            subject_type: "PostMortem",
            subject_id: incident_id,
            incident_id: Some(incident_id),
            changes,
        });
        self.refresh_signatures(write.txn(), incident_id).await?;
        write.commit().await?;
        Ok(Ok(saved))
    }

    /// Takes a published post-mortem back to DRAFT, recording why. Committed due dates stay
    /// as they were first committed.
    pub async fn post_mortem_unpublish(
        &self,
        incident_id: Uuid,
        reason: String,
    ) -> AppResult<Checked<post_mortem::Model>> {
        let mut write = self.scope.begin_tenant_write().await?;
        let old = self
            .scope
            .post_mortem_locked(write.txn(), incident_id)
            .await?;
        if old.status != PostMortemStatus::Published {
            return Ok(Err(vec![FieldError::new(
                "postMortemId",
                FieldErrorCode::Invalid,
                "only a PUBLISHED post-mortem can be unpublished",
            )]));
        }
        let mut row = old.clone().into_active_model();
        row.status = Set(PostMortemStatus::Draft);
        row.published_at = Set(None);
        row.review_due_at = Set(None);
        row.version = Set(old.version + 1);
        row.updated_at = Set(time::now());
        let saved = row.update(write.txn()).await?;
        let changes = Changes::default()
            .diff("status", &old.status.to_value(), &saved.status.to_value())
            .set("reason", &reason);
        write.record(Change {
            action: Action::PostMortemUnpublish,
            subject_type: "PostMortem",
            subject_id: incident_id,
            incident_id: Some(incident_id),
            changes,
        });
        self.refresh_signatures(write.txn(), incident_id).await?;
        write.commit().await?;
        Ok(Ok(saved))
    }
}

/// The audit record of an override: the reason and each blocker it set aside.
fn overridden_json(reason: &str, findings: &[&Finding], name: NameRecord) -> serde_json::Value {
    let findings: Vec<_> = findings
        .iter()
        .map(|f| json!({ "code": f.code, "path": f.target.path(name), "message": f.message }))
        .collect();
    json!({ "reason": reason, "findings": findings })
}

impl super::Scope {
    /// The measures of an incident whose due date publication has not committed yet.
    async fn uncommitted_measures(
        &self,
        txn: &sea_orm::DatabaseTransaction,
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
