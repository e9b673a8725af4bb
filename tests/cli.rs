//! The command line, run as a user would: provisioning, tokens, the demo seed, production checks.

use crate::support::database::TestDatabase;
use crate::support::{SECRET, config};
use serde_json::json;
use std::process::{Command, Output};

fn debrief(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(args)
        .envs(crate::support::database::process_env(database_url))
        .env("DEBRIEF_JWT_SECRET", SECRET)
        .env_remove("DEBRIEF_ENV")
        .output()
        .expect("run debrief")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["tenant", "create", "--help"],
        &["token", "--help"],
        &["seed-demo", "--help"],
        &["schema", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_debrief"))
            .args(args)
            .output()
            .expect("run");
        assert!(output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[tokio::test]
async fn an_operator_provisions_a_tenant_and_mints_a_token_the_server_accepts() {
    let database = TestDatabase::create().await;
    let url = database.url().to_owned();
    let created = stdout(&debrief(
        &url,
        &[
            "tenant",
            "create",
            "--slug",
            "globex",
            "--name",
            "Globex Hosting",
            "--admin-email",
            "Ops@Globex.example",
        ],
    ));
    assert!(
        created.contains("globex") && created.contains("ops@globex.example"),
        "{created}"
    );
    let again = debrief(
        &url,
        &[
            "tenant",
            "create",
            "--slug",
            "globex",
            "--name",
            "Again",
            "--admin-email",
            "x@globex.example",
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let bad_slug = debrief(
        &url,
        &[
            "tenant",
            "create",
            "--slug",
            "Not A Slug",
            "--name",
            "X",
            "--admin-email",
            "x@x.example",
        ],
    );
    assert!(!bad_slug.status.success());
    let token = stdout(&debrief(
        &url,
        &[
            "token",
            "--tenant",
            "globex",
            "--email",
            "ops@globex.example",
            "--ttl",
            "5m",
        ],
    ));
    let response = serve_and_query(&url, &token, "{ viewer { role tenant { name } } }").await;
    assert_eq!(response["data"]["viewer"]["role"], "ADMIN");
    assert_eq!(
        response["data"]["viewer"]["tenant"]["name"],
        "Globex Hosting"
    );
    let unknown = debrief(
        &url,
        &[
            "token",
            "--tenant",
            "globex",
            "--email",
            "nobody@globex.example",
        ],
    );
    assert!(!unknown.status.success());
    let too_long = debrief(
        &url,
        &[
            "token",
            "--tenant",
            "globex",
            "--email",
            "ops@globex.example",
            "--ttl",
            "31d",
        ],
    );
    assert!(!too_long.status.success());
    let said = String::from_utf8_lossy(&too_long.stderr);
    assert!(said.contains("at most 30d"), "{said}");
}

#[tokio::test]
async fn the_demo_seed_is_idempotent() {
    let database = TestDatabase::create().await;
    let url = database.url().to_owned();
    stdout(&debrief(&url, &["seed-demo"]));
    stdout(&debrief(&url, &["seed-demo"]));
    let db = debrief::repo::db::connect(&url).await.expect("connect");
    let users = debrief::seed::demo::users(&db).await.expect("users");
    let roles: Vec<_> = users.iter().map(|(_, u)| u.role).collect();
    use entity::Role::*;
    assert_eq!(
        roles,
        [Admin, Editor, Viewer, Reporter, Client],
        "one user per role, once"
    );
}

#[test]
fn production_refuses_to_start_without_key_material() {
    let output = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(["migrate"])
        .env("DEBRIEF_ENV", "production")
        .env_remove("DEBRIEF_JWT_SECRET")
        .env_remove("DEBRIEF_JWT_PUBLIC_KEY_FILE")
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("production needs key material"));
    let short = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(["migrate"])
        .env("DEBRIEF_JWT_SECRET", "too-short")
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .expect("run");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 32 bytes"));
}

#[test]
fn development_keeps_one_generated_secret_beside_the_database() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("dev.db").display());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_debrief"))
            .args(args)
            .envs(crate::support::database::process_env(&url))
            .env_remove("DEBRIEF_JWT_SECRET")
            .env_remove("DEBRIEF_ENV")
            .output()
            .expect("run")
    };
    stdout(&run(&["seed-demo"]));
    let secret_file = dir.path().join("dev.db.jwt-secret");
    let secret = std::fs::read_to_string(&secret_file).expect("the secret file exists");
    assert!(secret.trim().len() >= 32);
    stdout(&run(&[
        "token",
        "--tenant",
        "acme",
        "--email",
        "admin@acme.example",
    ]));
    assert_eq!(
        std::fs::read_to_string(&secret_file).expect("still there"),
        secret,
        "the same secret is reused"
    );
}

#[tokio::test]
async fn with_no_subcommand_the_server_reads_its_listen_address_from_the_environment() {
    let database = TestDatabase::create().await;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("probe a free port");
        probe.local_addr().expect("address").port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .envs(crate::support::database::process_env(database.url()))
        .env("DEBRIEF_JWT_SECRET", SECRET)
        .env("DEBRIEF_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("DEBRIEF_ENV")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start debrief");
    let mut ready = false;
    for _ in 0..100 {
        if let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await {
            ready = response.status().is_success();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    child.kill().ok();
    child.wait().ok();
    assert!(ready, "debrief did not listen on DEBRIEF_LISTEN");
}

#[tokio::test]
async fn the_demo_shows_a_complete_published_post_mortem() {
    let database = TestDatabase::create().await;
    let url = database.url().to_owned();
    stdout(&debrief(&url, &["seed-demo"]));
    let token = stdout(&debrief(
        &url,
        &[
            "token",
            "--tenant",
            "acme",
            "--email",
            "viewer@acme.example",
        ],
    ));
    let query = "{ incidents(filter: { status: [RESOLVED] }, orderBy: { field: NUMBER, direction: ASC }) { nodes { reference postMortem { status document readiness { ready findings { code severity } } } rootCauses { kind } measures { kind committedDueOn } impacts { client { name } } } } }";
    let response = serve_and_query(&url, &token, query).await;
    let incidents = response["data"]["incidents"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let published: Vec<_> = incidents
        .iter()
        .filter(|i| i["postMortem"]["status"] == "PUBLISHED")
        .collect();
    assert_eq!(published.len(), 1, "{response}");
    let record = published[0];
    let kinds: Vec<_> = record["measures"]
        .as_array()
        .map(|m| m.iter().map(|x| x["kind"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["TECHNICAL", "PROCESS", "MONITORING"]);
    assert!(record["measures"][0]["committedDueOn"].is_string());
    assert_eq!(record["impacts"][0]["client"]["name"], "Globex");
    let document = record["postMortem"]["document"]
        .as_str()
        .unwrap_or_default();
    assert!(
        document.contains("## 2. Root cause")
            && document.contains("What questions or concerns do you have?"),
        "{document}"
    );
    assert_eq!(record["postMortem"]["readiness"]["findings"], json!([]));
    let draft = incidents
        .iter()
        .find(|i| i["postMortem"]["status"] == "DRAFT")
        .expect("a draft shows the work in progress");
    let readiness = &draft["postMortem"]["readiness"];
    assert_eq!(readiness["ready"], false, "{readiness}");
    let findings: Vec<String> = readiness["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|x| {
                    format!(
                        "{} {}",
                        x["code"].as_str().unwrap_or(""),
                        x["severity"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        findings,
        [
            "IMPACT_DESCRIPTION_MISSING BLOCKER",
            "PERSON_NAMED WARNING",
            "BLAMING_LANGUAGE WARNING",
            "DEFENSIVE_TONE WARNING",
            "MEASURE_CRITERION_MISSING BLOCKER",
            "VAGUE_MEASURE WARNING",
            "MEASURE_KIND_MISSING WARNING",
            "MEASURE_KIND_MISSING WARNING",
            "MEETING_TOO_SOON WARNING",
            "MEETING_BEFORE_SUMMARY WARNING",
        ],
        "{readiness}"
    );
}

#[tokio::test]
async fn the_demo_client_sees_one_published_post_mortem_with_an_answered_question() {
    let database = TestDatabase::create().await;
    let url = database.url().to_owned();
    stdout(&debrief(&url, &["seed-demo"]));
    let token = stdout(&debrief(
        &url,
        &[
            "token",
            "--tenant",
            "acme",
            "--email",
            "client@globex.example",
        ],
    ));
    let query = "{ viewer { client { name } } incidents { totalCount nodes { reference feedback { nodes { kind status body firstResponseAt replies { fromStaff } } } } } }";
    let response = serve_and_query(&url, &token, query).await;
    assert!(response.get("errors").is_none(), "{response}");
    let data = &response["data"];
    assert_eq!(data["viewer"]["client"]["name"], "Globex");
    assert_eq!(data["incidents"]["totalCount"], 1, "{response}");
    let thread = &data["incidents"]["nodes"][0]["feedback"]["nodes"][0];
    assert_eq!(thread["kind"], "QUESTION");
    assert_eq!(thread["status"], "ANSWERED");
    assert!(thread["firstResponseAt"].is_string());
    assert_eq!(thread["replies"][0]["fromStaff"], true);
}

/// Serves the database at `url` in-process and runs one query with `token`.
async fn serve_and_query(url: &str, token: &str, query: &str) -> serde_json::Value {
    let db = debrief::repo::db::connect(url).await.expect("connect");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let app = debrief::commands::spawn(&config(url), db, listener).expect("spawn");
    reqwest::Client::new()
        .post(format!("http://{}/graphql", app.address))
        .bearer_auth(token.trim())
        .json(&serde_json::json!({ "query": query }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn seed_volume_builds_a_readable_tenant_and_refuses_to_run_twice() {
    let database = TestDatabase::create().await;
    let url = database.url().to_owned();
    let out = stdout(&debrief(
        &url,
        &["seed-volume", "--slug", "bulk", "--incidents", "60"],
    ));
    assert!(out.contains("has 60 generated incidents"), "{out}");
    let again = debrief(&url, &["seed-volume", "--slug", "bulk", "--incidents", "1"]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{again:?}"
    );
    let token = stdout(&debrief(
        &url,
        &["token", "--tenant", "bulk", "--email", "admin@bulk.example"],
    ));
    let query = "{ incidents { totalCount nodes { timeline { totalCount } } } metrics(from: \"2023-01-01T00:00:00Z\", to: \"2027-01-01T00:00:00Z\") { total { incidents { count } } } }";
    let response = serve_and_query(&url, &token, query).await;
    assert!(response.get("errors").is_none(), "{response}");
    assert_eq!(response["data"]["incidents"]["totalCount"], 60);
    assert_eq!(
        response["data"]["incidents"]["nodes"][0]["timeline"]["totalCount"], 10,
        "ten timeline entries per incident by default"
    );
    assert_eq!(
        response["data"]["metrics"]["total"]["incidents"]["count"],
        60
    );
}

#[tokio::test]
async fn a_tenant_cannot_be_provisioned_with_hidden_characters_in_its_slug_name_or_admin() {
    let database = TestDatabase::create().await;
    let url = database.url().to_owned();
    for (slug, name, email) in [
        ("ac\u{200b}me", "Acme", "ops@acme.example"),
        ("acme", "Ac\u{202e}me", "ops@acme.example"),
        ("acme", "Acme", "o\u{200d}ps@acme.example"),
    ] {
        let args = [
            "tenant",
            "create",
            "--slug",
            slug,
            "--name",
            name,
            "--admin-email",
            email,
        ];
        let output = debrief(&url, &args);
        assert!(
            !output.status.success(),
            "{slug} {name} {email} was accepted"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("slug") || stderr.contains("invisible"),
            "{stderr}"
        );
    }
    let created = stdout(&debrief(
        &url,
        &[
            "tenant",
            "create",
            "--slug",
            "acme",
            "--name",
            "Åcme 株式会社",
            "--admin-email",
            "ops@acme.example",
        ],
    ));
    assert!(created.contains("acme"), "{created}");
}
