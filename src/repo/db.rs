//! Connecting to SQLite or PostgreSQL, and applying migrations.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// How much of a SQLite database file the connections read through a shared memory map
/// instead of each copying pages into its own small cache (2 MiB by default).
const SQLITE_MMAP_BYTES: u64 = 256 * 1024 * 1024;

/// Connects with settings suited to each backend. SQLite runs in WAL mode with foreign keys
/// on, and waits for a busy database rather than failing at once.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // Every connection to `sqlite::memory:` opens its own empty database, so share one.
        let connections = if url.contains(":memory:") { 1 } else { 8 };
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
        options.max_connections(16);
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
