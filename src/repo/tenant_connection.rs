//! A tenant's way into the database. On PostgreSQL every statement runs inside a transaction
//! that begins with `set_config('app.tenant_id', <tenant>, true)`, the setting the row-level
//! security policies compare each row's `tenant_id` with (`docs/ARCHITECTURE.md`, *The
//! second wall*). The setting is local to its transaction, so it ends with it: a pooled
//! connection never carries one tenant's setting into the next request. SQLite has no
//! row-level security; there statements go to the pool as they are.

// Every statement of a scope passes through here on its way to the database: forwarding
// them is this module's whole job, and its own statement (the setting) binds its value.
#![allow(clippy::disallowed_methods)]

use crate::telemetry::traces::SQL_TARGET;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, ExecResult,
    QueryResult, Statement, TransactionOptions, TransactionTrait,
};
use std::sync::Arc;
use tokio::sync::Mutex;
use tracing::Instrument;
use uuid::Uuid;

/// The statement that opens every tenant transaction on PostgreSQL.
const SET_TENANT: &str = "SELECT set_config('app.tenant_id', $1, true)";

/// How the statements of a [`TenantConnection`] are grouped into transactions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// One transaction, begun by the first statement and ended by
    /// [`TenantConnection::release`] (or when the last clone is dropped): a request's reads,
    /// which then cost one `BEGIN`, one setting and one `COMMIT` in all.
    Request,
    /// Each statement in a transaction of its own: background work that waits on the network
    /// or a timer between statements, where a held transaction would hold a connection and
    /// the locks its statements took.
    EachStatement,
}

/// A tenant's connection: cheap to clone, every clone sharing the same transaction.
#[derive(Clone)]
pub struct TenantConnection {
    shared: Arc<Shared>,
}

struct Shared {
    pool: DatabaseConnection,
    tenant_id: Uuid,
    grouping: Grouping,
    open: Mutex<Option<DatabaseTransaction>>,
}

impl TenantConnection {
    /// `tenant_id`'s connection through `pool`.
    pub fn new(pool: DatabaseConnection, tenant_id: Uuid, grouping: Grouping) -> Self {
        Self {
            shared: Arc::new(Shared {
                pool,
                tenant_id,
                grouping,
                open: Mutex::new(None),
            }),
        }
    }

    /// The tenant every statement is bound to.
    pub fn tenant_id(&self) -> Uuid {
        self.shared.tenant_id
    }

    /// The database this connection's statements are written for (an inherent copy of
    /// [`ConnectionTrait::get_database_backend`], so callers need not import the trait).
    pub fn get_database_backend(&self) -> DatabaseBackend {
        self.shared.pool.get_database_backend()
    }

    /// The pool behind this connection.
    pub fn pool(&self) -> &DatabaseConnection {
        &self.shared.pool
    }

    fn walled(&self) -> bool {
        self.shared.pool.get_database_backend() == DatabaseBackend::Postgres
    }

    /// A transaction of its own on a connection of its own, the tenant already set: a write,
    /// or one of several branches that run in parallel. The shared transaction is committed
    /// first, so that the caller never holds one pooled connection while it waits for
    /// another: enough callers doing that at once would empty the pool and wait forever.
    pub async fn begin(&self, options: TransactionOptions) -> Result<DatabaseTransaction, DbErr> {
        self.release().await?;
        self.begin_on_pool(options).await
    }

    async fn begin_on_pool(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        let txn = self.shared.pool.begin_with_options(options).await?;
        if self.walled() {
            txn.execute_raw(set_tenant(self.shared.tenant_id)).await?;
        }
        Ok(txn)
    }

    /// Commits the shared transaction, if one is open, and gives its connection back to the
    /// pool; the next statement begins another. Whoever makes a request's connection
    /// releases it when the request is answered, and between the results of a subscription.
    pub async fn release(&self) -> Result<(), DbErr> {
        let open = self.shared.open.lock().await.take();
        match open {
            Some(txn) => txn.commit().await,
            None => Ok(()),
        }
    }

    /// Runs one statement where this connection's grouping puts it. A statement that fails
    /// leaves a PostgreSQL transaction aborted, so the shared one is then dropped (rolled
    /// back: it held reads) and the next statement begins another.
    async fn run<T, F>(&self, statement: F) -> Result<T, DbErr>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> StatementFuture<'c, T>,
    {
        match self.shared.grouping {
            Grouping::Request => {
                let mut open = self.shared.open.lock().await;
                let txn = match open.take() {
                    Some(txn) => txn,
                    None => self.begin_on_pool(TransactionOptions::default()).await?,
                };
                let result = statement(&txn).await;
                if result.is_ok() {
                    *open = Some(txn);
                }
                result
            }
            Grouping::EachStatement => {
                let txn = self.begin_on_pool(TransactionOptions::default()).await?;
                let result = statement(&txn).await?;
                txn.commit().await?;
                Ok(result)
            }
        }
    }
}

type StatementFuture<'c, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, DbErr>> + Send + 'c>>;

/// `SET_TENANT` for `tenant_id`.
fn set_tenant(tenant_id: Uuid) -> Statement {
    Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        SET_TENANT,
        [tenant_id.to_string().into()],
    )
}

/// Begins `options`' transaction on `db` and sets `tenant_id` in it: for the operator's
/// commands, which hold the pool itself rather than a [`TenantConnection`].
pub async fn begin_for_tenant(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    options: TransactionOptions,
) -> Result<DatabaseTransaction, DbErr> {
    TenantConnection::new(db.clone(), tenant_id, Grouping::EachStatement)
        .begin_on_pool(options)
        .await
}

impl Drop for Shared {
    fn drop(&mut self) {
        // A connection nobody released: commit what it holds rather than lose it, as the
        // statements would have been committed one by one without the wall.
        if let Some(txn) = self.open.get_mut().take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if let Err(error) = txn.commit().await {
                    tracing::warn!(%error, "committing an unreleased tenant transaction failed");
                }
            });
        }
    }
}

/// The span one statement runs in: its SQL text as written, with placeholders, never the
/// values bound to them. DEBUG on its own target, so it costs nothing unless the trace
/// exporter asks for it. A transaction's `BEGIN` and tenant setting fall in the span of the
/// statement that needed them.
fn statement_span(backend: DatabaseBackend, sql: &str) -> tracing::Span {
    tracing::debug_span!(
        target: SQL_TARGET,
        "statement",
        otel.name = sql.split_whitespace().next().unwrap_or("SQL"),
        otel.kind = "client",
        db.system = match backend {
            DatabaseBackend::Postgres => "postgresql",
            DatabaseBackend::Sqlite => "sqlite",
            _ => "other_sql",
        },
        db.query.text = sql,
    )
}

#[async_trait::async_trait]
impl ConnectionTrait for TenantConnection {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.shared.pool.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let span = statement_span(self.get_database_backend(), &stmt.sql);
        if !self.walled() {
            return self.shared.pool.execute_raw(stmt).instrument(span).await;
        }
        self.run(|txn| Box::pin(txn.execute_raw(stmt)))
            .instrument(span)
            .await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let span = statement_span(self.get_database_backend(), sql);
        if !self.walled() {
            return self
                .shared
                .pool
                .execute_unprepared(sql)
                .instrument(span)
                .await;
        }
        let sql = sql.to_owned();
        self.run(move |txn| Box::pin(async move { txn.execute_unprepared(&sql).await }))
            .instrument(span)
            .await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let span = statement_span(self.get_database_backend(), &stmt.sql);
        if !self.walled() {
            return self.shared.pool.query_one_raw(stmt).instrument(span).await;
        }
        self.run(|txn| Box::pin(txn.query_one_raw(stmt)))
            .instrument(span)
            .await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let span = statement_span(self.get_database_backend(), &stmt.sql);
        if !self.walled() {
            return self.shared.pool.query_all_raw(stmt).instrument(span).await;
        }
        self.run(|txn| Box::pin(txn.query_all_raw(stmt)))
            .instrument(span)
            .await
    }
}
