//! Service tokens: long-lived credentials an ADMIN issues to a reporting tool, stored only as
//! the SHA-256 of the secret and found by `(tenant_id, token_hash)`.

use crate::columns::{Common, tenant_fk, tenant_index, tenant_table};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Name,
    Role,
    TokenHash,
    CreatedBy,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(api_tokens()).await?;
        let indexes = [
            // How a presented token is found: its tenant travels inside it.
            tenant_index(
                "ux_api_tokens_hash",
                ApiTokens::Table,
                [ApiTokens::TokenHash],
            )
            .unique()
            .to_owned(),
            tenant_index(
                "ix_api_tokens_listed",
                ApiTokens::Table,
                [Common::CreatedAt.into_iden(), Common::Id.into_iden()],
            ),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiTokens::Table).to_owned())
            .await
    }
}

fn api_tokens() -> TableCreateStatement {
    let mut table = tenant_table(ApiTokens::Table);
    table
        .col(schema::string_len(ApiTokens::Name, 100))
        .col(schema::string_len(ApiTokens::Role, 16))
        .col(schema::string_len(ApiTokens::TokenHash, 64))
        .col(schema::uuid_null(ApiTokens::CreatedBy))
        .col(schema::timestamp_with_time_zone(Common::CreatedAt))
        .col(schema::timestamp_with_time_zone(ApiTokens::ExpiresAt))
        .col(schema::timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
        .col(schema::timestamp_with_time_zone_null(ApiTokens::RevokedAt))
        .foreign_key(&mut tenant_fk(
            ApiTokens::Table,
            ApiTokens::CreatedBy,
            Users::Table,
        ));
    table.to_owned()
}
