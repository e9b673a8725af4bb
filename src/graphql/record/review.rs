//! The 30-day effectiveness review: "here is what we implemented, and did it work?"

use super::measure::PreventionMeasure;
use crate::domain::review::{NewReview, Verdict, verdicts_of};
use crate::domain::{FieldError, FieldErrorCode, Validation, review, text, time};
use crate::error::AppResult;
use crate::graphql::context::{load_list, scope};
use crate::graphql::enums::{Effectiveness, VerdictEffectiveness};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::answer;
use crate::graphql::payload::payload;
use crate::graphql::scalars::Timestamp;
use crate::repo::batch::List;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::effectiveness_review;

/// The most verdicts one review takes.
const MAX_VERDICTS: usize = 100;

/// The review of a post-mortem's measures, held about 30 days after publication.
pub struct EffectivenessReview(pub effectiveness_review::Model);

impl From<effectiveness_review::Model> for EffectivenessReview {
    fn from(model: effectiveness_review::Model) -> Self {
        Self(model)
    }
}

/// The review of a post-mortem's measures, held about 30 days after publication.
#[Object]
impl EffectivenessReview {
    /// When the review was held.
    async fn held_at(&self) -> Timestamp {
        Timestamp(self.0.held_at)
    }

    /// Client-facing: what was implemented, and whether it worked.
    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// The verdict on each measure, as recorded at the review.
    async fn verdicts(&self, ctx: &Context<'_>) -> AppResult<Vec<EffectivenessVerdict>> {
        let measures = load_list(ctx, List::Measures, self.0.incident_id)
            .await?
            .measures();
        Ok(verdicts_of(&self.0)
            .into_iter()
            .filter_map(|v| {
                let measure = measures.iter().find(|m| m.id == v.measure_id)?.clone();
                Some(EffectivenessVerdict {
                    measure: PreventionMeasure(measure),
                    effectiveness: v.effectiveness.into(),
                    note: v.note,
                })
            })
            .collect())
    }

    /// When the review was recorded.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// The review's verdict on one measure.
#[derive(SimpleObject)]
pub struct EffectivenessVerdict {
    pub measure: PreventionMeasure,
    pub effectiveness: Effectiveness,
    pub note: Option<String>,
}

/// One measure's verdict.
#[derive(InputObject)]
pub struct EffectivenessVerdictInput {
    pub measure_id: ID,
    /// EFFECTIVE, PARTIALLY_EFFECTIVE or NOT_EFFECTIVE.
    pub effectiveness: VerdictEffectiveness,
    /// At most 5,000 characters.
    pub note: Option<String>,
}

/// The effectiveness review of a published post-mortem.
#[derive(InputObject)]
pub struct EffectivenessReviewRecordInput {
    pub post_mortem_id: ID,
    /// When the review was held: not before publication, at most a day ahead.
    pub held_at: Timestamp,
    /// Client-facing summary; 1 to 10,000 characters.
    pub summary: String,
    #[graphql(default)]
    pub verdicts: Vec<EffectivenessVerdictInput>,
}

payload!(
    /// The result of `effectivenessReviewRecord`.
    EffectivenessReviewPayload, review: EffectivenessReview, effectiveness_review::Model
);

/// Review mutations. ADMIN or EDITOR.
#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// Records the 30-day review of a PUBLISHED post-mortem: the verdicts update each
    /// measure, and the post-mortem moves to REVIEWED. ADMIN or EDITOR.
    async fn effectiveness_review_record(
        &self,
        ctx: &Context<'_>,
        input: EffectivenessReviewRecordInput,
    ) -> AppResult<EffectivenessReviewPayload> {
        let writer = scope(ctx).writer()?;
        let incident_id = ids::decode(&input.post_mortem_id, NodeType::PostMortem)?;
        // Another tenant's or a missing post-mortem is NOT_FOUND before its input is judged.
        scope(ctx).post_mortem(incident_id).await?;
        let mut v = Validation::default();
        let summary = v.check(review::summary(&input.summary));
        if input.verdicts.len() > MAX_VERDICTS {
            v.push(FieldError::new(
                "verdicts",
                FieldErrorCode::Invalid,
                format!("at most {MAX_VERDICTS} verdicts"),
            ));
        }
        let mut verdicts: Vec<Verdict> = Vec::new();
        for (index, verdict) in input.verdicts.iter().enumerate().take(MAX_VERDICTS) {
            let in_item = |error: FieldError| error.in_item("verdicts", index);
            let note = verdict.note.as_ref().and_then(|n| {
                v.check(text::optional("note", Some(n), review::NOTE_MAX).map_err(in_item))
            });
            let measure_error =
                |code, message| in_item(FieldError::new("measureId", code, message));
            match ids::decode(&verdict.measure_id, NodeType::PreventionMeasure) {
                Err(_) => v.push(measure_error(FieldErrorCode::NotFound, "no such measure")),
                Ok(measure_id) if verdicts.iter().any(|seen| seen.measure_id == measure_id) => v
                    .push(measure_error(
                        FieldErrorCode::Invalid,
                        "one verdict per measure",
                    )),
                Ok(measure_id) => verdicts.push(Verdict {
                    measure_id,
                    effectiveness: verdict.effectiveness.into(),
                    note: note.flatten(),
                }),
            }
        }
        let held_at = v.check(time::in_range(
            "heldAt",
            time::to_storage_precision(input.held_at.0),
        ));
        let new = || NewReview {
            incident_id,
            held_at: held_at.unwrap_or_default(),
            summary: summary.unwrap_or_default(),
            verdicts,
        };
        match v.finish(new) {
            Ok(new) => answer(writer.review_record(new).await),
            Err(errors) => Ok(Err(errors).into()),
        }
    }
}
