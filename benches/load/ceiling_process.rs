//! The ceiling (`ceiling/`) as its own process: the benchmark binary started again with
//! [`DATABASE_URL_VARIABLE`] set, so its CPU time is read apart from the load generator's,
//! exactly as the release server's is.

use crate::server::{cpu_time_of, free_port, wait_until_ready};
use sqlx::postgres::PgPoolOptions;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Set on the benchmark binary to make it serve the ceiling on this PostgreSQL URL.
const DATABASE_URL_VARIABLE: &str = "DEBRIEF_LOAD_CEILING_DATABASE_URL";
/// The address the ceiling listens on.
const LISTEN_VARIABLE: &str = "DEBRIEF_LOAD_CEILING_LISTEN";

/// Serves the ceiling, and never returns, when the binary was started for it.
pub fn serve_if_asked() {
    let Ok(url) = std::env::var(DATABASE_URL_VARIABLE) else {
        return;
    };
    let listen = std::env::var(LISTEN_VARIABLE).expect("the ceiling's address");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let pool = PgPoolOptions::new()
            .max_connections(pool_size())
            .connect(&url)
            .await
            .expect("the ceiling connects");
        let router = crate::ceiling::router(pool, crate::common::SECRET.as_bytes());
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .expect("the ceiling binds");
        axum::serve(listener, router)
            .await
            .expect("the ceiling serves");
    });
    std::process::exit(0);
}

/// Connections in the ceiling's pool: `DEBRIEF_DB_POOL_SIZE` as for Debrief, else Debrief's
/// default (four per core, at least 8).
fn pool_size() -> u32 {
    std::env::var("DEBRIEF_DB_POOL_SIZE")
        .ok()
        .and_then(|size| size.parse().ok())
        .unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            u32::try_from(cores * 4).unwrap_or(8).max(8)
        })
}

/// The ceiling, running as a child process until dropped.
pub struct Ceiling {
    child: Child,
    pub endpoint: String,
}

impl Ceiling {
    /// Starts the ceiling on the PostgreSQL database `url`, as its owner.
    pub async fn start(url: &str) -> Ceiling {
        let port = free_port();
        let child = Command::new(std::env::current_exe().expect("the benchmark binary"))
            .env(DATABASE_URL_VARIABLE, url)
            .env(LISTEN_VARIABLE, format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .spawn()
            .expect("start the ceiling");
        let ceiling = Ceiling {
            child,
            endpoint: format!("http://127.0.0.1:{port}/graphql"),
        };
        wait_until_ready(port).await;
        ceiling
    }

    /// CPU time the ceiling has used so far.
    pub fn cpu_time(&self) -> Duration {
        cpu_time_of(self.child.id())
    }
}

impl Drop for Ceiling {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
