//! Verdicts on prevention measures: each one kept in the measure's history, the latest also
//! on the measure itself (`effectiveness`, `effectivenessNote`).

use super::grouping;
use super::outcome::Outcome;
use super::scope::{Scope, Writer};
use super::write::Change;
use crate::domain::event::Action;
use crate::domain::review::{self as rules, Verdict};
use crate::domain::time;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{effectiveness_verdict, prevention_measure};
use sea_orm::{
    ActiveEnum, ColumnTrait, DatabaseTransaction, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Where a verdict comes from.
pub(super) struct Judged {
    pub incident_id: Uuid,
    /// The review that gave it, if one did.
    pub review_id: Option<Uuid>,
    pub judged_at: DateTime<Utc>,
}

impl Scope {
    /// Each measure's verdicts, earliest judged to latest (one statement).
    pub async fn verdicts_of_measures(
        &self,
        measure_ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, Vec<effectiveness_verdict::Model>>> {
        let rows = self
            .select::<effectiveness_verdict::Entity>()
            .filter(effectiveness_verdict::Column::MeasureId.is_in(measure_ids.iter().copied()))
            .order_by_asc(effectiveness_verdict::Column::JudgedAt)
            .order_by_asc(effectiveness_verdict::Column::Id)
            .all(self.db())
            .await?;
        Ok(grouping::by_parent(rows, |v| v.measure_id))
    }

    /// Adds `verdict` to the measure's history and, unless a later judgement is already
    /// there (a review recorded late, held before a verdict given since), shows it on the
    /// measure as its effectiveness and note.
    pub(super) async fn keep_verdict(
        &self,
        txn: &DatabaseTransaction,
        verdict: &Verdict,
        judged: &Judged,
    ) -> AppResult<()> {
        let now = time::now();
        let newer = self
            .select::<effectiveness_verdict::Entity>()
            .filter(effectiveness_verdict::Column::MeasureId.eq(verdict.measure_id))
            .filter(effectiveness_verdict::Column::JudgedAt.gt(judged.judged_at))
            .count(txn)
            .await?;
        if newer == 0 {
            self.show_verdict(txn, verdict, now).await?;
        }
        self.insert(effectiveness_verdict::ActiveModel {
            tenant_id: Set(self.tenant_id()),
            id: Set(Uuid::now_v7()),
            incident_id: Set(judged.incident_id),
            measure_id: Set(verdict.measure_id),
            review_id: Set(judged.review_id),
            effectiveness: Set(verdict.effectiveness),
            note: Set(verdict.note.clone()),
            judged_at: Set(judged.judged_at),
            recorded_by: Set(self.principal().user_id()),
            created_at: Set(now),
        })
        .exec(txn)
        .await?;
        Ok(())
    }

    /// Shows `verdict` on its measure.
    async fn show_verdict(
        &self,
        txn: &DatabaseTransaction,
        verdict: &Verdict,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.update::<prevention_measure::Entity>()
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
            .exec(txn)
            .await?;
        Ok(())
    }
}

impl Writer<'_> {
    /// Records a verdict on a measure of a REVIEWED post-mortem, on its own: for a measure
    /// completed after the review, or to judge one again. Refused before the review.
    pub async fn verdict_set(&self, verdict: Verdict) -> Outcome<prevention_measure::Model> {
        let mut write = self.scope.begin_write().await?;
        let old = self
            .scope
            .measure_in(write.txn(), verdict.measure_id)
            .await?;
        let post_mortem = self
            .scope
            .post_mortem_locked(write.txn(), old.incident_id)
            .await?;
        rules::can_judge(post_mortem.status)?;
        let judged = Judged {
            incident_id: old.incident_id,
            review_id: None,
            judged_at: time::now(),
        };
        self.scope
            .keep_verdict(write.txn(), &verdict, &judged)
            .await?;
        let saved = self
            .scope
            .measure_in(write.txn(), verdict.measure_id)
            .await?;
        write.record(Change {
            action: Action::MeasureJudge,
            subject_type: "PreventionMeasure",
            subject_id: saved.id,
            incident_id: Some(saved.incident_id),
            changes: rules::judged_changes(&old, &verdict, judged.judged_at),
        });
        write.commit().await?;
        Ok(saved)
    }
}
