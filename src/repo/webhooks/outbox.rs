//! The outbox the workers drain. A worker leases an endpoint (on PostgreSQL with `FOR UPDATE
//! SKIP LOCKED`, so workers never wait on each other), turns the events committed since the
//! endpoint's mark into deliveries, sends what is due in position order, records each
//! attempt, and releases the lease. One worker at a time delivers to an endpoint, so nothing
//! is sent twice in parallel; a worker that dies holds its lease until it expires, and the
//! next worker sends again what it had in flight (at least once).

use super::Message;
use super::endpoints::{event_types_of, queued};
use crate::domain::event::Action;
use crate::domain::webhook::{self as rules, Next, PAYLOAD_MAX_BYTES};
use crate::error::AppResult;
use crate::repo::scope::Scope;
use crate::repo::write::{Change, Write};
use chrono::{DateTime, Utc};
use entity::{
    DeliveryStatus, event, event_sequence, webhook_attempt, webhook_delivery, webhook_endpoint,
};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict, SelectStatement};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// What one attempt did, as it is kept.
pub struct AttemptRecord {
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub duration_ms: i32,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
}

fn lease_free(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(webhook_endpoint::Column::LeaseExpiresAt.is_null())
        .add(webhook_endpoint::Column::LeaseExpiresAt.lt(now))
}

impl Scope {
    /// Leases up to `limit` enabled endpoints that have events to fan out or deliveries due,
    /// to `owner` until `until`; returns them. Endpoints another worker holds are skipped.
    /// A read looks first, so that a look that finds nothing takes no write lock (on SQLite,
    /// the database's one writer).
    pub async fn lease_endpoints(
        &self,
        owner: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<webhook_endpoint::Model>> {
        use webhook_endpoint::Column as E;
        let with_work = self.endpoints_with_work(now, limit);
        let any: Option<Uuid> = self
            .select::<webhook_endpoint::Entity>()
            .select_only()
            .column(E::Id)
            .filter(E::Id.in_subquery(with_work.clone()))
            .into_tuple()
            .one(self.db())
            .await?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        let claimed = with_work
            .to_owned()
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        Ok(self
            .update::<webhook_endpoint::Entity>()
            .col_expr(E::LeaseOwner, Expr::value(owner))
            .col_expr(E::LeaseExpiresAt, Expr::value(until))
            .filter(E::Id.in_subquery(claimed))
            .filter(lease_free(now))
            .exec_with_returning(self.db())
            .await?)
    }

    /// The ids of up to `limit` enabled, unleased endpoints with events past their mark or
    /// deliveries due at `now`.
    fn endpoints_with_work(&self, now: DateTime<Utc>, limit: u64) -> SelectStatement {
        use webhook_endpoint::Column as E;
        let last_position = self
            .query::<event_sequence::Entity>()
            .column(event_sequence::Column::LastPosition)
            .to_owned();
        let due = self
            .query::<webhook_delivery::Entity>()
            .expr(Expr::val(1))
            .and_where(
                Expr::col((
                    webhook_delivery::Entity,
                    webhook_delivery::Column::EndpointId,
                ))
                .equals((webhook_endpoint::Entity, E::Id)),
            )
            .and_where(webhook_delivery::Column::NextAttemptAt.lte(now))
            .to_owned();
        self.query::<webhook_endpoint::Entity>()
            .column(E::Id)
            .and_where(E::Enabled.eq(true))
            .cond_where(lease_free(now))
            .cond_where(
                Condition::any()
                    .add(Expr::col(E::ScannedThrough).lt(last_position))
                    .add(Expr::exists(due)),
            )
            .limit(limit)
            .to_owned()
    }

    /// The endpoint as it is now, while `owner` holds its lease and it is enabled; a read,
    /// so a worker can see an ADMIN's changes without writing.
    pub async fn leased_endpoint(
        &self,
        endpoint_id: Uuid,
        owner: Uuid,
    ) -> AppResult<Option<webhook_endpoint::Model>> {
        use webhook_endpoint::Column as E;
        Ok(self
            .select::<webhook_endpoint::Entity>()
            .filter(E::Id.eq(endpoint_id))
            .filter(E::LeaseOwner.eq(owner))
            .filter(E::Enabled.eq(true))
            .one(self.db())
            .await?)
    }

    /// Extends `owner`'s lease and reads the endpoint afresh (an ADMIN may have changed its
    /// URL or secret); `None` when the lease was lost or the endpoint disabled or deleted.
    pub async fn renew_lease(
        &self,
        endpoint_id: Uuid,
        owner: Uuid,
        until: DateTime<Utc>,
    ) -> AppResult<Option<webhook_endpoint::Model>> {
        use webhook_endpoint::Column as E;
        let renewed = self
            .update::<webhook_endpoint::Entity>()
            .col_expr(E::LeaseExpiresAt, Expr::value(until))
            .filter(E::Id.eq(endpoint_id))
            .filter(E::LeaseOwner.eq(owner))
            .filter(E::Enabled.eq(true))
            .exec_with_returning(self.db())
            .await?;
        Ok(renewed.into_iter().next())
    }

    /// Gives the endpoint back, so the next worker need not wait for the lease to expire.
    pub async fn release_lease(&self, endpoint_id: Uuid, owner: Uuid) -> AppResult<()> {
        use webhook_endpoint::Column as E;
        self.update::<webhook_endpoint::Entity>()
            .col_expr(E::LeaseOwner, Expr::value(Option::<Uuid>::None))
            .col_expr(
                E::LeaseExpiresAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(E::Id.eq(endpoint_id))
            .filter(E::LeaseOwner.eq(owner))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Turns up to `batch` events after the endpoint's mark into deliveries (those of the
    /// types it asks for), moves the mark past them, and updates `endpoint` to the row as it
    /// now is. Positions follow
    /// commit order, so reading past the mark never skips an event that commits later.
    /// Returns how many events it read, or `None` when `owner` no longer holds the endpoint
    /// (its lease lost, or the endpoint deleted): then nothing is written.
    pub async fn fan_out(
        &self,
        endpoint: &mut webhook_endpoint::Model,
        owner: Uuid,
        batch: u64,
        message: impl Fn(&event::Model) -> Message,
    ) -> AppResult<Option<usize>> {
        let events = self
            .select::<event::Entity>()
            .filter(event::Column::Position.gt(endpoint.scanned_through))
            .order_by_asc(event::Column::Position)
            .limit(batch)
            .all(self.db())
            .await?;
        let Some(last) = events.last().map(|e| e.position) else {
            return Ok(Some(0));
        };
        let write = self.begin_write().await?;
        // The mark moves first: it locks the endpoint's row, so a deletion either went
        // before (and nothing is written) or waits until the deliveries are in; and the row
        // it returns has the event types an ADMIN last saved.
        let held = self
            .update::<webhook_endpoint::Entity>()
            .col_expr(webhook_endpoint::Column::ScannedThrough, Expr::value(last))
            .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
            .filter(webhook_endpoint::Column::LeaseOwner.eq(owner))
            .exec_with_returning(write.txn())
            .await?;
        let Some(fresh) = held.into_iter().next() else {
            return Ok(None);
        };
        let rows = deliveries_for(self, &fresh, &events, message);
        if !rows.is_empty() {
            use webhook_delivery::Column as D;
            self.insert_many(rows)
                .on_conflict(
                    OnConflict::columns([D::TenantId, D::EndpointId, D::EventId])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(write.txn())
                .await?;
        }
        write.commit().await?;
        *endpoint = fresh;
        Ok(Some(events.len()))
    }

    /// Up to `limit` of the endpoint's deliveries due at `now`, in position order.
    pub async fn due_deliveries(
        &self,
        endpoint_id: Uuid,
        now: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<webhook_delivery::Model>> {
        use webhook_delivery::Column as D;
        Ok(self
            .select::<webhook_delivery::Entity>()
            .filter(D::EndpointId.eq(endpoint_id))
            .filter(D::NextAttemptAt.lte(now))
            .order_by_asc(D::Position)
            .order_by_asc(D::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// Keeps an attempt, moves its delivery on to what `next` says, and keeps the endpoint's
    /// run of failures; disabling the endpoint is audited like an ADMIN's change.
    pub async fn record_attempt(
        &self,
        endpoint: &webhook_endpoint::Model,
        delivery: &webhook_delivery::Model,
        attempt: AttemptRecord,
        next: &Next,
    ) -> AppResult<()> {
        let mut write = self.begin_write().await?;
        let at = attempt.at;
        // The endpoint's row before the delivery's, in the order its deletion takes them.
        self.follow_endpoint(&mut write, endpoint, next, at).await?;
        self.insert(attempt_row(self, delivery.id, attempt).into_active_model())
            .exec(write.txn())
            .await?;
        let (status, next_attempt_at, failures) = rules::delivery_after(next, delivery.failures);
        use webhook_delivery::Column as D;
        self.update::<webhook_delivery::Entity>()
            .col_expr(D::Status, Expr::value(status.to_value()))
            .col_expr(D::NextAttemptAt, Expr::value(next_attempt_at))
            .col_expr(D::Failures, Expr::value(failures))
            .col_expr(D::AttemptCount, Expr::col(D::AttemptCount).add(1))
            .col_expr(D::UpdatedAt, Expr::value(at))
            .filter(D::Id.eq(delivery.id))
            .exec(write.txn())
            .await?;
        write.commit().await?;
        Ok(())
    }

    /// Keeps the endpoint's run of failures (its start, or none after a success), or
    /// disables it, audited like an ADMIN's change.
    async fn follow_endpoint(
        &self,
        write: &mut Write,
        endpoint: &webhook_endpoint::Model,
        next: &Next,
        at: DateTime<Utc>,
    ) -> AppResult<()> {
        use webhook_endpoint::Column as E;
        let row = self
            .update::<webhook_endpoint::Entity>()
            .filter(E::Id.eq(endpoint.id));
        let failing = endpoint.failing_since.is_some();
        let update = match next {
            Next::Delivered if failing => {
                row.col_expr(E::FailingSince, Expr::value(Option::<DateTime<Utc>>::None))
            }
            Next::RetryAt(_) | Next::GiveUp if !failing => row
                .col_expr(E::FailingSince, Expr::value(at))
                .filter(E::FailingSince.is_null()),
            Next::Disable(reason) => {
                write.record(Change {
                    action: Action::WebhookEndpointDisable,
                    subject_type: "WebhookEndpoint",
                    subject_id: endpoint.id,
                    incident_id: None,
                    changes: rules::disabled_changes(endpoint, reason),
                });
                row.col_expr(E::Enabled, Expr::value(false))
                    .col_expr(E::DisabledAt, Expr::value(at))
                    .col_expr(E::DisabledReason, Expr::value(reason.clone()))
                    .col_expr(E::UpdatedAt, Expr::value(at))
            }
            _ => return Ok(()),
        };
        update.exec(write.txn()).await?;
        Ok(())
    }

    /// Deletes up to `batch` finished deliveries (and their attempts) last touched before
    /// `cutoff`. Returns how many.
    pub async fn purge_deliveries(&self, cutoff: DateTime<Utc>, batch: u64) -> AppResult<u64> {
        use webhook_delivery::Column as D;
        let expired: Vec<Uuid> = self
            .select::<webhook_delivery::Entity>()
            .select_only()
            .column(D::Id)
            .filter(D::NextAttemptAt.is_null())
            .filter(D::UpdatedAt.lt(cutoff))
            .limit(batch)
            .into_tuple()
            .all(self.db())
            .await?;
        if expired.is_empty() {
            return Ok(0);
        }
        // Checked again: a delivery queued again since the read is kept.
        let deleted = self
            .delete::<webhook_delivery::Entity>()
            .filter(D::Id.is_in(expired))
            .filter(D::NextAttemptAt.is_null())
            .exec(self.db())
            .await?;
        Ok(deleted.rows_affected)
    }
}

/// The deliveries `endpoint` is owed for `events`: those of the types it asks for, given up at
/// once when their body would be over the size limit.
fn deliveries_for(
    scope: &Scope,
    endpoint: &webhook_endpoint::Model,
    events: &[event::Model],
    message: impl Fn(&event::Model) -> Message,
) -> Vec<webhook_delivery::ActiveModel> {
    let wanted = event_types_of(endpoint);
    events
        .iter()
        .filter(|e| rules::wants(&wanted, e.event_type))
        .map(|e| {
            let mut row = queued(scope, endpoint, Some(e.id), e.position, message(e));
            if row.payload.len() > PAYLOAD_MAX_BYTES {
                row.status = DeliveryStatus::GaveUp;
                row.next_attempt_at = None;
            }
            row.into_active_model()
        })
        .collect()
}

fn attempt_row(scope: &Scope, delivery_id: Uuid, attempt: AttemptRecord) -> webhook_attempt::Model {
    webhook_attempt::Model {
        tenant_id: scope.tenant_id(),
        id: Uuid::now_v7(),
        delivery_id,
        attempted_at: attempt.at,
        status_code: attempt.status_code.map(i32::from),
        duration_ms: attempt.duration_ms,
        response_excerpt: attempt.response_excerpt,
        error: attempt.error,
    }
}
