//! Whether the servers an operator expects fit in PostgreSQL's connection limit.

use crate::config::Config;
use crate::repo::db::{self, ConnectionLimit};
use anyhow::Context;
use sea_orm::DatabaseConnection;

/// Connections kept for the operators' own sessions (psql, backups, monitoring) beyond
/// those PostgreSQL reserves itself.
pub const OPERATOR_MARGIN: u32 = 5;

/// The most connections one `serve` process opens on PostgreSQL once it serves. The owner's
/// pool of its migrations (two connections) is closed before the API pool opens, so it
/// never adds to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessConnections {
    /// The API's pool (`--db-pool-size`).
    pub api: u32,
    /// The background work's pool; none with `--no-workers`.
    pub workers: u32,
    /// The live subscriptions' listening connection.
    pub listener: u32,
}

impl ProcessConnections {
    fn total(self) -> u64 {
        u64::from(self.api) + u64::from(self.workers) + u64::from(self.listener)
    }
}

/// Logs a warning when `config.expected_nodes` processes like this one would open more
/// connections than PostgreSQL lets them (see [`shortfall`]). Nothing on SQLite.
pub async fn check(
    config: &Config,
    db: &DatabaseConnection,
    process: ProcessConnections,
) -> anyhow::Result<()> {
    let limit = db::connection_limit(db)
        .await
        .context("reading PostgreSQL's connection limit")?;
    if let Some(warning) = limit.and_then(|limit| shortfall(limit, process, config.expected_nodes))
    {
        tracing::warn!("{warning}");
    }
    Ok(())
}

/// What to tell the operator when `nodes` processes would open more connections than
/// `limit` leaves them: `max_connections` minus PostgreSQL's reserved slots minus
/// [`OPERATOR_MARGIN`]. `None` when they fit.
fn shortfall(limit: ConnectionLimit, process: ProcessConnections, nodes: u32) -> Option<String> {
    let available = u64::from(limit.max_connections)
        .saturating_sub(u64::from(limit.reserved) + u64::from(OPERATOR_MARGIN));
    let needed = u64::from(nodes) * process.total();
    if needed <= available {
        return None;
    }
    let servers = if nodes == 1 {
        "1 server".to_owned()
    } else {
        format!("{nodes} servers")
    };
    let per_node = available / u64::from(nodes.max(1));
    let others = u64::from(process.workers) + u64::from(process.listener);
    let remedy = match per_node.checked_sub(others).filter(|fit| *fit > 0) {
        Some(fit) => format!("lower --db-pool-size to at most {fit}"),
        None => "run fewer servers".to_owned(),
    };
    Some(format!(
        "{servers} would open up to {needed} PostgreSQL connections ({nodes} × ({} API pool + {} background work + {} listener)), more than the {available} left to them (max_connections {} − {} reserved − {OPERATOR_MARGIN} kept for operators): {remedy}, raise max_connections, or put a connection pooler in front (docs/OPERATIONS.md, \"Several servers on one PostgreSQL\")",
        process.api, process.workers, process.listener, limit.max_connections, limit.reserved,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: ConnectionLimit = ConnectionLimit {
        max_connections: 100,
        reserved: 3,
    };
    const PROCESS: ProcessConnections = ProcessConnections {
        api: 16,
        workers: 4,
        listener: 1,
    };

    #[test]
    fn servers_that_fit_get_no_warning() {
        // 4 × 21 = 84 ≤ 100 − 3 − 5 = 92.
        assert_eq!(shortfall(LIMIT, PROCESS, 4), None);
    }

    #[test]
    fn servers_over_the_limit_are_told_the_figures_and_a_pool_size_that_fits() {
        let warning = shortfall(LIMIT, PROCESS, 5).expect("5 × 21 = 105 > 92");
        assert!(warning.starts_with("5 servers would open up to 105 PostgreSQL connections (5 × (16 API pool + 4 background work + 1 listener)), more than the 92 left to them (max_connections 100 − 3 reserved − 5 kept for operators)"), "{warning}");
        // 92 / 5 = 18 per server, less the worker pool and the listener.
        assert!(
            warning.contains("lower --db-pool-size to at most 13"),
            "{warning}"
        );
    }

    #[test]
    fn one_server_alone_over_the_limit_is_warned_about() {
        let small = ConnectionLimit {
            max_connections: 20,
            reserved: 3,
        };
        let warning = shortfall(small, PROCESS, 1).expect("21 > 12");
        assert!(
            warning.starts_with("1 server would open up to 21"),
            "{warning}"
        );
        assert!(warning.contains("at most 7"), "{warning}");
    }

    #[test]
    fn too_many_servers_for_any_pool_are_told_to_be_fewer() {
        let warning = shortfall(LIMIT, PROCESS, 50).expect("far over");
        assert!(warning.contains("run fewer servers"), "{warning}");
    }
}
