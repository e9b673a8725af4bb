//! Several servers on one database: simultaneous starts apply each migration once under the
//! advisory lock, `--expected-nodes` warns when the pools would not fit, and `/readyz` waits
//! for pending migrations.

use crate::support::database::{TestDatabase, is_postgres, process_env};
use crate::support::process::Server;
use crate::support::spawn_app;
use debrief::repo::{db, migrations};
use migration::{Migrator, MigratorTrait};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How the three servers start: in production, which seeds no demo (three processes would
/// race to seed it).
const SERVE: &[&str] = &["--no-workers", "--env", "production"];

/// What the lock's waiters log.
const WAITING: &str = "waiting for another node's migrations";

/// Every migration of this release, in order.
fn migration_names() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|migration| migration.name().to_owned())
        .collect()
}

/// How many times the migrations' table records each migration, in version order.
async fn recorded(owner: &DatabaseConnection) -> Vec<(String, i64)> {
    let sql =
        "SELECT version, COUNT(*) AS times FROM seaql_migrations GROUP BY version ORDER BY version";
    owner
        .query_all_raw(Statement::from_string(owner.get_database_backend(), sql))
        .await
        .expect("read the migrations' table")
        .iter()
        .map(|row| {
            let version: String = row.try_get("", "version").expect("a version");
            (version, row.try_get("", "times").expect("a count"))
        })
        .collect()
}

/// How many of `servers` logged that they applied `migration`.
fn applications(servers: &[Server], migration: &str) -> usize {
    let line = format!("Migration '{migration}' has been applied");
    servers
        .iter()
        .map(|server| server.log().matches(&line).count())
        .sum()
}

#[tokio::test]
async fn three_simultaneous_starts_apply_each_migration_once_and_all_serve() {
    let database = TestDatabase::create().await;
    let owner = db::connect(database.owner_url()).await.expect("the owner");
    let servers: Vec<Server> = if is_postgres() {
        // The test holds the lock first, so all three must wait for it: the contention is
        // certain, not a matter of timing.
        let held = owner.begin().await.expect("a transaction");
        let lock = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [migrations::MIGRATION_LOCK.into()],
        );
        held.execute_raw(lock).await.expect("take the lock");
        let servers: Vec<Server> = (0..3)
            .map(|_| Server::launch(database.url(), SERVE))
            .collect();
        for server in &servers {
            server.logged(WAITING).await;
        }
        held.commit().await.expect("release the lock");
        servers
    } else {
        // SQLite takes no lock (one file, one host): starts one after another migrate once.
        let mut servers = Vec::new();
        for _ in 0..3 {
            let server = Server::launch(database.url(), SERVE);
            server.ready().await;
            servers.push(server);
        }
        servers
    };
    for server in &servers {
        server.ready().await;
    }
    let expected: Vec<(String, i64)> = migration_names().into_iter().map(|m| (m, 1)).collect();
    assert_eq!(recorded(&owner).await, expected);
    for migration in migration_names() {
        assert_eq!(applications(&servers, &migration), 1, "{migration}");
    }
}

/// A fresh database migrated by the owner, as an earlier deploy leaves it.
async fn migrated_database() -> TestDatabase {
    let database = TestDatabase::create().await;
    let owner = db::connect(database.owner_url()).await.expect("the owner");
    migrations::migrate(&owner, database.url())
        .await
        .expect("migrate");
    database
}

/// `max_connections` and the reserved connections, read as the test's superuser.
async fn connection_settings(database: &TestDatabase) -> (i64, i64) {
    let owner = db::connect(database.owner_url()).await.expect("the owner");
    let sql = "SELECT current_setting('max_connections')::int8 AS max, \
               current_setting('superuser_reserved_connections')::int8 \
               + COALESCE(current_setting('reserved_connections', true)::int8, 0) AS reserved";
    let row = owner
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("read the settings")
        .expect("a row");
    (
        row.try_get("", "max").expect("max"),
        row.try_get("", "reserved").expect("reserved"),
    )
}

#[tokio::test]
async fn expected_nodes_beyond_the_connection_limit_are_warned_about_with_the_figures() {
    if !is_postgres() {
        eprintln!("SQLite has no connection limit to check");
        return;
    }
    let database = migrated_database().await;
    let (max, reserved) = connection_settings(&database).await;
    let many = Server::start(
        database.url(),
        &["--expected-nodes", "1000", "--db-pool-size", "2"],
    )
    .await;
    many.logged("serving").await;
    let available = max - reserved - 5;
    let figures = format!(
        "1000 servers would open up to 7000 PostgreSQL connections (1000 × (2 API pool + 4 background work + 1 listener)), more than the {available} left to them (max_connections {max} − {reserved} reserved − 5 kept for operators)"
    );
    assert!(many.log().contains(&figures), "{}", many.log());
    let few = Server::start(
        database.url(),
        &["--expected-nodes", "2", "--db-pool-size", "2"],
    )
    .await;
    // The check runs before the server says it serves.
    few.logged("serving").await;
    assert!(!few.log().contains("would open up to"), "{}", few.log());
}

/// `/readyz`'s status and body.
async fn readiness(url: &str) -> Option<(StatusCode, Value)> {
    let response = reqwest::get(format!("{url}/readyz")).await.ok()?;
    let status = response.status();
    Some((status, response.json().await.ok()?))
}

#[tokio::test]
async fn readyz_is_503_with_the_pending_migrations_until_another_process_applies_them() {
    let database = TestDatabase::create().await;
    let owner = db::connect(database.owner_url()).await.expect("the owner");
    Migrator::up(&owner, Some(5)).await.expect("the first five");
    db::grant_server_role(&owner, database.url())
        .await
        .expect("grant the server's role");
    // Production seeds no demo, which the missing tables could not hold.
    let server = Server::launch(
        database.url(),
        &["--no-migrate", "--no-workers", "--env", "production"],
    );
    let mut answer = None;
    for _ in 0..200 {
        answer = readiness(&server.url).await;
        if answer.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pending = &migration_names()[5..];
    assert_eq!(
        answer,
        Some((
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "migrations pending", "pending": pending })
        )),
        "{}",
        server.log()
    );
    let migrated = std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("migrate")
        .envs(process_env(database.url()))
        .env("DEBRIEF_JWT_SECRET", crate::support::SECRET)
        .output()
        .expect("run debrief migrate");
    assert!(migrated.status.success(), "{migrated:?}");
    assert_eq!(
        readiness(&server.url).await,
        Some((StatusCode::OK, json!({ "status": "ok" })))
    );
}

#[tokio::test]
async fn once_migrated_readyz_runs_no_statement() {
    let app = spawn_app().await;
    let ready = || async {
        let response = reqwest::get(format!("{}/readyz", app.url))
            .await
            .expect("readyz answers");
        response.status()
    };
    let statements = || app.statements.load(Ordering::Relaxed);
    let first = statements();
    assert_eq!(ready().await, StatusCode::OK);
    let second = statements();
    assert!(second > first, "the first probe reads the migrations");
    assert_eq!(ready().await, StatusCode::OK);
    assert_eq!(statements(), second);
}
