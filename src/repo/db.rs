//! Connecting to SQLite or PostgreSQL, and applying migrations.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// How much of a SQLite database file the connections read through a shared memory map
/// instead of each copying pages into its own small cache (2 MiB by default).
const SQLITE_MMAP_BYTES: u64 = 256 * 1024 * 1024;

/// Pool size on SQLite when none is configured. Between 2 and 8 connections the load
/// benchmark measured no difference; more of them let quick reads pass a slow one.
pub const SQLITE_POOL_SIZE: u32 = 8;

/// Pool size on PostgreSQL when none is configured: twice the CPU cores, at least 4, the usual
/// rule for PostgreSQL pools. It counts this host's cores, which fits a database on the same
/// host, as measured; for a database elsewhere, size the pool to its cores with
/// `--db-pool-size`. On the 2-core benchmark machine 2–4 connections served Q0 and Q2 about
/// 15 % faster than 16 or 32 (docs/BENCHMARKS.md): more busy backends than cores only
/// contend.
pub fn postgres_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores.saturating_mul(2))
        .unwrap_or(u32::MAX)
        .max(4)
}

/// A pooled connection is checked with a round trip only after idling this long, to catch
/// connections the server or a proxy dropped; busy ones are handed out without one.
const PING_AFTER_IDLE: Duration = Duration::from_secs(30);

/// Connects with the backend's default pool size (see [`connect_with`]).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, None).await
}

/// Connects with settings suited to each backend and `pool_size` connections (or the
/// backend's default). SQLite runs in WAL mode with foreign keys on, and waits for a busy
/// database rather than failing at once.
pub async fn connect_with(url: &str, pool_size: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE);
    if url.starts_with("sqlite:") {
        // Every connection to `sqlite::memory:` opens its own empty database, so share one.
        let connections = if url.contains(":memory:") {
            1
        } else {
            pool_size.unwrap_or(SQLITE_POOL_SIZE)
        };
        options
            .max_connections(connections)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
            });
    } else {
        options
            .max_connections(pool_size.unwrap_or_else(postgres_pool_size))
            // Timestamps then reach JSON (batched reads) and text as UTC, like SQLite's.
            .map_sqlx_postgres_opts(|opts| opts.options([("TimeZone", "UTC")]));
    }
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the database answers; used by `/readyz`.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}
