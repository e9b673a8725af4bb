//! The client channel: feedback threads on published post-mortems, and their replies.

use crate::domain::feedback as rules;
use crate::domain::policy::Capability;
use crate::domain::{Checks, time};
use crate::error::{AppError, AppResult};
use crate::graphql::connection::connection;
use crate::graphql::context::{load, scope};
use crate::graphql::directory::user::User;
use crate::graphql::enums::{FeedbackKind, FeedbackStatus};
use crate::graphql::errors::{UserError, user_errors};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::incidents::Incident;
use crate::graphql::loaders::{IncidentsById, OwnTenant, RepliesOfFeedback, UsersById};
use crate::graphql::payload::payload;
use crate::graphql::payload::{Checked, answer};
use crate::graphql::scalars::Timestamp;
use crate::repo::WriteError;
use crate::repo::feedback::NewFeedback;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::{feedback, feedback_reply};

/// How many threads a client contact may open per hour, set at start-up.
#[derive(Debug, Clone, Copy)]
pub struct FeedbackRateLimit(pub u32);

/// Reporters may count feedback but not read what clients wrote.
fn require_body_access(ctx: &Context<'_>) -> AppResult<()> {
    let principal = scope(ctx).principal();
    if principal.can(Capability::ReadInternal) || principal.can(Capability::SubmitFeedback) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "feedback bodies are for staff and the client's own contacts",
        ))
    }
}

/// A client's question, concern or suggestion, and the conversation that followed.
pub struct Feedback(pub feedback::Model);

impl From<feedback::Model> for Feedback {
    fn from(model: feedback::Model) -> Self {
        Self(model)
    }
}

/// A client's question, concern or suggestion, and the conversation that followed.
#[Object]
impl Feedback {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Feedback, self.0.id)
    }

    async fn kind(&self) -> FeedbackKind {
        self.0.kind.into()
    }

    /// The incident the thread is about.
    async fn incident(&self, ctx: &Context<'_>) -> AppResult<Incident> {
        load::<IncidentsById, _>(ctx, self.0.incident_id)
            .await?
            .map(Incident)
            .ok_or(AppError::not_found("incident"))
    }

    /// What the client wrote. Not for reporters.
    async fn body(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        require_body_access(ctx)?;
        Ok(Some(&self.0.body))
    }

    /// 1..5: how confident the client is that this will not happen again.
    async fn confidence(&self) -> Option<i32> {
        self.0.confidence
    }

    async fn status(&self) -> FeedbackStatus {
        self.0.status.into()
    }

    /// The client contact who opened the thread. Staff only.
    async fn author(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        Ok(load::<UsersById, _>(ctx, self.0.author_id).await?.map(User))
    }

    /// The replies, oldest first.
    async fn replies(&self, ctx: &Context<'_>) -> AppResult<Vec<FeedbackReply>> {
        let replies = load::<RepliesOfFeedback, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(replies.into_iter().map(FeedbackReply).collect())
    }

    /// When staff first replied.
    async fn first_response_at(&self) -> Option<Timestamp> {
        self.0.first_response_at.map(Timestamp)
    }

    /// True while the thread is OPEN, past the tenant's answer SLA, with no staff reply yet.
    async fn overdue(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let tenant = load::<OwnTenant, _>(ctx, ()).await?;
        let sla = tenant.map_or(48, |t| t.feedback_answer_sla_hours);
        Ok(rules::overdue(
            self.0.status,
            self.0.first_response_at,
            self.0.created_at,
            sla,
            time::now(),
        ))
    }

    /// When the thread was closed.
    async fn closed_at(&self) -> Option<Timestamp> {
        self.0.closed_at.map(Timestamp)
    }

    /// When the thread was opened.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When the thread last changed.
    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }
}

connection!(FeedbackConnection, FeedbackEdge, Feedback, feedback::Model);

/// One reply in a feedback thread.
pub struct FeedbackReply(pub feedback_reply::Model);

/// One reply in a feedback thread.
#[Object]
impl FeedbackReply {
    /// The reply, in plain text or Markdown. Not for reporters.
    async fn body(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        require_body_access(ctx)?;
        Ok(Some(&self.0.body))
    }

    /// Whether the provider's staff wrote it (otherwise the client did).
    async fn from_staff(&self) -> bool {
        self.0.from_staff
    }

    /// Who wrote it. Staff only; clients see `fromStaff`.
    async fn author(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        Ok(load::<UsersById, _>(ctx, self.0.author_id).await?.map(User))
    }

    /// When it was written.
    async fn at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// A new thread on a published post-mortem that concerns the caller's client.
#[derive(InputObject)]
pub struct FeedbackSubmitInput {
    pub incident_id: ID,
    pub kind: FeedbackKind,
    /// 1 to 5,000 characters.
    pub body: String,
    /// 1..5: "how confident are you this will not happen again?"
    pub confidence: Option<i32>,
}

/// A reply to a thread.
#[derive(InputObject)]
pub struct FeedbackReplyInput {
    pub feedback_id: ID,
    /// 1 to 5,000 characters.
    pub body: String,
}

/// The thread to close.
#[derive(InputObject)]
pub struct FeedbackCloseInput {
    pub feedback_id: ID,
}

payload!(
    /// The result of `feedbackSubmit` and `feedbackClose`.
    FeedbackPayload, feedback: Feedback, feedback::Model
);

/// The result of `feedbackReply`.
#[derive(SimpleObject)]
pub struct FeedbackReplyPayload {
    /// The new reply; null when there are user errors.
    pub reply: Option<FeedbackReply>,
    /// The thread, with its status after the reply.
    pub feedback: Option<Feedback>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<UserError>,
}

impl From<Checked<(feedback_reply::Model, feedback::Model)>> for FeedbackReplyPayload {
    fn from(result: Checked<(feedback_reply::Model, feedback::Model)>) -> Self {
        match result {
            Ok((reply, thread)) => Self {
                reply: Some(FeedbackReply(reply)),
                feedback: Some(Feedback(thread)),
                user_errors: vec![],
            },
            Err(errors) => Self {
                reply: None,
                feedback: None,
                user_errors: user_errors(errors),
            },
        }
    }
}

/// Feedback mutations.
#[derive(Default)]
pub struct FeedbackMutation;

#[Object]
impl FeedbackMutation {
    /// Opens a thread on a published post-mortem of an incident that impacted the caller's
    /// client. CLIENT users only; rate-limited per user (RATE_LIMITED).
    async fn feedback_submit(
        &self,
        ctx: &Context<'_>,
        input: FeedbackSubmitInput,
    ) -> AppResult<FeedbackPayload> {
        let scope = scope(ctx);
        scope.principal().require(Capability::SubmitFeedback)?;
        let limit = ctx.data_opt::<FeedbackRateLimit>().map_or(30, |l| l.0);
        answer(async { scope.feedback_submit(input.try_into()?, limit).await }.await)
    }

    /// Replies to a thread: staff to any, a CLIENT user within their own client's threads.
    async fn feedback_reply(
        &self,
        ctx: &Context<'_>,
        input: FeedbackReplyInput,
    ) -> AppResult<FeedbackReplyPayload> {
        let principal = scope(ctx).principal();
        if !principal.can(Capability::AnswerFeedback) && !principal.can(Capability::SubmitFeedback)
        {
            return Err(AppError::forbidden(
                "only staff and the client's own contacts can reply",
            ));
        }
        let id = ids::decode(&input.feedback_id, NodeType::Feedback)?;
        let body = match rules::body(&input.body) {
            Ok(body) => body,
            Err(error) => {
                return Ok(FeedbackReplyPayload {
                    reply: None,
                    feedback: None,
                    user_errors: user_errors(vec![error]),
                });
            }
        };
        answer(scope(ctx).feedback_reply(id, body).await)
    }

    /// Closes a thread: staff, or the client who opened it.
    async fn feedback_close(
        &self,
        ctx: &Context<'_>,
        input: FeedbackCloseInput,
    ) -> AppResult<FeedbackPayload> {
        let id = ids::decode(&input.feedback_id, NodeType::Feedback)?;
        answer(scope(ctx).feedback_close(id).await)
    }
}

impl TryFrom<FeedbackSubmitInput> for NewFeedback {
    type Error = WriteError;

    fn try_from(input: FeedbackSubmitInput) -> Result<Self, WriteError> {
        let incident_id = ids::decode(&input.incident_id, NodeType::Incident)?;
        let (body, confidence) = (
            rules::body(&input.body),
            input.confidence.map(rules::confidence).transpose(),
        )
            .all()?;
        Ok(NewFeedback {
            incident_id,
            kind: input.kind.into(),
            body,
            confidence,
        })
    }
}
