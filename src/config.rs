//! Runtime configuration: a plain struct, built from the command line and environment by
//! [`Config::from_args`], or directly by tests.

use crate::cli::GlobalArgs;
use crate::domain::rate_limit::{Budget, Budgets};
use crate::domain::webhook::AddressPolicy;
use crate::live::LiveSettings;
use crate::notifications::NotificationSettings;
use crate::repo::db::PoolSettings;
use crate::webhooks::WebhookSettings;
use crate::worker::WorkerSettings;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the server needs to know to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` (embedded) or `postgres://…`.
    pub database_url: String,
    /// The same database as the owner of its tables, when that is another role: migrations
    /// and the operator's commands connect with it.
    pub database_owner_url: Option<String>,
    /// The database pool: its size, how long a request waits for a connection, and how
    /// SQLite syncs commits.
    pub db_pool: PoolSettings,
    /// How many servers share the database: start-up warns when their pools together would
    /// exceed PostgreSQL's connection limit.
    pub expected_nodes: u32,
    /// Development or production.
    pub environment: Environment,
    /// How tokens are verified and signed.
    pub jwt: JwtConfig,
    /// How long one request may take, from reading its body to answering.
    pub request_timeout: Duration,
    /// What the server allows each client connection.
    pub connections: ConnectionLimits,
    /// Origins whose web pages may call the API (CORS); development adds loopback pages.
    pub cors_allowed_origins: Vec<String>,
    /// How long a DataLoader waits to gather keys into one batch.
    pub batch_window: Duration,
    /// How many feedback threads one client contact may open per hour.
    pub feedback_per_hour: u32,
    /// The rate-limit budgets GraphQL requests are charged to.
    pub rate_limits: Budgets,
    /// How often background work runs, and how long events are kept.
    pub workers: WorkerSettings,
    /// How webhooks are delivered, and where they may go.
    pub webhooks: WebhookSettings,
    /// Limits and timings of subscription sockets.
    pub live: LiveSettings,
    /// Where people outside reach the server (share links); `None`: the listen address.
    pub public_url: Option<url::Url>,
    /// How email notifications are sent; off unless an SMTP URL or a folder is set.
    pub notifications: NotificationSettings,
    /// The trusted documents, and the roles bound to them.
    pub trusted_documents: TrustedDocumentSettings,
    /// Where `GET /metrics` is served; `None`: no metrics are recorded.
    pub metrics_listen: Option<std::net::SocketAddr>,
}

/// Where the trusted documents are, and which roles may run nothing else.
#[derive(Debug, Clone, Default)]
pub struct TrustedDocumentSettings {
    /// The manifest (Relay's or Apollo's); `None`: no trusted documents.
    pub manifest: Option<PathBuf>,
    /// Roles that may run only the manifest's documents.
    pub required_roles: Vec<entity::Role>,
}

/// The public URL of a server listening on `address` when none is configured.
pub fn public_url_of(address: std::net::SocketAddr) -> url::Url {
    url::Url::parse(&format!("http://{address}/")).unwrap_or_else(|_| default_public_url())
}

/// The public URL of the default listen address.
pub fn default_public_url() -> url::Url {
    // A constant that parses.
    url::Url::parse("http://127.0.0.1:8080/").expect("a valid URL")
}

/// The default for [`Config::batch_window`].
pub const DEFAULT_BATCH_WINDOW: Duration = Duration::from_millis(1);

/// The default for [`Config::request_timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server allows each client connection, so that connections which never send a
/// request, or never finish one, cannot use up the process's file descriptors.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// How long a new connection may take to send its first complete request head.
    pub header_read_timeout: Duration,
    /// How long a connection may sit idle between requests before it is closed.
    pub keep_alive_timeout: Duration,
    /// Connections served at once; further ones are closed as soon as they are accepted.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(60),
            max_connections: 512,
        }
    }
}

/// Development turns on GraphiQL, field suggestions, demo seeding and a generated secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// GraphiQL, field suggestions, demo seeding and a generated secret.
    Development,
    /// None of the development conveniences; key material must be configured.
    Production,
}

impl Environment {
    /// Whether this is the development environment.
    pub fn is_development(self) -> bool {
        self == Self::Development
    }
}

/// How tokens are verified (and, with a shared secret, signed).
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// The key that verifies (and, if a secret, signs) tokens.
    pub key: JwtKey,
    /// The required `iss` claim.
    pub issuer: String,
    /// The required `aud` claim.
    pub audience: String,
}

/// The key material; it pins the one algorithm tokens may use.
#[derive(Clone)]
pub enum JwtKey {
    /// HS256 with a shared secret of at least [`MIN_SECRET_BYTES`].
    Secret(Vec<u8>),
    /// RS256 or ES256 public key in PEM form: verification only.
    PublicKeyPem(Vec<u8>),
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret(_) => f.write_str("Secret(<redacted>)"),
            Self::PublicKeyPem(_) => f.write_str("PublicKeyPem"),
        }
    }
}

/// The shortest HS256 secret accepted.
pub const MIN_SECRET_BYTES: usize = 32;

impl Config {
    /// The URL migrations and the operator's commands connect with: the owner's, else the
    /// server's.
    pub fn owner_url(&self) -> &str {
        self.database_owner_url
            .as_deref()
            .unwrap_or(&self.database_url)
    }

    /// Reads the configuration. In development with no key configured, a random secret is
    /// generated once and kept beside the database, so `serve` and `token` agree.
    pub fn from_args(args: &GlobalArgs) -> anyhow::Result<Self> {
        let environment = match args.environment.as_str() {
            "development" | "dev" => Environment::Development,
            "production" | "prod" => Environment::Production,
            other => bail!("DEBRIEF_ENV must be `development` or `production`, not `{other}`"),
        };
        let key = match (&args.jwt_secret, &args.jwt_public_key_file) {
            (Some(_), Some(_)) => {
                bail!("set either DEBRIEF_JWT_SECRET or DEBRIEF_JWT_PUBLIC_KEY_FILE, not both")
            }
            (Some(secret), None) => JwtKey::Secret(secret.as_bytes().to_vec()),
            (None, Some(path)) => JwtKey::PublicKeyPem(
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
            ),
            (None, None) if environment.is_development() => {
                JwtKey::Secret(dev_secret(&secret_file_for(&args.database_url))?)
            }
            (None, None) => bail!(
                "production needs key material: set DEBRIEF_JWT_SECRET (HS256, at least \
                 {MIN_SECRET_BYTES} bytes) or DEBRIEF_JWT_PUBLIC_KEY_FILE (RS256/ES256 PEM)"
            ),
        };
        let cors_allowed_origins: Vec<String> = args
            .cors_allowed_origins
            .iter()
            .map(|origin| origin.trim().to_owned())
            .filter(|origin| !origin.is_empty())
            .collect();
        crate::http::validate_origins(&cors_allowed_origins)
            .map_err(|why| anyhow::anyhow!("DEBRIEF_CORS_ALLOWED_ORIGINS: {why}"))?;
        if let JwtKey::Secret(secret) = &key
            && secret.len() < MIN_SECRET_BYTES
        {
            bail!("DEBRIEF_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long");
        }
        let trusted_documents = trusted_documents(args)?;
        Ok(Self {
            database_url: args.database_url.clone(),
            database_owner_url: args
                .database_owner_url
                .clone()
                .filter(|url| !url.is_empty()),
            db_pool: PoolSettings {
                size: args.db_pool_size,
                acquire_timeout: args.db_acquire_timeout,
                sqlite_synchronous: args.sqlite_synchronous,
            },
            expected_nodes: args.expected_nodes,
            environment,
            jwt: JwtConfig {
                key,
                issuer: args.jwt_issuer.clone(),
                audience: args.jwt_audience.clone(),
            },
            request_timeout: args.request_timeout,
            cors_allowed_origins,
            connections: ConnectionLimits {
                header_read_timeout: args.header_read_timeout,
                keep_alive_timeout: args.keep_alive_timeout,
                max_connections: args.max_connections as usize,
            },
            batch_window: DEFAULT_BATCH_WINDOW,
            feedback_per_hour: args.feedback_per_hour,
            rate_limits: budgets(args),
            workers: WorkerSettings {
                interval: args.worker_interval,
                event_retention: args.event_retention,
            },
            webhooks: WebhookSettings {
                addresses: AddressPolicy {
                    allow_private: args.webhook_allow_private_addresses
                        || environment.is_development(),
                },
                retry_scale: args.webhook_retry_scale,
                timeout: args.webhook_timeout,
                ..WebhookSettings::default()
            },
            live: LiveSettings {
                ping_interval: args.ws_ping_interval,
                sockets_per_user: args.ws_sockets_per_user as usize,
                ..LiveSettings::default()
            },
            public_url: args.public_url.clone(),
            notifications: NotificationSettings {
                smtp_url: args.smtp_url.clone(),
                email_dir: args.email_dir.clone(),
                from: args.smtp_from.clone(),
                retry_scale: args.webhook_retry_scale,
                ..NotificationSettings::default()
            },
            trusted_documents,
            metrics_listen: args.metrics_listen,
        })
    }
}

/// The budgets the flags give; a budget of 0 points is off.
fn budgets(args: &GlobalArgs) -> Budgets {
    let budget = |points: u32| {
        (points > 0).then_some(Budget {
            points,
            window: args.rate_limit_window,
        })
    };
    Budgets {
        per_caller: budget(args.rate_limit_user_points),
        per_tenant: budget(args.rate_limit_tenant_points),
    }
}

/// The manifest's path and the roles bound to it; a role bound to no manifest could run
/// nothing, so that is refused.
fn trusted_documents(args: &GlobalArgs) -> anyhow::Result<TrustedDocumentSettings> {
    let mut required_roles = Vec::new();
    for name in args
        .require_trusted_documents
        .iter()
        .map(|name| name.trim())
    {
        if name.is_empty() {
            continue;
        }
        let role =
            <entity::Role as sea_orm::ActiveEnum>::try_from_value(&name.to_ascii_uppercase())
                .map_err(|_| {
                    anyhow::anyhow!(
                        "DEBRIEF_REQUIRE_TRUSTED_DOCUMENTS: `{name}` is not a role (ADMIN, EDITOR, \
                     VIEWER, CLIENT, REPORTER)"
                    )
                })?;
        required_roles.push(role);
    }
    let manifest = args.trusted_documents.clone();
    if manifest.is_none() && !required_roles.is_empty() {
        bail!(
            "DEBRIEF_REQUIRE_TRUSTED_DOCUMENTS needs DEBRIEF_TRUSTED_DOCUMENTS: the manifest those roles may run"
        );
    }
    Ok(TrustedDocumentSettings {
        manifest,
        required_roles,
    })
}

/// `<database file>.jwt-secret` for SQLite files; `.debrief-jwt-secret` in the working
/// directory otherwise.
fn secret_file_for(database_url: &str) -> PathBuf {
    let sqlite_path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|path| !path.is_empty() && !path.contains(":memory:"));
    match sqlite_path {
        Some(path) => PathBuf::from(format!("{path}.jwt-secret")),
        None => PathBuf::from(".debrief-jwt-secret"),
    }
}

fn dev_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let secret = existing.trim().as_bytes().to_vec();
        if secret.len() >= MIN_SECRET_BYTES {
            return Ok(secret);
        }
    }
    let secret = random_secret();
    write_private(path, &secret)
        .with_context(|| format!("writing the development secret to {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a development JWT secret");
    Ok(secret.into_bytes())
}

fn random_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 48] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_file_sits_beside_a_sqlite_database() {
        assert_eq!(
            secret_file_for("sqlite://data/debrief.db?mode=rwc"),
            PathBuf::from("data/debrief.db.jwt-secret")
        );
        assert_eq!(
            secret_file_for("postgres://localhost/debrief"),
            PathBuf::from(".debrief-jwt-secret")
        );
        assert_eq!(
            secret_file_for("sqlite::memory:"),
            PathBuf::from(".debrief-jwt-secret")
        );
    }
}
