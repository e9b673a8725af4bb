//! A fresh database per test: a SQLite file in a temporary folder, or a PostgreSQL database
//! created on the server `DEBRIEF_TEST_DATABASE_URL` names and dropped when the test ends.

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

pub enum TestDatabase {
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    Postgres {
        url: String,
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
                admin.close().await.ok();
                Self::Postgres {
                    url: with_database(&server, &name),
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

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } | Self::External { url } => url,
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
