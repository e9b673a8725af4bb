//! Confidence ratings: "how confident are you this will not happen again?", asked of a
//! client at publication and again after the review.

use crate::domain::Checks;
use crate::domain::confidence::{self as rules, NewRating};
use crate::domain::feedback;
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{load, load_list, scope};
use crate::graphql::directory::client::Client;
use crate::graphql::directory::user::User;
use crate::graphql::enums::ConfidencePhase;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::UsersById;
use crate::graphql::payload::{answer, payload};
use crate::graphql::scalars::Timestamp;
use crate::repo::WriteError;
use crate::repo::batch::List;
use async_graphql::{Context, ID, InputObject, Object};
use entity::confidence_rating;

/// One client contact's confidence that the incident will not happen again, in one phase.
pub struct ConfidenceRating(pub confidence_rating::Model);

impl From<confidence_rating::Model> for ConfidenceRating {
    fn from(model: confidence_rating::Model) -> Self {
        Self(model)
    }
}

/// One client contact's confidence that the incident will not happen again, in one phase.
#[Object]
impl ConfidenceRating {
    /// At publication or after the review, from the post-mortem's state when rated.
    async fn phase(&self) -> ConfidencePhase {
        self.0.phase.into()
    }

    /// 1 (not at all) to 5 (fully confident).
    async fn confidence(&self) -> i32 {
        self.0.confidence
    }

    /// What the client added. Staff and the client's own contacts; reporters get FORBIDDEN.
    async fn comment(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        let principal = scope(ctx).principal();
        if principal.can(Capability::ReadInternal) || principal.can(Capability::RateConfidence) {
            Ok(self.0.comment.as_deref())
        } else {
            Err(AppError::forbidden(
                "comments are for staff and the client's own contacts",
            ))
        }
    }

    /// The client account the rating speaks for.
    async fn client(&self, ctx: &Context<'_>) -> AppResult<Option<Client>> {
        Ok(load_list(ctx, List::Client, self.0.client_id)
            .await?
            .client()?
            .map(Client))
    }

    /// The contact who rated. Staff only.
    async fn author(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        Ok(load::<UsersById, _>(ctx, self.0.user_id).await?.map(User))
    }

    /// When it was last rated: a second rating in the same phase replaces the first.
    async fn rated_at(&self) -> Timestamp {
        Timestamp(self.0.rated_at)
    }

    /// When the contact first rated in this phase.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// A client's answer to "how confident are you this will not happen again?".
#[derive(InputObject)]
pub struct ConfidenceRateInput {
    /// A published (or reviewed) post-mortem of an incident that impacted the caller's client.
    pub post_mortem_id: ID,
    /// 1 (not at all) to 5 (fully confident).
    pub confidence: i32,
    /// Optional; at most 2,000 characters. Read by staff and the client's own contacts only.
    pub comment: Option<String>,
}

impl TryFrom<ConfidenceRateInput> for NewRating {
    type Error = WriteError;

    fn try_from(input: ConfidenceRateInput) -> Result<Self, WriteError> {
        let incident_id = ids::decode(&input.post_mortem_id, NodeType::PostMortem)?;
        let (confidence, comment) = (
            feedback::confidence(input.confidence),
            rules::comment(input.comment.as_deref()),
        )
            .all()?;
        Ok(Self {
            incident_id,
            confidence,
            comment,
        })
    }
}

payload!(
    /// The result of `confidenceRate`.
    ConfidenceRatePayload, confidence_rating: ConfidenceRating, confidence_rating::Model
);

/// The client's confidence ratings.
#[derive(Default)]
pub struct ConfidenceMutation;

#[Object]
impl ConfidenceMutation {
    /// Answers "how confident are you this will not happen again?" (1–5) about a published
    /// post-mortem of an incident that impacted the caller's client. The rating belongs to
    /// the phase the post-mortem is in (AT_PUBLICATION while PUBLISHED, AFTER_REVIEW once
    /// REVIEWED); rating again in the same phase replaces the earlier rating. Writes
    /// CONFIDENCE_RATED. CLIENT users only.
    async fn confidence_rate(
        &self,
        ctx: &Context<'_>,
        input: ConfidenceRateInput,
    ) -> AppResult<ConfidenceRatePayload> {
        let scope = scope(ctx);
        scope.principal().require(Capability::RateConfidence)?;
        answer(async { scope.confidence_rate(input.try_into()?).await }.await)
    }
}
