//! A fresh database per test: a SQLite file in a temporary folder, or a PostgreSQL database
//! created on the server `DEBRIEF_TEST_DATABASE_URL` names and dropped when the test ends.
//! On PostgreSQL the tables belong to the URL's role (the owner, who migrates), and the
//! server connects as [`SERVER_ROLE`], which is neither owner nor superuser: row-level
//! security binds it as it binds a deployed server.

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

/// The role the server under test connects as on PostgreSQL.
pub const SERVER_ROLE: &str = "debrief_server";

pub enum TestDatabase {
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    Postgres {
        /// As [`SERVER_ROLE`].
        url: String,
        /// As the owner.
        owner_url: String,
        server: String,
        name: String,
    },
    /// A database the test made itself (a throwaway cluster); nothing to drop.
    External { url: String },
}

/// Whether this run tests PostgreSQL.
pub fn is_postgres() -> bool {
    postgres_server().is_some()
}

/// The PostgreSQL server to test against, if any. `DEBRIEF_TEST_BACKEND=postgres` makes its
/// absence a failure, so a CI run can never skip PostgreSQL silently.
fn postgres_server() -> Option<String> {
    let url = std::env::var("DEBRIEF_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let required = std::env::var("DEBRIEF_TEST_BACKEND").is_ok_and(|b| b == "postgres");
    assert!(
        url.is_some() || !required,
        "DEBRIEF_TEST_BACKEND=postgres needs DEBRIEF_TEST_DATABASE_URL"
    );
    url
}

/// Creates [`SERVER_ROLE`] once per cluster; tests starting together may race to it.
const CREATE_SERVER_ROLE: &str = "DO $$ BEGIN \
    CREATE ROLE debrief_server LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; \
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$";

/// `url` with `role` as its user (trust authentication: no password).
pub fn as_role(url: &str, role: &str) -> String {
    let mut url = url::Url::parse(url).expect("a PostgreSQL URL");
    url.set_username(role).expect("a URL with a user");
    url.set_password(None).expect("a URL with a user");
    url.to_string()
}

/// Replaces the database name at the end of a PostgreSQL URL.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server
        .split_once('?')
        .map_or((server, None), |(b, q)| (b, Some(q)));
    let root = base.rsplit_once('/').map_or(base, |(root, _)| root);
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

impl TestDatabase {
    pub async fn create() -> Self {
        match postgres_server() {
            Some(server) => {
                let name = format!("debrief_test_{}", Uuid::now_v7().simple());
                let admin = Database::connect(&server)
                    .await
                    .expect("connect to the PostgreSQL test server");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create the test database");
                admin
                    .execute_unprepared(CREATE_SERVER_ROLE)
                    .await
                    .expect("create the server's role");
                admin.close().await.ok();
                let owner_url = with_database(&server, &name);
                Self::Postgres {
                    url: as_role(&owner_url, SERVER_ROLE),
                    owner_url,
                    server,
                    name,
                }
            }
            None => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Self::Sqlite { url, _dir: dir }
            }
        }
    }

    /// The URL the server connects with.
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } | Self::External { url } => url,
        }
    }

    /// The URL of the tables' owner, who migrates and seeds: on PostgreSQL another role
    /// than the server's.
    pub fn owner_url(&self) -> &str {
        match self {
            Self::Postgres { owner_url, .. } => owner_url,
            other => other.url(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Self::Postgres { server, name, .. } = self else {
            return;
        };
        let (server, name) = (server.clone(), name.clone());
        let label = name.clone();
        // Drop runs inside the test's runtime, which cannot block on async work: use a thread.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let admin = Database::connect(&server).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {label}");
        }
    }
}

/// The environment a `debrief` process needs for the database the server URL `url` names:
/// `DATABASE_URL`, and on PostgreSQL the owner's URL for its migrations.
pub fn process_env(url: &str) -> Vec<(&'static str, String)> {
    let mut env = vec![("DATABASE_URL", url.to_owned())];
    if let Some(owner) = owner_url_for(url) {
        env.push(("DEBRIEF_DATABASE_OWNER_URL", owner));
    }
    env
}

/// The owner's URL for a test database the server role's URL `url` names.
fn owner_url_for(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    if parsed.username() != SERVER_ROLE {
        return None;
    }
    let server = url::Url::parse(&postgres_server()?).ok()?;
    Some(as_role(url, server.username()))
}
