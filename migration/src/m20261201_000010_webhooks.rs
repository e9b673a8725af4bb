//! Webhooks: the endpoints a tenant's ADMIN registers, one delivery per endpoint and event
//! (the outbox the workers drain), and every attempt made to deliver it.

use crate::columns::{Common, tenant_fk, tenant_index, tenant_table, with_timestamps};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Url,
    Description,
    EventTypes,
    Enabled,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    DisabledAt,
    DisabledReason,
    FailingSince,
    ScannedThrough,
    LeaseOwner,
    LeaseExpiresAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    EndpointId,
    EventId,
    Position,
    MessageType,
    MessageId,
    Payload,
    Status,
    AttemptCount,
    Failures,
    NextAttemptAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    DeliveryId,
    AttemptedAt,
    StatusCode,
    DurationMs,
    ResponseExcerpt,
    Error,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(endpoints()).await?;
        manager.create_table(deliveries()).await?;
        manager.create_table(attempts()).await?;
        let indexes = [
            // A delivery per endpoint and event, however many workers fan out at once.
            tenant_index(
                "ux_webhook_deliveries_event",
                WebhookDeliveries::Table,
                [WebhookDeliveries::EndpointId, WebhookDeliveries::EventId],
            )
            .unique()
            .to_owned(),
            tenant_index(
                "ix_webhook_deliveries_due",
                WebhookDeliveries::Table,
                [
                    WebhookDeliveries::EndpointId,
                    WebhookDeliveries::NextAttemptAt,
                ],
            ),
            tenant_index(
                "ix_webhook_deliveries_listed",
                WebhookDeliveries::Table,
                [
                    WebhookDeliveries::EndpointId.into_iden(),
                    Common::CreatedAt.into_iden(),
                ],
            ),
            tenant_index(
                "ix_webhook_attempts_delivery",
                WebhookAttempts::Table,
                [WebhookAttempts::DeliveryId, WebhookAttempts::AttemptedAt],
            ),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn endpoints() -> TableCreateStatement {
    let mut table = tenant_table(WebhookEndpoints::Table);
    table
        .col(schema::string_len(WebhookEndpoints::Url, 2000))
        .col(schema::string_len(WebhookEndpoints::Description, 500))
        .col(schema::json_binary(WebhookEndpoints::EventTypes))
        .col(schema::boolean(WebhookEndpoints::Enabled))
        .col(schema::string_len(WebhookEndpoints::Secret, 64))
        .col(schema::string_len_null(
            WebhookEndpoints::PreviousSecret,
            64,
        ))
        .col(schema::timestamp_with_time_zone_null(
            WebhookEndpoints::PreviousSecretExpiresAt,
        ))
        .col(schema::timestamp_with_time_zone_null(
            WebhookEndpoints::DisabledAt,
        ))
        .col(schema::string_len_null(
            WebhookEndpoints::DisabledReason,
            500,
        ))
        .col(schema::timestamp_with_time_zone_null(
            WebhookEndpoints::FailingSince,
        ))
        .col(schema::big_integer(WebhookEndpoints::ScannedThrough))
        .col(schema::uuid_null(WebhookEndpoints::LeaseOwner))
        .col(schema::timestamp_with_time_zone_null(
            WebhookEndpoints::LeaseExpiresAt,
        ));
    with_timestamps(&mut table);
    table.to_owned()
}

fn deliveries() -> TableCreateStatement {
    let mut table = tenant_table(WebhookDeliveries::Table);
    table
        .col(schema::uuid(WebhookDeliveries::EndpointId))
        .col(schema::uuid_null(WebhookDeliveries::EventId))
        .col(schema::big_integer(WebhookDeliveries::Position))
        .col(schema::string_len(WebhookDeliveries::MessageType, 64))
        .col(schema::string_len(WebhookDeliveries::MessageId, 128))
        .col(schema::text(WebhookDeliveries::Payload))
        .col(schema::string_len(WebhookDeliveries::Status, 16))
        .col(schema::integer(WebhookDeliveries::AttemptCount))
        .col(schema::integer(WebhookDeliveries::Failures))
        .col(schema::timestamp_with_time_zone_null(
            WebhookDeliveries::NextAttemptAt,
        ))
        .foreign_key(&mut tenant_fk(
            WebhookDeliveries::Table,
            WebhookDeliveries::EndpointId,
            WebhookEndpoints::Table,
        ));
    with_timestamps(&mut table);
    table.to_owned()
}

fn attempts() -> TableCreateStatement {
    let mut table = tenant_table(WebhookAttempts::Table);
    table
        .col(schema::uuid(WebhookAttempts::DeliveryId))
        .col(schema::timestamp_with_time_zone(
            WebhookAttempts::AttemptedAt,
        ))
        .col(schema::integer_null(WebhookAttempts::StatusCode))
        .col(schema::integer(WebhookAttempts::DurationMs))
        .col(schema::text_null(WebhookAttempts::ResponseExcerpt))
        .col(schema::string_len_null(WebhookAttempts::Error, 500))
        .foreign_key(&mut tenant_fk(
            WebhookAttempts::Table,
            WebhookAttempts::DeliveryId,
            WebhookDeliveries::Table,
        ));
    table.to_owned()
}
