//! The 30-day effectiveness review: verdicts on each measure and a client-facing summary.

use super::changes::Changes;
use super::scope::{Scope, Writer};
use super::write::{Change, NewEvent};
use super::{Checked, grouping};
use crate::domain::event::Action;
use crate::domain::{FieldError, FieldErrorCode, review, time};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{
    Effectiveness, EventType, PostMortemStatus, effectiveness_review, post_mortem,
    prevention_measure,
};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// One measure's verdict, its note already validated.
pub struct Verdict {
    pub measure_id: Uuid,
    pub effectiveness: Effectiveness,
    pub note: Option<String>,
}

/// A review as recorded.
pub struct NewReview {
    pub incident_id: Uuid,
    pub held_at: DateTime<Utc>,
    pub summary: String,
    pub verdicts: Vec<Verdict>,
}

/// The verdicts a review recorded, read back from its stored JSON.
pub fn verdicts_of(review: &effectiveness_review::Model) -> Vec<Verdict> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Recorded {
        measure_id: Uuid,
        effectiveness: String,
        note: Option<String>,
    }
    let recorded: Vec<Recorded> =
        serde_json::from_value(review.verdicts.clone()).unwrap_or_default();
    recorded
        .into_iter()
        .filter_map(|v| {
            let effectiveness = Effectiveness::try_from_value(&v.effectiveness).ok()?;
            Some(Verdict {
                measure_id: v.measure_id,
                effectiveness,
                note: v.note,
            })
        })
        .collect()
}

impl Scope {
    /// Each post-mortem's review, if it has one (one statement).
    pub async fn reviews_of_incidents(
        &self,
        incident_ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, effectiveness_review::Model>> {
        let rows = self
            .select::<effectiveness_review::Entity>()
            .filter(effectiveness_review::Column::IncidentId.is_in(incident_ids.iter().copied()))
            .all(self.db())
            .await?;
        Ok(grouping::by_parent(rows, |r| r.incident_id)
            .into_iter()
            .filter_map(|(id, mut list)| list.pop().map(|r| (id, r)))
            .collect())
    }
}

impl Writer<'_> {
    /// Records the review of a PUBLISHED post-mortem: stores it, sets each measure's
    /// effectiveness and note, and moves the post-mortem to REVIEWED.
    pub async fn review_record(
        &self,
        new: NewReview,
    ) -> AppResult<Checked<effectiveness_review::Model>> {
        let mut write = self.scope.begin_write().await?;
        let old = self
            .scope
            .post_mortem_locked(write.txn(), new.incident_id)
            .await?;
        if let Err(error) = review::can_review(old.status) {
            return Ok(Err(vec![error]));
        }
        let mut errors = Vec::new();
        if let Some(published) = old.published_at
            && new.held_at < published
        {
            errors.push(FieldError::new(
                "heldAt",
                FieldErrorCode::OutOfOrder,
                "the review cannot be held before the post-mortem was published",
            ));
        }
        if new.held_at > time::now() + crate::domain::incident::FUTURE_TOLERANCE {
            errors.push(FieldError::new(
                "heldAt",
                FieldErrorCode::Invalid,
                "heldAt is more than a day in the future",
            ));
        }
        let measures = self
            .scope
            .measures_of_incident_in(write.txn(), new.incident_id)
            .await?;
        for (index, verdict) in new.verdicts.iter().enumerate() {
            if !measures.iter().any(|m| m.id == verdict.measure_id) {
                errors.push(
                    FieldError::new(
                        "verdicts",
                        FieldErrorCode::NotFound,
                        "no such measure of this post-mortem",
                    )
                    .at_index(index),
                );
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let now = time::now();
        for verdict in &new.verdicts {
            write.emit(NewEvent {
                event_type: EventType::MeasureUpdated,
                subject_type: "PreventionMeasure",
                subject_id: verdict.measure_id,
                incident_id: Some(new.incident_id),
                changed_fields: vec!["effectiveness".to_owned(), "effectivenessNote".to_owned()],
                deadline: None,
            });
            self.scope
                .update::<prevention_measure::Entity>()
                .col_expr(
                    prevention_measure::Column::Effectiveness,
                    verdict.effectiveness.to_value().into(),
                )
                .col_expr(
                    prevention_measure::Column::EffectivenessNote,
                    verdict.note.clone().into(),
                )
                .col_expr(prevention_measure::Column::UpdatedAt, now.into())
                .filter(prevention_measure::Column::Id.eq(verdict.measure_id))
                .exec(write.txn())
                .await?;
        }
        let verdicts = new
            .verdicts
            .iter()
            .map(|v| json!({ "measureId": v.measure_id, "effectiveness": v.effectiveness.to_value(), "note": v.note }))
            .collect::<Vec<_>>();
        let saved = effectiveness_review::ActiveModel {
            tenant_id: Set(self.scope.tenant_id()),
            incident_id: Set(new.incident_id),
            held_at: Set(new.held_at),
            summary: Set(new.summary),
            verdicts: Set(json!(verdicts)),
            recorded_by: Set(self.scope.principal().user_id()),
            created_at: Set(now),
        }
        .insert(write.txn())
        .await?;
        let mut row: post_mortem::ActiveModel = old.clone().into_active_model();
        row.status = Set(PostMortemStatus::Reviewed);
        row.version = Set(old.version + 1);
        row.updated_at = Set(now);
        row.update(write.txn()).await?;
        let changes = Changes::default()
            .diff(
                "status",
                &old.status.to_value(),
                &PostMortemStatus::Reviewed.to_value(),
            )
            .set("heldAt", &saved.held_at)
            .set("summary", &saved.summary)
            .set("verdicts", &saved.verdicts);
        write.record(Change {
            action: Action::EffectivenessReviewRecord,
            subject_type: "PostMortem",
            subject_id: new.incident_id,
            incident_id: Some(new.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
    }
}
