//! `debrief serve` refuses to start on a manifest it cannot trust, saying why.

use super::{ROLE, relay_manifest, sha256, write};
use crate::support::SECRET;
use crate::support::database::TestDatabase;
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};

async fn serve(database: &TestDatabase, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_debrief"));
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .envs(crate::support::database::process_env(database.url()))
        .env("DEBRIEF_JWT_SECRET", SECRET)
        .env_remove("DEBRIEF_ENV");
    tokio::task::spawn_blocking(move || command.output().expect("run debrief serve"))
        .await
        .expect("join")
}

async fn refusal(database: &TestDatabase, folder: &Path, manifest: &serde_json::Value) -> String {
    let path = write(folder, manifest);
    let output = serve(database, &["--trusted-documents", path.to_str().unwrap()]).await;
    assert!(!output.status.success(), "served a bad manifest");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn a_stale_or_malformed_manifest_stops_the_start_with_the_reason() {
    let database = TestDatabase::create().await;
    let folder = tempfile::tempdir().unwrap();
    let stale = json!({ sha256(ROLE): "query Role { viewer { role tenant { slug } } }" });
    let error = refusal(&database, folder.path(), &stale).await;
    assert!(
        error.contains("is not the SHA-256 of its document"),
        "{error}"
    );
    let error = refusal(&database, folder.path(), &json!(["not", "a", "manifest"])).await;
    assert!(error.contains("a manifest is a JSON object"), "{error}");
    let error = refusal(
        &database,
        folder.path(),
        &relay_manifest(&["query Broken {"]),
    )
    .await;
    assert!(error.contains("does not parse"), "{error}");
    let apollo = json!({ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id": "x" }] });
    let error = refusal(&database, folder.path(), &apollo).await;
    assert!(
        error.contains("not an Apollo persisted query manifest"),
        "{error}"
    );
}

#[tokio::test]
async fn roles_bound_to_no_manifest_or_no_role_stop_the_start() {
    let database = TestDatabase::create().await;
    let output = serve(&database, &["--require-trusted-documents", "CLIENT"]).await;
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("needs DEBRIEF_TRUSTED_DOCUMENTS"), "{error}");
    let folder = tempfile::tempdir().unwrap();
    let path = write(folder.path(), &relay_manifest(&[ROLE]));
    let args = [
        "--trusted-documents",
        path.to_str().unwrap(),
        "--require-trusted-documents",
        "CLIENT,OWNER",
    ];
    let output = serve(&database, &args).await;
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("`OWNER` is not a role"), "{error}");
}
