//! Events: every committed change, numbered per tenant, and the counter that numbers them.

use crate::columns::{Common, Tenants, tenant_index, tenant_table};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Position,
    EventType,
    OccurredAt,
    ActorId,
    IncidentId,
    SubjectType,
    SubjectId,
    ChangedFields,
    Deadline,
}

#[derive(DeriveIden)]
enum EventSequences {
    Table,
    LastPosition,
    PurgedThrough,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut events = tenant_table(Events::Table);
        events
            .col(schema::big_integer(Events::Position))
            .col(schema::string_len(Events::EventType, 64))
            .col(schema::timestamp_with_time_zone(Events::OccurredAt))
            .col(schema::uuid_null(Events::ActorId))
            .col(schema::uuid_null(Events::IncidentId))
            .col(schema::string_len(Events::SubjectType, 64))
            .col(schema::uuid(Events::SubjectId))
            .col(schema::json_binary(Events::ChangedFields))
            .col(schema::timestamp_with_time_zone_null(Events::Deadline));
        manager.create_table(events).await?;
        let indexes = [
            tenant_index("ux_events_position", Events::Table, [Events::Position])
                .unique()
                .to_owned(),
            tenant_index(
                "ix_events_incident",
                Events::Table,
                [Events::IncidentId, Events::Position],
            ),
            // One time-driven event per subject and deadline, however many workers race.
            // Change events carry no deadline, and NULLs never collide in a unique index.
            tenant_index(
                "ux_events_deadline",
                Events::Table,
                [Events::EventType, Events::SubjectId, Events::Deadline],
            )
            .unique()
            .to_owned(),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(EventSequences::Table)
                    .col(schema::uuid(Common::TenantId).primary_key())
                    .col(schema::big_integer(EventSequences::LastPosition).default(0))
                    .col(schema::big_integer(EventSequences::PurgedThrough).default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventSequences::Table, Common::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EventSequences::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Events::Table).to_owned())
            .await
    }
}
