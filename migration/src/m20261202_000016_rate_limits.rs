//! Rate-limit budgets: one token bucket per tenant and per caller, which every server charges
//! in one statement per request, so that a budget holds however many servers share the
//! database.
//!
//! On PostgreSQL the table is UNLOGGED: a budget is a counter that refills within the hour,
//! so a crash that empties it loses nothing worth a disk flush on every request; and the
//! statement runs inside [`CHARGE_FUNCTION`], which names the tenant for row-level security in
//! the statement's own transaction, so one round trip charges a budget.

use crate::columns::{Common, Tenants};
use crate::walls::{tenant_wall, tenant_wall_removed};
use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimitBuckets {
    Table,
    Bucket,
    Capacity,
    RestorePerMicrosecond,
    Available,
    UpdatedAtMicros,
    Accepted,
}

/// The seconds-since-last-charge term, never negative however the servers' clocks differ.
macro_rules! elapsed {
    () => {
        "(CASE WHEN excluded.updated_at_micros > b.updated_at_micros \
         THEN excluded.updated_at_micros - b.updated_at_micros ELSE 0 END)"
    };
}

/// The bucket refilled for the time elapsed, before the cap.
macro_rules! refilled {
    () => {
        concat!(
            "(b.available + ",
            elapsed!(),
            " * excluded.restore_per_microsecond)"
        )
    };
}

/// The bucket refilled, at most full.
macro_rules! restored {
    () => {
        concat!(
            "(CASE WHEN ",
            refilled!(),
            " >= excluded.capacity THEN excluded.capacity ELSE ",
            refilled!(),
            " END)"
        )
    };
}

/// Charges a request's cost to its two buckets, the tenant's and the caller's, each refilled
/// first for the time since it was last charged. A bucket that holds the cost pays it; one
/// that does not is left as it is and says so in `accepted`. Parameters: `$1` the tenant,
/// `$2` the cost, `$3` now in microseconds since the epoch, then for each bucket its key,
/// its capacity and its refill per microsecond (`$4`–`$6` and `$7`–`$9`). Returns each
/// bucket's key, the points it holds afterwards and whether it paid.
pub const CHARGE: &str = concat!(
    "INSERT INTO rate_limit_buckets AS b ",
    "(tenant_id, bucket, capacity, restore_per_microsecond, available, updated_at_micros, accepted) ",
    "VALUES ",
    "($1, $4, $5, $6, CASE WHEN $5 >= $2 THEN $5 - $2 ELSE $5 END, $3, $5 >= $2), ",
    "($1, $7, $8, $9, CASE WHEN $8 >= $2 THEN $8 - $2 ELSE $8 END, $3, $8 >= $2) ",
    "ON CONFLICT (tenant_id, bucket) DO UPDATE SET ",
    "available = CASE WHEN ",
    restored!(),
    " >= $2 THEN ",
    restored!(),
    " - $2 ELSE ",
    restored!(),
    " END, ",
    "accepted = ",
    restored!(),
    " >= $2, ",
    "capacity = excluded.capacity, ",
    "restore_per_microsecond = excluded.restore_per_microsecond, ",
    "updated_at_micros = CASE WHEN excluded.updated_at_micros > b.updated_at_micros ",
    "THEN excluded.updated_at_micros ELSE b.updated_at_micros END ",
    "RETURNING bucket, available, accepted"
);

/// The PostgreSQL function that runs [`CHARGE`] for its tenant: it names the tenant for
/// row-level security, locally, so the setting ends with the statement's own transaction.
pub const CHARGE_FUNCTION: &str = "charge_rate_limits";

/// The statement that calls [`CHARGE_FUNCTION`] with [`CHARGE`]'s parameters.
pub const CHARGE_CALL: &str = "SELECT bucket, available, accepted \
    FROM charge_rate_limits($1, $2, $3, $4, $5, $6, $7, $8, $9)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(buckets()).await?;
        tenant_wall(manager, "rate_limit_buckets").await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared("ALTER TABLE rate_limit_buckets SET UNLOGGED")
                .await?;
            db.execute_unprepared(&format!(
                "CREATE FUNCTION {CHARGE_FUNCTION}(uuid, double precision, bigint, \
                 text, double precision, double precision, text, double precision, \
                 double precision) \
                 RETURNS TABLE (bucket varchar, available double precision, accepted boolean) \
                 LANGUAGE plpgsql AS $charge$ \
                 #variable_conflict use_column\n\
                 BEGIN \
                 PERFORM set_config('app.tenant_id', $1::text, true); \
                 RETURN QUERY {CHARGE}; \
                 END $charge$"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "DROP FUNCTION IF EXISTS {CHARGE_FUNCTION}(uuid, double precision, bigint, \
                     text, double precision, double precision, text, double precision, \
                     double precision)"
                ))
                .await?;
        }
        tenant_wall_removed(manager, "rate_limit_buckets").await?;
        manager
            .drop_table(Table::drop().table(RateLimitBuckets::Table).to_owned())
            .await
    }
}

fn buckets() -> TableCreateStatement {
    Table::create()
        .table(RateLimitBuckets::Table)
        .col(schema::uuid(Common::TenantId))
        .col(schema::string_len(RateLimitBuckets::Bucket, 64))
        .col(schema::double(RateLimitBuckets::Capacity))
        .col(schema::double(RateLimitBuckets::RestorePerMicrosecond))
        .col(schema::double(RateLimitBuckets::Available))
        .col(schema::big_integer(RateLimitBuckets::UpdatedAtMicros))
        .col(schema::boolean(RateLimitBuckets::Accepted))
        .primary_key(
            Index::create()
                .col(Common::TenantId)
                .col(RateLimitBuckets::Bucket),
        )
        .foreign_key(
            ForeignKey::create()
                .from(RateLimitBuckets::Table, Common::TenantId)
                .to(Tenants::Table, Tenants::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}
