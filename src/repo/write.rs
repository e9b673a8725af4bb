//! The one way a change is committed: a transaction that writes, at its end, the audit
//! entry of each change, the events the domain derives from it, and nothing if it fails.
//!
//! **Event order.** Positions are taken from the tenant's row in `event_sequences` as the
//! very last statement before COMMIT, and that row stays locked until COMMIT. So the
//! transaction that takes position *n* has committed before any other can take *n + 1*: a
//! reader that sees position *n + 1* already sees every position up to it, and paging on
//! with "position > cursor" never skips a transaction that began earlier but committed
//! later. The lock is held only for two statements, and its holder waits for no other lock
//! (the events' foreign-key check on the tenant row takes FOR KEY SHARE, which the tenant
//! lock of `Scope::begin_tenant_write`, FOR NO KEY UPDATE, does not block), so it cannot
//! deadlock with the row locks a write took earlier. SQLite has one writer at a
//! time (`BEGIN IMMEDIATE`), which gives the same order trivially.

use super::scope::insert_many_of;
use super::tenant_connection::TenantConnection;
use crate::auth::Principal;
use crate::domain::changes::Changes;
use crate::domain::event::Action;
use crate::domain::time;
use chrono::{DateTime, Utc};
use entity::{EventType, audit_entry, event, event_sequence};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::NotSet, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, Set,
    SqliteTransactionMode, Statement, TransactionOptions,
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
    pub(super) async fn begin(db: &TenantConnection, principal: &Principal) -> Result<Self, DbErr> {
        let txn = db
            .begin(TransactionOptions {
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
        let announce = !self.events.is_empty();
        let tenant_id = self.tenant_id;
        if !self.audit.is_empty() {
            insert_many_of(self.tenant_id, self.audit)
                .exec(&self.txn)
                .await?;
        }
        if !self.events.is_empty() {
            let rows = event_rows(self.tenant_id, self.actor_id, self.events);
            match self.txn.get_database_backend() {
                DbBackend::Postgres => insert_numbered(&self.txn, self.tenant_id, rows).await?,
                _ => {
                    let last = take_positions(&self.txn, self.tenant_id, rows.len()).await?;
                    let first = last - rows.len() as i64 + 1;
                    let rows = rows.into_iter().zip(first..).map(|(mut row, position)| {
                        row.position = Set(position);
                        row
                    });
                    insert_many_of(self.tenant_id, rows).exec(&self.txn).await?;
                }
            }
        }
        self.txn.commit().await?;
        if announce {
            super::events::announce_commit(tenant_id);
        }
        Ok(())
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
    #[allow(clippy::disallowed_methods)] // the counter's key is the write's own tenant
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

/// The rows of `events`, committed now, their positions not yet set.
fn event_rows(
    tenant_id: Uuid,
    actor_id: Option<Uuid>,
    events: Vec<NewEvent>,
) -> Vec<event::ActiveModel> {
    let now = time::now();
    events
        .into_iter()
        .map(|e| event::ActiveModel {
            tenant_id: Set(tenant_id),
            id: Set(Uuid::now_v7()),
            position: NotSet,
            event_type: Set(e.event_type),
            occurred_at: Set(now),
            actor_id: Set(e.deadline.is_none().then_some(actor_id).flatten()),
            incident_id: Set(e.incident_id),
            subject_type: Set(e.subject_type.to_owned()),
            subject_id: Set(e.subject_id),
            changed_fields: Set(json!(e.changed_fields)),
            deadline: Set(e.deadline),
        })
        .collect()
}

/// On PostgreSQL, takes the positions, inserts the events and queues the notification that
/// wakes live readers ([`super::events::EVENTS_CHANNEL`], `<tenant id>:<last position>`,
/// marked when the directory changed) in one statement, so the counter's lock is held for
/// that statement and COMMIT only (two round trips fewer per write than taking positions
/// first). PostgreSQL sends the notification at
/// COMMIT, and never for a transaction that rolls back.
async fn insert_numbered(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    rows: Vec<event::ActiveModel>,
) -> Result<(), DbErr> {
    let count = rows.len() as i64;
    let changes_directory = rows.iter().any(|row| {
        matches!(
            &row.event_type,
            sea_orm::ActiveValue::Set(EventType::DirectoryChanged)
        )
    });
    let mark = match changes_directory {
        true => format!(":{}", super::events::DIRECTORY_CHANGED_MARK),
        false => String::new(),
    };
    let mut values: Vec<sea_orm::Value> = vec![tenant_id.into(), count.into(), mark.into()];
    let mut tuples = Vec::with_capacity(rows.len());
    for (ordinal, row) in (1_i64..).zip(rows) {
        let n = values.len();
        tuples.push(format!(
            "(${}::uuid, ${}::bigint, ${}::varchar, ${}::timestamptz, ${}::uuid, ${}::uuid, ${}::varchar, ${}::uuid, ${}::jsonb, ${}::timestamptz)",
            n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, n + 9, n + 10
        ));
        values.extend(
            [
                row.id.into_value(),
                Some(ordinal.into()),
                row.event_type.into_value(),
                row.occurred_at.into_value(),
                row.actor_id.into_value(),
                row.incident_id.into_value(),
                row.subject_type.into_value(),
                row.subject_id.into_value(),
                row.changed_fields.into_value(),
                row.deadline.into_value(),
            ]
            .into_iter()
            .flatten(),
        );
    }
    let sql = format!(
        "WITH counter AS (
            INSERT INTO event_sequences (tenant_id, last_position, purged_through) VALUES ($1, $2, 0)
            ON CONFLICT (tenant_id) DO UPDATE
                SET last_position = event_sequences.last_position + excluded.last_position
            RETURNING last_position
        ),
        wake AS (
            SELECT pg_notify('{channel}', $1::text || ':' || last_position::text || $3::text) FROM counter
        )
        INSERT INTO events (tenant_id, id, position, event_type, occurred_at, actor_id,
                            incident_id, subject_type, subject_id, changed_fields, deadline)
        SELECT $1, e.id, counter.last_position - $2 + e.ordinal, e.event_type, e.occurred_at,
               e.actor_id, e.incident_id, e.subject_type, e.subject_id, e.changed_fields,
               e.deadline
        FROM counter, wake, (VALUES {values}) AS e(id, ordinal, event_type, occurred_at, actor_id,
                                      incident_id, subject_type, subject_id, changed_fields,
                                      deadline)",
        channel = super::events::EVENTS_CHANNEL,
        values = tuples.join(", ")
    );
    // Every row it writes takes the write's own tenant, `$1`; the only table it reads is
    // the counter, by that key.
    #[allow(clippy::disallowed_methods)]
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
    .await?;
    Ok(())
}
