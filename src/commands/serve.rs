//! `debrief serve`: migrate, seed the demo in development, and serve until SIGTERM or Ctrl-C.

use crate::auth::{Authenticator, PrincipalCache, TokenSigner, TokenVerifier};
use crate::cli::ServeArgs;
use crate::config::Config;
use crate::graphql::limits::Pricing;
use crate::graphql::response::Completion;
use crate::graphql::{self, SchemaOptions};
use crate::http::{self, AppState, Documents, GraphiqlSettings, TrustedDocuments};
use crate::live::Live;
use crate::telemetry::Metrics;
use anyhow::Context;
use sea_orm::DatabaseConnection;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long sockets get to send their close frames at shutdown.
const SOCKET_CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Connections the background work of `serve` has to itself.
const WORKER_POOL_SIZE: u32 = 4;

/// A running server: its addresses and database (tests use them).
pub struct App {
    /// Where the server listens.
    pub address: SocketAddr,
    /// Where `GET /metrics` is served, when `--metrics-listen` is set.
    pub metrics_address: Option<SocketAddr>,
    /// What the server counts, for background work run beside it.
    pub metrics: Metrics,
    /// The database the server uses.
    pub db: DatabaseConnection,
}

/// Builds the router on `db` and serves it on `listener` in the background, with the
/// metrics on `config.metrics_listen` when it is set.
pub fn spawn(
    config: &Config,
    db: DatabaseConnection,
    listener: TcpListener,
) -> anyhow::Result<App> {
    let address = listener.local_addr()?;
    let metrics = metrics_for(config);
    let mut metrics_address = None;
    if let Some(listen) = config.metrics_listen {
        let bound = std::net::TcpListener::bind(listen)
            .with_context(|| format!("listening on {listen} for metrics"))?;
        bound.set_nonblocking(true)?;
        metrics_address = Some(bound.local_addr()?);
        let pools = vec![("api", db.clone())];
        let bound = TcpListener::from_std(bound)?;
        tokio::spawn(http::serve_metrics(bound, metrics.clone(), pools));
    }
    let graphiql = development(config).then(GraphiqlSettings::default);
    let principals = principal_cache(&db);
    let live = Live::new(db.clone(), config.live, principals.clone());
    let parts = Parts {
        graphiql,
        live,
        principals,
        metrics: metrics.clone(),
        documents: documents(config)?,
    };
    let router = router(config, db.clone(), parts, address)?;
    let limits = config.connections;
    let drain = config.request_timeout;
    tokio::spawn(http::serve(
        listener,
        router,
        limits,
        std::future::pending(),
        drain,
    ));
    Ok(App {
        address,
        metrics_address,
        metrics,
        db,
    })
}

/// What the router shares with the rest of the process.
struct Parts {
    /// GraphiQL's page, or `None` to serve none.
    graphiql: Option<GraphiqlSettings>,
    live: Live,
    /// The users kept between requests, when the database tells of directory changes.
    principals: Option<PrincipalCache>,
    metrics: Metrics,
    /// The trusted documents and the roles bound to them.
    documents: Documents,
}

/// A cache of users on PostgreSQL, whose commit notifications tell every server of directory
/// changes (`auth::PrincipalCache`); none on SQLite, where nothing tells one process of
/// another's commits and a lookup is a read of a local file.
fn principal_cache(db: &DatabaseConnection) -> Option<PrincipalCache> {
    (db.get_database_backend() == sea_orm::DbBackend::Postgres).then(PrincipalCache::default)
}

fn development(config: &Config) -> bool {
    config.environment.is_development()
}

/// The trusted documents of `--trusted-documents`, checked, with the roles bound to them.
fn documents(config: &Config) -> anyhow::Result<Documents> {
    let settings = &config.trusted_documents;
    let Some(path) = &settings.manifest else {
        return Ok(Documents::default());
    };
    let trusted = TrustedDocuments::load(path)?;
    tracing::info!(path = %path.display(), documents = trusted.len(), "trusted documents");
    Ok(Documents::new(trusted, settings.required_roles.clone()))
}

/// The router of a server listening on `address`.
fn router(
    config: &Config,
    db: DatabaseConnection,
    parts: Parts,
    address: SocketAddr,
) -> anyhow::Result<axum::Router> {
    let development = development(config);
    let options = SchemaOptions {
        suggestions: development,
        feedback_per_hour: config.feedback_per_hour,
        webhook_addresses: config.webhooks.addresses,
        public_url: config
            .public_url
            .clone()
            .unwrap_or_else(|| crate::config::public_url_of(address)),
    };
    let schema = graphql::build(options.clone());
    let state = AppState {
        cost_meter: Arc::new(graphql::cost_meter(options)),
        completion: Arc::new(Completion::new(&schema.sdl())?),
        pricing: Arc::new(Pricing::new(&schema.sdl())?),
        budgets: config.rate_limits,
        schema,
        authenticator: Authenticator::new(TokenVerifier::new(&config.jwt)?, db.clone())
            .with_principal_cache(parts.principals),
        db,
        graphiql: parts.graphiql,
        request_timeout: config.request_timeout,
        batch_window: config.batch_window,
        cors: http::CorsOrigins {
            allowed: config.cors_allowed_origins.clone(),
            loopback: development,
        },
        live: parts.live,
        metrics: parts.metrics,
        readiness: Arc::default(),
        documents: Arc::new(parts.documents),
    };
    Ok(http::router(state))
}

/// Migrates unless told not to, seeds an empty development database with the demo, and
/// serves until SIGTERM or Ctrl-C.
pub async fn run(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    // Before anything else, so a bad manifest stops the start at once.
    let documents = documents(&config)?;
    let owner = if args.no_migrate {
        None
    } else {
        Some(super::migrate(&config).await?)
    };
    let db = super::connect(&config).await?;
    super::check_wall(&config, &db).await?;
    let process = super::capacity::ProcessConnections {
        api: config.db_pool.postgres_size(),
        workers: if args.no_workers { 0 } else { WORKER_POOL_SIZE },
        listener: 1,
    };
    super::capacity::check(&config, &db, process).await?;
    if config.environment.is_development() && crate::seed::demo::is_empty(&db).await? {
        crate::seed::demo::seed(owner.as_ref().unwrap_or(&db)).await?;
        tracing::info!("seeded the demo tenant `{}`", crate::seed::demo::SLUG);
    }
    drop(owner);
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let graphiql = if development(&config) {
        Some(announce(&config, &db, args.listen).await?)
    } else {
        None
    };
    tracing::info!(address = %args.listen, "serving");
    if config.public_url.is_none() && !development(&config) {
        tracing::warn!(
            "DEBRIEF_PUBLIC_URL is not set: share links will point at http://{}/, which clients may not reach",
            args.listen
        );
    }
    let metrics = metrics_for(&config);
    let mut pools = vec![("api", db.clone())];
    let (stop_workers, stopped) = tokio::sync::oneshot::channel::<()>();
    let workers = if args.no_workers {
        None
    } else {
        let stopped = async {
            let _ = stopped.await;
        };
        // Background work has connections of its own, so a busy API never keeps a webhook
        // or a deadline waiting for one (nor the other way round).
        let worker_db = super::connect_with_pool(&config, WORKER_POOL_SIZE).await?;
        pools.push(("worker", worker_db.clone()));
        let fallback = || crate::config::public_url_of(args.listen);
        let outbound = outbound(&config, fallback, metrics.clone());
        Some(tokio::spawn(crate::worker::run(
            worker_db,
            config.workers,
            outbound,
            stopped,
        )))
    };
    serve_metrics(&config, &metrics, pools).await?;
    let principals = principal_cache(&db);
    let live = Live::new(db.clone(), config.live, principals.clone());
    let parts = Parts {
        graphiql,
        live: live.clone(),
        principals,
        metrics,
        documents,
    };
    let router = router(&config, db, parts, args.listen)?;
    let shutdown = async {
        shutdown_signal().await;
        // Sockets are not requests: they close (1001) rather than wait for the drain.
        live.shut_down();
    };
    // Requests in flight get as long to finish as any request may take.
    http::serve(
        listener,
        router,
        config.connections,
        shutdown,
        config.request_timeout,
    )
    .await;
    live.all_closed(SOCKET_CLOSE_GRACE).await;
    drop(stop_workers);
    // Webhook attempts in flight finish and their leases are released before the process
    // ends (the worker bounds how long that takes).
    if let Some(workers) = workers {
        let _ = workers.await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Logs the GraphiQL URL and, for each demo role, a token as the JSON GraphiQL's Headers tab
/// takes; GraphiQL starts with the ADMIN's.
async fn announce(
    config: &Config,
    db: &DatabaseConnection,
    listen: SocketAddr,
) -> anyhow::Result<GraphiqlSettings> {
    let signer = TokenSigner::new(&config.jwt);
    let users = crate::seed::demo::users(db).await?;
    tracing::info!("GraphiQL: http://{listen}/graphql (signed in as the demo ADMIN)");
    let mut settings = GraphiqlSettings::default();
    let Ok(signer) = signer else {
        return Ok(settings);
    };
    for (tenant_id, user) in users {
        let token = signer.sign(tenant_id, user.id, Duration::from_secs(12 * 3600))?;
        let headers = serde_json::json!({ "Authorization": format!("Bearer {token}") });
        tracing::info!(
            "{:<8} {:<24} {headers}",
            sea_orm::ActiveEnum::to_value(&user.role),
            user.email
        );
        if user.role == entity::Role::Admin && settings.headers.is_none() {
            settings.headers = Some(headers.to_string());
        }
    }
    Ok(settings)
}

/// What the background work sends, its links pointing at the configured public URL, else at
/// `fallback`, and counted in `metrics`.
fn outbound(
    config: &Config,
    fallback: impl FnOnce() -> url::Url,
    metrics: Metrics,
) -> crate::worker::Outbound {
    crate::worker::Outbound {
        webhooks: config.webhooks,
        notifications: config.notifications.clone(),
        public_url: config.public_url.clone().unwrap_or_else(fallback),
        metrics,
    }
}

/// Metrics recorded for Prometheus when `--metrics-listen` is set; else nothing recorded.
fn metrics_for(config: &Config) -> Metrics {
    match config.metrics_listen {
        Some(_) => Metrics::prometheus(),
        None => Metrics::default(),
    }
}

/// Serves `metrics` in the background on `--metrics-listen`, if it is set, counting the
/// connections of `pools` at each scrape.
async fn serve_metrics(
    config: &Config,
    metrics: &Metrics,
    pools: Vec<(&'static str, DatabaseConnection)>,
) -> anyhow::Result<()> {
    let Some(listen) = config.metrics_listen else {
        return Ok(());
    };
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen} for metrics"))?;
    tracing::info!(address = %listen, "serving metrics at /metrics");
    tokio::spawn(http::serve_metrics(listener, metrics.clone(), pools));
    Ok(())
}

/// `debrief worker`: migrates, and runs the background work until SIGTERM
/// or Ctrl-C.
pub async fn work(config: Config) -> anyhow::Result<()> {
    drop(super::migrate(&config).await?);
    let db = super::connect(&config).await?;
    super::check_wall(&config, &db).await?;
    tracing::info!(interval = ?config.workers.interval, "working");
    let metrics = metrics_for(&config);
    serve_metrics(&config, &metrics, vec![("worker", db.clone())]).await?;
    let outbound = outbound(&config, crate::config::default_public_url, metrics);
    crate::worker::run(db, config.workers, outbound, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
