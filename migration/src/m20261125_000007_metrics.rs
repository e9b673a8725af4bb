//! Reporting metrics: a covering index per time column a section filters on;
//! `incident_signatures`, the (service, root-cause category) pairs of each incident with its
//! publication time; and `incidents.recurring`, derived from them. The write path keeps both
//! up to date, so counting recurrences never needs a pass over the whole history.

use crate::columns::{Common, tenant_fk, tenant_index};
use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PreventionMeasures {
    Table,
    CommittedDueOn,
    IncidentId,
    Kind,
    Status,
    CompletedAt,
}

#[derive(DeriveIden)]
enum PostMortems {
    Table,
    ReviewDueAt,
    IncidentId,
}

#[derive(DeriveIden)]
enum Feedback {
    Table,
    IncidentId,
    ClientId,
    Status,
    FirstResponseAt,
    Confidence,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    StartedAt,
    Severity,
    Status,
    ResolvedAt,
    Recurring,
}

#[derive(DeriveIden)]
enum IncidentSignatures {
    Table,
    IncidentId,
    ServiceId,
    Category,
    PublishedAt,
}

const NAMES: [&str; 5] = [
    "ix_prevention_measures_committed",
    "ix_post_mortems_review_due_at",
    "ix_feedback_created",
    "ix_incidents_metrics",
    "ix_incident_signatures_pair",
];

/// Fills the signatures from the records that exist already; the same SQL on both databases.
const BACKFILL_SIGNATURES: &str = "INSERT INTO incident_signatures \
    (tenant_id, incident_id, service_id, category, published_at) \
    SELECT DISTINCT s.tenant_id, s.incident_id, s.service_id, c.category, pm.published_at \
    FROM incident_services s \
    JOIN root_causes c ON c.tenant_id = s.tenant_id AND c.incident_id = s.incident_id \
    LEFT JOIN post_mortems pm ON pm.tenant_id = s.tenant_id AND pm.incident_id = s.incident_id";

/// Then derives each incident's `recurring` flag from them.
const BACKFILL_RECURRING: &str = "UPDATE incidents SET recurring = CASE WHEN EXISTS ( \
    SELECT 1 FROM incident_signatures own \
    WHERE own.tenant_id = incidents.tenant_id AND own.incident_id = incidents.id \
    AND EXISTS (SELECT 1 FROM incident_signatures other \
        WHERE other.tenant_id = own.tenant_id AND other.service_id = own.service_id \
        AND other.category = own.category AND other.published_at < incidents.started_at \
        AND other.incident_id <> incidents.id)) \
    THEN TRUE ELSE FALSE END";

fn signatures() -> TableCreateStatement {
    Table::create()
        .table(IncidentSignatures::Table)
        .col(schema::uuid(Common::TenantId))
        .col(schema::uuid(IncidentSignatures::IncidentId))
        .col(schema::uuid(IncidentSignatures::ServiceId))
        .col(schema::string_len(IncidentSignatures::Category, 24))
        .col(schema::timestamp_with_time_zone_null(
            IncidentSignatures::PublishedAt,
        ))
        .primary_key(
            Index::create()
                .col(Common::TenantId)
                .col(IncidentSignatures::IncidentId)
                .col(IncidentSignatures::ServiceId)
                .col(IncidentSignatures::Category),
        )
        .foreign_key(&mut tenant_fk(
            IncidentSignatures::Table,
            IncidentSignatures::IncidentId,
            Incidents::Table,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(signatures()).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .add_column(schema::boolean(Incidents::Recurring).default(false))
                    .to_owned(),
            )
            .await?;
        // Each section's index leads with its time column and carries every column the
        // section reads, so a year of rows is an index-only range scan.
        let indexes = [
            tenant_index(
                NAMES[0],
                PreventionMeasures::Table,
                [
                    PreventionMeasures::CommittedDueOn.into_iden(),
                    PreventionMeasures::IncidentId.into_iden(),
                    PreventionMeasures::Kind.into_iden(),
                    PreventionMeasures::Status.into_iden(),
                    PreventionMeasures::CompletedAt.into_iden(),
                    Common::CreatedAt.into_iden(),
                ],
            ),
            tenant_index(
                NAMES[1],
                PostMortems::Table,
                [PostMortems::ReviewDueAt, PostMortems::IncidentId],
            ),
            tenant_index(
                NAMES[2],
                Feedback::Table,
                [
                    Common::CreatedAt.into_iden(),
                    Feedback::IncidentId.into_iden(),
                    Feedback::ClientId.into_iden(),
                    Feedback::Status.into_iden(),
                    Feedback::FirstResponseAt.into_iden(),
                    Feedback::Confidence.into_iden(),
                ],
            ),
            tenant_index(
                NAMES[3],
                Incidents::Table,
                [
                    Incidents::StartedAt.into_iden(),
                    Common::Id.into_iden(),
                    Incidents::Severity.into_iden(),
                    Incidents::Status.into_iden(),
                    Incidents::ResolvedAt.into_iden(),
                    Incidents::Recurring.into_iden(),
                ],
            ),
            tenant_index(
                NAMES[4],
                IncidentSignatures::Table,
                [
                    IncidentSignatures::ServiceId,
                    IncidentSignatures::Category,
                    IncidentSignatures::PublishedAt,
                ],
            ),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(BACKFILL_SIGNATURES).await?;
        db.execute_unprepared(BACKFILL_RECURRING).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            PreventionMeasures::Table.into_iden(),
            PostMortems::Table.into_iden(),
            Feedback::Table.into_iden(),
            Incidents::Table.into_iden(),
        ];
        for (name, table) in NAMES.into_iter().zip(tables) {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .drop_column(Incidents::Recurring)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(IncidentSignatures::Table).to_owned())
            .await
    }
}
