//! The system under test: a seeded database, and the release server running on it as its own
//! process, so its CPU time and memory can be read from `/proc` apart from the load generator.

use debrief::repo::{db, identity};
use sea_orm::{ConnectionTrait, Database};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SLUG: &str = "load";
pub const SECRET: &str = "benchmark-secret-at-least-32-bytes-long!";

/// A database to measure: its name and URL.
pub struct Target {
    pub backend: &'static str,
    pub url: String,
}

/// SQLite in the target folder always; PostgreSQL when its server answers.
pub async fn targets(incidents: u64) -> Vec<Target> {
    let folder = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let mut targets = vec![Target {
        backend: "sqlite",
        url: format!("sqlite://{folder}/bench-load-{incidents}.db?mode=rwc"),
    }];
    let server = std::env::var("DEBRIEF_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("debrief_load_{incidents}");
    match Database::connect(&server).await {
        Ok(admin) => {
            let exists = admin
                .query_one_raw(sea_orm::Statement::from_string(
                    admin.get_database_backend(),
                    format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
                ))
                .await
                .ok()
                .flatten()
                .is_some();
            if !exists {
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create the benchmark database");
            }
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            targets.push(Target {
                backend: "postgres",
                url: format!("{base}/{name}"),
            });
        }
        Err(error) => eprintln!("PostgreSQL not reachable ({error}); measuring SQLite only"),
    }
    targets
}

/// Migrates and seeds `url` with `incidents` incidents of 10 timeline entries each, unless
/// the tenant is there already.
pub async fn seed(url: &str, incidents: u64) {
    let connection = db::connect(url).await.expect("connect");
    db::migrate(&connection).await.expect("migrate");
    if identity::tenant_by_slug(&connection, SLUG)
        .await
        .expect("lookup")
        .is_some()
    {
        return;
    }
    let started = Instant::now();
    // On PostgreSQL the seeding session skips foreign-key triggers (superuser only): checked
    // row by row they slow bulk loading several times over, and the generator writes only
    // consistent rows.
    let seeding_url = if url.starts_with("postgres") {
        format!("{url}?options=-c%20session_replication_role%3Dreplica")
    } else {
        url.to_owned()
    };
    let seeding = db::connect(&seeding_url).await.expect("connect to seed");
    let volume = debrief::seed::volume::Volume {
        incidents,
        timeline_events: 10,
    };
    debrief::seed::volume::seed(&seeding, SLUG, volume, |done| {
        if done % 5_000 == 0 || done == incidents {
            eprintln!(
                "  seeded {done}/{incidents} incidents ({:.0?})",
                started.elapsed()
            );
        }
    })
    .await
    .expect("seed");
}

/// The release server, running as a child process until dropped.
pub struct Server {
    child: Child,
    pub endpoint: String,
    pub token: String,
}

impl Server {
    pub async fn start(url: &str) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = debrief(url)
            .env("DEBRIEF_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start the server");
        let token = debrief(url)
            .args(["token", "--tenant", SLUG, "--email"])
            .arg(format!("admin@{SLUG}.example"))
            .output()
            .expect("mint a token");
        let server = Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}/graphql"),
            token: String::from_utf8_lossy(&token.stdout).trim().to_owned(),
        };
        let ready = format!("http://127.0.0.1:{port}/readyz");
        for _ in 0..100 {
            if reqwest::get(&ready)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not become ready");
    }

    /// CPU time the server has used so far (user + system), from `/proc`.
    pub fn cpu_time(&self) -> Duration {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks: u64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
            .sum();
        // Linux reports in USER_HZ, 100 per second on every mainstream configuration.
        Duration::from_millis(ticks * 10)
    }

    /// The server's peak resident memory so far, in MiB.
    pub fn peak_memory_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn debrief(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_debrief"));
    command
        .env("DATABASE_URL", url)
        .env("DEBRIEF_ENV", "production")
        .env("DEBRIEF_JWT_SECRET", SECRET);
    command
}
