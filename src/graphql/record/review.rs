//! The 30-day effectiveness review: "here is what we implemented, and did it work?"

use super::measure::PreventionMeasure;
use crate::domain::review::{NewReview, Verdict, verdicts_of};
use crate::domain::{Checks, FieldError, FieldErrorCode, review, text, time};
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

/// A review of a post-mortem's measures: the 30-day review, or one held after it.
pub struct EffectivenessReview(pub effectiveness_review::Model);

impl From<effectiveness_review::Model> for EffectivenessReview {
    fn from(model: effectiveness_review::Model) -> Self {
        Self(model)
    }
}

/// A review of a post-mortem's measures: the 30-day review, or one held after it.
#[Object]
impl EffectivenessReview {
    /// 1 for the 30-day review, then 2, 3… for the reviews after it.
    async fn number(&self) -> i32 {
        self.0.ordinal
    }

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
            .measures()?;
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
    /// Records the 30-day review of a PUBLISHED post-mortem, which moves it to REVIEWED, or a
    /// later review of a REVIEWED one (held after the latest review; `OUT_OF_ORDER`
    /// otherwise). The verdicts update each measure and enter its `verdicts`. ADMIN or
    /// EDITOR.
    async fn effectiveness_review_record(
        &self,
        ctx: &Context<'_>,
        input: EffectivenessReviewRecordInput,
    ) -> AppResult<EffectivenessReviewPayload> {
        let writer = scope(ctx).writer()?;
        let incident_id = ids::decode(&input.post_mortem_id, NodeType::PostMortem)?;
        // Another tenant's or a missing post-mortem is NOT_FOUND before its input is judged.
        scope(ctx).post_mortem(incident_id).await?;
        answer(
            async {
                writer
                    .review_record(parse_review(incident_id, input)?)
                    .await
            }
            .await,
        )
    }
}

/// The review as recorded, its text, time and verdicts checked; every error at once.
fn parse_review(
    incident_id: uuid::Uuid,
    input: EffectivenessReviewRecordInput,
) -> Result<NewReview, Vec<FieldError>> {
    let (summary, verdicts, held_at) = (
        review::summary(&input.summary),
        parse_verdicts(&input.verdicts),
        time::in_range("heldAt", time::to_storage_precision(input.held_at.0)),
    )
        .all()?;
    Ok(NewReview {
        incident_id,
        held_at,
        summary,
        verdicts,
    })
}

/// At most [`MAX_VERDICTS`] verdicts, one per measure, each note bounded.
fn parse_verdicts(inputs: &[EffectivenessVerdictInput]) -> Result<Vec<Verdict>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if inputs.len() > MAX_VERDICTS {
        errors.push(FieldError::new(
            "verdicts",
            FieldErrorCode::Invalid,
            format!("at most {MAX_VERDICTS} verdicts"),
        ));
    }
    let mut verdicts: Vec<Verdict> = Vec::new();
    for (index, input) in inputs.iter().enumerate().take(MAX_VERDICTS) {
        match parse_verdict(input, &verdicts) {
            Ok(verdict) => verdicts.push(verdict),
            Err(errors_of_item) => errors.extend(
                errors_of_item
                    .into_iter()
                    .map(|e| e.in_item("verdicts", index)),
            ),
        }
    }
    if errors.is_empty() {
        Ok(verdicts)
    } else {
        Err(errors)
    }
}

/// One verdict, on a measure none of the verdicts `before` judged.
fn parse_verdict(
    input: &EffectivenessVerdictInput,
    before: &[Verdict],
) -> Result<Verdict, Vec<FieldError>> {
    let measure = match ids::decode(&input.measure_id, NodeType::PreventionMeasure) {
        Err(_) => Err(FieldError::new(
            "measureId",
            FieldErrorCode::NotFound,
            "no such measure",
        )),
        Ok(id) if before.iter().any(|seen| seen.measure_id == id) => Err(FieldError::new(
            "measureId",
            FieldErrorCode::Invalid,
            "one verdict per measure",
        )),
        Ok(id) => Ok(id),
    };
    let note = text::optional("note", input.note.as_deref(), review::NOTE_MAX);
    let (note, measure_id) = (note, measure).all()?;
    Ok(Verdict {
        measure_id,
        effectiveness: input.effectiveness.into(),
        note,
    })
}
