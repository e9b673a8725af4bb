//! The command line. Every flag can also be set through the environment variable it names.

use crate::repo::db::SqliteSynchronous;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::time::Duration;

/// Debrief: a GraphQL backend for blameless post-mortem conversations with clients.
#[derive(Debug, Parser)]
#[command(name = "debrief", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings every command shares.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Database to use: `sqlite://…` (embedded) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://debrief.db?mode=rwc",
        global = true
    )]
    pub database_url: String,
    /// The database as the role that owns its tables, for migrations and the operator's
    /// commands, when the server connects as a role of its own (so that PostgreSQL's
    /// row-level security binds it). Defaults to `--database-url`.
    #[arg(long, env = "DEBRIEF_DATABASE_OWNER_URL", global = true)]
    pub database_owner_url: Option<String>,
    /// `development` (GraphiQL, suggestions, demo data, a generated secret) or `production`.
    #[arg(
        long = "env",
        env = "DEBRIEF_ENV",
        default_value = "development",
        global = true
    )]
    pub environment: String,
    /// HS256 signing secret, at least 32 bytes.
    #[arg(
        long,
        env = "DEBRIEF_JWT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub jwt_secret: Option<String>,
    /// PEM public key (RS256 or ES256) that verifies tokens issued elsewhere.
    #[arg(long, env = "DEBRIEF_JWT_PUBLIC_KEY_FILE", global = true)]
    pub jwt_public_key_file: Option<std::path::PathBuf>,
    /// Expected `iss` claim.
    #[arg(
        long,
        env = "DEBRIEF_JWT_ISSUER",
        default_value = "debrief",
        global = true
    )]
    pub jwt_issuer: String,
    /// How long one request may take, e.g. `10s`.
    #[arg(long, env = "DEBRIEF_REQUEST_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration, global = true)]
    pub request_timeout: std::time::Duration,
    /// How long a new connection may take to send a complete request head, e.g. `10s`.
    #[arg(long, env = "DEBRIEF_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration, global = true)]
    pub header_read_timeout: std::time::Duration,
    /// How long a connection may sit idle between requests, e.g. `60s`.
    #[arg(long, env = "DEBRIEF_KEEP_ALIVE_TIMEOUT", default_value = "60s", value_parser = humantime::parse_duration, global = true)]
    pub keep_alive_timeout: std::time::Duration,
    /// Client connections served at once; further ones are closed at once. Keep it below the
    /// process's file-descriptor limit (`ulimit -n`).
    #[arg(long, env = "DEBRIEF_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=1_000_000), global = true)]
    pub max_connections: u32,
    /// How long a request waits for a database connection before it answers UNAVAILABLE.
    #[arg(long, env = "DEBRIEF_DB_ACQUIRE_TIMEOUT", default_value = "3s", value_parser = humantime::parse_duration, global = true)]
    pub db_acquire_timeout: std::time::Duration,
    /// How SQLite syncs commits: `full` (a power loss loses nothing) or `normal` (faster; a
    /// power loss can drop the last commits).
    #[arg(long, env = "DEBRIEF_SQLITE_SYNCHRONOUS", default_value = "full", value_parser = parse_synchronous, global = true)]
    pub sqlite_synchronous: SqliteSynchronous,
    /// Origins whose web pages may call the API, comma-separated: exact origins such as
    /// `https://app.example.com`, or `*` for any. Development also allows
    /// `http://localhost:*` and `http://127.0.0.1:*`.
    #[arg(
        long,
        env = "DEBRIEF_CORS_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_allowed_origins: Vec<String>,
    /// How many feedback threads one client contact may open per hour.
    #[arg(
        long,
        env = "DEBRIEF_FEEDBACK_PER_HOUR",
        default_value_t = 30,
        global = true
    )]
    pub feedback_per_hour: u32,
    /// Rate-limit points each user or service token may spend per window; 0 turns the
    /// per-caller budget off.
    #[arg(
        long,
        env = "DEBRIEF_RATE_LIMIT_USER_POINTS",
        default_value_t = crate::domain::rate_limit::DEFAULT_USER_POINTS,
        global = true
    )]
    pub rate_limit_user_points: u32,
    /// Rate-limit points all callers of one tenant may spend per window together; 0 turns
    /// the per-tenant budget off.
    #[arg(
        long,
        env = "DEBRIEF_RATE_LIMIT_TENANT_POINTS",
        default_value_t = crate::domain::rate_limit::DEFAULT_TENANT_POINTS,
        global = true
    )]
    pub rate_limit_tenant_points: u32,
    /// How long an empty rate-limit budget takes to refill, evenly (e.g. `1h`).
    #[arg(
        long,
        env = "DEBRIEF_RATE_LIMIT_WINDOW",
        default_value = "1h",
        value_parser = humantime::parse_duration,
        global = true
    )]
    pub rate_limit_window: std::time::Duration,
    /// Expected `aud` claim.
    #[arg(
        long,
        env = "DEBRIEF_JWT_AUDIENCE",
        default_value = "debrief-api",
        global = true
    )]
    pub jwt_audience: String,
    /// Database connections in the pool [default: 8 on SQLite; on PostgreSQL four times the CPU
    /// cores, at least 8].
    #[arg(
        long,
        env = "DEBRIEF_DB_POOL_SIZE",
        value_parser = clap::value_parser!(u32).range(1..=1000),
        global = true
    )]
    pub db_pool_size: Option<u32>,
    /// How many `serve` processes share the database: on PostgreSQL, start-up warns when
    /// their pools together would exceed `max_connections` less the reserved connections and
    /// a margin for operators.
    #[arg(long, env = "DEBRIEF_EXPECTED_NODES", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000), global = true)]
    pub expected_nodes: u32,
    /// How long events are kept; older ones are purged, and a cursor older than what is
    /// kept answers RESYNC_REQUIRED.
    #[arg(long, env = "DEBRIEF_EVENT_RETENTION", default_value = "30days", value_parser = parse_retention, global = true)]
    pub event_retention: Duration,
    /// The pause between background passes (time-driven events, retention); a deadline's
    /// event follows it by at most this much.
    #[arg(long, env = "DEBRIEF_WORKER_INTERVAL", default_value = "15s", value_parser = parse_interval, global = true)]
    pub worker_interval: Duration,
    /// Let webhook endpoints use http and private, loopback or link-local addresses (always
    /// so in development). Never in production: it lets an endpoint reach your own network.
    #[arg(long, env = "DEBRIEF_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", global = true)]
    pub webhook_allow_private_addresses: bool,
    /// Multiplies every pause of the webhook retry schedule (5s, 5m, 30m, 2h, 5h, 10h, 10h);
    /// below 1 for tests only.
    #[arg(long, env = "DEBRIEF_WEBHOOK_RETRY_SCALE", default_value_t = 1.0, value_parser = parse_scale, global = true)]
    pub webhook_retry_scale: f64,
    /// How long one webhook attempt may take, from connecting to reading the answer.
    #[arg(long, env = "DEBRIEF_WEBHOOK_TIMEOUT", default_value = "15s", value_parser = parse_webhook_timeout, global = true)]
    pub webhook_timeout: Duration,
    /// The address clients reach this server at, e.g. `https://debrief.example.com/`: share
    /// links and email links point here [default: `http://` and the listen address].
    #[arg(long, env = "DEBRIEF_PUBLIC_URL", value_parser = parse_public_url, global = true)]
    pub public_url: Option<url::Url>,
    /// Send email notifications through this SMTP server: `smtp://host:25` (plain),
    /// `smtp://host:587?tls=required` (STARTTLS) or `smtps://user:pass@host:465`
    /// [default: no email]. It may hold credentials: prefer the environment variable.
    #[arg(long, env = "DEBRIEF_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,
    /// The `From:` of notification emails.
    #[arg(long, env = "DEBRIEF_SMTP_FROM", default_value = crate::notifications::DEFAULT_FROM, global = true)]
    pub smtp_from: String,
    /// Write notification emails into this folder as `.eml` files instead of sending them
    /// (development); ignored when `--smtp-url` is set.
    #[arg(long, env = "DEBRIEF_EMAIL_DIR", global = true)]
    pub email_dir: Option<std::path::PathBuf>,
    /// How often the server pings each subscription socket (`/graphql/ws`); a socket silent
    /// for two intervals is closed.
    #[arg(long, env = "DEBRIEF_WS_PING_INTERVAL", default_value = "15s", value_parser = parse_ping_interval, global = true)]
    pub ws_ping_interval: Duration,
    /// Subscription sockets one user may have open on one server.
    #[arg(
        long,
        env = "DEBRIEF_WS_SOCKETS_PER_USER",
        default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=100_000),
        global = true
    )]
    pub ws_sockets_per_user: u32,
    /// A persisted-document manifest, Relay's or Apollo's: requests may name its documents by
    /// `documentId: "sha256:<hex>"` or Apollo's `extensions.persistedQuery`.
    #[arg(long, env = "DEBRIEF_TRUSTED_DOCUMENTS", global = true)]
    pub trusted_documents: Option<std::path::PathBuf>,
    /// Roles that may run only the documents of `--trusted-documents`, comma-separated, e.g.
    /// `CLIENT` for the client portal [default: none].
    #[arg(
        long,
        env = "DEBRIEF_REQUIRE_TRUSTED_DOCUMENTS",
        value_delimiter = ',',
        global = true
    )]
    pub require_trusted_documents: Vec<String>,
    /// Serve Prometheus metrics at `GET /metrics` on this address, e.g. `127.0.0.1:9464`,
    /// apart from the API (`serve` and `worker`) [default: no metrics].
    #[arg(long, env = "DEBRIEF_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<SocketAddr>,
}

/// Links are sent to people outside: an absolute http(s) URL, ending in `/` so paths join
/// under it.
fn parse_public_url(text: &str) -> Result<url::Url, String> {
    let mut url = url::Url::parse(text).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an absolute http(s) URL such as https://debrief.example.com/".into());
    }
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

/// Pings keep proxies from closing idle sockets; more often than every 100 ms is noise.
fn parse_ping_interval(text: &str) -> Result<Duration, String> {
    let interval = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if interval < Duration::from_millis(100) || interval > Duration::from_secs(300) {
        return Err("the interval must be between 100ms and 5m".into());
    }
    Ok(interval)
}

fn parse_scale(text: &str) -> Result<f64, String> {
    let scale: f64 = text.parse().map_err(|_| "expected a number such as 0.01")?;
    if !(scale > 0.0 && scale <= 100.0) {
        return Err("the scale must be more than 0 and at most 100".into());
    }
    Ok(scale)
}

/// Receivers must answer within 15 s; shorter limits are for tests.
fn parse_webhook_timeout(text: &str) -> Result<Duration, String> {
    let timeout = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if timeout.is_zero() || timeout > Duration::from_secs(15) {
        return Err("the timeout must be more than 0 and at most 15s".into());
    }
    Ok(timeout)
}

/// Retention shorter than an hour would purge what a reader paused for lunch still needs.
fn parse_retention(text: &str) -> Result<Duration, String> {
    let retention = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if retention < Duration::from_secs(3600) {
        return Err("keep events for at least 1h".into());
    }
    Ok(retention)
}

/// Time-driven events must follow their deadline within 60 s.
fn parse_interval(text: &str) -> Result<Duration, String> {
    let interval = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if interval.is_zero() || interval > Duration::from_secs(60) {
        return Err("the interval must be more than 0 and at most 60s".into());
    }
    Ok(interval)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (the default).
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate,
    /// Manage tenants (operator only; tenants are never created through the API).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Print a signed JWT for a user.
    Token(TokenArgs),
    /// Create the demo tenant `acme` with one user per role (safe to run twice).
    SeedDemo,
    /// Create a large generated tenant (benchmarks, capacity checks), showing progress.
    SeedVolume(SeedVolumeArgs),
    /// Run only the background work (time-driven events, retention, webhook delivery), no API.
    Worker,
    /// Print the GraphQL schema (SDL), the same text as `schema.graphql`.
    Schema,
}

#[derive(Debug, Clone, Args)]
pub struct SeedVolumeArgs {
    /// Slug of the tenant to create; it must not exist yet.
    #[arg(long, env = "DEBRIEF_SEED_SLUG", default_value = "volume")]
    pub slug: String,
    /// How many incidents to generate, with their post-mortems, measures and feedback.
    #[arg(long, env = "DEBRIEF_SEED_INCIDENTS", default_value_t = 200_000)]
    pub incidents: u64,
    /// Timeline entries per incident (every third one internal).
    #[arg(long, env = "DEBRIEF_SEED_TIMELINE_EVENTS", default_value_t = 10)]
    pub timeline_events: u32,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "DEBRIEF_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Do not apply migrations on start.
    #[arg(long, env = "DEBRIEF_NO_MIGRATE")]
    pub no_migrate: bool,
    /// Run no background work in this process (run `debrief worker` elsewhere).
    #[arg(long, env = "DEBRIEF_NO_WORKERS")]
    pub no_workers: bool,
}

/// `serve`'s arguments read on their own, for when no subcommand is given.
#[derive(Debug, Parser)]
struct DefaultServe {
    #[command(flatten)]
    args: ServeArgs,
}

impl ServeArgs {
    /// The arguments `serve` gets with no flags: defaults and environment variables.
    pub fn from_env() -> Self {
        DefaultServe::parse_from(["debrief"]).args
    }
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant with its first ADMIN user and print the ids.
    Create(TenantCreateArgs),
}

#[derive(Debug, Args)]
pub struct TenantCreateArgs {
    /// Short unique name used in tokens and URLs, e.g. `acme`.
    #[arg(long, env = "DEBRIEF_TENANT_SLUG")]
    pub slug: String,
    /// Display name of the organisation.
    #[arg(long, env = "DEBRIEF_TENANT_NAME")]
    pub name: String,
    /// Email of the first ADMIN user.
    #[arg(long, env = "DEBRIEF_ADMIN_EMAIL")]
    pub admin_email: String,
    /// Display name of the first ADMIN user (defaults to the email's local part).
    #[arg(long, env = "DEBRIEF_ADMIN_NAME")]
    pub admin_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Slug of the user's tenant.
    #[arg(long, env = "DEBRIEF_TOKEN_TENANT")]
    pub tenant: String,
    /// Email of the user.
    #[arg(long, env = "DEBRIEF_TOKEN_EMAIL")]
    pub email: String,
    /// Lifetime, e.g. `15m`, `1h`, `7d`; at most `30d`.
    #[arg(long, env = "DEBRIEF_TOKEN_TTL", default_value = "1h", value_parser = parse_token_ttl)]
    pub ttl: std::time::Duration,
}

/// A signed token cannot be revoked before it expires, so none may outlive a month.
fn parse_token_ttl(text: &str) -> Result<Duration, String> {
    let ttl = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if ttl.is_zero() || ttl > Duration::from_secs(30 * 24 * 3600) {
        return Err("the lifetime must be more than 0 and at most 30d".into());
    }
    Ok(ttl)
}

fn parse_synchronous(value: &str) -> Result<SqliteSynchronous, String> {
    match value.to_ascii_lowercase().as_str() {
        "full" => Ok(SqliteSynchronous::Full),
        "normal" => Ok(SqliteSynchronous::Normal),
        _ => Err("expected `full` or `normal`".to_owned()),
    }
}
