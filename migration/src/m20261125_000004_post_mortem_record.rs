//! The post-mortem record: timeline, root causes, client impact, the post-mortem itself and
//! its prevention measures. Existing incidents get their DRAFT post-mortem here.

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
enum Services {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum TimelineEvents {
    Table,
    IncidentId,
    OccurredAt,
    Kind,
    Body,
    Visibility,
    AuthorId,
}

#[derive(DeriveIden)]
enum RootCauses {
    Table,
    IncidentId,
    Kind,
    Category,
    InternalAnalysis,
    ClientExplanation,
}

#[derive(DeriveIden)]
enum RootCauseServices {
    Table,
    RootCauseId,
    ServiceId,
}

#[derive(DeriveIden)]
enum ClientImpacts {
    Table,
    IncidentId,
    ClientId,
    Level,
    Description,
    StartedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum PostMortems {
    Table,
    IncidentId,
    Status,
    ImpactSummary,
    WentWell,
    CouldBeBetter,
    LessonsLearned,
    MeetingAt,
    PublishedAt,
    ReviewDueAt,
    Version,
}

#[derive(DeriveIden)]
enum PreventionMeasures {
    Table,
    IncidentId,
    Kind,
    Title,
    Description,
    SuccessCriterion,
    OwnerTeam,
    DueOn,
    CommittedDueOn,
    Status,
    CompletedAt,
    CancelReason,
    TrackerUrl,
    Effectiveness,
    EffectivenessNote,
}

#[derive(DeriveIden)]
enum MeasureRootCauses {
    Table,
    MeasureId,
    RootCauseId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            timeline_events(),
            root_causes(),
            root_cause_services(),
            client_impacts(),
            post_mortems(),
            prevention_measures(),
            measure_root_causes(),
        ] {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO post_mortems (tenant_id, incident_id, status, impact_summary, went_well, \
                 could_be_better, lessons_learned, version, created_at, updated_at) \
                 SELECT tenant_id, id, 'DRAFT', '', '', '', '', 1, created_at, created_at FROM incidents",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            MeasureRootCauses::Table.into_iden(),
            PreventionMeasures::Table.into_iden(),
            PostMortems::Table.into_iden(),
            ClientImpacts::Table.into_iden(),
            RootCauseServices::Table.into_iden(),
            RootCauses::Table.into_iden(),
            TimelineEvents::Table.into_iden(),
        ];
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn timeline_events() -> TableCreateStatement {
    let mut table = tenant_table(TimelineEvents::Table);
    table
        .col(schema::uuid(TimelineEvents::IncidentId))
        .col(schema::timestamp_with_time_zone(TimelineEvents::OccurredAt))
        .col(schema::string_len(TimelineEvents::Kind, 24))
        .col(schema::text(TimelineEvents::Body))
        .col(schema::string_len(TimelineEvents::Visibility, 8))
        .col(schema::uuid_null(TimelineEvents::AuthorId))
        .foreign_key(&mut tenant_fk(
            TimelineEvents::Table,
            TimelineEvents::IncidentId,
            Incidents::Table,
        ))
        .foreign_key(&mut no_action(tenant_fk(
            TimelineEvents::Table,
            TimelineEvents::AuthorId,
            Users::Table,
        )));
    with_timestamps(&mut table).to_owned()
}

fn root_causes() -> TableCreateStatement {
    let mut table = tenant_table(RootCauses::Table);
    table
        .col(schema::uuid(RootCauses::IncidentId))
        .col(schema::string_len(RootCauses::Kind, 24))
        .col(schema::string_len(RootCauses::Category, 24))
        .col(schema::text(RootCauses::InternalAnalysis))
        .col(schema::text(RootCauses::ClientExplanation))
        .foreign_key(&mut tenant_fk(
            RootCauses::Table,
            RootCauses::IncidentId,
            Incidents::Table,
        ));
    with_timestamps(&mut table).to_owned()
}

fn root_cause_services() -> TableCreateStatement {
    link_table(
        RootCauseServices::Table,
        RootCauseServices::RootCauseId,
        RootCauses::Table,
        RootCauseServices::ServiceId,
        Services::Table,
    )
}

fn client_impacts() -> TableCreateStatement {
    let mut table = tenant_table(ClientImpacts::Table);
    table
        .col(schema::uuid(ClientImpacts::IncidentId))
        .col(schema::uuid(ClientImpacts::ClientId))
        .col(schema::string_len(ClientImpacts::Level, 16))
        .col(schema::text(ClientImpacts::Description))
        .col(schema::timestamp_with_time_zone(ClientImpacts::StartedAt))
        .col(schema::timestamp_with_time_zone_null(
            ClientImpacts::EndedAt,
        ))
        .foreign_key(&mut tenant_fk(
            ClientImpacts::Table,
            ClientImpacts::IncidentId,
            Incidents::Table,
        ))
        .foreign_key(&mut tenant_fk(
            ClientImpacts::Table,
            ClientImpacts::ClientId,
            Clients::Table,
        ));
    with_timestamps(&mut table).to_owned()
}

fn post_mortems() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(PostMortems::Table)
        .col(schema::uuid(Common::TenantId))
        .col(schema::uuid(PostMortems::IncidentId))
        .col(schema::string_len(PostMortems::Status, 16))
        .col(schema::text(PostMortems::ImpactSummary))
        .col(schema::text(PostMortems::WentWell))
        .col(schema::text(PostMortems::CouldBeBetter))
        .col(schema::text(PostMortems::LessonsLearned))
        .col(schema::timestamp_with_time_zone_null(
            PostMortems::MeetingAt,
        ))
        .col(schema::timestamp_with_time_zone_null(
            PostMortems::PublishedAt,
        ))
        .col(schema::timestamp_with_time_zone_null(
            PostMortems::ReviewDueAt,
        ))
        .col(schema::integer(PostMortems::Version).default(1))
        .primary_key(
            Index::create()
                .col(Common::TenantId)
                .col(PostMortems::IncidentId),
        )
        .foreign_key(&mut tenant_fk(
            PostMortems::Table,
            PostMortems::IncidentId,
            Incidents::Table,
        ));
    with_timestamps(&mut table).to_owned()
}

fn prevention_measures() -> TableCreateStatement {
    let mut table = tenant_table(PreventionMeasures::Table);
    table
        .col(schema::uuid(PreventionMeasures::IncidentId))
        .col(schema::string_len(PreventionMeasures::Kind, 16))
        .col(schema::string_len(PreventionMeasures::Title, 200))
        .col(schema::text(PreventionMeasures::Description))
        .col(schema::text(PreventionMeasures::SuccessCriterion))
        .col(schema::string_len(PreventionMeasures::OwnerTeam, 200))
        .col(schema::date_null(PreventionMeasures::DueOn))
        .col(schema::date_null(PreventionMeasures::CommittedDueOn))
        .col(schema::string_len(PreventionMeasures::Status, 16))
        .col(schema::timestamp_with_time_zone_null(
            PreventionMeasures::CompletedAt,
        ))
        .col(schema::text_null(PreventionMeasures::CancelReason))
        .col(schema::string_len_null(
            PreventionMeasures::TrackerUrl,
            2048,
        ))
        .col(schema::string_len(PreventionMeasures::Effectiveness, 24))
        .col(schema::text_null(PreventionMeasures::EffectivenessNote))
        .foreign_key(&mut tenant_fk(
            PreventionMeasures::Table,
            PreventionMeasures::IncidentId,
            Incidents::Table,
        ));
    with_timestamps(&mut table).to_owned()
}

fn measure_root_causes() -> TableCreateStatement {
    link_table(
        MeasureRootCauses::Table,
        MeasureRootCauses::MeasureId,
        PreventionMeasures::Table,
        MeasureRootCauses::RootCauseId,
        RootCauses::Table,
    )
}

/// A many-to-many link keyed by `(tenant_id, left, right)`, with a foreign key to each side.
fn link_table<T, L, LP, R, RP>(
    table: T,
    left: L,
    left_parent: LP,
    right: R,
    right_parent: RP,
) -> TableCreateStatement
where
    T: IntoIden + 'static,
    L: IntoIden + 'static,
    LP: IntoIden + 'static,
    R: IntoIden + 'static,
    RP: IntoIden + 'static,
{
    let (table, left, right) = (table.into_iden(), left.into_iden(), right.into_iden());
    Table::create()
        .table(table.clone())
        .col(schema::uuid(Common::TenantId))
        .col(schema::uuid(left.clone()))
        .col(schema::uuid(right.clone()))
        .primary_key(
            Index::create()
                .col(Common::TenantId)
                .col(left.clone())
                .col(right.clone()),
        )
        .foreign_key(&mut tenant_fk(table.clone(), left, left_parent))
        .foreign_key(&mut tenant_fk(table, right, right_parent))
        .to_owned()
}

/// Users are deactivated, never deleted, so an author link needs no cascade.
fn no_action(mut fk: ForeignKeyCreateStatement) -> ForeignKeyCreateStatement {
    fk.on_delete(ForeignKeyAction::NoAction);
    fk
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        tenant_index(
            "ix_timeline_events_incident",
            TimelineEvents::Table,
            [
                TimelineEvents::IncidentId.into_iden(),
                TimelineEvents::OccurredAt.into_iden(),
                Common::Id.into_iden(),
            ],
        ),
        tenant_index(
            "ix_root_causes_incident",
            RootCauses::Table,
            [RootCauses::IncidentId.into_iden(), Common::Id.into_iden()],
        ),
        tenant_index(
            "ix_root_cause_services_service",
            RootCauseServices::Table,
            [RootCauseServices::ServiceId, RootCauseServices::RootCauseId],
        ),
        tenant_index(
            "ux_client_impacts_incident_client",
            ClientImpacts::Table,
            [ClientImpacts::IncidentId, ClientImpacts::ClientId],
        )
        .unique()
        .to_owned(),
        tenant_index(
            "ix_client_impacts_client",
            ClientImpacts::Table,
            [ClientImpacts::ClientId, ClientImpacts::IncidentId],
        ),
        tenant_index(
            "ix_post_mortems_status",
            PostMortems::Table,
            [PostMortems::Status, PostMortems::IncidentId],
        ),
        tenant_index(
            "ix_prevention_measures_incident",
            PreventionMeasures::Table,
            [
                PreventionMeasures::IncidentId.into_iden(),
                Common::Id.into_iden(),
            ],
        ),
        tenant_index(
            "ix_measure_root_causes_cause",
            MeasureRootCauses::Table,
            [MeasureRootCauses::RootCauseId, MeasureRootCauses::MeasureId],
        ),
    ]
}
