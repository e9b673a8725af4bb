//! Real `debrief serve` processes on a test's database, for what spans processes.

use super::SECRET;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `debrief serve` process, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl Server {
    /// Starts `debrief serve` on `database_url` (already migrated) with `args` added, and
    /// waits until it is ready.
    pub async fn start(database_url: &str, args: &[&str]) -> Self {
        let port = super::cluster::free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_debrief"));
        command
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--no-migrate",
            ])
            .args(args);
        let child = command
            .envs(super::database::process_env(database_url))
            .env("DEBRIEF_JWT_SECRET", SECRET)
            .env("DEBRIEF_WEBHOOK_RETRY_SCALE", "0.001")
            .env("DEBRIEF_WEBHOOK_TIMEOUT", "2s")
            .env("DEBRIEF_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true")
            // Tests that send thousands of requests measure other things than the budgets;
            // a test of the budgets passes its own flags, which take precedence.
            .env("DEBRIEF_RATE_LIMIT_USER_POINTS", "1000000")
            .env("DEBRIEF_RATE_LIMIT_TENANT_POINTS", "1000000")
            .env_remove("DEBRIEF_ENV")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start debrief serve");
        let server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..200 {
            if reqwest::get(format!("{}/readyz", server.url))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("debrief serve did not become ready");
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
