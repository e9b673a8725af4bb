//! The post-mortem: its client-facing sections, publication, and the written summary.

use super::readiness::{Readiness, ReadinessFinding};
use super::review::EffectivenessReview;
use crate::domain::policy::Capability;
use crate::domain::{
    Checks, FieldError, document, follow_up, post_mortem as rules, review, text, time,
};
use crate::error::AppResult;
use crate::graphql::context::{load, scope};
use crate::graphql::enums::{DocumentFormat, PostMortemStatus};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::incidents::Incident;
use crate::graphql::loaders::{RatingsOfIncident, ReviewsByIncident};
use crate::graphql::payload::answer;
use crate::graphql::payload::payload;
use crate::graphql::record::confidence::ConfidenceRating;
use crate::graphql::scalars::Timestamp;
use crate::repo::post_mortems::PostMortemChanges;
use async_graphql::{Context, ID, InputObject, Object};
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

/// New text for the sections, made against the `version` the editor read; omitted sections
/// keep their text.
#[derive(InputObject)]
pub struct PostMortemUpdateInput {
    pub post_mortem_id: ID,
    pub version: i32,
    pub impact_summary: Option<String>,
    pub went_well: Option<String>,
    pub could_be_better: Option<String>,
    pub lessons_learned: Option<String>,
}

/// The post-mortem to publish.
#[derive(InputObject)]
pub struct PostMortemPublishInput {
    pub post_mortem_id: ID,
    /// Publishes despite blocking readiness findings. ADMIN only (an EDITOR gets FORBIDDEN);
    /// the reason and the findings overridden are recorded in the audit log. An unresolved
    /// incident cannot be overridden.
    #[graphql(name = "override")]
    pub override_blockers: Option<PublishOverrideInput>,
}

/// Why the post-mortem is published despite its blocking findings.
#[derive(InputObject)]
pub struct PublishOverrideInput {
    /// Required; at most 2,000 characters.
    pub reason: String,
}

/// When the client meeting is held.
#[derive(InputObject)]
pub struct PostMortemScheduleMeetingInput {
    pub post_mortem_id: ID,
    /// The meeting time; null cancels the meeting.
    pub meeting_at: Option<Timestamp>,
}

/// The result of `postMortemScheduleMeeting`.
#[derive(async_graphql::SimpleObject)]
pub struct PostMortemScheduleMeetingPayload {
    /// The post-mortem with its meeting; null when there are user errors.
    pub post_mortem: Option<PostMortem>,
    /// The cooling-off findings about the meeting: too soon after resolution, or before the
    /// written summary is published. Warnings only: the meeting is stored either way.
    pub findings: Vec<ReadinessFinding>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<crate::graphql::errors::UserError>,
}

/// The post-mortem to take back to DRAFT, and why.
#[derive(InputObject)]
pub struct PostMortemUnpublishInput {
    pub post_mortem_id: ID,
    /// Why it is withdrawn; recorded in the audit log.
    pub reason: String,
}

payload!(
    /// The result of a post-mortem mutation.
    PostMortemPayload, post_mortem: PostMortem, post_mortem::Model
);

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

/// Post-mortem mutations. ADMIN or EDITOR.
#[derive(Default)]
pub struct PostMortemMutation;

#[Object]
impl PostMortemMutation {
    /// Edits the sections, unless someone saved since `version` (CONFLICT). ADMIN or EDITOR.
    async fn post_mortem_update(
        &self,
        ctx: &Context<'_>,
        input: PostMortemUpdateInput,
    ) -> AppResult<PostMortemPayload> {
        let writer = scope(ctx).writer()?;
        let incident_id = ids::decode(&input.post_mortem_id, NodeType::PostMortem)?;
        answer(
            async {
                writer
                    .post_mortem_update(incident_id, input.try_into()?)
                    .await
            }
            .await,
        )
    }

    /// Stores the client meeting (null cancels it) and returns the cooling-off findings
    /// about it. ADMIN or EDITOR.
    async fn post_mortem_schedule_meeting(
        &self,
        ctx: &Context<'_>,
        input: PostMortemScheduleMeetingInput,
    ) -> AppResult<PostMortemScheduleMeetingPayload> {
        let writer = scope(ctx).writer()?;
        let incident_id = ids::decode(&input.post_mortem_id, NodeType::PostMortem)?;
        let checked = input.meeting_at.map(|at| time::in_range("meetingAt", at.0));
        let meeting_at = match checked.transpose() {
            Ok(at) => at.map(time::to_storage_precision),
            Err(error) => {
                return Ok(PostMortemScheduleMeetingPayload {
                    post_mortem: None,
                    findings: vec![],
                    user_errors: crate::graphql::errors::user_errors(vec![error]),
                });
            }
        };
        let (saved, findings) = writer
            .post_mortem_schedule_meeting(incident_id, meeting_at)
            .await?;
        Ok(PostMortemScheduleMeetingPayload {
            post_mortem: Some(saved.into()),
            findings: findings.into_iter().map(Into::into).collect(),
            user_errors: vec![],
        })
    }

    /// Shares a resolved incident's post-mortem with the impacted clients, sets
    /// `reviewDueAt`, and freezes every measure's `committedDueOn`. Refused while readiness
    /// findings are BLOCKERs: each comes back as a user error with the finding's code and
    /// its path as `field`, and nothing changes. ADMIN or EDITOR; only an ADMIN may
    /// `override`.
    async fn post_mortem_publish(
        &self,
        ctx: &Context<'_>,
        input: PostMortemPublishInput,
    ) -> AppResult<PostMortemPayload> {
        let writer = scope(ctx).writer()?;
        let incident_id = ids::decode(&input.post_mortem_id, NodeType::PostMortem)?;
        let reason = override_reason(input.override_blockers);
        answer(async { writer.post_mortem_publish(incident_id, reason?).await }.await)
    }

    /// Takes a published post-mortem back to DRAFT; the reason is audited. ADMIN or EDITOR.
    async fn post_mortem_unpublish(
        &self,
        ctx: &Context<'_>,
        input: PostMortemUnpublishInput,
    ) -> AppResult<PostMortemPayload> {
        let writer = scope(ctx).writer()?;
        let incident_id = ids::decode(&input.post_mortem_id, NodeType::PostMortem)?;
        match text::required("reason", &input.reason, rules::REASON_MAX) {
            Ok(reason) => answer(writer.post_mortem_unpublish(incident_id, reason).await),
            Err(error) => Ok(Err(vec![error]).into()),
        }
    }
}

/// The reason of an override, checked at the edge; its errors are on `["override", "reason"]`.
fn override_reason(blockers: Option<PublishOverrideInput>) -> Result<Option<String>, FieldError> {
    let Some(blockers) = blockers else {
        return Ok(None);
    };
    text::required("reason", &blockers.reason, rules::REASON_MAX)
        .map(Some)
        .map_err(|mut error| {
            error.field.insert(0, "override".into());
            error
        })
}

impl TryFrom<PostMortemUpdateInput> for PostMortemChanges {
    type Error = Vec<FieldError>;

    fn try_from(input: PostMortemUpdateInput) -> Result<Self, Self::Error> {
        let section = |field: &str, value: Option<String>| {
            value.map(|text| rules::section(field, &text)).transpose()
        };
        let (impact_summary, went_well, could_be_better, lessons_learned) = (
            section("impactSummary", input.impact_summary),
            section("wentWell", input.went_well),
            section("couldBeBetter", input.could_be_better),
            section("lessonsLearned", input.lessons_learned),
        )
            .all()?;
        Ok(PostMortemChanges {
            version: input.version,
            impact_summary,
            went_well,
            could_be_better,
            lessons_learned,
        })
    }
}
