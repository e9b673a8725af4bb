//! The one way a change is committed: a transaction that writes, at its end, the audit
//! entry of each change, the events the domain derives from it, and nothing if it fails.
//!
//! **Event order.** Positions are taken from the tenant's row in `event_sequences` as the
//! very last statement before COMMIT, and that row stays locked until COMMIT. So the
//! transaction that takes position *n* has committed before any other can take *n + 1*: a
//! reader that sees position *n + 1* already sees every position up to it, and paging on
//! with "position > cursor" never skips a transaction that began earlier but committed
//! later. The lock is held only for two statements, and its holder waits for no other lock,
//! so it cannot deadlock with the row locks a write took earlier. SQLite has one writer at a
//! time (`BEGIN IMMEDIATE`), which gives the same order trivially.

use crate::auth::Principal;
use crate::domain::changes::Changes;
use crate::domain::event::Action;
use crate::domain::time;
use chrono::{DateTime, Utc};
use entity::{EventType, audit_entry, event, event_sequence};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, Set, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

/// One change a write commits: its audit entry, and from it its events.
pub(super) struct Change {
    pub action: Action,
    /// The GraphQL type name of what changed, e.g. `PostMortem`.
    pub subject_type: &'static str,
    pub subject_id: Uuid,
    /// The incident the subject belongs to, when there is one.
    pub incident_id: Option<Uuid>,
    pub changes: Changes,
}

/// An event that no audit entry of its own stands for: a measure a publication froze, or a
/// deadline that passed.
pub(super) struct NewEvent {
    pub event_type: EventType,
    pub subject_type: &'static str,
    pub subject_id: Uuid,
    pub incident_id: Option<Uuid>,
    pub changed_fields: Vec<String>,
    pub deadline: Option<DateTime<Utc>>,
}

/// A write in progress. Dropping it without [`Write::commit`] rolls everything back.
pub(super) struct Write {
    txn: DatabaseTransaction,
    tenant_id: Uuid,
    actor_id: Option<Uuid>,
    audit: Vec<audit_entry::ActiveModel>,
    events: Vec<NewEvent>,
}

impl Write {
    /// Starts a write for `principal`. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so concurrent writers wait their turn instead of failing mid-way.
    pub(super) async fn begin(
        db: &DatabaseConnection,
        principal: &Principal,
    ) -> Result<Self, DbErr> {
        let txn = db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await?;
        Ok(Self {
            txn,
            tenant_id: principal.tenant_id(),
            actor_id: principal.user_id(),
            audit: Vec::new(),
            events: Vec::new(),
        })
    }

    /// The transaction, for the reads and writes the change is made of.
    pub(super) fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Records a change: its audit entry and the events its action writes. A change that
    /// changed no field writes its audit entry (someone asked) but no event (nothing changed).
    pub(super) fn record(&mut self, change: Change) {
        let changes = change.changes.into_json();
        let fields = changes.as_object().cloned().unwrap_or_default();
        let events = if fields.is_empty() {
            Vec::new()
        } else {
            change.action.events(&fields)
        };
        for event_type in events {
            self.events.push(NewEvent {
                event_type,
                subject_type: change.subject_type,
                subject_id: change.subject_id,
                incident_id: change.incident_id,
                changed_fields: fields.keys().cloned().collect(),
                deadline: None,
            });
        }
        self.audit.push(audit_entry::ActiveModel {
            tenant_id: Set(self.tenant_id),
            id: Set(Uuid::now_v7()),
            actor_id: Set(self.actor_id),
            action: Set(change.action.as_str().to_owned()),
            entity_type: Set(change.subject_type.to_owned()),
            entity_id: Set(change.subject_id),
            changes: Set(changes),
            created_at: Set(time::now()),
        });
    }

    /// Adds an event no audit entry stands for.
    pub(super) fn emit(&mut self, event: NewEvent) {
        self.events.push(event);
    }

    /// Takes the tenant's event counter now instead of at commit, for a write that decides
    /// from the events already written what to write (the deadline scheduler). Its holder
    /// still waits for no other lock: it only reads before it commits.
    pub(super) async fn lock_positions(&self) -> Result<(), DbErr> {
        take_positions(&self.txn, self.tenant_id, 0)
            .await
            .map(|_| ())
    }

    /// Writes the audit entries, numbers and writes the events, and commits.
    pub(super) async fn commit(self) -> Result<(), DbErr> {
        if !self.audit.is_empty() {
            audit_entry::Entity::insert_many(self.audit)
                .exec(&self.txn)
                .await?;
        }
        if !self.events.is_empty() {
            let last = take_positions(&self.txn, self.tenant_id, self.events.len()).await?;
            let first = last - self.events.len() as i64 + 1;
            let now = time::now();
            let rows =
                self.events
                    .into_iter()
                    .zip(first..)
                    .map(|(e, position)| event::ActiveModel {
                        tenant_id: Set(self.tenant_id),
                        id: Set(Uuid::now_v7()),
                        position: Set(position),
                        event_type: Set(e.event_type),
                        occurred_at: Set(now),
                        actor_id: Set(e.deadline.is_none().then_some(self.actor_id).flatten()),
                        incident_id: Set(e.incident_id),
                        subject_type: Set(e.subject_type.to_owned()),
                        subject_id: Set(e.subject_id),
                        changed_fields: Set(json!(e.changed_fields)),
                        deadline: Set(e.deadline),
                    });
            event::Entity::insert_many(rows).exec(&self.txn).await?;
        }
        self.txn.commit().await
    }
}

/// Advances the tenant's counter by `count` and returns the last position taken; the row
/// stays locked until the transaction ends.
async fn take_positions(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    count: usize,
) -> Result<i64, DbErr> {
    let count = count as i64;
    let counter = event_sequence::ActiveModel {
        tenant_id: Set(tenant_id),
        last_position: Set(count),
        purged_through: Set(0),
    };
    let bumped = event_sequence::Entity::insert(counter)
        .on_conflict(
            OnConflict::column(event_sequence::Column::TenantId)
                .value(
                    event_sequence::Column::LastPosition,
                    Expr::col((event_sequence::Entity, event_sequence::Column::LastPosition))
                        .add(count),
                )
                .to_owned(),
        )
        .exec_with_returning(txn)
        .await?;
    Ok(bumped.last_position)
}
