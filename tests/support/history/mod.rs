//! A small, hand-built history for the metrics tests: twelve incidents from July to
//! October 2026, written straight into the database because the API stamps publication,
//! completion and reply times with the present. `tests/metrics.rs` works every figure out
//! by hand from `tables.rs`.

mod rows;
mod tables;

use super::TestApp;
use super::world::global_id;
use entity::*;
use rows::{client, feedback, impact, incident, measure, put, root_cause, service, user};
use sea_orm::{DatabaseConnection, IntoActiveModel};
use tables::{FEEDBACK, INCIDENTS, Incident, MEASURES, Svc, Who, inc};
use uuid::Uuid;

/// The history's tenant: tokens and the global ids filters need.
pub struct History {
    pub admin: String,
    pub reporter: String,
    pub client: String,
    /// Client "Acme", services "Payments" and "Search".
    pub acme: String,
    pub payments: String,
    pub search: String,
    /// A client of another tenant.
    pub foreign_client: String,
}

/// Writes the history into a new tenant, plus a second tenant whose one incident must
/// never be counted.
pub async fn build(app: &TestApp) -> History {
    let tenant = app.create_tenant("history").await;
    let other = app.create_tenant("elsewhere").await;
    let db = &app.owner_db;
    let t = tenant.id;
    let acme = client(db, t, "Acme").await;
    let bolt = client(db, t, "Bolt").await;
    let payments = service(db, t, "Payments").await;
    let search = service(db, t, "Search").await;
    let acme_contact = user(db, t, "contact@acme.example", Role::Client, Some(acme)).await;
    let bolt_contact = user(db, t, "contact@bolt.example", Role::Client, Some(bolt)).await;
    let reporter = user(db, t, "reporter@history.example", Role::Reporter, None).await;
    let who = |w: Who| if w == Who::Acme { acme } else { bolt };
    let contact = |w: Who| {
        if w == Who::Acme {
            acme_contact
        } else {
            bolt_contact
        }
    };
    let svc = |s: Svc| if s == Svc::Payments { payments } else { search };

    let mut ids = std::collections::HashMap::new();
    for spec in &INCIDENTS {
        let id = incident(db, t, spec).await;
        ids.insert(spec.number, id);
        for s in spec.services {
            put(
                db,
                incident_service::Model {
                    tenant_id: t,
                    incident_id: id,
                    service_id: svc(*s),
                }
                .into_active_model(),
            )
            .await;
        }
        for category in spec.causes {
            root_cause(db, t, id, *category).await;
        }
        for w in spec.impacts {
            impact(db, t, id, who(*w), spec).await;
        }
    }
    for (number, kind, created, committed, status, completed, effectiveness) in MEASURES {
        measure(
            db,
            t,
            ids[&number],
            (kind, created, committed, status, completed, effectiveness),
        )
        .await;
    }
    for (number, w, created, answered, status, confidence) in FEEDBACK {
        feedback(
            db,
            t,
            ids[&number],
            who(w),
            contact(w),
            (created, answered, status, confidence),
        )
        .await;
    }
    let foreign_client = noise(db, other.id).await;
    for tenant in [t, other.id] {
        debrief::repo::signatures::rebuild(db, tenant)
            .await
            .expect("derive recurrence signatures");
    }

    History {
        admin: tenant.admin.clone(),
        reporter: app.token(t, reporter),
        client: app.token(t, acme_contact),
        acme: global_id("Client", acme),
        payments: global_id("Service", payments),
        search: global_id("Service", search),
        foreign_client: global_id("Client", foreign_client),
    }
}

/// Another tenant's client, and its SEV1 in July with a published post-mortem and a
/// completed measure.
async fn noise(db: &DatabaseConnection, t: Uuid) -> Uuid {
    let client = client(db, t, "Acme").await;
    let spec = Incident {
        published: Some("07-05T00:00"),
        ..inc(
            1,
            Severity::Sev1,
            "07-03T10:00",
            Some("07-03T12:00"),
            &[],
            &[],
        )
    };
    let id = incident(db, t, &spec).await;
    measure(
        db,
        t,
        id,
        (
            MeasureKind::Technical,
            "07-04T00:00",
            "07-10",
            MeasureStatus::Done,
            Some("07-09T00:00"),
            Effectiveness::NotReviewed,
        ),
    )
    .await;
    client
}
