//! A throwaway PostgreSQL cluster on its own port and folder, which a test may stop and start
//! while the shared test server stays up.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A cluster made by `initdb`, served by `pg_ctl`; stopped and removed when dropped.
pub struct Cluster {
    bin: PathBuf,
    data: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// Creates and starts a cluster, or `None` when no PostgreSQL binaries are installed.
    pub fn start() -> Option<Self> {
        let bin = binaries()?;
        let data = tempfile::Builder::new()
            .prefix("debrief-cluster-")
            .tempdir()
            .expect("a folder for the cluster");
        // PostgreSQL refuses to run as root, so a root test runs it as `postgres`.
        let as_postgres = run_output("id", &["-u"]).trim() == "0";
        if as_postgres {
            let folder = data.path().to_str().expect("a UTF-8 path");
            run("chown", &["postgres:postgres", folder]);
        }
        let port = free_port();
        let cluster = Self {
            bin,
            data,
            port,
            as_postgres,
        };
        let folder = cluster.folder();
        cluster.pg(
            "initdb",
            &["-D", &folder, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        cluster.resume();
        Some(cluster)
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server at once, as a crash would: no checkpoint, connections cut.
    pub fn crash(&self) {
        let folder = self.folder();
        self.pg("pg_ctl", &["-D", &folder, "-m", "immediate", "-w", "stop"]);
    }

    /// Starts the server (again) and waits until it accepts connections.
    pub fn resume(&self) {
        let folder = self.folder();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=on",
            self.port, folder
        );
        let log = format!("{folder}/server.log");
        self.pg(
            "pg_ctl",
            &["-D", &folder, "-o", &options, "-l", &log, "-w", "start"],
        );
    }

    fn folder(&self) -> String {
        self.data.path().to_str().expect("a UTF-8 path").to_owned()
    }

    fn pg(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let program = program.to_str().expect("a UTF-8 path");
        if self.as_postgres {
            let mut all = vec!["-u", "postgres", "--", program];
            all.extend_from_slice(args);
            run("runuser", &all);
        } else {
            run(program, args);
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let folder = self.folder();
        let program = self.bin.join("pg_ctl");
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        let _ = command
            .args(["-D", &folder, "-m", "immediate", "stop"])
            .output();
    }
}

/// The newest installed PostgreSQL's `bin` folder (Debian keeps them out of `PATH`).
fn binaries() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| Path::new(bin).join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn run(program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("running {program}: {error}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn run_output(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("running {program}: {error}"));
    String::from_utf8_lossy(&output.stdout).into_owned()
}
