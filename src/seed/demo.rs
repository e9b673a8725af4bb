//! The demo tenant `acme`: one user per role, two clients, three services, a few incidents.
//! It is written through the same repository calls the API uses, so it obeys every rule.

use crate::auth;
use crate::domain::incident::Timeline;
use crate::repo::incidents::NewIncident;
use crate::repo::users::NewUser;
use crate::repo::{PageRequest, Scope, clients::NewClient, identity, tenants};
use anyhow::{Context, anyhow};
use chrono::TimeDelta;
use entity::{IncidentStatus, Role, Severity, user};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use uuid::Uuid;

pub const SLUG: &str = "acme";

/// Whether the database holds no tenant at all (a fresh install).
#[allow(clippy::disallowed_methods)] // counting tenants, which are not tenant-owned rows
pub async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(entity::tenant::Entity::find().count(db).await? == 0)
}

/// Creates the demo tenant unless it exists.
pub async fn seed(db: &DatabaseConnection) -> anyhow::Result<()> {
    if identity::tenant_by_slug(db, SLUG).await?.is_some() {
        return Ok(());
    }
    let new = tenants::NewTenant {
        slug: SLUG.into(),
        name: "Acme Cloud".into(),
        admin_email: "admin@acme.example".into(),
        admin_name: "Ada Admin".into(),
    };
    let (tenant, _) = tenants::create(db, new)
        .await
        .map_err(|e| anyhow!(e.to_string()))?;
    let scope = Scope::new(db.clone(), auth::operator(tenant.id));
    if let Err(error) = seed_directory(db, &scope).await {
        // Leave nothing half-seeded: the next run starts over.
        tenants::delete(db, tenant.id)
            .await
            .map_err(|e| anyhow!(e.to_string()))?;
        return Err(anyhow!(error).context("seeding the demo tenant"));
    }
    Ok(())
}

async fn seed_directory(db: &DatabaseConnection, scope: &Scope) -> Result<(), String> {
    let admin = scope.admin().map_err(|e| e.to_string())?;
    let globex = ok(admin
        .client_create(NewClient {
            name: "Globex".into(),
            contact_email: Some("ops@globex.example".into()),
            time_zone: Some("America/New_York".into()),
        })
        .await)?;
    ok(admin
        .client_create(NewClient {
            name: "Initech".into(),
            contact_email: Some("it@initech.example".into()),
            time_zone: None,
        })
        .await)?;
    let mut services = Vec::new();
    for name in ["API Gateway", "Payments", "Notifications"] {
        services.push(ok(admin.service_create(name.into()).await)?.id);
    }
    let people = [
        ("editor@acme.example", "Eddie Editor", Role::Editor, None),
        ("viewer@acme.example", "Vera Viewer", Role::Viewer, None),
        (
            "reporter@acme.example",
            "Reporting Bot",
            Role::Reporter,
            None,
        ),
        (
            "client@globex.example",
            "Gina Globex",
            Role::Client,
            Some(globex.id),
        ),
    ];
    for (email, name, role, client_id) in people {
        ok(admin
            .user_create(NewUser {
                email: email.into(),
                display_name: name.into(),
                role,
                client_id,
            })
            .await)?;
    }
    let incidents = seed_incidents(scope, &services).await?;
    super::demo_record::seed(db, scope, &incidents, globex.id, &services).await
}

/// Unwraps a write's outcome, turning a refusal into a message (the seed is fixed data).
pub(super) fn ok<T>(outcome: crate::repo::Outcome<T>) -> Result<T, String> {
    outcome.map_err(|e| format!("{e:?}"))
}

async fn seed_incidents(
    scope: &Scope,
    services: &[Uuid],
) -> Result<Vec<entity::incident::Model>, String> {
    let writer = scope.writer().map_err(|e| e.to_string())?;
    let now = crate::domain::time::now();
    let hours = |h: i64| now - TimeDelta::hours(h);
    let incidents = [
        (
            "Checkout payments failed for EU customers",
            Severity::Sev1,
            IncidentStatus::Resolved,
            24 * 9,
            [Some(24 * 9 - 1), Some(24 * 9 - 3), Some(24 * 9 - 5)],
            vec![services[1], services[0]],
        ),
        (
            "Delayed email notifications",
            Severity::Sev3,
            IncidentStatus::Resolved,
            24 * 4,
            [Some(24 * 4 - 2), Some(24 * 4 - 6), Some(24 * 4 - 8)],
            vec![services[2]],
        ),
        (
            "Elevated API latency",
            Severity::Sev2,
            IncidentStatus::Monitoring,
            5,
            [Some(4), Some(2), None],
            vec![services[0]],
        ),
    ];
    let mut created = Vec::new();
    for (title, severity, status, started, [detected, mitigated, resolved], service_ids) in
        incidents
    {
        let timeline = Timeline {
            started_at: hours(started),
            detected_at: detected.map(hours),
            mitigated_at: mitigated.map(hours),
            resolved_at: resolved.map(hours),
        };
        let summary = format!("Internal notes on: {title}.");
        let new = NewIncident {
            title: title.into(),
            summary,
            severity,
            status,
            timeline,
            service_ids,
        };
        created.push(ok(writer.incident_create(new).await)?);
    }
    Ok(created)
}

/// The demo users, for printing their tokens at start-up.
pub async fn users(db: &DatabaseConnection) -> anyhow::Result<Vec<(Uuid, user::Model)>> {
    let Some(tenant) = identity::tenant_by_slug(db, SLUG).await? else {
        return Ok(vec![]);
    };
    let scope = Scope::new(db.clone(), auth::operator(tenant.id));
    let page = scope
        .users(&PageRequest {
            first: Some(100),
            ..PageRequest::default()
        })
        .await
        .map_err(|e| anyhow!(e.to_string()))
        .context("listing demo users")?;
    let mut users: Vec<_> = page
        .rows
        .into_iter()
        .map(|(_, u)| (tenant.id, u))
        .filter(|(_, u)| u.active)
        .collect();
    users.sort_by_key(|(_, u)| role_rank(u.role));
    Ok(users)
}

fn role_rank(role: Role) -> u8 {
    match role {
        Role::Admin => 0,
        Role::Editor => 1,
        Role::Viewer => 2,
        Role::Reporter => 3,
        Role::Client => 4,
    }
}
