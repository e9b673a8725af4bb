//! The audit log: one row per mutation, written in the mutation's transaction.

use crate::columns::{Common, tenant_index, tenant_table};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEntries {
    Table,
    ActorId,
    Action,
    EntityType,
    EntityId,
    Changes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = tenant_table(AuditEntries::Table);
        table
            .col(schema::uuid_null(AuditEntries::ActorId))
            .col(schema::string_len(AuditEntries::Action, 64))
            .col(schema::string_len(AuditEntries::EntityType, 64))
            .col(schema::uuid(AuditEntries::EntityId))
            .col(schema::json_binary(AuditEntries::Changes))
            .col(schema::timestamp_with_time_zone(Common::CreatedAt));
        manager.create_table(table).await?;
        manager
            .create_index(tenant_index(
                "ix_audit_entries_entity",
                AuditEntries::Table,
                [AuditEntries::EntityId.into_iden(), Common::Id.into_iden()],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEntries::Table).to_owned())
            .await
    }
}
