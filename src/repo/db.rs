//! Connecting to SQLite or PostgreSQL, and what the server's role may do there.

use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::{self, sqlite};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
    RuntimeErr, Statement,
};
use std::time::Duration;

/// How much of a SQLite database file the connections read through a shared memory map
/// instead of each copying pages into its own small cache (2 MiB by default).
const SQLITE_MMAP_BYTES: u64 = 256 * 1024 * 1024;

/// Pool size on SQLite when none is configured. Between 2 and 8 connections the load
/// benchmark measured no difference; more of them let quick reads pass a slow one.
pub const SQLITE_POOL_SIZE: u32 = 8;

/// Pool size on PostgreSQL when none is configured: four times the CPU cores, at least 8.
/// With row-level security a request holds its connection from its first statement to its
/// answer, the server's own work between statements included, so the pool needs more
/// connections than busy backends: on the 2-core benchmark machine 8 connections had the
/// better worst case against the figures without the wall (Q0 0.84, Q1 0.89), where 4 cost
/// Q1 a third (docs/BENCHMARKS.md, *Issue 19*). It counts this host's cores, which fits a
/// database on the same host; for a database elsewhere, size the pool with `--db-pool-size`.
pub fn postgres_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores.saturating_mul(4))
        .unwrap_or(u32::MAX)
        .max(8)
}

/// A pooled connection is checked with a round trip only after idling this long, to catch
/// connections the server or a proxy dropped; busy ones are handed out without one.
const PING_AFTER_IDLE: Duration = Duration::from_secs(30);

/// A pool's connections at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    /// Open and waiting to be handed out.
    pub idle: u32,
    /// Handed out to a request or a worker.
    pub in_use: u32,
}

/// How many of `db`'s pooled connections are idle and in use.
pub fn pool_usage(db: &DatabaseConnection) -> PoolUsage {
    let (size, idle) = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
    PoolUsage {
        idle,
        in_use: size - idle,
    }
}

/// How a connection pool is set up; [`Default`] gives each backend's defaults.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// Connections in the pool; `None` for the backend's default.
    pub size: Option<u32>,
    /// How long a request waits for a pooled connection (or for a new one to connect) before
    /// it is answered UNAVAILABLE. Well under the request timeout, so that an outage is
    /// reported as one rather than as a request that ran out of time.
    pub acquire_timeout: Duration,
    /// How SQLite syncs its commits to disk.
    pub sqlite_synchronous: SqliteSynchronous,
}

/// The default for [`PoolSettings::acquire_timeout`].
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

impl PoolSettings {
    /// The most connections the pool opens on PostgreSQL: the configured size, else
    /// [`postgres_pool_size`].
    pub fn postgres_size(&self) -> u32 {
        self.size.unwrap_or_else(postgres_pool_size)
    }
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            size: None,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
            sqlite_synchronous: SqliteSynchronous::Full,
        }
    }
}

/// How SQLite syncs its commits to disk (its `synchronous` pragma, in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSynchronous {
    /// Every commit reaches the disk before it is acknowledged: a power loss loses nothing.
    Full,
    /// Commits are synced at checkpoints: faster, but a power loss can drop the last ones
    /// (a crash of the process alone loses nothing).
    Normal,
}

/// Connects with each backend's default settings (see [`connect_with`]).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, PoolSettings::default()).await
}

/// Connects with settings suited to each backend. SQLite runs in WAL mode with foreign keys
/// on, and waits for a busy database rather than failing at once.
pub async fn connect_with(url: &str, pool: PoolSettings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(pool.acquire_timeout)
        .acquire_timeout(pool.acquire_timeout)
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE);
    if url.starts_with("sqlite:") {
        // Every connection to `sqlite::memory:` opens its own empty database, so share one.
        let connections = if url.contains(":memory:") {
            1
        } else {
            pool.size.unwrap_or(SQLITE_POOL_SIZE)
        };
        let synchronous = match pool.sqlite_synchronous {
            SqliteSynchronous::Full => sqlite::SqliteSynchronous::Full,
            SqliteSynchronous::Normal => sqlite::SqliteSynchronous::Normal,
        };
        options
            .max_connections(connections)
            .map_sqlx_sqlite_opts(move |opts| {
                opts.journal_mode(sqlite::SqliteJournalMode::Wal)
                    .synchronous(synchronous)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
            });
    } else {
        options
            .max_connections(pool.postgres_size())
            // Timestamps then reach JSON (batched reads) and text as UTC, like SQLite's.
            .map_sqlx_postgres_opts(|opts| opts.options([("TimeZone", "UTC")]));
    }
    Database::connect(options).await
}

/// Whether the database answers within `limit`; used by `/readyz`.
pub async fn ping(db: &DatabaseConnection, limit: Duration) -> bool {
    matches!(tokio::time::timeout(limit, db.ping()).await, Ok(Ok(())))
}

/// Whether `err` means the database cannot be reached or refuses work for now, so the same
/// request may succeed later: no connection could be had in time, the connection broke, the
/// server is shutting down or starting up, or too busy.
pub fn is_unavailable(err: &DbErr) -> bool {
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx_error) = runtime else {
        return false;
    };
    match sqlx_error.as_ref() {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => is_transient(database.as_ref()),
        _ => false,
    }
}

/// PostgreSQL's connection exceptions (class 08), too many connections (53300) and the
/// operator's shutdown and start-up (57P01–57P03); SQLite's busy and locked databases (primary
/// result codes 5 and 6, whatever their extended code).
fn is_transient(error: &dyn sqlx::error::DatabaseError) -> bool {
    if let Some(postgres) = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        let code = postgres.code();
        return code.starts_with("08") || matches!(code, "53300" | "57P01" | "57P02" | "57P03");
    }
    error
        .code()
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

/// How far PostgreSQL's row-level security binds the role a pool connects as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wall {
    /// Not PostgreSQL: the application's filter is the only wall.
    Absent,
    /// A role of its own: the policies bind it, and it cannot change them.
    Bound,
    /// The tables' owner: the forced policies bind it, but it could switch them off.
    Owner,
    /// A superuser or a role with BYPASSRLS: the policies do not bind it.
    Bypassed,
}

/// How the role `db` connects as stands against the tenant wall.
#[allow(clippy::disallowed_methods)] // reads the catalog, not tenant rows
pub async fn wall(db: &DatabaseConnection) -> Result<Wall, DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(Wall::Absent);
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            ROLE_STANDING,
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("the role's standing was not returned".to_owned()))?;
    let (bypasses, owns): (bool, bool) = (row.try_get("", "bypasses")?, row.try_get("", "owns")?);
    Ok(match (bypasses, owns) {
        (true, _) => Wall::Bypassed,
        (false, true) => Wall::Owner,
        (false, false) => Wall::Bound,
    })
}

/// Whether the current role bypasses row-level security, and whether it owns the walled
/// tables (their first, `users`, stands for all).
const ROLE_STANDING: &str = "SELECT (r.rolsuper OR r.rolbypassrls) AS bypasses, \
     COALESCE((SELECT c.relowner = r.oid FROM pg_class c \
               WHERE c.oid = to_regclass('users')), false) AS owns \
     FROM pg_roles r WHERE r.rolname = current_user";

/// Lets the role `server_url` names use the tables `owner` migrated: read and write rows,
/// but neither change the schema nor the migrations' own table. Nothing on SQLite or when
/// both are the same role. Run after every migration, so new tables are granted too.
#[allow(clippy::disallowed_methods)] // grants on the schema, not tenant rows; the role is quoted
pub async fn grant_server_role(owner: &DatabaseConnection, server_url: &str) -> Result<(), DbErr> {
    if owner.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let options: PgConnectOptions = server_url
        .parse()
        .map_err(|error| DbErr::Custom(format!("the database URL: {error}")))?;
    let role = options.get_username().to_owned();
    let current = owner
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT current_user AS role, current_schema() AS schema",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("the owner's role was not returned".to_owned()))?;
    let (owner_role, schema): (String, String) =
        (current.try_get("", "role")?, current.try_get("", "schema")?);
    if role == owner_role {
        return Ok(());
    }
    let (role, schema) = (identifier(&role), identifier(&schema));
    for grant in [
        format!("GRANT USAGE ON SCHEMA {schema} TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}"),
        format!("REVOKE INSERT, UPDATE, DELETE ON {schema}.seaql_migrations FROM {role}"),
    ] {
        owner.execute_unprepared(&grant).await?;
    }
    Ok(())
}

/// `name` as a quoted PostgreSQL identifier.
fn identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The connections a PostgreSQL server lets roles without superuser rights open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimit {
    /// `max_connections`.
    pub max_connections: u32,
    /// `superuser_reserved_connections` plus, from PostgreSQL 16, `reserved_connections`:
    /// slots an ordinary role cannot take.
    pub reserved: u32,
}

/// The connection limit of the PostgreSQL server `db` is on; `None` on SQLite.
#[allow(clippy::disallowed_methods)] // reads server settings, not tenant rows
pub async fn connection_limit(db: &DatabaseConnection) -> Result<Option<ConnectionLimit>, DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(None);
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            CONNECTION_SETTINGS,
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("the connection settings were not returned".to_owned()))?;
    let figure = |column: &str| -> Result<u32, DbErr> {
        let value: i32 = row.try_get("", column)?;
        u32::try_from(value).map_err(|_| DbErr::Custom(format!("{column} is negative")))
    };
    Ok(Some(ConnectionLimit {
        max_connections: figure("max_connections")?,
        reserved: figure("reserved")?,
    }))
}

/// `reserved_connections` is read with `missing_ok`, so a server before 16 gives 0.
const CONNECTION_SETTINGS: &str = "SELECT current_setting('max_connections')::int AS max_connections, \
     current_setting('superuser_reserved_connections')::int \
     + COALESCE(current_setting('reserved_connections', true)::int, 0) AS reserved";
