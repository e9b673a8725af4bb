//! Documents as each client reads them: the tenant's time zone, contact line and portal URL, a
//! client's own time zone, and the share links that let a client's contacts without accounts
//! read their document.

use crate::columns::{Common, tenant_fk, tenant_index, tenant_table};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    TimeZone,
    ContactLine,
    PortalUrl,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    TimeZone,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
}

#[derive(DeriveIden)]
enum ShareLinks {
    Table,
    IncidentId,
    ClientId,
    TokenHash,
    CreatedBy,
    ExpiresAt,
    RevokedAt,
    RevokedBy,
    ViewCount,
    LastViewedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let columns = [
            (
                Tenants::Table.into_iden(),
                schema::string_len(Tenants::TimeZone, 64)
                    .default("UTC")
                    .to_owned(),
            ),
            (
                Tenants::Table.into_iden(),
                schema::string_len(Tenants::ContactLine, 500)
                    .default("")
                    .to_owned(),
            ),
            (
                Tenants::Table.into_iden(),
                schema::string_len_null(Tenants::PortalUrl, 2000),
            ),
            (
                Clients::Table.into_iden(),
                schema::string_len_null(Clients::TimeZone, 64),
            ),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        manager.create_table(share_links()).await?;
        manager
            .create_index(
                tenant_index(
                    "ux_share_links_token",
                    ShareLinks::Table,
                    [ShareLinks::TokenHash],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(tenant_index(
                "ix_share_links_incident",
                ShareLinks::Table,
                [
                    ShareLinks::IncidentId.into_iden(),
                    Common::CreatedAt.into_iden(),
                ],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ShareLinks::Table).to_owned())
            .await?;
        let columns = [
            (Clients::Table.into_iden(), Clients::TimeZone.into_iden()),
            (Tenants::Table.into_iden(), Tenants::PortalUrl.into_iden()),
            (Tenants::Table.into_iden(), Tenants::ContactLine.into_iden()),
            (Tenants::Table.into_iden(), Tenants::TimeZone.into_iden()),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn share_links() -> TableCreateStatement {
    let mut table = tenant_table(ShareLinks::Table);
    table
        .col(schema::uuid(ShareLinks::IncidentId))
        .col(schema::uuid(ShareLinks::ClientId))
        .col(schema::string_len(ShareLinks::TokenHash, 64))
        .col(schema::uuid_null(ShareLinks::CreatedBy))
        .col(schema::timestamp_with_time_zone(Common::CreatedAt))
        .col(schema::timestamp_with_time_zone(ShareLinks::ExpiresAt))
        .col(schema::timestamp_with_time_zone_null(ShareLinks::RevokedAt))
        .col(schema::uuid_null(ShareLinks::RevokedBy))
        .col(schema::big_integer(ShareLinks::ViewCount).default(0))
        .col(schema::timestamp_with_time_zone_null(
            ShareLinks::LastViewedAt,
        ))
        .foreign_key(&mut tenant_fk(
            ShareLinks::Table,
            ShareLinks::IncidentId,
            Incidents::Table,
        ))
        .foreign_key(&mut tenant_fk(
            ShareLinks::Table,
            ShareLinks::ClientId,
            Clients::Table,
        ));
    table
}
