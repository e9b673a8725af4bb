//! A large generated tenant for benchmarks and capacity checks: `debrief seed-volume`.
//!
//! Rows are written in bulk straight into the tables, not through the repository's write
//! path: the API's rules (numbering, audit entries, one transaction per change) would make
//! 200,000 incidents take hours. The generator obeys the schema's constraints and the
//! domain's orderings (started ≤ resolved ≤ published), so every read path works on it.

mod generate;

use crate::repo::tenant_connection::begin_for_tenant;
use crate::repo::{identity, signatures, tenants};
use anyhow::{Context, anyhow};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{Role, client, service, tenant, user};
use generate::{Directory, IncidentRows};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, TransactionOptions,
};
use uuid::Uuid;

/// How many incidents are written per transaction.
const CHUNK: u64 = 500;
/// Most rows in one INSERT.
const INSERT_BATCH: usize = 1_000;
const SERVICES: usize = 20;
const CLIENTS: usize = 50;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Volume {
    pub incidents: u64,
    /// Timeline entries per incident.
    pub timeline_events: u32,
}

/// Creates tenant `slug` with generated incidents spread over 2023–2026, calling `progress`
/// with the number written so far after each chunk. Refuses an existing slug.
pub async fn seed(
    db: &DatabaseConnection,
    slug: &str,
    volume: Volume,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<Uuid> {
    let incidents = volume.incidents;
    anyhow::ensure!(
        identity::tenant_by_slug(db, slug).await?.is_none(),
        "tenant `{slug}` already exists; choose another slug or a fresh database"
    );
    let new = tenants::NewTenant {
        slug: slug.into(),
        name: format!("Volume tenant {slug}"),
        admin_email: format!("admin@{slug}.example"),
        admin_name: "Volume Admin".into(),
    };
    let (tenant, _) = tenants::create(db, new)
        .await
        .map_err(|e| anyhow!(e.to_string()))?;
    let directory = directory(db, tenant.id, slug).await?;
    let mut rng = StdRng::seed_from_u64(2026);
    let mut written = 0;
    while written < incidents {
        let mut rows = IncidentRows::default();
        let end = (written + CHUNK).min(incidents);
        for number in written + 1..=end {
            let events = volume.timeline_events;
            rows.append(generate::incident(
                &mut rng,
                &directory,
                number as i64,
                events,
            ));
        }
        let txn = begin_for_tenant(db, tenant.id, TransactionOptions::default()).await?;
        write(&txn, rows)
            .await
            .context("writing generated incidents")?;
        txn.commit().await?;
        written = end;
        progress(written);
    }
    signatures::rebuild(db, tenant.id)
        .await
        .map_err(|e| anyhow!(e.to_string()))?;
    tenant::ActiveModel {
        id: Set(tenant.id),
        incident_seq: Set(incidents as i64),
        ..Default::default()
    }
    .update(db)
    .await?;
    refresh_statistics(db).await?;
    Ok(tenant.id)
}

/// The tables the generator fills.
const SEEDED_TABLES: &str = "incidents, timeline_events, incident_services, root_causes, \
    client_impacts, post_mortems, effectiveness_reviews, prevention_measures, feedback, \
    incident_signatures";

/// Refreshes PostgreSQL's planner statistics for the seeded tables, as any bulk loader
/// should: until autovacuum gets to them, it would plan for the empty tables it last
/// analysed (nested loops over 50,000 rows instead of one hash join) and read every heap page
/// behind its index-only scans. VACUUM also sets the visibility map those scans rely on.
/// SQLite is left as deployed databases are, without `sqlite_stat1`.
async fn refresh_statistics(db: &DatabaseConnection) -> anyhow::Result<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        #[allow(clippy::disallowed_methods)] // an operator command over fixed table names
        db.execute_unprepared(&format!("VACUUM ANALYZE {SEEDED_TABLES}"))
            .await
            .context("refreshing planner statistics")?;
    }
    Ok(())
}

async fn directory(db: &DatabaseConnection, t: Uuid, slug: &str) -> anyhow::Result<Directory> {
    let now = Utc::now();
    let services: Vec<service::Model> = (1..=SERVICES)
        .map(|i| service::Model {
            tenant_id: t,
            id: Uuid::now_v7(),
            name: format!("Service {i:02}"),
            created_at: now,
            updated_at: now,
        })
        .collect();
    let clients: Vec<client::Model> = (1..=CLIENTS)
        .map(|i| client::Model {
            tenant_id: t,
            id: Uuid::now_v7(),
            name: format!("Client {i:02}"),
            contact_email: None,
            time_zone: None,
            created_at: now,
            updated_at: now,
        })
        .collect();
    let contacts: Vec<user::Model> = clients
        .iter()
        .enumerate()
        .map(|(i, c)| user::Model {
            tenant_id: t,
            id: Uuid::now_v7(),
            email: format!("contact{i:02}@{slug}.example"),
            display_name: format!("Contact of {}", c.name),
            role: Role::Client,
            client_id: Some(c.id),
            active: true,
            created_at: now,
            updated_at: now,
        })
        .collect();
    let directory = Directory {
        tenant_id: t,
        services: services.iter().map(|s| s.id).collect(),
        clients: clients
            .iter()
            .zip(&contacts)
            .map(|(c, u)| (c.id, u.id))
            .collect(),
        first_start: start_of(2023),
        last_start: start_of(2027) - TimeDelta::days(3),
    };
    let txn = begin_for_tenant(db, t, TransactionOptions::default()).await?;
    insert_all(&txn, services).await?;
    insert_all(&txn, clients).await?;
    insert_all(&txn, contacts).await?;
    txn.commit().await?;
    Ok(directory)
}

fn start_of(year: i32) -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(year, 1, 1)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

async fn write(txn: &DatabaseTransaction, rows: IncidentRows) -> Result<(), sea_orm::DbErr> {
    insert_all(txn, rows.incident).await?;
    insert_all(txn, rows.timeline).await?;
    insert_all(txn, rows.services).await?;
    insert_all(txn, rows.causes).await?;
    insert_all(txn, rows.impacts).await?;
    insert_all(txn, rows.post_mortem).await?;
    insert_all(txn, rows.review).await?;
    insert_all(txn, rows.measures).await?;
    insert_all(txn, rows.feedback).await
}

async fn insert_all<M, A>(txn: &DatabaseTransaction, rows: Vec<M>) -> Result<(), sea_orm::DbErr>
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        // Bounded so one statement stays within SQLite's and PostgreSQL's bind-parameter limits.
        let batch = rows.by_ref().take(INSERT_BATCH);
        #[allow(clippy::disallowed_methods)] // seeding, by the operator: rows carry their tenant
        A::Entity::insert_many(batch.map(|m| m.into_active_model().reset_all()))
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
