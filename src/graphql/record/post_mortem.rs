//! The post-mortem: its client-facing sections, its state, and the written summary as each
//! reader gets it. Its mutations are in `post_mortem_mutation`.

use super::readiness::Readiness;
use super::review::EffectivenessReview;
use crate::domain::policy::Capability;
use crate::domain::{document, follow_up, review, time};
use crate::error::AppResult;
use crate::graphql::context::{load, scope};
use crate::graphql::enums::{DocumentFormat, PostMortemStatus};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::incidents::Incident;
use crate::graphql::loaders::{RatingsOfIncident, ReviewsByIncident};
use crate::graphql::record::confidence::ConfidenceRating;
use crate::graphql::scalars::Timestamp;
use async_graphql::{Context, ID, Object};
use entity::post_mortem;

/// What an incident taught, written for the clients it affected. One per incident.
pub struct PostMortem(pub post_mortem::Model);

impl From<post_mortem::Model> for PostMortem {
    fn from(model: post_mortem::Model) -> Self {
        Self(model)
    }
}

/// What an incident taught, written for the clients it affected. One per incident.
#[Object]
impl PostMortem {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::PostMortem, self.0.incident_id)
    }

    /// The incident it explains.
    async fn incident(&self, ctx: &Context<'_>) -> AppResult<Incident> {
        Ok(Incident(scope(ctx).incident(self.0.incident_id).await?))
    }

    async fn status(&self) -> PostMortemStatus {
        self.0.status.into()
    }

    /// What was affected, for whom, for how long (client-facing Markdown).
    async fn impact_summary(&self) -> &str {
        &self.0.impact_summary
    }

    /// What went well in the response (client-facing Markdown).
    async fn went_well(&self) -> &str {
        &self.0.went_well
    }

    /// What could have gone better (client-facing Markdown).
    async fn could_be_better(&self) -> &str {
        &self.0.could_be_better
    }

    /// Lessons for the provider's own reference. Staff only.
    async fn lessons_learned(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        Ok(Some(&self.0.lessons_learned))
    }

    /// When the client meeting is scheduled.
    async fn meeting_at(&self) -> Option<Timestamp> {
        self.0.meeting_at.map(Timestamp)
    }

    /// When it was shared with clients.
    async fn published_at(&self) -> Option<Timestamp> {
        self.0.published_at.map(Timestamp)
    }

    /// When the 30-day effectiveness review falls due.
    async fn review_due_at(&self) -> Option<Timestamp> {
        self.0.review_due_at.map(Timestamp)
    }

    /// The latest effectiveness review: the 30-day review, or a later one once recorded.
    async fn review(&self, ctx: &Context<'_>) -> AppResult<Option<EffectivenessReview>> {
        let reviews = load::<ReviewsByIncident, _>(ctx, self.0.incident_id).await?;
        Ok(reviews
            .and_then(|mut list| list.pop())
            .map(EffectivenessReview))
    }

    /// Every effectiveness review, the 30-day review first.
    async fn reviews(&self, ctx: &Context<'_>) -> AppResult<Vec<EffectivenessReview>> {
        let reviews = load::<ReviewsByIncident, _>(ctx, self.0.incident_id).await?;
        Ok(reviews
            .unwrap_or_default()
            .into_iter()
            .map(EffectivenessReview)
            .collect())
    }

    /// The clients' confidence ratings, oldest first: one per contact and phase. Staff and
    /// reporters read every client's; a CLIENT only their own client's.
    async fn confidence_ratings(&self, ctx: &Context<'_>) -> AppResult<Vec<ConfidenceRating>> {
        let ratings = load::<RatingsOfIncident, _>(ctx, self.0.incident_id).await?;
        Ok(ratings
            .unwrap_or_default()
            .into_iter()
            .map(ConfidenceRating)
            .collect())
    }

    /// True while the post-mortem is PUBLISHED past `reviewDueAt` and not yet reviewed.
    async fn review_overdue(&self) -> bool {
        review::overdue(self.0.status, self.0.review_due_at, time::now())
    }

    /// Pass this back to `postMortemUpdate`; it changes with every change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The client-facing written summary. It never contains internal timeline entries,
    /// internal analysis or lessons learned. Staff get the copy that lists every client's
    /// impact, or with `forClient` exactly the copy that client reads ("preview as client",
    /// drafts included; the client must have an impact on the incident, else
    /// BAD_USER_INPUT). A CLIENT user always gets their own client's copy. Times are in the
    /// client's time zone, else the tenant's, and the document names it.
    #[graphql(complexity = 100)]
    async fn document(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] format: DocumentFormat,
        for_client: Option<ID>,
    ) -> AppResult<String> {
        let scope = scope(ctx);
        let reader = reader(ctx, self, for_client).await?;
        let snapshot = scope
            .document_snapshot(self.0.incident_id, reader.as_ref())
            .await?;
        Ok(match format {
            DocumentFormat::Markdown => document::markdown(&snapshot),
            DocumentFormat::Html => document::html(&snapshot),
            DocumentFormat::StandaloneHtml => document::standalone_html(&snapshot),
        })
    }

    /// The client-facing follow-up, "here is what we implemented": each measure against the
    /// date committed at publication (slips stated plainly), the review's verdicts, any
    /// recurrence, and the client's questions with whether each was answered. Rendered for
    /// the caller under the same rules as `document`, `forClient` included: a client's copy
    /// lists only that client's questions.
    #[graphql(complexity = 100)]
    async fn follow_up_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] format: DocumentFormat,
        for_client: Option<ID>,
    ) -> AppResult<String> {
        let scope = scope(ctx);
        let reader = reader(ctx, self, for_client).await?;
        let snapshot = scope
            .follow_up_snapshot(self.0.incident_id, reader.as_ref())
            .await?;
        Ok(match format {
            DocumentFormat::Markdown => follow_up::markdown(&snapshot),
            DocumentFormat::Html => follow_up::html(&snapshot),
            DocumentFormat::StandaloneHtml => follow_up::standalone_html(&snapshot),
        })
    }

    /// The links that show one client's copy to contacts without accounts, newest first,
    /// with their views. Staff only.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)")]
    async fn share_links(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<super::share_link::ShareLinkConnection> {
        super::share_link::share_links_of(ctx, self.0.incident_id, (first, after, last, before))
            .await
    }

    /// Whether it is fit to share with clients: completeness, blameless language, tone,
    /// specific prevention and cooling off (docs/READINESS.md). `postMortemPublish` refuses
    /// while any finding is a BLOCKER. Staff only. Each costs several statements, so it is
    /// priced for at most 50 post-mortems per request.
    #[graphql(complexity = 200)]
    async fn readiness(&self, ctx: &Context<'_>) -> AppResult<Readiness> {
        Ok(scope(ctx).readiness(self.0.incident_id).await?.into())
    }

    /// When the post-mortem was created (with its incident).
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When it last changed.
    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }
}

/// Whose copy of `post_mortem`'s documents the caller gets (see `Scope::document_reader`).
async fn reader(
    ctx: &Context<'_>,
    post_mortem: &PostMortem,
    for_client: Option<ID>,
) -> AppResult<Option<entity::client::Model>> {
    let for_client = for_client
        .map(|id| ids::decode(&id, NodeType::Client))
        .transpose()?;
    scope(ctx)
        .document_reader(post_mortem.0.incident_id, for_client)
        .await
}
