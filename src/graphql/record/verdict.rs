//! Verdicts on prevention measures after the review, and each measure's history of them.

use super::measure::PreventionMeasure;
use crate::domain::policy::Capability;
use crate::domain::review::{self, Verdict};
use crate::domain::text;
use crate::error::AppResult;
use crate::graphql::context::{load, scope};
use crate::graphql::directory::user::User;
use crate::graphql::enums::{Effectiveness, VerdictEffectiveness};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::UsersById;
use crate::graphql::payload::{answer, payload};
use crate::graphql::scalars::Timestamp;
use async_graphql::{Context, ID, InputObject, Object};
use entity::{effectiveness_verdict, prevention_measure};

/// One verdict on a measure: given at a review, or on its own after it.
pub struct MeasureVerdict(pub effectiveness_verdict::Model);

/// One verdict on a measure: given at a review, or on its own after it.
#[Object]
impl MeasureVerdict {
    /// How well the measure worked.
    async fn effectiveness(&self) -> Effectiveness {
        self.0.effectiveness.into()
    }

    /// What was seen, as written with the verdict.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// When the measure was judged: the review's `heldAt`, or when the verdict was recorded.
    async fn judged_at(&self) -> Timestamp {
        Timestamp(self.0.judged_at)
    }

    /// True when an effectiveness review gave it; false for `effectivenessVerdictSet`.
    async fn from_review(&self) -> bool {
        self.0.review_id.is_some()
    }

    /// Who recorded it. Staff only.
    async fn recorded_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        match self.0.recorded_by {
            Some(id) => Ok(load::<UsersById, _>(ctx, id).await?.map(User)),
            None => Ok(None),
        }
    }
}

/// A verdict on one measure of a reviewed post-mortem.
#[derive(InputObject)]
pub struct EffectivenessVerdictSetInput {
    /// The measure to judge, of a REVIEWED post-mortem.
    pub measure_id: ID,
    /// EFFECTIVE, PARTIALLY_EFFECTIVE or NOT_EFFECTIVE.
    pub effectiveness: VerdictEffectiveness,
    /// At most 5,000 characters; replaces the measure's `effectivenessNote` (none clears it).
    pub note: Option<String>,
}

payload!(
    /// The result of `effectivenessVerdictSet`.
    EffectivenessVerdictSetPayload, prevention_measure: PreventionMeasure, prevention_measure::Model
);

/// Verdicts after the review. ADMIN or EDITOR.
#[derive(Default)]
pub struct VerdictMutation;

#[Object]
impl VerdictMutation {
    /// Records a verdict on a measure of a REVIEWED post-mortem: for a measure completed
    /// after the review, or to judge one again. The measure's `effectiveness` and
    /// `effectivenessNote` become this verdict, and its `verdicts` keep every earlier one.
    /// Before the review it is refused (`INVALID` on `measureId`): give verdicts in
    /// `effectivenessReviewRecord` instead. ADMIN or EDITOR.
    async fn effectiveness_verdict_set(
        &self,
        ctx: &Context<'_>,
        input: EffectivenessVerdictSetInput,
    ) -> AppResult<EffectivenessVerdictSetPayload> {
        let writer = scope(ctx).writer()?;
        let measure_id = ids::decode(&input.measure_id, NodeType::PreventionMeasure)?;
        match text::optional("note", input.note.as_deref(), review::NOTE_MAX) {
            Ok(note) => {
                let verdict = Verdict {
                    measure_id,
                    effectiveness: input.effectiveness.into(),
                    note,
                };
                answer(writer.verdict_set(verdict).await)
            }
            Err(error) => Ok(Err(vec![error]).into()),
        }
    }
}
