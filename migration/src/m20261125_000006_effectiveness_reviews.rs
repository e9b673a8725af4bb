//! The 30-day effectiveness reviews.

use crate::columns::{Common, tenant_fk, tenant_index};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incidents {
    Table,
}

#[derive(DeriveIden)]
enum PostMortems {
    Table,
    ReviewDueAt,
    Status,
}

#[derive(DeriveIden)]
enum EffectivenessReviews {
    Table,
    IncidentId,
    HeldAt,
    Summary,
    Verdicts,
    RecordedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(EffectivenessReviews::Table)
            .col(schema::uuid(Common::TenantId))
            .col(schema::uuid(EffectivenessReviews::IncidentId))
            .col(schema::timestamp_with_time_zone(
                EffectivenessReviews::HeldAt,
            ))
            .col(schema::text(EffectivenessReviews::Summary))
            .col(schema::json_binary(EffectivenessReviews::Verdicts))
            .col(schema::uuid_null(EffectivenessReviews::RecordedBy))
            .col(schema::timestamp_with_time_zone(Common::CreatedAt))
            .primary_key(
                Index::create()
                    .col(Common::TenantId)
                    .col(EffectivenessReviews::IncidentId),
            )
            .foreign_key(&mut tenant_fk(
                EffectivenessReviews::Table,
                EffectivenessReviews::IncidentId,
                Incidents::Table,
            ))
            .to_owned();
        manager.create_table(table).await?;
        manager
            .create_index(tenant_index(
                "ix_post_mortems_review_due",
                PostMortems::Table,
                [PostMortems::Status, PostMortems::ReviewDueAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EffectivenessReviews::Table).to_owned())
            .await
    }
}
