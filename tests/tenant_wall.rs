//! PostgreSQL's row-level security, the second wall behind the application's tenant filter:
//! every tenant table carries the forced policy, and the server's own role, with the filter
//! taken away (raw SQL), reads no foreign row and writes none. SQLite has no row-level
//! security; there the application's filter is the only wall (docs/ARCHITECTURE.md).

use crate::support::database::is_postgres;
use crate::support::{history, spawn_app, spawn_app_with};
use debrief::repo::db::{self, PoolSettings, Wall};
use debrief::repo::{Grouping, TenantConnection};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

/// Every table of the public schema with a `tenant_id` column.
const TENANT_TABLES: &str = "SELECT c.table_name AS name FROM information_schema.columns c \
    JOIN information_schema.tables t USING (table_schema, table_name) \
    WHERE c.column_name = 'tenant_id' AND c.table_schema = current_schema() \
    AND t.table_type = 'BASE TABLE' ORDER BY 1";

async fn tenant_tables(db: &DatabaseConnection) -> Vec<String> {
    let rows = db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, TENANT_TABLES))
        .await
        .expect("list the tenant tables");
    rows.iter()
        .map(|row| row.try_get::<String>("", "name").expect("a name"))
        .collect()
}

fn sql(text: impl Into<String>) -> Statement {
    Statement::from_string(DbBackend::Postgres, text)
}

async fn count(db: &impl ConnectionTrait, query: String) -> i64 {
    db.query_one_raw(sql(query))
        .await
        .expect("count")
        .expect("a row")
        .try_get::<i64>("", "n")
        .expect("a count")
}

/// A transaction as the server begins one for `tenant`.
async fn as_tenant(db: &DatabaseConnection, tenant: Uuid) -> DatabaseTransaction {
    let txn = db.begin().await.expect("begin");
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [tenant.to_string().into()],
    ))
    .await
    .expect("set the tenant");
    txn
}

#[tokio::test]
async fn every_tenant_table_has_its_policy_enabled_and_forced() {
    let app = spawn_app().await;
    if !is_postgres() {
        assert_eq!(db::wall(&app.db).await.expect("standing"), Wall::Absent);
        return;
    }
    let tables = tenant_tables(&app.owner_db).await;
    assert!(tables.len() >= 30, "the tenant tables: {tables:?}");
    for table in &tables {
        let walled = count(
            &app.owner_db,
            format!(
                "SELECT count(*) AS n FROM pg_class c JOIN pg_policies p \
                 ON p.tablename = c.relname AND p.schemaname = current_schema() \
                 WHERE c.oid = to_regclass('{table}') AND c.relrowsecurity \
                 AND c.relforcerowsecurity AND p.policyname = 'tenant_wall' \
                 AND p.cmd = 'ALL' AND p.qual LIKE '%app.tenant_id%' \
                 AND p.with_check LIKE '%app.tenant_id%'"
            ),
        )
        .await;
        assert_eq!(walled, 1, "{table} lacks its forced tenant_wall policy");
    }
}

#[tokio::test]
async fn the_servers_role_is_bound_by_the_wall() {
    let app = spawn_app().await;
    if !is_postgres() {
        return;
    }
    assert_eq!(db::wall(&app.db).await.expect("standing"), Wall::Bound);
    assert_eq!(
        db::wall(&app.owner_db).await.expect("standing"),
        Wall::Bypassed,
        "the test server's owner is a superuser"
    );
}

#[tokio::test]
async fn without_the_filter_the_servers_role_reads_and_writes_no_foreign_row() {
    let app = spawn_app().await;
    if !is_postgres() {
        return;
    }
    history::build(&app).await;
    let mine = tenant_id(&app.owner_db, "history").await;
    let theirs = tenant_id(&app.owner_db, "elsewhere").await;
    let mut with_rows = Vec::new();
    for table in tenant_tables(&app.owner_db).await {
        let of_mine = format!("SELECT count(*) AS n FROM {table} WHERE tenant_id = '{mine}'");
        let everything = format!("SELECT count(*) AS n FROM {table}");
        assert_eq!(
            count(&app.db, everything.clone()).await,
            0,
            "{table}: a statement outside a tenant's transaction sees rows"
        );
        let txn = as_tenant(&app.db, theirs).await;
        assert_eq!(
            count(&txn, of_mine.clone()).await,
            0,
            "{table} shows foreign rows"
        );
        txn.rollback().await.expect("rollback");
        if count(&app.owner_db, of_mine).await == 0 {
            continue;
        }
        with_rows.push(table.clone());
        refused_as_mine(&app.db, mine, &table, &copy_into(&table, theirs)).await;
        refused_as_mine(&app.db, mine, &table, &move_into(&table, theirs)).await;
    }
    assert!(
        with_rows.len() >= 12,
        "too few tables held rows to prove the writes refused: {with_rows:?}"
    );
}

/// Copies one of the caller's rows of `table` into tenant `theirs`.
fn copy_into(table: &str, theirs: Uuid) -> String {
    format!(
        "INSERT INTO {table} SELECT (jsonb_populate_record(NULL::{table}, \
         to_jsonb(x) || jsonb_build_object('tenant_id', '{theirs}'))).* \
         FROM {table} x LIMIT 1"
    )
}

/// Moves one of the caller's rows of `table` into tenant `theirs`.
fn move_into(table: &str, theirs: Uuid) -> String {
    format!(
        "UPDATE {table} SET tenant_id = '{theirs}' \
         WHERE ctid = (SELECT ctid FROM {table} LIMIT 1)"
    )
}

async fn refused_as_mine(db: &DatabaseConnection, mine: Uuid, table: &str, statement: &str) {
    let txn = as_tenant(db, mine).await;
    let refusal = txn.execute_raw(sql(statement)).await;
    txn.rollback().await.ok();
    match refusal {
        Err(DbErr::Exec(error)) | Err(DbErr::Query(error)) => assert!(
            error.to_string().contains("row-level security"),
            "{table}: refused, but not by the wall: {error}"
        ),
        other => panic!("{table}: `{statement}` was not refused: {other:?}"),
    }
}

async fn tenant_id(db: &DatabaseConnection, slug: &str) -> Uuid {
    db.query_one_raw(sql(format!("SELECT id FROM tenants WHERE slug = '{slug}'")))
        .await
        .expect("read the tenant")
        .expect("the tenant")
        .try_get::<Uuid>("", "id")
        .expect("an id")
}

#[tokio::test]
async fn a_pooled_connection_carries_no_tenant_from_one_request_to_the_next() {
    let app = spawn_app_with(|mut config| {
        config.db_pool = PoolSettings {
            size: Some(1),
            ..config.db_pool
        };
        config
    })
    .await;
    let first = app.create_tenant("first").await;
    let second = app.create_tenant("second").await;
    let query = "{ viewer { tenant { slug } } services(first: 5) { nodes { name } } }";
    for (tenant, slug) in [(&first, "first"), (&second, "second"), (&first, "first")] {
        let data = app.data(&tenant.admin, query, json!({})).await;
        assert_eq!(data["viewer"]["tenant"]["slug"], slug);
        if is_postgres() {
            let setting = app
                .db
                .query_one_raw(sql(
                    "SELECT COALESCE(current_setting('app.tenant_id', true), '') AS t",
                ))
                .await
                .expect("read the setting")
                .expect("a row")
                .try_get::<String>("", "t")
                .expect("text");
            assert_eq!(setting, "", "the setting outlived {slug}'s request");
        }
    }
    let refused = app.gql(&first.admin, "{ nothingHere }", json!({})).await;
    assert!(refused["errors"].is_array());
    let data = app.data(&second.admin, query, json!({})).await;
    assert_eq!(data["viewer"]["tenant"]["slug"], "second");
}

#[tokio::test]
async fn production_refuses_a_server_role_that_bypasses_the_wall() {
    if !is_postgres() {
        return;
    }
    let database = crate::support::database::TestDatabase::create().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", database.owner_url())
        .env("DEBRIEF_ENV", "production")
        .env("DEBRIEF_JWT_SECRET", crate::support::SECRET)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start debrief");
    let mut status = None;
    for _ in 0..200 {
        status = child.try_wait().expect("poll the server");
        if status.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let Some(status) = status else {
        child.kill().ok();
        panic!("a superuser's server started in production");
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    assert!(!status.success());
    assert!(stderr.contains("bypasses row-level security"), "{stderr}");
}

#[tokio::test]
async fn a_failed_statement_leaves_the_requests_next_statements_working() {
    let app = spawn_app().await;
    if !is_postgres() {
        return;
    }
    let tenant = app.create_tenant("acme").await;
    let request = TenantConnection::new(app.db.clone(), tenant.id, Grouping::Request);
    assert!(
        request
            .query_one_raw(sql("SELECT 1 / 0 AS n"))
            .await
            .is_err(),
        "the statement fails"
    );
    let users = count(&request, "SELECT count(*) AS n FROM users".to_owned()).await;
    assert_eq!(users, 1, "the tenant's ADMIN, read after the failure");
    request.release().await.expect("commit");
}
