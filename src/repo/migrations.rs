//! Applying the migrations once however many processes start at the same moment, and
//! telling which of them a database still lacks.

use super::db::grant_server_role;
use migration::{Migrator, MigratorTrait, SchemaManager, seaql_migrations};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    Statement, TransactionTrait,
};
use std::collections::HashSet;

/// The PostgreSQL advisory lock that migrations hold ("debriefm" in ASCII). Advisory locks
/// are per database, so several Debrief databases on one server do not wait for each other.
pub const MIGRATION_LOCK: i64 = 0x6465_6272_6965_666d;

/// The table in which sea-orm records each migration applied.
const MIGRATIONS_TABLE: &str = "seaql_migrations";

/// Applies every pending migration as the tables' owner, then grants the role `server_url`
/// names what it needs (see [`grant_server_role`]).
///
/// On PostgreSQL both happen under [`MIGRATION_LOCK`], so that servers starting together
/// apply each migration once: sea-orm-migration (2.0) takes no lock of its own, reads what is
/// pending before it applies anything, and two concurrent `GRANT`s on one table can fail
/// ("tuple concurrently updated"). A process that finds the lock taken logs that it waits
/// for another node's migrations, then reads what is left once it holds the lock.
///
/// The lock is taken by a transaction on one of `owner`'s connections
/// (`pg_advisory_xact_lock`) while the migrations run on others, each in its own transaction
/// as sea-orm runs them: the lock therefore ends with that transaction, whether it commits,
/// fails or the process dies (PostgreSQL rolls back a transaction whose connection is gone),
/// and no pooled connection is ever handed back still holding it, which a session lock
/// (`pg_advisory_lock`) on a pooled connection could be. `owner` must therefore have at least
/// two connections.
///
/// SQLite takes no lock: one file serves one host, and its own file lock serialises each
/// statement, not a whole migration, so processes on one file should be started one after
/// another, or after `debrief migrate` (docs/OPERATIONS.md).
pub async fn migrate(owner: &DatabaseConnection, server_url: &str) -> Result<(), DbErr> {
    if owner.get_database_backend() != DatabaseBackend::Postgres {
        return Migrator::up(owner, None).await;
    }
    let lock = owner.begin().await?;
    hold_lock(&lock).await?;
    Migrator::up(owner, None).await?;
    grant_server_role(owner, server_url).await?;
    lock.commit().await
}

/// Takes [`MIGRATION_LOCK`] in `lock`'s transaction, waiting for it if another process holds
/// it. The transaction stays idle while the migrations run elsewhere, so the database's
/// `idle_in_transaction_session_timeout`, if it has one, must not end it then.
#[allow(clippy::disallowed_methods)] // a lock and a setting, not tenant rows
async fn hold_lock(lock: &DatabaseTransaction) -> Result<(), DbErr> {
    lock.execute_unprepared("SET LOCAL idle_in_transaction_session_timeout = 0")
        .await?;
    let statement = |sql: &str| {
        Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, [MIGRATION_LOCK.into()])
    };
    let taken = lock
        .query_one_raw(statement("SELECT pg_try_advisory_xact_lock($1) AS taken"))
        .await?
        .map(|row| row.try_get::<bool>("", "taken"))
        .transpose()?
        .unwrap_or(false);
    if !taken {
        tracing::info!(
            "waiting for another node's migrations (advisory lock {MIGRATION_LOCK} is held)"
        );
        lock.execute_raw(statement("SELECT pg_advisory_xact_lock($1)"))
            .await?;
        tracing::info!("the other node's migrations are done; applying what is left");
    }
    Ok(())
}

/// The names of this release's migrations that `db` has not recorded yet, in order. It only
/// reads, so the server's role can ask; migrations recorded that this release does not know
/// (a newer release migrated) are not its concern.
#[allow(clippy::disallowed_methods)] // reads the migrations' own table, not tenant rows
pub async fn pending(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let applied: HashSet<String> = if SchemaManager::new(db).has_table(MIGRATIONS_TABLE).await? {
        seaql_migrations::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|row| row.version)
            .collect()
    } else {
        HashSet::new()
    };
    Ok(Migrator::migrations()
        .iter()
        .map(|migration| migration.name().to_owned())
        .filter(|name| !applied.contains(name))
        .collect())
}
