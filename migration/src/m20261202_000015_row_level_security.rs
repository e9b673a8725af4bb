//! Row-level security on PostgreSQL: the second wall behind the application's tenant filter.
//! Every table with a `tenant_id` gets the policy `tenant_wall`, which lets a statement see,
//! insert and update only the rows of the tenant its transaction named with
//! `set_config('app.tenant_id', …, true)`; a transaction that named none sees nothing. The
//! policy is forced, so it binds the tables' owner too. SQLite has no row-level security and
//! keeps the application's wall alone.

use crate::walls::{TENANT_TABLES, tenant_wall, tenant_wall_removed};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TENANT_TABLES {
            tenant_wall(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TENANT_TABLES {
            tenant_wall_removed(manager, table).await?;
        }
        Ok(())
    }
}
