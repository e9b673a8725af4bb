//! Incidents, numbered per tenant, and the services each one affected.

use crate::columns::{Common, tenant_fk, tenant_index, tenant_table, with_timestamps};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Number,
    Title,
    Summary,
    Severity,
    Status,
    StartedAt,
    DetectedAt,
    MitigatedAt,
    ResolvedAt,
    Version,
}

#[derive(DeriveIden)]
enum IncidentServices {
    Table,
    IncidentId,
    ServiceId,
}

#[derive(DeriveIden)]
enum Services {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(incidents()).await?;
        manager.create_table(incident_services()).await?;
        let indexes = [
            tenant_index("ux_incidents_number", Incidents::Table, [Incidents::Number])
                .unique()
                .to_owned(),
            tenant_index(
                "ix_incidents_started",
                Incidents::Table,
                [Incidents::StartedAt.into_iden(), Common::Id.into_iden()],
            ),
            tenant_index(
                "ix_incidents_status",
                Incidents::Table,
                [Incidents::Status.into_iden(), Incidents::Number.into_iden()],
            ),
            tenant_index(
                "ix_incidents_severity",
                Incidents::Table,
                [
                    Incidents::Severity.into_iden(),
                    Incidents::Number.into_iden(),
                ],
            ),
            tenant_index(
                "ix_incident_services_service",
                IncidentServices::Table,
                [IncidentServices::ServiceId, IncidentServices::IncidentId],
            ),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IncidentServices::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Incidents::Table).to_owned())
            .await
    }
}

fn incidents() -> TableCreateStatement {
    let mut table = tenant_table(Incidents::Table);
    table
        .col(schema::big_integer(Incidents::Number))
        .col(schema::string_len(Incidents::Title, 200))
        .col(schema::text(Incidents::Summary))
        .col(schema::string_len(Incidents::Severity, 8))
        .col(schema::string_len(Incidents::Status, 16))
        .col(schema::timestamp_with_time_zone(Incidents::StartedAt))
        .col(schema::timestamp_with_time_zone_null(Incidents::DetectedAt))
        .col(schema::timestamp_with_time_zone_null(
            Incidents::MitigatedAt,
        ))
        .col(schema::timestamp_with_time_zone_null(Incidents::ResolvedAt))
        .col(schema::integer(Incidents::Version).default(1));
    with_timestamps(&mut table).to_owned()
}

fn incident_services() -> TableCreateStatement {
    Table::create()
        .table(IncidentServices::Table)
        .col(schema::uuid(Common::TenantId))
        .col(schema::uuid(IncidentServices::IncidentId))
        .col(schema::uuid(IncidentServices::ServiceId))
        .primary_key(
            Index::create()
                .col(Common::TenantId)
                .col(IncidentServices::IncidentId)
                .col(IncidentServices::ServiceId),
        )
        .foreign_key(&mut tenant_fk(
            IncidentServices::Table,
            IncidentServices::IncidentId,
            Incidents::Table,
        ))
        .foreign_key(&mut tenant_fk(
            IncidentServices::Table,
            IncidentServices::ServiceId,
            Services::Table,
        ))
        .to_owned()
}
