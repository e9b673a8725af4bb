//! The email outbox. Workers read each tenant's events after its mark, queue one message per
//! recipient and event (a unique key makes that idempotent; moving the mark is a
//! compare-and-set, so two workers never both queue a batch), gather due digests, and send
//! what is due, each message claimed first (a compare-and-set on its next attempt) so that
//! two workers never send it at once. A worker that dies mid-send leaves its claim to expire,
//! and the next one sends again (at least once).

use crate::error::AppResult;
use crate::repo::scope::Scope;
use chrono::{DateTime, Utc};
use entity::{
    EmailStatus, email_attempt, email_message, event, notification_cursor, unsubscribe_token,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveEnum, ColumnTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// What one sending attempt did, as it is kept.
pub struct EmailAttemptRecord {
    pub at: DateTime<Utc>,
    pub reply_code: Option<u16>,
    pub duration_ms: i32,
    pub error: Option<String>,
}

/// Where a message stands after an attempt.
pub struct EmailNext {
    pub status: EmailStatus,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub failures: i32,
}

impl Scope {
    /// The tenant's mark and up to `batch` events after it, in position order.
    pub async fn events_to_notify(&self, batch: u64) -> AppResult<(i64, Vec<event::Model>)> {
        let mark = self
            .select::<notification_cursor::Entity>()
            .one(self.db())
            .await?
            .map_or(0, |c| c.scanned_through);
        let events = self
            .select::<event::Entity>()
            .filter(event::Column::Position.gt(mark))
            .order_by_asc(event::Column::Position)
            .limit(batch)
            .all(self.db())
            .await?;
        Ok((mark, events))
    }

    /// Queues `messages` and moves the mark from `from` to `to`, in one transaction; false
    /// (and nothing written) when another worker moved the mark first.
    pub async fn queue_emails(
        &self,
        from: i64,
        to: i64,
        messages: Vec<email_message::Model>,
    ) -> AppResult<bool> {
        use notification_cursor::Column as C;
        let write = self.begin_write().await?;
        self.insert(
            notification_cursor::Model {
                tenant_id: self.tenant_id(),
                scanned_through: 0,
            }
            .into_active_model(),
        )
        .on_conflict(OnConflict::column(C::TenantId).do_nothing().to_owned())
        .exec_without_returning(write.txn())
        .await?;
        let moved = self
            .update::<notification_cursor::Entity>()
            .col_expr(C::ScannedThrough, Expr::value(to))
            .filter(C::ScannedThrough.eq(from))
            .exec(write.txn())
            .await?;
        if moved.rows_affected != 1 {
            return Ok(false);
        }
        if !messages.is_empty() {
            use email_message::Column as M;
            self.insert_many(messages.into_iter().map(IntoActiveModel::into_active_model))
                .on_conflict(
                    OnConflict::columns([M::TenantId, M::Recipient, M::EventId])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(write.txn())
                .await?;
        }
        write.commit().await?;
        Ok(true)
    }

    /// Messages held for digests that are due at `now`, by recipient and position.
    pub async fn digest_items_due(
        &self,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<email_message::Model>> {
        use email_message::Column as M;
        Ok(self
            .select::<email_message::Entity>()
            .filter(M::Status.eq(EmailStatus::Queued.to_value()))
            .filter(M::DigestDueAt.lte(now))
            .order_by_asc(M::Recipient)
            .order_by_asc(M::Position)
            .limit(500)
            .all(self.db())
            .await?)
    }

    /// Queues `digest` and marks `items` as gathered into it; false (nothing written) when
    /// another worker gathered any of them first.
    pub async fn queue_digest(
        &self,
        digest: email_message::Model,
        items: &[Uuid],
    ) -> AppResult<bool> {
        use email_message::Column as M;
        let write = self.begin_write().await?;
        let gathered = self
            .update::<email_message::Entity>()
            .col_expr(M::Status, Expr::value(EmailStatus::InDigest.to_value()))
            .col_expr(M::DigestId, Expr::value(digest.id))
            .col_expr(M::UpdatedAt, Expr::value(digest.created_at))
            .filter(M::Id.is_in(items.iter().copied()))
            .filter(M::Status.eq(EmailStatus::Queued.to_value()))
            .exec(write.txn())
            .await?;
        if gathered.rows_affected != items.len() as u64 {
            return Ok(false);
        }
        self.insert(digest.into_active_model())
            .exec(write.txn())
            .await?;
        write.commit().await?;
        Ok(true)
    }

    /// Up to `limit` messages due at `now`, oldest first.
    pub async fn due_emails(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<email_message::Model>> {
        use email_message::Column as M;
        Ok(self
            .select::<email_message::Entity>()
            .filter(M::NextAttemptAt.lte(now))
            .order_by_asc(M::NextAttemptAt)
            .order_by_asc(M::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// Claims `message` until `until` (its next attempt moves there, so no other worker finds
    /// it due); false when another worker claimed or sent it since it was read.
    pub async fn claim_email(
        &self,
        message: &email_message::Model,
        until: DateTime<Utc>,
    ) -> AppResult<bool> {
        use email_message::Column as M;
        let claimed = self
            .update::<email_message::Entity>()
            .col_expr(M::NextAttemptAt, Expr::value(until))
            .filter(M::Id.eq(message.id))
            .filter(M::NextAttemptAt.eq(message.next_attempt_at))
            .filter(M::AttemptCount.eq(message.attempt_count))
            .exec(self.db())
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    /// Keeps an attempt (none when `attempt` is `None`: the message was dropped unsent) and
    /// moves the message on to `next`.
    pub async fn record_email_attempt(
        &self,
        message: &email_message::Model,
        attempt: Option<EmailAttemptRecord>,
        next: EmailNext,
        at: DateTime<Utc>,
    ) -> AppResult<()> {
        use email_message::Column as M;
        let write = self.begin_write().await?;
        let tried = attempt.is_some();
        if let Some(attempt) = attempt {
            let row = email_attempt::Model {
                tenant_id: self.tenant_id(),
                id: Uuid::now_v7(),
                message_id: message.id,
                attempted_at: attempt.at,
                reply_code: attempt.reply_code.map(i32::from),
                duration_ms: attempt.duration_ms,
                error: attempt.error,
            };
            self.insert(row.into_active_model())
                .exec(write.txn())
                .await?;
        }
        self.update::<email_message::Entity>()
            .col_expr(M::Status, Expr::value(next.status.to_value()))
            .col_expr(M::NextAttemptAt, Expr::value(next.next_attempt_at))
            .col_expr(M::Failures, Expr::value(next.failures))
            .col_expr(
                M::AttemptCount,
                Expr::value(message.attempt_count + i32::from(tried)),
            )
            .col_expr(M::UpdatedAt, Expr::value(at))
            .filter(M::Id.eq(message.id))
            .exec(write.txn())
            .await?;
        write.commit().await?;
        Ok(())
    }

    /// Deletes up to `batch` finished messages (sent, given up, or gathered into a digest;
    /// their attempts with them) last touched before `cutoff`, and the unsubscribe tokens
    /// issued before `tokens_cutoff`. Returns how many messages.
    pub async fn purge_emails(
        &self,
        cutoff: DateTime<Utc>,
        tokens_cutoff: DateTime<Utc>,
        batch: u64,
    ) -> AppResult<u64> {
        use email_message::Column as M;
        self.delete::<unsubscribe_token::Entity>()
            .filter(unsubscribe_token::Column::CreatedAt.lt(tokens_cutoff))
            .exec(self.db())
            .await?;
        let finished = [
            EmailStatus::Sent,
            EmailStatus::GaveUp,
            EmailStatus::InDigest,
        ]
        .map(|s| s.to_value());
        let expired: Vec<Uuid> = self
            .select::<email_message::Entity>()
            .select_only()
            .column(M::Id)
            .filter(M::Status.is_in(finished.clone()))
            .filter(M::UpdatedAt.lt(cutoff))
            .limit(batch)
            .into_tuple()
            .all(self.db())
            .await?;
        if expired.is_empty() {
            return Ok(0);
        }
        self.delete::<email_attempt::Entity>()
            .filter(email_attempt::Column::MessageId.is_in(expired.clone()))
            .exec(self.db())
            .await?;
        let deleted = self
            .delete::<email_message::Entity>()
            .filter(M::Id.is_in(expired))
            .filter(M::Status.is_in(finished))
            .exec(self.db())
            .await?;
        Ok(deleted.rows_affected)
    }
}
