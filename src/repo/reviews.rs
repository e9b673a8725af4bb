//! Effectiveness reviews (the 30-day review, then any later ones): verdicts on each measure
//! and a client-facing summary. Every verdict also enters the measure's history
//! ([`super::verdicts`]).

use super::grouping;
use super::outcome::Outcome;
use super::scope::{Scope, Writer};
use super::verdicts::Judged;
use super::write::{Change, NewEvent, Write};
use crate::domain::event::Action;
use crate::domain::review::{self as rules, NewReview, ReviewFacts};
use crate::domain::time;
use crate::error::AppResult;
use entity::{EventType, PostMortemStatus, effectiveness_review, post_mortem};
use sea_orm::{ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};
use std::collections::HashMap;
use uuid::Uuid;

impl Scope {
    /// Each post-mortem's reviews, first to latest (one statement).
    pub async fn reviews_of_incidents(
        &self,
        incident_ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, Vec<effectiveness_review::Model>>> {
        let rows = self
            .select::<effectiveness_review::Entity>()
            .filter(effectiveness_review::Column::IncidentId.is_in(incident_ids.iter().copied()))
            .order_by_asc(effectiveness_review::Column::Ordinal)
            .all(self.db())
            .await?;
        Ok(grouping::by_parent(rows, |r| r.incident_id))
    }
}

impl Writer<'_> {
    /// Records a review: the 30-day review of a PUBLISHED post-mortem, which moves it to
    /// REVIEWED, or a later review of a REVIEWED one. Stores it as the next of its reviews,
    /// and sets each judged measure's effectiveness and note (keeping the verdict's history).
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
        let previous = self
            .scope
            .select::<effectiveness_review::Entity>()
            .filter(effectiveness_review::Column::IncidentId.eq(new.incident_id))
            .order_by_desc(effectiveness_review::Column::Ordinal)
            .one(write.txn())
            .await?;
        let facts = ReviewFacts {
            status: old.status,
            published_at: old.published_at,
            previous_held_at: previous.as_ref().map(|r| r.held_at),
            measure_ids: measures.iter().map(|m| m.id).collect(),
            now: time::now(),
        };
        rules::decide(&facts, &new)?;
        let saved = self
            .scope
            .insert(effectiveness_review::ActiveModel {
                tenant_id: Set(self.scope.tenant_id()),
                id: Set(Uuid::now_v7()),
                incident_id: Set(new.incident_id),
                ordinal: Set(previous.map_or(1, |r| r.ordinal + 1)),
                held_at: Set(new.held_at),
                summary: Set(new.summary.clone()),
                verdicts: Set(rules::verdicts_json(&new.verdicts)),
                recorded_by: Set(self.scope.principal().user_id()),
                created_at: Set(facts.now),
            })
            .exec_with_returning(write.txn())
            .await?;
        self.judge_measures(&mut write, &new, saved.id).await?;
        let reviewed = if old.status == PostMortemStatus::Reviewed {
            old.clone()
        } else {
            let mut row: post_mortem::ActiveModel = old.clone().into_active_model();
            row.status = Set(PostMortemStatus::Reviewed);
            row.version = Set(old.version + 1);
            row.updated_at = Set(facts.now);
            row.update(write.txn()).await?
        };
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

    /// Sets each judged measure's effectiveness and note, with an event for each, and adds
    /// each verdict to its measure's history.
    async fn judge_measures(
        &self,
        write: &mut Write,
        review: &NewReview,
        review_id: Uuid,
    ) -> AppResult<()> {
        for verdict in &review.verdicts {
            let judged = Judged {
                incident_id: review.incident_id,
                review_id: Some(review_id),
                judged_at: review.held_at,
            };
            self.scope
                .keep_verdict(write.txn(), verdict, &judged)
                .await?;
            write.emit(NewEvent {
                event_type: EventType::MeasureUpdated,
                subject_type: "PreventionMeasure",
                subject_id: verdict.measure_id,
                incident_id: Some(review.incident_id),
                changed_fields: rules::JUDGED_FIELDS.map(str::to_owned).to_vec(),
                deadline: None,
            });
        }
        Ok(())
    }
}
