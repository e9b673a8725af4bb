//! Real `debrief serve` processes on a test's database, for what spans processes.

use super::SECRET;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A `debrief serve` process, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// What the process has written to stderr (its log) so far.
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `debrief serve` on `database_url` (already migrated) with `args` added, and
    /// waits until it is ready.
    pub async fn start(database_url: &str, args: &[&str]) -> Self {
        let server = Self::launch(database_url, &[&["--no-migrate"], args].concat());
        server.ready().await;
        server
    }

    /// Starts `debrief serve` on `database_url` with `args` added (it migrates unless they
    /// hold `--no-migrate`), and returns at once; its log is kept for [`Server::log`].
    pub fn launch(database_url: &str, args: &[&str]) -> Self {
        let port = super::cluster::free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_debrief"));
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(args);
        let mut child = command
            .envs(super::database::process_env(database_url))
            .env("DEBRIEF_JWT_SECRET", SECRET)
            .env("DEBRIEF_WEBHOOK_RETRY_SCALE", "0.001")
            .env("DEBRIEF_WEBHOOK_TIMEOUT", "2s")
            .env("DEBRIEF_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true")
            // Tests that send thousands of requests measure other things than the budgets;
            // a test of the budgets passes its own flags, which take precedence.
            .env("DEBRIEF_RATE_LIMIT_USER_POINTS", "1000000")
            .env("DEBRIEF_RATE_LIMIT_TENANT_POINTS", "1000000")
            .env(
                "RUST_LOG",
                "info,sqlx=warn,sea_orm=warn,sea_orm_migration=info",
            )
            .env_remove("DEBRIEF_ENV")
            .env_remove("DEBRIEF_LOG_FORMAT")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start debrief serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr is piped");
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = kept.lock().expect("the log's lock");
                log.push_str(&line);
                log.push('\n');
            }
        });
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// Waits until `/readyz` answers 200.
    pub async fn ready(&self) {
        for _ in 0..400 {
            if reqwest::get(format!("{}/readyz", self.url))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "debrief serve did not become ready; its log:\n{}",
            self.log()
        );
    }

    /// What the process has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("the log's lock").clone()
    }

    /// Waits up to 20 s for the log to hold `text`.
    pub async fn logged(&self, text: &str) {
        for _ in 0..400 {
            if self.log().contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "debrief serve never logged {text:?}; its log:\n{}",
            self.log()
        );
    }

    /// The subscription endpoint.
    pub fn ws_url(&self) -> String {
        format!("{}/graphql/ws", self.url.replacen("http", "ws", 1))
    }

    /// SIGKILL: no shutdown, no lease released, whatever was in flight lost.
    pub fn kill(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }

    /// SIGTERM: the graceful shutdown an orchestrator asks for.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
