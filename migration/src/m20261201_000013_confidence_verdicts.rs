//! Confidence ratings (a client's answer to "how confident are you this will not happen
//! again?", at publication and after the review), reviews after the first, and the history of
//! every verdict on a measure.
//!
//! Effectiveness reviews were keyed by their post-mortem, one each. They are rebuilt keyed by
//! their own id, numbered per post-mortem (`ordinal`, 1 for the 30-day review). The existing
//! review of a post-mortem keeps its post-mortem's id as its own (unique, since there was one),
//! so no id has to be generated in SQL.

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
enum PreventionMeasures {
    Table,
}

#[derive(DeriveIden)]
enum EffectivenessReviews {
    Table,
    IncidentId,
    Ordinal,
    HeldAt,
    Summary,
    Verdicts,
    RecordedBy,
}

/// The rebuilt reviews table, renamed to `effectiveness_reviews` once filled.
#[derive(DeriveIden)]
enum EffectivenessReviewsRebuilt {
    Table,
}

#[derive(DeriveIden)]
enum EffectivenessVerdicts {
    Table,
    IncidentId,
    MeasureId,
    ReviewId,
    Effectiveness,
    Note,
    JudgedAt,
    RecordedBy,
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

/// Reviews keyed by their own id, under the temporary name `table`.
fn reviews<T: IntoIden + 'static>(table: T) -> TableCreateStatement {
    let table = table.into_iden();
    tenant_table(table.clone())
        .col(schema::uuid(EffectivenessReviews::IncidentId))
        .col(schema::integer(EffectivenessReviews::Ordinal))
        .col(schema::timestamp_with_time_zone(
            EffectivenessReviews::HeldAt,
        ))
        .col(schema::text(EffectivenessReviews::Summary))
        .col(schema::json_binary(EffectivenessReviews::Verdicts))
        .col(schema::uuid_null(EffectivenessReviews::RecordedBy))
        .col(schema::timestamp_with_time_zone(Common::CreatedAt))
        .foreign_key(&mut tenant_fk(
            table,
            EffectivenessReviews::IncidentId,
            Incidents::Table,
        ))
        .to_owned()
}

fn verdicts() -> TableCreateStatement {
    tenant_table(EffectivenessVerdicts::Table)
        .col(schema::uuid(EffectivenessVerdicts::IncidentId))
        .col(schema::uuid(EffectivenessVerdicts::MeasureId))
        .col(schema::uuid_null(EffectivenessVerdicts::ReviewId))
        .col(schema::string_len(EffectivenessVerdicts::Effectiveness, 24))
        .col(schema::text_null(EffectivenessVerdicts::Note))
        .col(schema::timestamp_with_time_zone(
            EffectivenessVerdicts::JudgedAt,
        ))
        .col(schema::uuid_null(EffectivenessVerdicts::RecordedBy))
        .col(schema::timestamp_with_time_zone(Common::CreatedAt))
        .foreign_key(&mut tenant_fk(
            EffectivenessVerdicts::Table,
            EffectivenessVerdicts::IncidentId,
            Incidents::Table,
        ))
        .foreign_key(&mut tenant_fk(
            EffectivenessVerdicts::Table,
            EffectivenessVerdicts::MeasureId,
            PreventionMeasures::Table,
        ))
        .foreign_key(&mut tenant_fk(
            EffectivenessVerdicts::Table,
            EffectivenessVerdicts::ReviewId,
            EffectivenessReviews::Table,
        ))
        .to_owned()
}

/// The one review each post-mortem had, as the first of its reviews.
const COPY_REVIEWS: &str = "INSERT INTO effectiveness_reviews_rebuilt \
    (tenant_id, id, incident_id, ordinal, held_at, summary, verdicts, recorded_by, created_at) \
    SELECT tenant_id, incident_id, incident_id, 1, held_at, summary, verdicts, recorded_by, created_at \
    FROM effectiveness_reviews";

/// Each judged measure's verdict, as its review recorded it; the measure's id is the
/// verdict's (a measure had at most one).
const BACKFILL_VERDICTS: &str = "INSERT INTO effectiveness_verdicts \
    (tenant_id, id, incident_id, measure_id, review_id, effectiveness, note, judged_at, recorded_by, created_at) \
    SELECT m.tenant_id, m.id, m.incident_id, m.id, r.id, m.effectiveness, m.effectiveness_note, \
    r.held_at, r.recorded_by, r.created_at \
    FROM prevention_measures m \
    JOIN effectiveness_reviews r ON r.tenant_id = m.tenant_id AND r.incident_id = m.incident_id \
    WHERE m.effectiveness <> 'NOT_REVIEWED'";

const REVIEW_COLUMNS: &str =
    "tenant_id, id, incident_id, ordinal, held_at, summary, verdicts, recorded_by, created_at";

const FIRST_REVIEW_COLUMNS: &str =
    "tenant_id, incident_id, held_at, summary, verdicts, recorded_by, created_at";

/// Back to one review per post-mortem: the first.
const COPY_FIRST_REVIEWS: &str = "INSERT INTO effectiveness_reviews_rebuilt \
    (tenant_id, incident_id, held_at, summary, verdicts, recorded_by, created_at) \
    SELECT tenant_id, incident_id, held_at, summary, verdicts, recorded_by, created_at \
    FROM effectiveness_reviews WHERE ordinal = 1";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(reviews(EffectivenessReviewsRebuilt::Table))
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(COPY_REVIEWS).await?;
        replace_reviews(
            manager,
            reviews(EffectivenessReviews::Table),
            REVIEW_COLUMNS,
        )
        .await?;
        manager
            .create_index(
                tenant_index(
                    "ux_effectiveness_reviews_ordinal",
                    EffectivenessReviews::Table,
                    [
                        EffectivenessReviews::IncidentId,
                        EffectivenessReviews::Ordinal,
                    ],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager.create_table(verdicts()).await?;
        // The history is read by measure in the order of judgement; the cascades of an
        // incident's or a review's deletion find their rows by the other two (PostgreSQL
        // does not index foreign keys by itself).
        let verdict_indexes = [
            (
                "ix_effectiveness_verdicts_measure",
                EffectivenessVerdicts::MeasureId,
                Some(EffectivenessVerdicts::JudgedAt),
            ),
            (
                "ix_effectiveness_verdicts_incident",
                EffectivenessVerdicts::IncidentId,
                None,
            ),
            (
                "ix_effectiveness_verdicts_review",
                EffectivenessVerdicts::ReviewId,
                None,
            ),
        ];
        for (name, first, then) in verdict_indexes {
            manager
                .create_index(tenant_index(
                    name,
                    EffectivenessVerdicts::Table,
                    std::iter::once(first).chain(then),
                ))
                .await?;
        }
        db.execute_unprepared(BACKFILL_VERDICTS).await?;
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
        for table in [
            ConfidenceRatings::Table.into_iden(),
            EffectivenessVerdicts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        let one_per_post_mortem = |table: DynIden| {
            Table::create()
                .table(table.clone())
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
                    table,
                    EffectivenessReviews::IncidentId,
                    Incidents::Table,
                ))
                .to_owned()
        };
        manager
            .create_table(one_per_post_mortem(
                EffectivenessReviewsRebuilt::Table.into_iden(),
            ))
            .await?;
        manager
            .get_connection()
            .execute_unprepared(COPY_FIRST_REVIEWS)
            .await?;
        let shape = one_per_post_mortem(EffectivenessReviews::Table.into_iden());
        replace_reviews(manager, shape, FIRST_REVIEW_COLUMNS).await
    }
}

/// Replaces `effectiveness_reviews` with its rebuilt copy: drops it, creates it again as
/// `shape` and moves the copy's rows into it. (Renaming the copy instead fails on SQLite,
/// whose pooled connections may still see the dropped table.)
async fn replace_reviews(
    manager: &SchemaManager<'_>,
    shape: TableCreateStatement,
    columns: &str,
) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table(EffectivenessReviews::Table).to_owned())
        .await?;
    manager.create_table(shape).await?;
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "INSERT INTO effectiveness_reviews ({columns}) \
             SELECT {columns} FROM effectiveness_reviews_rebuilt"
        ))
        .await?;
    manager
        .drop_table(
            Table::drop()
                .table(EffectivenessReviewsRebuilt::Table)
                .to_owned(),
        )
        .await
}
