//! The 30-day effectiveness review: verdicts on each measure and a client-facing summary.

use super::grouping;
use super::outcome::Outcome;
use super::scope::{Scope, Writer};
use super::write::{Change, NewEvent, Write};
use crate::domain::event::Action;
use crate::domain::review::{self as rules, NewReview, ReviewFacts};
use crate::domain::time;
use crate::error::AppResult;
use entity::{EventType, PostMortemStatus, effectiveness_review, post_mortem, prevention_measure};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter, Set};
use std::collections::HashMap;
use uuid::Uuid;

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
    pub async fn review_record(&self, new: NewReview) -> Outcome<effectiveness_review::Model> {
        let mut write = self.scope.begin_write().await?;
        let old = self
            .scope
            .post_mortem_locked(write.txn(), new.incident_id)
            .await?;
        let measures = self
            .scope
            .measures_of_incident_in(write.txn(), new.incident_id)
            .await?;
        let facts = ReviewFacts {
            status: old.status,
            published_at: old.published_at,
            measure_ids: measures.iter().map(|m| m.id).collect(),
            now: time::now(),
        };
        rules::decide(&facts, &new)?;
        self.judge_measures(&mut write, &new).await?;
        let saved = effectiveness_review::ActiveModel {
            tenant_id: Set(self.scope.tenant_id()),
            incident_id: Set(new.incident_id),
            held_at: Set(new.held_at),
            summary: Set(new.summary),
            verdicts: Set(rules::verdicts_json(&new.verdicts)),
            recorded_by: Set(self.scope.principal().user_id()),
            created_at: Set(facts.now),
        }
        .insert(write.txn())
        .await?;
        let mut row: post_mortem::ActiveModel = old.clone().into_active_model();
        row.status = Set(PostMortemStatus::Reviewed);
        row.version = Set(old.version + 1);
        row.updated_at = Set(facts.now);
        let reviewed = row.update(write.txn()).await?;
        write.record(Change {
            action: Action::EffectivenessReviewRecord,
            subject_type: "PostMortem",
            subject_id: new.incident_id,
            incident_id: Some(new.incident_id),
            changes: rules::reviewed_changes(&old, &reviewed, &saved),
        });
        write.commit().await?;
        Ok(saved)
    }

    /// Sets each judged measure's effectiveness and note, with an event for each.
    async fn judge_measures(&self, write: &mut Write, review: &NewReview) -> AppResult<()> {
        for verdict in &review.verdicts {
            write.emit(NewEvent {
                event_type: EventType::MeasureUpdated,
                subject_type: "PreventionMeasure",
                subject_id: verdict.measure_id,
                incident_id: Some(review.incident_id),
                changed_fields: rules::JUDGED_FIELDS.map(str::to_owned).to_vec(),
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
                .col_expr(prevention_measure::Column::UpdatedAt, time::now().into())
                .filter(prevention_measure::Column::Id.eq(verdict.measure_id))
                .exec(write.txn())
                .await?;
        }
        Ok(())
    }
}
