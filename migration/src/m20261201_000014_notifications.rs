//! Email notifications: each recipient's preference, the outbox of messages (one per
//! recipient and event, and one per digest), every attempt to send one, the hashed
//! unsubscribe tokens the messages carry, and each tenant's mark in the event table.

use crate::columns::{Common, Tenants, tenant_fk, tenant_index, tenant_table, with_timestamps};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotificationPreferences {
    Table,
    Recipient,
    Mode,
}

#[derive(DeriveIden)]
enum EmailMessages {
    Table,
    EventId,
    Position,
    Recipient,
    Address,
    Kind,
    Subject,
    TextBody,
    HtmlBody,
    DigestDueAt,
    DigestId,
    Status,
    AttemptCount,
    Failures,
    NextAttemptAt,
}

#[derive(DeriveIden)]
enum EmailAttempts {
    Table,
    MessageId,
    AttemptedAt,
    ReplyCode,
    DurationMs,
    Error,
}

#[derive(DeriveIden)]
enum UnsubscribeTokens {
    Table,
    Recipient,
    TokenHash,
}

#[derive(DeriveIden)]
enum NotificationCursors {
    Table,
    ScannedThrough,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(preferences()).await?;
        manager.create_table(messages()).await?;
        manager.create_table(attempts()).await?;
        manager.create_table(tokens()).await?;
        manager.create_table(cursors()).await?;
        let indexes = [
            tenant_index(
                "ux_notification_preferences_recipient",
                NotificationPreferences::Table,
                [NotificationPreferences::Recipient],
            )
            .unique()
            .to_owned(),
            // One message per recipient and event, however many workers fan out at once.
            tenant_index(
                "ux_email_messages_event",
                EmailMessages::Table,
                [EmailMessages::Recipient, EmailMessages::EventId],
            )
            .unique()
            .to_owned(),
            tenant_index(
                "ix_email_messages_due",
                EmailMessages::Table,
                [EmailMessages::NextAttemptAt],
            ),
            tenant_index(
                "ix_email_messages_digest",
                EmailMessages::Table,
                [EmailMessages::DigestDueAt],
            ),
            tenant_index(
                "ix_email_attempts_message",
                EmailAttempts::Table,
                [EmailAttempts::MessageId, EmailAttempts::AttemptedAt],
            ),
            tenant_index(
                "ux_unsubscribe_tokens_hash",
                UnsubscribeTokens::Table,
                [UnsubscribeTokens::TokenHash],
            )
            .unique()
            .to_owned(),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            NotificationCursors::Table.into_iden(),
            UnsubscribeTokens::Table.into_iden(),
            EmailAttempts::Table.into_iden(),
            EmailMessages::Table.into_iden(),
            NotificationPreferences::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn preferences() -> TableCreateStatement {
    let mut table = tenant_table(NotificationPreferences::Table);
    table
        .col(schema::string_len(NotificationPreferences::Recipient, 64))
        .col(schema::string_len(NotificationPreferences::Mode, 16));
    with_timestamps(&mut table);
    table.to_owned()
}

fn messages() -> TableCreateStatement {
    let mut table = tenant_table(EmailMessages::Table);
    table
        .col(schema::uuid_null(EmailMessages::EventId))
        .col(schema::big_integer(EmailMessages::Position))
        .col(schema::string_len(EmailMessages::Recipient, 64))
        .col(schema::string_len(EmailMessages::Address, 320))
        .col(schema::string_len(EmailMessages::Kind, 32))
        .col(schema::string_len(EmailMessages::Subject, 500))
        .col(schema::text(EmailMessages::TextBody))
        .col(schema::text(EmailMessages::HtmlBody))
        .col(schema::timestamp_with_time_zone_null(
            EmailMessages::DigestDueAt,
        ))
        .col(schema::uuid_null(EmailMessages::DigestId))
        .col(schema::string_len(EmailMessages::Status, 16))
        .col(schema::integer(EmailMessages::AttemptCount))
        .col(schema::integer(EmailMessages::Failures))
        .col(schema::timestamp_with_time_zone_null(
            EmailMessages::NextAttemptAt,
        ));
    with_timestamps(&mut table);
    table.to_owned()
}

fn attempts() -> TableCreateStatement {
    let mut table = tenant_table(EmailAttempts::Table);
    table
        .col(schema::uuid(EmailAttempts::MessageId))
        .col(schema::timestamp_with_time_zone(EmailAttempts::AttemptedAt))
        .col(schema::integer_null(EmailAttempts::ReplyCode))
        .col(schema::integer(EmailAttempts::DurationMs))
        .col(schema::string_len_null(EmailAttempts::Error, 1000))
        .foreign_key(&mut tenant_fk(
            EmailAttempts::Table,
            EmailAttempts::MessageId,
            EmailMessages::Table,
        ));
    table.to_owned()
}

fn tokens() -> TableCreateStatement {
    let mut table = tenant_table(UnsubscribeTokens::Table);
    table
        .col(schema::string_len(UnsubscribeTokens::Recipient, 64))
        .col(schema::string_len(UnsubscribeTokens::TokenHash, 64))
        .col(schema::timestamp_with_time_zone(Common::CreatedAt));
    table.to_owned()
}

fn cursors() -> TableCreateStatement {
    Table::create()
        .table(NotificationCursors::Table)
        .col(schema::uuid(Common::TenantId).primary_key())
        .col(schema::big_integer(NotificationCursors::ScannedThrough).default(0))
        .foreign_key(
            ForeignKey::create()
                .from(NotificationCursors::Table, Common::TenantId)
                .to(Tenants::Table, Tenants::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}
