//! The system under test: a seeded database, and the release server running on it as its own
//! process, so its CPU time and memory can be read from `/proc` apart from the load generator.

use crate::common;
use debrief::repo::{db, identity};
use sea_orm::ConnectionTrait;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SLUG: &str = "load";

/// Migrates and seeds `url` with `incidents` incidents of 10 timeline entries each, unless
/// the tenant is there already.
pub async fn seed(url: &str, incidents: u64) {
    let connection = db::connect(url).await.expect("connect");
    debrief::repo::migrations::migrate(&connection, url)
        .await
        .expect("migrate");
    if url.starts_with("postgres") {
        connection
            .execute_unprepared(CREATE_SERVER_ROLE)
            .await
            .expect("create the server's role");
    }
    if identity::tenant_by_slug(&connection, SLUG)
        .await
        .expect("lookup")
        .is_some()
    {
        return;
    }
    let started = Instant::now();
    let seeding = db::connect(&common::seeding_url(url))
        .await
        .expect("connect to seed");
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

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The release server, running as a child process until dropped.
pub struct Server {
    child: Child,
    pub endpoint: String,
    pub token: String,
}

impl Server {
    /// Starts the server on `url`; `sqlite_synchronous` sets `DEBRIEF_SQLITE_SYNCHRONOUS`.
    /// Rate limits are off, so the figures compare with runs before they existed.
    pub async fn start(url: &str, sqlite_synchronous: &str) -> Server {
        let off = [
            ("DEBRIEF_RATE_LIMIT_USER_POINTS", "0".to_owned()),
            ("DEBRIEF_RATE_LIMIT_TENANT_POINTS", "0".to_owned()),
        ];
        Self::start_with(url, sqlite_synchronous, &off).await
    }

    /// [`Self::start`] with the environment variables `settings` added.
    pub async fn start_with(
        url: &str,
        sqlite_synchronous: &str,
        settings: &[(&str, String)],
    ) -> Server {
        let port = free_port();
        let child = debrief(url)
            .env("DEBRIEF_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .env("DEBRIEF_SQLITE_SYNCHRONOUS", sqlite_synchronous)
            .env("DEBRIEF_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true")
            // The subscription measurements open thousands of sockets as one user.
            .env("DEBRIEF_WS_SOCKETS_PER_USER", "10000")
            .env("DEBRIEF_MAX_CONNECTIONS", "4096")
            .envs(settings.iter().map(|(name, value)| (*name, value.as_str())))
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
        wait_until_ready(port).await;
        server
    }

    /// CPU time the server process has used so far (user + system). On PostgreSQL the
    /// database's own work runs in its backends and is not included; on SQLite it runs inside
    /// the server and is.
    pub fn cpu_time(&self) -> Duration {
        cpu_time_of(self.child.id())
    }

    /// The server's peak resident memory so far, in MiB.
    pub fn peak_memory_mib(&self) -> f64 {
        self.memory_mib("VmHWM:")
    }

    /// The server's resident memory now, in MiB.
    pub fn resident_memory_mib(&self) -> f64 {
        self.memory_mib("VmRSS:")
    }

    fn memory_mib(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
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

/// Waits until the process listening on `port` answers `/readyz`.
pub async fn wait_until_ready(port: u16) {
    let ready = format!("http://127.0.0.1:{port}/readyz");
    for _ in 0..100 {
        if reqwest::get(&ready)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the process on port {port} did not become ready");
}

/// CPU time the process `pid` has used so far (user + system), from `/proc`.
pub fn cpu_time_of(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .expect("read /proc/<pid>/stat (Linux only)");
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .map(|&i| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .expect("CPU ticks")
        })
        .sum();
    // USER_HZ, which Linux fixes at 100 for user space on every architecture it supports.
    Duration::from_millis(ticks * 10)
}

/// The role the server connects as on PostgreSQL, as a deployed one does: neither owner nor
/// superuser, so row-level security binds it. The benchmark's own URL is the owner's.
const SERVER_ROLE: &str = "debrief_bench_server";

const CREATE_SERVER_ROLE: &str = "DO $$ BEGIN CREATE ROLE debrief_bench_server LOGIN; \
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$";

fn debrief(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_debrief"));
    command
        .env("DEBRIEF_ENV", "production")
        .env("DEBRIEF_JWT_SECRET", common::SECRET);
    match url::Url::parse(url) {
        Ok(mut server) if url.starts_with("postgres") => {
            // A URL with a user always takes another one.
            let _ = server.set_username(SERVER_ROLE);
            let _ = server.set_password(None);
            command
                .env("DATABASE_URL", server.as_str())
                .env("DEBRIEF_DATABASE_OWNER_URL", url);
        }
        _ => {
            command.env("DATABASE_URL", url);
        }
    }
    command
}
