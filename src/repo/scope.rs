//! The tenant scope every query starts from, and the role-gated write handles.

use super::tenant_connection::{Grouping, TenantConnection};
use super::write::Write;
use crate::auth::Principal;
use crate::domain::policy::Capability;
use crate::error::AppResult;
use sea_orm::sea_query::{Expr, ExprTrait, LockType, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, DeleteMany,
    EntityTrait, Insert, InsertMany, QueryFilter, QuerySelect, Select, TransactionOptions,
    UpdateMany,
};
use uuid::Uuid;

/// A table whose rows belong to one tenant.
pub trait TenantOwned: EntityTrait {
    fn tenant_column() -> Self::Column;
}

macro_rules! tenant_owned {
    ($($table:ident),* $(,)?) => {$(
        impl TenantOwned for entity::$table::Entity {
            fn tenant_column() -> Self::Column {
                entity::$table::Column::TenantId
            }
        }
    )*};
}

tenant_owned!(
    event_sequence,
    api_token,
    user,
    client,
    service,
    incident,
    incident_service,
    audit_entry,
    timeline_event,
    root_cause,
    root_cause_service,
    client_impact,
    post_mortem,
    prevention_measure,
    measure_root_cause,
    feedback,
    feedback_reply,
    effectiveness_review,
    effectiveness_verdict,
    confidence_rating,
    event,
    webhook_endpoint,
    webhook_delivery,
    webhook_attempt,
    share_link,
    notification_preference,
    notification_cursor,
    email_message,
    email_attempt,
    unsubscribe_token,
);

/// `INSERT INTO <table>` of `rows`, each with its `tenant_id` set to `tenant_id`: for a
/// [`Write`], whose tenant is its scope's, committing its audit entries and events.
#[allow(clippy::disallowed_methods)] // the one sanctioned entry point for inserts of many rows
pub(super) fn insert_many_of<A, I>(tenant_id: Uuid, rows: I) -> InsertMany<A>
where
    A: ActiveModelTrait,
    A::Entity: TenantOwned,
    I: IntoIterator<Item = A>,
{
    A::Entity::insert_many(rows.into_iter().map(|row| stamped(tenant_id, row)))
}

/// `row` with its `tenant_id` set to `tenant_id`.
fn stamped<A>(tenant_id: Uuid, mut row: A) -> A
where
    A: ActiveModelTrait,
    A::Entity: TenantOwned,
{
    row.set(A::Entity::tenant_column(), tenant_id.into());
    row
}

/// The caller and their tenant: the start of every query on tenant data. Its statements
/// run on the tenant's [`TenantConnection`], which on PostgreSQL sets the tenant for the
/// row-level security policies.
#[derive(Clone)]
pub struct Scope {
    db: TenantConnection,
    principal: Principal,
}

impl Scope {
    /// A request's scope: its reads share one transaction until [`Scope::release`].
    pub fn new(db: DatabaseConnection, principal: Principal) -> Self {
        let db = TenantConnection::new(db, principal.tenant_id(), Grouping::Request);
        Self { db, principal }
    }

    /// A scope for background work, which waits on the network or a timer between its
    /// statements: each statement commits on its own.
    pub fn background(db: DatabaseConnection, principal: Principal) -> Self {
        let db = TenantConnection::new(db, principal.tenant_id(), Grouping::EachStatement);
        Self { db, principal }
    }

    /// `principal`'s scope on `db`, the connection that authenticated them, so that the
    /// request's reads continue its transaction. A connection of another tenant is not
    /// reused.
    pub fn on(db: TenantConnection, principal: Principal) -> Self {
        let db = if db.tenant_id() == principal.tenant_id() {
            db
        } else {
            TenantConnection::new(db.pool().clone(), principal.tenant_id(), Grouping::Request)
        };
        Self { db, principal }
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    pub(super) fn tenant_id(&self) -> Uuid {
        self.principal.tenant_id()
    }

    pub(super) fn db(&self) -> &TenantConnection {
        &self.db
    }

    /// Ends the scope's shared transaction, committing it, and gives its connection back to
    /// the pool: when a request is answered, and between a subscription's results. The
    /// transaction holds reads (writes commit their own), so a failure here only logs.
    pub async fn release(&self) {
        if let Err(error) = self.db.release().await {
            tracing::warn!(%error, "ending a request's transaction failed");
        }
    }

    /// A transaction of its own with the tenant set, for one of several branches that run
    /// in parallel (each on its own connection).
    pub(super) async fn begin_branch(&self) -> Result<DatabaseTransaction, DbErr> {
        self.db.begin(TransactionOptions::default()).await
    }

    /// `SELECT … FROM <table> WHERE tenant_id = <this tenant>`.
    #[allow(clippy::disallowed_methods)] // the one sanctioned entry point for reads
    pub(super) fn select<E: TenantOwned>(&self) -> Select<E> {
        E::find().filter(E::tenant_column().eq(self.tenant_id()))
    }

    /// `SELECT FROM <table> WHERE <table>.tenant_id = <this tenant>`, for statements built
    /// with sea-query directly (window functions, aggregates, subqueries) rather than through
    /// [`Scope::select`]. The caller adds the columns.
    #[allow(clippy::disallowed_methods)] // the one sanctioned entry point for sea-query reads
    pub(super) fn query<E: TenantOwned>(&self) -> SelectStatement {
        Query::select()
            .from(E::default())
            .and_where(self.tenant_condition::<E>())
            .take()
    }

    /// `<table>.tenant_id = <this tenant>`, for a table joined into a [`Scope::query`].
    pub(super) fn tenant_condition<E: TenantOwned>(&self) -> SimpleExpr {
        Expr::col((E::default(), E::tenant_column())).eq(self.tenant_id())
    }

    /// `INSERT INTO <table>` of `row`, with its `tenant_id` set to this tenant whatever it held.
    #[allow(clippy::disallowed_methods)] // the one sanctioned entry point for inserts
    pub(super) fn insert<A>(&self, row: A) -> Insert<A>
    where
        A: ActiveModelTrait,
        A::Entity: TenantOwned,
    {
        A::Entity::insert(stamped(self.tenant_id(), row))
    }

    /// [`Scope::insert`] of many rows in one statement.
    pub(super) fn insert_many<A, I>(&self, rows: I) -> InsertMany<A>
    where
        A: ActiveModelTrait,
        A::Entity: TenantOwned,
        I: IntoIterator<Item = A>,
    {
        insert_many_of(self.tenant_id(), rows)
    }

    /// `UPDATE <table> … WHERE tenant_id = <this tenant>`.
    #[allow(clippy::disallowed_methods)] // the one sanctioned entry point for bulk updates
    pub(super) fn update<E: TenantOwned>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::tenant_column().eq(self.tenant_id()))
    }

    /// `DELETE FROM <table> WHERE tenant_id = <this tenant>`.
    #[allow(clippy::disallowed_methods)] // the one sanctioned entry point for deletes
    pub(super) fn delete<E: TenantOwned>(&self) -> DeleteMany<E> {
        E::delete_many().filter(E::tenant_column().eq(self.tenant_id()))
    }

    /// Starts a write ([`Write`]) for this caller.
    pub(super) async fn begin_write(&self) -> Result<Write, DbErr> {
        Write::begin(&self.db, &self.principal).await
    }

    /// Starts a write holding the tenant row's lock, so that writes whose checks or derived
    /// data span many rows (directory rules, recurrence flags, publication) take turns on
    /// PostgreSQL too; SQLite's `BEGIN IMMEDIATE` already serialises writers. Writers take
    /// it first, before any other row, so they cannot deadlock on each other.
    #[allow(clippy::disallowed_methods)] // keyed by the scope's own tenant id
    pub(super) async fn begin_tenant_write(&self) -> Result<Write, DbErr> {
        let write = self.begin_write().await?;
        // FOR NO KEY UPDATE, not FOR UPDATE: it still serialises these writers, but lets
        // every other write's foreign-key checks on the tenant row (FOR KEY SHARE) through.
        // With FOR UPDATE, a write holding the event counter would wait on that check while
        // this writer, holding the tenant row, waits for the counter: a deadlock.
        entity::tenant::Entity::find_by_id(self.tenant_id())
            .lock(LockType::NoKeyUpdate)
            .one(write.txn())
            .await?;
        Ok(write)
    }

    /// The handle for incident and post-mortem writes: ADMIN and EDITOR only.
    pub fn writer(&self) -> AppResult<Writer<'_>> {
        self.principal.require(Capability::WriteIncidents)?;
        Ok(Writer { scope: self })
    }

    /// The handle for directory and settings writes: ADMIN only.
    pub fn admin(&self) -> AppResult<Admin<'_>> {
        self.principal.require(Capability::ManageDirectory)?;
        Ok(Admin { scope: self })
    }
}

/// Proof that the caller may write incidents and post-mortems.
pub struct Writer<'a> {
    pub(super) scope: &'a Scope,
}

/// Proof that the caller may manage the tenant's directory and settings.
pub struct Admin<'a> {
    pub(super) scope: &'a Scope,
}

impl Admin<'_> {
    /// Starts a directory write holding the tenant row's lock, so that checks such as "the
    /// last active ADMIN" or "the name is free" still hold at commit.
    pub(super) async fn begin(&self) -> Result<Write, DbErr> {
        self.scope.begin_tenant_write().await
    }
}
