//! Tenants and the tenant-owned directory: users, clients and services.

use crate::columns::{tenant_fk, tenant_index, tenant_table, with_timestamps};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Slug,
    Name,
    CoolingOffHours,
    ReviewAfterDays,
    FeedbackAnswerSlaHours,
    PostMortemDueDays,
    BlamelessPolicy,
    IncidentSeq,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Email,
    DisplayName,
    Role,
    ClientId,
    Active,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    Name,
    ContactEmail,
}

#[derive(DeriveIden)]
enum Services {
    Table,
    Name,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(tenants()).await?;
        manager.create_table(clients()).await?;
        manager.create_table(users()).await?;
        manager.create_table(services()).await?;
        manager
            .create_index(
                tenant_index("ux_users_email", Users::Table, [Users::Email])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                tenant_index("ux_clients_name", Clients::Table, [Clients::Name])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                tenant_index("ux_services_name", Services::Table, [Services::Name])
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Users::Table.into_iden(),
            Services::Table.into_iden(),
            Clients::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn tenants() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(Tenants::Table)
        .col(schema::uuid(Tenants::Id).primary_key())
        .col(schema::string_len_uniq(Tenants::Slug, 64))
        .col(schema::string_len(Tenants::Name, 200))
        .col(schema::integer(Tenants::CoolingOffHours).default(48))
        .col(schema::integer(Tenants::ReviewAfterDays).default(30))
        .col(schema::integer(Tenants::FeedbackAnswerSlaHours).default(48))
        .col(schema::integer(Tenants::PostMortemDueDays).default(5))
        .col(schema::string_len(Tenants::BlamelessPolicy, 8).default("WARN"))
        .col(schema::big_integer(Tenants::IncidentSeq).default(0));
    with_timestamps(&mut table).to_owned()
}

fn clients() -> TableCreateStatement {
    let mut table = tenant_table(Clients::Table);
    table
        .col(schema::string_len(Clients::Name, 200))
        .col(schema::string_len_null(Clients::ContactEmail, 320));
    with_timestamps(&mut table).to_owned()
}

fn users() -> TableCreateStatement {
    let mut table = tenant_table(Users::Table);
    table
        .col(schema::string_len(Users::Email, 320))
        .col(schema::string_len(Users::DisplayName, 200))
        .col(schema::string_len(Users::Role, 16))
        .col(schema::uuid_null(Users::ClientId))
        .col(schema::boolean(Users::Active).default(true))
        .foreign_key(&mut tenant_fk(
            Users::Table,
            Users::ClientId,
            Clients::Table,
        ))
        .check(Expr::cust("(role = 'CLIENT') = (client_id IS NOT NULL)"));
    with_timestamps(&mut table).to_owned()
}

fn services() -> TableCreateStatement {
    let mut table = tenant_table(Services::Table);
    table.col(schema::string_len(Services::Name, 200));
    with_timestamps(&mut table).to_owned()
}
