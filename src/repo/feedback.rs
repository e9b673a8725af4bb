//! Client feedback: threads of questions, concerns and suggestions, and their replies.

use super::grouping;
use super::outcome::{Outcome, WriteError};
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::Scope;
use super::write::{Change, Write};
use crate::domain::changes::Changes;
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::{feedback as rules, time};
use crate::error::{AppError, AppResult};
use chrono::TimeDelta;
use entity::{FeedbackKind, FeedbackStatus, feedback, feedback_reply, user};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A new thread, its text already validated.
pub struct NewFeedback {
    pub incident_id: Uuid,
    pub kind: FeedbackKind,
    pub body: String,
    pub confidence: Option<i32>,
}

pub(super) fn oldest_first() -> Ordering<feedback::Entity> {
    Ordering {
        column: feedback::Column::Id,
        kind: KeyKind::Id,
        id: feedback::Column::Id,
        direction: Direction::Asc,
        key: |m| Key {
            value: KeyValue::Id(m.id),
            id: m.id,
        },
    }
}

/// The first page of an incident's threads, from the rows [`List::Feedback`] batched.
///
/// [`List::Feedback`]: super::batch::List::Feedback
pub fn first_page(rows: Vec<feedback::Model>, size: u64) -> Page<feedback::Model> {
    page::leading(rows, size, oldest_first().key)
}

impl Scope {
    /// The threads the caller may see: every thread for staff and reporters (reporters
    /// without bodies), their own client's threads for a CLIENT user.
    pub(in crate::repo) fn visible_feedback(&self) -> Select<feedback::Entity> {
        let select = self.select::<feedback::Entity>();
        if self.principal().can(Capability::ReadCatalog) {
            return select;
        }
        match self.principal().client_id() {
            Some(own) => select.filter(feedback::Column::ClientId.eq(own)),
            None => select.filter(sea_orm::sea_query::Expr::value(false)),
        }
    }

    /// One thread, if the caller may see it and its incident.
    pub async fn feedback(&self, id: Uuid) -> AppResult<feedback::Model> {
        self.feedback_in(self.db(), id).await
    }

    async fn feedback_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<feedback::Model> {
        let thread = self
            .visible_feedback()
            .filter(feedback::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(AppError::not_found("feedback"))?;
        self.require_visible_incident(db, thread.incident_id, "feedback")
            .await?;
        Ok(thread)
    }

    fn feedback_of_incident_select(
        &self,
        incident_id: Uuid,
        status: Option<FeedbackStatus>,
    ) -> Select<feedback::Entity> {
        let mut select = self
            .visible_feedback()
            .filter(feedback::Column::IncidentId.eq(incident_id));
        if let Some(status) = status {
            select = select.filter(feedback::Column::Status.eq(status.to_value()));
        }
        select
    }

    /// An incident's threads, oldest first.
    pub async fn feedback_of_incident(
        &self,
        incident_id: Uuid,
        status: Option<FeedbackStatus>,
        request: &PageRequest,
    ) -> AppResult<Page<feedback::Model>> {
        page::fetch(
            self.db(),
            self.feedback_of_incident_select(incident_id, status),
            &oldest_first(),
            request,
        )
        .await
    }

    /// The replies of each thread, oldest first (one statement).
    pub async fn replies_of_feedback(
        &self,
        ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, Vec<feedback_reply::Model>>> {
        let rows = self
            .select::<feedback_reply::Entity>()
            .filter(feedback_reply::Column::FeedbackId.is_in(ids.iter().copied()))
            .order_by_asc(feedback_reply::Column::Id)
            .all(self.db())
            .await?;
        Ok(grouping::by_parent(rows, |row| row.feedback_id))
    }

    /// Opens a thread on a published post-mortem that concerns the caller's client. CLIENT
    /// users only, at most `per_hour` threads an hour each (RATE_LIMITED past that).
    pub async fn feedback_submit(
        &self,
        new: NewFeedback,
        per_hour: u32,
    ) -> Outcome<feedback::Model> {
        self.principal().require(Capability::SubmitFeedback)?;
        let (Some(author), Some(client)) =
            (self.principal().user_id(), self.principal().client_id())
        else {
            return Err(WriteError::Failed(AppError::forbidden(
                "only a client contact can send feedback",
            )));
        };
        let mut write = self.begin_write().await?;
        let incident = self.incident_in(write.txn(), new.incident_id).await?;
        self.require_under_hourly_limit(&write, author, per_hour)
            .await?;
        let now = time::now();
        let saved = self
            .insert(feedback::ActiveModel {
                tenant_id: Set(self.tenant_id()),
                id: Set(Uuid::now_v7()),
                incident_id: Set(incident.id),
                client_id: Set(client),
                author_id: Set(author),
                kind: Set(new.kind),
                body: Set(new.body),
                confidence: Set(new.confidence),
                status: Set(FeedbackStatus::Open),
                first_response_at: Set(None),
                closed_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(write.txn())
            .await?;
        let changes = rules::submitted(&saved);
        write.record(feedback_change(Action::FeedbackSubmit, &saved, changes));
        write.commit().await?;
        Ok(saved)
    }

    /// Fails with RATE_LIMITED when `author` opened `per_hour` threads in the last hour.
    /// Holding the author's row makes the count exact under concurrent submissions.
    async fn require_under_hourly_limit(
        &self,
        write: &Write,
        author: Uuid,
        per_hour: u32,
    ) -> Outcome<()> {
        self.select::<user::Entity>()
            .filter(user::Column::Id.eq(author))
            .lock_exclusive()
            .one(write.txn())
            .await?;
        let recent = self
            .select::<feedback::Entity>()
            .filter(feedback::Column::AuthorId.eq(author))
            .filter(feedback::Column::CreatedAt.gt(time::now() - TimeDelta::hours(1)))
            .count(write.txn())
            .await?;
        if recent >= u64::from(per_hour) {
            return Err(WriteError::Failed(AppError::RateLimited(format!(
                "at most {per_hour} feedback threads an hour; try again later"
            ))));
        }
        Ok(())
    }

    /// Adds a reply. Staff (ADMIN, EDITOR) may reply to any thread, a CLIENT user to their own
    /// client's threads. The first staff reply answers the thread; the client following up on
    /// an answer reopens it.
    pub async fn feedback_reply(
        &self,
        feedback_id: Uuid,
        body: String,
    ) -> Outcome<(feedback_reply::Model, feedback::Model)> {
        let from_staff = self.principal().can(Capability::AnswerFeedback);
        if !from_staff && !self.principal().can(Capability::SubmitFeedback) {
            return Err(WriteError::Failed(AppError::forbidden(
                "only staff and the client's own contacts can reply",
            )));
        }
        let author = self
            .principal()
            .user_id()
            .ok_or_else(|| AppError::forbidden("replies need a signed-in user"))?;
        let mut write = self.begin_write().await?;
        let old = self.feedback_in(write.txn(), feedback_id).await?;
        rules::open(old.status, false)?;
        let now = time::now();
        let reply = self
            .insert(feedback_reply::ActiveModel {
                tenant_id: Set(self.tenant_id()),
                id: Set(Uuid::now_v7()),
                feedback_id: Set(old.id),
                author_id: Set(author),
                from_staff: Set(from_staff),
                body: Set(body),
                created_at: Set(now),
            })
            .exec_with_returning(write.txn())
            .await?;
        let mut row = old.clone().into_active_model();
        row.status = Set(rules::after_reply(old.status, from_staff));
        if from_staff && old.first_response_at.is_none() {
            row.first_response_at = Set(Some(now));
        }
        row.updated_at = Set(now);
        let saved = row.update(write.txn()).await?;
        let changes = rules::replied(&old, &saved, &reply);
        write.record(feedback_change(Action::FeedbackReply, &saved, changes));
        write.commit().await?;
        Ok((reply, saved))
    }

    /// Closes a thread: staff, or the client user who opened it.
    pub async fn feedback_close(&self, feedback_id: Uuid) -> Outcome<feedback::Model> {
        let mut write = self.begin_write().await?;
        let old = self.feedback_in(write.txn(), feedback_id).await?;
        let opener = self.principal().user_id() == Some(old.author_id);
        if !opener && !self.principal().can(Capability::AnswerFeedback) {
            return Err(WriteError::Failed(AppError::forbidden(
                "only staff or the client who opened the thread can close it",
            )));
        }
        rules::open(old.status, true)?;
        let now = time::now();
        let mut row = old.clone().into_active_model();
        row.status = Set(FeedbackStatus::Closed);
        row.closed_at = Set(Some(now));
        row.updated_at = Set(now);
        let saved = row.update(write.txn()).await?;
        let changes = rules::status_changes(&old, &saved);
        write.record(feedback_change(Action::FeedbackClose, &saved, changes));
        write.commit().await?;
        Ok(saved)
    }
}

/// The audit entry and events of a change to the thread `saved`.
fn feedback_change(action: Action, saved: &feedback::Model, changes: Changes) -> Change {
    Change {
        action,
        subject_type: "Feedback",
        subject_id: saved.id,
        incident_id: Some(saved.incident_id),
        changes,
    }
}
