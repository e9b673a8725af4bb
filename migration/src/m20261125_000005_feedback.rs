//! Client feedback threads and their replies.

use crate::columns::{Common, tenant_fk, tenant_index, tenant_table, with_timestamps};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incidents {
    Table,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Feedback {
    Table,
    IncidentId,
    ClientId,
    AuthorId,
    Kind,
    Body,
    Confidence,
    Status,
    FirstResponseAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum FeedbackReplies {
    Table,
    FeedbackId,
    AuthorId,
    FromStaff,
    Body,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut feedback = tenant_table(Feedback::Table);
        feedback
            .col(schema::uuid(Feedback::IncidentId))
            .col(schema::uuid(Feedback::ClientId))
            .col(schema::uuid(Feedback::AuthorId))
            .col(schema::string_len(Feedback::Kind, 16))
            .col(schema::text(Feedback::Body))
            .col(schema::integer_null(Feedback::Confidence))
            .col(schema::string_len(Feedback::Status, 16))
            .col(schema::timestamp_with_time_zone_null(
                Feedback::FirstResponseAt,
            ))
            .col(schema::timestamp_with_time_zone_null(Feedback::ClosedAt))
            .foreign_key(&mut tenant_fk(
                Feedback::Table,
                Feedback::IncidentId,
                Incidents::Table,
            ))
            .foreign_key(&mut tenant_fk(
                Feedback::Table,
                Feedback::ClientId,
                Clients::Table,
            ))
            .foreign_key(&mut tenant_fk(
                Feedback::Table,
                Feedback::AuthorId,
                Users::Table,
            ));
        manager
            .create_table(with_timestamps(&mut feedback).to_owned())
            .await?;
        let mut replies = tenant_table(FeedbackReplies::Table);
        replies
            .col(schema::uuid(FeedbackReplies::FeedbackId))
            .col(schema::uuid(FeedbackReplies::AuthorId))
            .col(schema::boolean(FeedbackReplies::FromStaff))
            .col(schema::text(FeedbackReplies::Body))
            .col(schema::timestamp_with_time_zone(Common::CreatedAt))
            .foreign_key(&mut tenant_fk(
                FeedbackReplies::Table,
                FeedbackReplies::FeedbackId,
                Feedback::Table,
            ))
            .foreign_key(&mut tenant_fk(
                FeedbackReplies::Table,
                FeedbackReplies::AuthorId,
                Users::Table,
            ));
        manager.create_table(replies).await?;
        let indexes = [
            tenant_index(
                "ix_feedback_incident",
                Feedback::Table,
                [Feedback::IncidentId.into_iden(), Common::Id.into_iden()],
            ),
            tenant_index(
                "ix_feedback_author_created",
                Feedback::Table,
                [
                    Feedback::AuthorId.into_iden(),
                    Common::CreatedAt.into_iden(),
                ],
            ),
            tenant_index(
                "ix_feedback_client",
                Feedback::Table,
                [Feedback::ClientId.into_iden(), Common::Id.into_iden()],
            ),
            tenant_index(
                "ix_feedback_replies_feedback",
                FeedbackReplies::Table,
                [
                    FeedbackReplies::FeedbackId.into_iden(),
                    Common::Id.into_iden(),
                ],
            ),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FeedbackReplies::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Feedback::Table).to_owned())
            .await
    }
}
