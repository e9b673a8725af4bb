//! The committed `schema.graphql` is the schema the code builds.

#[test]
fn schema_graphql_matches_the_schema_built_by_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let built = debrief::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &built).expect("write schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == built,
        "the schema file is out of date: run `UPDATE_SCHEMA=1 cargo test schema` and commit schema.graphql"
    );
}

#[test]
fn the_schema_command_prints_the_committed_schema() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("schema")
        .output()
        .expect("run debrief schema");
    assert!(output.status.success());
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql"),
    )
    .unwrap_or_default();
    assert!(
        String::from_utf8_lossy(&output.stdout) == committed,
        "`debrief schema` differs from schema.graphql"
    );
}
