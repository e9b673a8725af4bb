//! Spawning the app on a fresh database, minting tokens, and making requests.

pub mod cluster;
pub mod database;
pub mod history;
pub mod process;
pub mod receiver;
pub mod record;
pub mod sentinel;
pub mod smtp;
pub mod socket;
pub mod traces;
mod world;

pub use world::{TenantWorld, World, decode_uuid, global_id, populate};

use database::TestDatabase;
use debrief::auth::TokenSigner;
use debrief::config::{Config, Environment, JwtConfig, JwtKey};
use debrief::repo::{db, tenants};
use reqwest::StatusCode;
use sea_orm::{DatabaseConnection, Statement};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// How the statement that sets a transaction's tenant begins.
const TENANT_SETTING: &str = "SELECT set_config('app.tenant_id'";

/// The rate-limit charge that precedes each request's own statements (the call of
/// PostgreSQL's charging function, SQLite's statement).
const RATE_LIMIT_CHARGE: [&str; 2] = [
    "SELECT bucket, available, accepted FROM charge_rate_limits",
    "INSERT INTO rate_limit_buckets",
];

/// The HS256 secret every test server verifies with.
pub const SECRET: &str = "integration-tests-secret-at-least-32-bytes-long";
pub const ISSUER: &str = "debrief";
pub const AUDIENCE: &str = "debrief-api";

/// A running server on its own database.
pub struct TestApp {
    pub url: String,
    /// `GET /metrics`, when the configuration set `metrics_listen`.
    pub metrics_url: Option<String>,
    /// What the server counts (recording nothing without `metrics_listen`).
    pub metrics: debrief::telemetry::Metrics,
    /// The server's pool: on PostgreSQL as [`database::SERVER_ROLE`], which row-level
    /// security binds.
    pub db: DatabaseConnection,
    /// The tables' owner, for fixtures that reach past the server (a superuser on the test
    /// server, so the policies do not bind it).
    pub owner_db: DatabaseConnection,
    pub http: reqwest::Client,
    /// SQL statements the app has run so far.
    pub statements: Arc<AtomicU64>,
    /// Every SQL statement the app has run, with its values.
    pub sql: Arc<Mutex<Vec<Statement>>>,
    signer: TokenSigner,
    _database: TestDatabase,
}

pub fn config(database_url: &str) -> Config {
    Config {
        database_url: database_url.to_owned(),
        database_owner_url: None,
        db_pool: Default::default(),
        expected_nodes: 1,
        environment: Environment::Development,
        jwt: JwtConfig {
            key: JwtKey::Secret(SECRET.as_bytes().to_vec()),
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
        },
        request_timeout: debrief::config::DEFAULT_REQUEST_TIMEOUT,
        connections: Default::default(),
        cors_allowed_origins: Vec::new(),
        batch_window: debrief::config::DEFAULT_BATCH_WINDOW,
        feedback_per_hour: 30,
        rate_limits: Default::default(),
        workers: debrief::worker::WorkerSettings::default(),
        webhooks: quick_webhooks(),
        live: debrief::live::LiveSettings::default(),
        public_url: None,
        notifications: Default::default(),
        trusted_documents: Default::default(),
        metrics_listen: None,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|config| config).await
}

/// Spawns the app with a configuration adjusted by `adjust` (key material, environment).
/// Tokens from [`TestApp::token`] are always signed with [`SECRET`].
pub async fn spawn_app_with(adjust: impl FnOnce(Config) -> Config) -> TestApp {
    spawn_app_on(TestDatabase::create().await, adjust).await
}

/// Spawns the app on a database the test made itself, such as a throwaway cluster.
pub async fn spawn_app_on_url(url: &str, adjust: impl FnOnce(Config) -> Config) -> TestApp {
    let database = TestDatabase::External {
        url: url.to_owned(),
    };
    spawn_app_on(database, adjust).await
}

async fn spawn_app_on(database: TestDatabase, adjust: impl FnOnce(Config) -> Config) -> TestApp {
    traces::install();
    let owner_db = db::connect(database.owner_url())
        .await
        .expect("connect to the test database as its owner");
    debrief::repo::migrations::migrate(&owner_db, database.url())
        .await
        .expect("migrate the test database and grant the server's role");
    let config = adjust(config(database.url()));
    let mut db = db::connect_with(database.url(), config.db_pool)
        .await
        .expect("connect to the test database as the server");
    let statements = Arc::new(AtomicU64::new(0));
    let sql = Arc::new(Mutex::new(Vec::new()));
    let (counter, log) = (statements.clone(), sql.clone());
    db.set_metric_callback(move |info| {
        // The tenant setting that opens each transaction on PostgreSQL is the wall's, and
        // the charge the rate limits': neither is the operation's, so counts stay comparable
        // across databases and budgets.
        let sql = &info.statement.sql;
        let operation = !sql.starts_with(TENANT_SETTING)
            && !RATE_LIMIT_CHARGE
                .iter()
                .any(|charge| sql.starts_with(charge));
        if operation {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut log) = log.lock() {
            log.push(info.statement.clone());
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let app = debrief::commands::spawn(&config, db.clone(), listener).expect("spawn the app");
    TestApp {
        url: format!("http://{}", app.address),
        metrics_url: app.metrics_address.map(|a| format!("http://{a}/metrics")),
        metrics: app.metrics.clone(),
        db,
        owner_db,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client"),
        statements,
        sql,
        signer: TokenSigner::new(&self::config("").jwt).expect("signer"),
        _database: database,
    }
}

/// Webhook settings that keep tests quick: the retry schedule at 1/1000 (5 ms, 300 ms,
/// 1.8 s, …), a 1 s timeout, a 50 ms poll, and receivers on loopback allowed (as in
/// development).
pub fn quick_webhooks() -> debrief::webhooks::WebhookSettings {
    debrief::webhooks::WebhookSettings {
        addresses: debrief::domain::webhook::AddressPolicy {
            allow_private: true,
        },
        retry_scale: 0.001,
        timeout: Duration::from_secs(1),
        poll_interval: Duration::from_millis(50),
        ..Default::default()
    }
}

/// Spawns the app (its configuration changed by `adjust`) and runs webhook delivery beside
/// it, as `serve` does.
pub async fn spawn_delivering_app(adjust: impl FnOnce(Config) -> Config) -> TestApp {
    let chosen = Arc::new(Mutex::new(None));
    let seen = chosen.clone();
    let app = spawn_app_with(move |config| {
        let config = adjust(config);
        *seen.lock().expect("settings") = Some(config.webhooks);
        config
    })
    .await;
    let webhooks = chosen.lock().expect("settings").expect("configured");
    app.deliver_webhooks(webhooks);
    app
}

/// A tenant as the operator creates it: its id, and its first ADMIN's id and token.
pub struct NewTenant {
    pub id: Uuid,
    pub admin_id: Uuid,
    pub admin: String,
}

impl TestApp {
    /// Runs webhook delivery on the app's database in this process, counted in the app's
    /// metrics.
    pub fn deliver_webhooks(&self, settings: debrief::webhooks::WebhookSettings) {
        tokio::spawn(debrief::worker::delivery::run(
            self.db.clone(),
            settings,
            self.metrics.clone(),
            std::future::pending(),
        ));
    }

    /// The URL of the app's database, for `debrief` processes that share it.
    pub fn database_url(&self) -> &str {
        self._database.url()
    }

    pub fn token(&self, tenant_id: Uuid, user_id: Uuid) -> String {
        self.token_for(tenant_id, user_id, Duration::from_secs(3600))
    }

    /// A token that expires after `ttl`.
    pub fn token_for(&self, tenant_id: Uuid, user_id: Uuid, ttl: Duration) -> String {
        self.signer
            .sign(tenant_id, user_id, ttl)
            .expect("sign a token")
    }

    /// Makes every event older than the default retention and runs a worker pass, which
    /// purges them all.
    pub async fn purge_every_event(&self) {
        use sea_orm::{ConnectionTrait, DbBackend};
        let backend = self.db.get_database_backend();
        let placeholder = if backend == DbBackend::Postgres {
            "$1"
        } else {
            "?"
        };
        let long_ago = chrono::Utc::now() - chrono::TimeDelta::days(40);
        let aged = Statement::from_sql_and_values(
            backend,
            format!("UPDATE events SET occurred_at = {placeholder}"),
            [long_ago.into()],
        );
        self.owner_db
            .execute_raw(aged)
            .await
            .expect("age the events");
        debrief::worker::pass(&self.db, debrief::worker::WorkerSettings::default())
            .await
            .expect("a worker pass");
    }

    /// The URL of the subscription endpoint.
    pub fn ws_url(&self) -> String {
        format!("{}/graphql/ws", self.url.replacen("http", "ws", 1))
    }

    /// Provisions a tenant the way `debrief tenant create` does.
    pub async fn create_tenant(&self, slug: &str) -> NewTenant {
        let new = tenants::NewTenant {
            slug: slug.into(),
            name: format!("Tenant {slug}"),
            admin_email: format!("admin@{slug}.example"),
            admin_name: format!("Admin of {slug}"),
        };
        let (tenant, admin) = tenants::create(&self.db, new).await.expect("create tenant");
        NewTenant {
            id: tenant.id,
            admin_id: admin.id,
            admin: self.token(tenant.id, admin.id),
        }
    }

    /// POSTs an operation and returns the status and JSON body.
    pub async fn post(&self, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut request = self.http.post(format!("{}/graphql", self.url)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send request");
        let status = response.status();
        let text = response.text().await.expect("read body");
        let body =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        (status, body)
    }

    /// Runs an operation that must reach execution; returns the whole response body.
    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self
            .post(
                Some(token),
                json!({ "query": query, "variables": variables }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Runs an operation that must succeed without errors; returns `data`.
    pub async fn data(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// How many SQL statements one operation runs.
    pub async fn statements_for(&self, token: &str, query: &str, variables: Value) -> u64 {
        let before = self.statements.load(Ordering::SeqCst);
        self.data(token, query, variables).await;
        self.statements.load(Ordering::SeqCst) - before
    }

    /// The SQL statements one operation runs.
    pub async fn sql_for(&self, token: &str, query: &str, variables: Value) -> Vec<Statement> {
        let before = self.sql.lock().map(|log| log.len()).unwrap_or(0);
        self.data(token, query, variables).await;
        self.sql
            .lock()
            .map(|log| log[before..].to_vec())
            .unwrap_or_default()
    }

    /// How many audit entries the tenant of `admin` (an ADMIN's token) has.
    pub async fn audit_count(&self, admin: &str) -> u64 {
        let data = self
            .data(admin, "{ auditLog { totalCount } }", json!({}))
            .await;
        data["auditLog"]["totalCount"].as_u64().expect("totalCount")
    }
}

/// The `extensions.code` of every top-level error.
/// POSTs an operation to the server at `url` as `token` from a task of its own (a
/// [`TestApp`] cannot be moved into one) and returns the whole response body.
pub async fn post_as(url: &str, token: &str, query: &str, variables: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{url}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("send request")
        .json()
        .await
        .expect("JSON body")
}

/// Every event of the feed `query` reads (it takes `$after` and selects `events { edges {
/// node { … } } pageInfo { endCursor hasNextPage } }`), page after page.
pub async fn whole_feed(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (mut events, mut after) = (Vec::new(), Value::Null);
    loop {
        let data = app.data(token, query, json!({ "after": after })).await;
        let page = &data["events"];
        let nodes = page["edges"].as_array().into_iter().flatten();
        events.extend(nodes.map(|edge| edge["node"].clone()));
        if page["pageInfo"]["hasNextPage"] != true {
            return events;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `code` of every user error of a payload.
pub fn user_error_codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .expect("userErrors")
        .iter()
        .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}
