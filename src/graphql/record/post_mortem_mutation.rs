//! Post-mortem mutations: editing the sections, scheduling the meeting, publishing and
//! unpublishing, with their inputs and payloads.

use super::post_mortem::PostMortem;
use super::readiness::ReadinessFinding;
use crate::domain::{Checks, FieldError, post_mortem as rules, text, time};
use crate::error::AppResult;
use crate::graphql::context::scope;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::answer;
use crate::graphql::payload::payload;
use crate::graphql::scalars::Timestamp;
use crate::repo::post_mortems::PostMortemChanges;
use async_graphql::{Context, ID, InputObject, Object};
use entity::post_mortem;

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
