//! Confidence ratings: a client's answer to "how confident are you this will not happen
//! again?", at publication and after the review.

use crate::columns::{tenant_fk, tenant_index, tenant_table, with_timestamps};
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
enum ConfidenceRatings {
    Table,
    IncidentId,
    ClientId,
    UserId,
    Phase,
    Confidence,
    Comment,
    RatedAt,
}

fn confidence_ratings() -> TableCreateStatement {
    let mut table = tenant_table(ConfidenceRatings::Table);
    table
        .col(schema::uuid(ConfidenceRatings::IncidentId))
        .col(schema::uuid(ConfidenceRatings::ClientId))
        .col(schema::uuid(ConfidenceRatings::UserId))
        .col(schema::string_len(ConfidenceRatings::Phase, 16))
        .col(schema::integer(ConfidenceRatings::Confidence))
        .col(schema::text_null(ConfidenceRatings::Comment))
        .col(schema::timestamp_with_time_zone(ConfidenceRatings::RatedAt))
        .foreign_key(&mut tenant_fk(
            ConfidenceRatings::Table,
            ConfidenceRatings::IncidentId,
            Incidents::Table,
        ))
        .foreign_key(&mut tenant_fk(
            ConfidenceRatings::Table,
            ConfidenceRatings::ClientId,
            Clients::Table,
        ))
        .foreign_key(&mut tenant_fk(
            ConfidenceRatings::Table,
            ConfidenceRatings::UserId,
            Users::Table,
        ));
    with_timestamps(&mut table).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(confidence_ratings()).await?;
        let indexes = [
            // One rating per user and phase: rating again replaces it.
            tenant_index(
                "ux_confidence_ratings_user_phase",
                ConfidenceRatings::Table,
                [
                    ConfidenceRatings::IncidentId,
                    ConfidenceRatings::UserId,
                    ConfidenceRatings::Phase,
                ],
            )
            .unique()
            .to_owned(),
            // The metrics read ratings by the time they were given.
            tenant_index(
                "ix_confidence_ratings_rated",
                ConfidenceRatings::Table,
                [
                    ConfidenceRatings::RatedAt.into_iden(),
                    ConfidenceRatings::Phase.into_iden(),
                    ConfidenceRatings::Confidence.into_iden(),
                    ConfidenceRatings::IncidentId.into_iden(),
                    ConfidenceRatings::ClientId.into_iden(),
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
            .drop_table(Table::drop().table(ConfidenceRatings::Table).to_owned())
            .await
    }
}
