//! The tenant wall of PostgreSQL's row-level security, for the migrations that add tables:
//! a new table with a `tenant_id` calls [`tenant_wall`] in the migration that creates it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// The tables with a `tenant_id` when row-level security arrived (migration 15).
pub const TENANT_TABLES: &[&str] = &[
    "api_tokens",
    "audit_entries",
    "client_impacts",
    "clients",
    "confidence_ratings",
    "effectiveness_reviews",
    "effectiveness_verdicts",
    "email_attempts",
    "email_messages",
    "event_sequences",
    "events",
    "feedback",
    "feedback_replies",
    "incident_services",
    "incident_signatures",
    "incidents",
    "measure_root_causes",
    "notification_cursors",
    "notification_preferences",
    "post_mortems",
    "prevention_measures",
    "root_cause_services",
    "root_causes",
    "services",
    "share_links",
    "timeline_events",
    "unsubscribe_tokens",
    "users",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_endpoints",
];

/// The tenant a transaction named, or NULL (which matches no row) when it named none. An
/// unset custom setting reads as NULL before its first use in a session and as `''` after
/// one; both mean "no tenant".
const CURRENT_TENANT: &str = "NULLIF(current_setting('app.tenant_id', true), '')::uuid";

/// Enables and forces row-level security on `table`, with the policy `tenant_wall` for
/// reads (`USING`) and writes (`WITH CHECK`). Nothing on SQLite.
pub async fn tenant_wall(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let table = quoted(table);
    let condition = format!("tenant_id = {CURRENT_TENANT}");
    let db = manager.get_connection();
    db.execute_unprepared(&format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        .await?;
    db.execute_unprepared(&format!("ALTER TABLE {table} FORCE ROW LEVEL SECURITY"))
        .await?;
    db.execute_unprepared(&format!(
        "CREATE POLICY tenant_wall ON {table} USING ({condition}) WITH CHECK ({condition})"
    ))
    .await?;
    Ok(())
}

/// Undoes [`tenant_wall`].
pub async fn tenant_wall_removed(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let table = quoted(table);
    let db = manager.get_connection();
    db.execute_unprepared(&format!("DROP POLICY IF EXISTS tenant_wall ON {table}"))
        .await?;
    db.execute_unprepared(&format!("ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"))
        .await?;
    db.execute_unprepared(&format!("ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))
        .await?;
    Ok(())
}

/// `table` as a quoted identifier; the names are this crate's own constants.
fn quoted(table: &str) -> String {
    format!("\"{}\"", table.replace('"', "\"\""))
}
