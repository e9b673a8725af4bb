//! Rate-limit budgets in the database, so that they hold across servers: one statement
//! charges a request to its tenant's bucket and its caller's (migration 16 has it).

use super::tenant_sql::{TenantSql, sql};
use crate::domain::rate_limit::{Bucket, Charge, Level};
use crate::error::{AppError, AppResult};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, FromQueryResult, SqlErr,
};
use uuid::Uuid;

/// A bucket as the charge left it.
#[derive(FromQueryResult)]
struct Charged {
    bucket: String,
    available: f64,
    accepted: bool,
}

/// Charges `charge` to `tenant_id`'s buckets in one statement and one round trip, outside
/// any request transaction (a request that held the tenant's bucket until it finished would
/// make every other request of the tenant wait for it). Returns the tenant's level, then
/// the caller's.
pub async fn charge(
    pool: &DatabaseConnection,
    tenant_id: Uuid,
    charge: &Charge,
) -> AppResult<(Level, Level)> {
    let backend = pool.get_database_backend();
    let mut q = TenantSql::of(backend, tenant_id);
    q.bind(charge.cost as f64);
    q.bind(charge.at.timestamp_micros());
    for bucket in [&charge.tenant, &charge.caller] {
        q.bind(bucket.key.clone());
        q.bind(bucket.capacity);
        q.bind(bucket.restore_per_microsecond);
    }
    // On PostgreSQL the function names the tenant for row-level security in the statement's
    // own transaction; SQLite has no wall to name it for.
    let text = match backend {
        DatabaseBackend::Postgres => sql!(migration::rate_limits::CHARGE_CALL),
        _ => sql!(migration::rate_limits::CHARGE),
    };
    #[allow(clippy::disallowed_methods)] // built by `TenantSql`; `$1` binds the tenant
    let rows = pool
        .query_all_raw(q.finish(text)?)
        .await
        .map_err(unknown_tenant)?;
    let mut levels = rows
        .iter()
        .map(|row| Charged::from_query_result(row, ""))
        .collect::<Result<Vec<_>, _>>()?;
    let mut level_of = |bucket: &Bucket| {
        let position = levels.iter().position(|row| row.bucket == bucket.key);
        position
            .map(|i| levels.swap_remove(i))
            .map(|row| Level {
                available: row.available,
                accepted: row.accepted,
            })
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("a charged bucket was not returned")))
    };
    Ok((level_of(&charge.tenant)?, level_of(&charge.caller)?))
}

/// A signed token may name a tenant that no longer exists: the buckets' only foreign key
/// then refuses the charge, which is the caller's credentials failing, not the server.
fn unknown_tenant(error: DbErr) -> AppError {
    match error.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            AppError::unauthenticated("the token's tenant does not exist")
        }
        _ => error.into(),
    }
}

/// Gives `charge`'s cost back to the bucket `key` (at most up to its capacity): the other
/// bucket of the request refused it, so the request does not run and costs nothing.
pub async fn refund(
    pool: &DatabaseConnection,
    tenant_id: Uuid,
    charge: &Charge,
    key: &str,
) -> AppResult<()> {
    let db = super::TenantConnection::new(pool.clone(), tenant_id, super::Grouping::EachStatement);
    let mut q = TenantSql::of(db.get_database_backend(), tenant_id);
    let target = q.target("rate_limit_buckets");
    let cost = q.bind(charge.cost as f64);
    let key = q.bind(key.to_owned());
    let sql = sql! {
        "UPDATE ", target, " SET available = CASE WHEN available + ", &cost,
        " >= capacity THEN capacity ELSE available + ", &cost, " END WHERE ",
        TenantSql::tenant_of("rate_limit_buckets"), " AND bucket = ", key,
    };
    #[allow(clippy::disallowed_methods)] // built and checked by `TenantSql`
    db.execute_raw(q.finish(sql)?).await?;
    Ok(())
}
