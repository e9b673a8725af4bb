//! What both benchmarks share: where the databases live, how the server is configured, and
//! how bulk data is seeded quickly.

use debrief::auth::TokenSigner;
use debrief::config::{Config, Environment, JwtConfig, JwtKey};
use debrief::repo::{Grouping, TenantConnection, identity};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use std::time::Duration;

/// The HS256 secret the benchmark servers and their tokens share.
pub const SECRET: &str = "benchmark-secret-at-least-32-bytes-long!";

/// A database to measure: its backend's name and its URL.
pub struct Target {
    pub backend: &'static str,
    pub url: String,
}

/// SQLite (`<target folder>/<name>.db`) always, and PostgreSQL (database `<name>` on the
/// server of `DEBRIEF_BENCH_DATABASE_URL`, else of a `postgres://` `DATABASE_URL`, else of the
/// local default; created if missing) when that server answers.
pub async fn targets(name: &str) -> Vec<Target> {
    let folder = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let mut targets = vec![Target {
        backend: "sqlite",
        url: format!("sqlite://{folder}/{name}.db?mode=rwc"),
    }];
    // Loopback needs no TLS; with sqlx's default (`prefer`) every statement would be
    // encrypted by both ends, which the reference measurements of issue 7 do not pay either.
    let server = std::env::var("DEBRIEF_BENCH_DATABASE_URL")
        .ok()
        .or_else(|| {
            std::env::var("DATABASE_URL")
                .ok()
                .filter(|url| url.starts_with("postgres"))
        })
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".into());
    let database = name.replace('-', "_");
    match Database::connect(&server).await {
        Ok(admin) => {
            let exists = admin
                .query_one_raw(sea_orm::Statement::from_string(
                    admin.get_database_backend(),
                    format!("SELECT 1 FROM pg_database WHERE datname = '{database}'"),
                ))
                .await
                .ok()
                .flatten()
                .is_some();
            if !exists {
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {database}"))
                    .await
                    .expect("create the benchmark database");
            }
            let (path, query) = server.split_once('?').unwrap_or((server.as_str(), ""));
            let base = path.rsplit_once('/').map_or(path, |(b, _)| b);
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            targets.push(Target {
                backend: "postgres",
                url: format!("{base}/{database}{query}"),
            });
        }
        Err(error) => eprintln!("PostgreSQL not reachable ({error}); measuring SQLite only"),
    }
    targets
}

/// The URL to seed through. On PostgreSQL the seeding session skips foreign-key triggers
/// (`session_replication_role = replica`, superuser only): checked row by row they slow bulk
/// loading several times over, and the generator writes only consistent rows.
pub fn seeding_url(url: &str) -> String {
    if url.starts_with("postgres") {
        let joiner = if url.contains('?') { '&' } else { '?' };
        format!("{url}{joiner}options=-c%20session_replication_role%3Dreplica")
    } else {
        url.to_owned()
    }
}

/// A production configuration on `url`, with [`SECRET`].
pub fn config(url: &str) -> Config {
    Config {
        database_url: url.to_owned(),
        database_owner_url: None,
        db_pool: Default::default(),
        expected_nodes: 1,
        environment: Environment::Production,
        jwt: JwtConfig {
            key: JwtKey::Secret(SECRET.as_bytes().to_vec()),
            issuer: "debrief".into(),
            audience: "debrief-api".into(),
        },
        request_timeout: Duration::from_secs(60),
        connections: Default::default(),
        cors_allowed_origins: Vec::new(),
        batch_window: debrief::config::DEFAULT_BATCH_WINDOW,
        feedback_per_hour: 30,
        rate_limits: Default::default(),
        workers: debrief::worker::WorkerSettings::default(),
        webhooks: debrief::webhooks::WebhookSettings::default(),
        live: debrief::live::LiveSettings::default(),
        public_url: None,
        notifications: Default::default(),
        trusted_documents: Default::default(),
        metrics_listen: None,
    }
}

/// Serves `connection` (to `url`) in-process on a free port, and returns the GraphQL endpoint
/// and a token of the ADMIN of tenant `slug` (`admin@<slug>.example`).
pub async fn serve(connection: DatabaseConnection, url: &str, slug: &str) -> (String, String) {
    let tenant = identity::tenant_by_slug(&connection, slug)
        .await
        .expect("lookup")
        .expect("tenant");
    let email = format!("admin@{slug}.example");
    let tenant_db = TenantConnection::new(connection.clone(), tenant.id, Grouping::EachStatement);
    let admin = identity::user_by_email(&tenant_db, &email)
        .await
        .expect("lookup")
        .expect("admin");
    let config = config(url);
    let token = TokenSigner::new(&config.jwt)
        .expect("signer")
        .sign(tenant.id, admin.id, Duration::from_secs(3600))
        .expect("token");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let app = debrief::commands::spawn(&config, connection, listener).expect("spawn");
    (format!("http://{}/graphql", app.address), token)
}
