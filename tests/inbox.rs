//! The staff inbox: clients' threads across every incident, filtered by status, lateness,
//! client and incident, in one query within the cost limit.

use crate::client_channel::{SUBMIT, published};
use crate::support::{World, error_codes};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const INBOX: &str = "query($filter: FeedbackFilter) { feedback(filter: $filter, first: 50) { totalCount nodes { id kind status overdue body incident { id reference title } } pageInfo { hasNextPage } } }";

async fn inbox(world: &World, token: &str, filter: Value) -> Value {
    world
        .app
        .data(token, INBOX, json!({ "filter": filter }))
        .await["feedback"]
        .clone()
}

fn ids(connection: &Value) -> Vec<&str> {
    connection["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|node| node["id"].as_str())
        .collect()
}

#[tokio::test]
async fn staff_list_open_and_overdue_questions_across_incidents() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    let app = &world.app;
    let mut threads = Vec::new();
    for body in ["Why?", "Will it recur?", "Thanks"] {
        let input = json!({ "input": { "incidentId": record.incident_id, "kind": "QUESTION", "body": body } });
        let data = app.data(&world.a.client, SUBMIT, input).await;
        threads.push(
            data["feedbackSubmit"]["feedback"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let reply = "mutation($id: ID!) { feedbackReply(input: { feedbackId: $id, body: \"Here is why.\" }) { userErrors { code } } }";
    app.data(&world.a.editor, reply, json!({ "id": threads[0] }))
        .await;
    // The second thread was opened three days ago, past the 48-hour answer SLA.
    let overdue_id = crate::support::decode_uuid(&threads[1]);
    let backend = app.db.get_database_backend();
    let three_days_ago = chrono::Utc::now() - chrono::TimeDelta::days(3);
    app.owner_db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DatabaseBackend::Postgres => {
                    "UPDATE feedback SET created_at = $1 WHERE id = $2"
                }
                _ => "UPDATE feedback SET created_at = ? WHERE id = ?",
            },
            [three_days_ago.into(), overdue_id.into()],
        ))
        .await
        .expect("backdate a thread");

    let everything = inbox(&world, &world.a.viewer, json!(null)).await;
    assert_eq!(everything["totalCount"], 3);
    assert_eq!(
        ids(&everything),
        threads.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(
        everything["nodes"][0]["incident"]["id"],
        json!(record.incident_id)
    );
    assert!(
        everything["nodes"][0]["incident"]["reference"]
            .as_str()
            .is_some_and(|r| r.starts_with("INC-"))
    );

    let open = inbox(&world, &world.a.editor, json!({ "status": "OPEN" })).await;
    assert_eq!(ids(&open), [threads[1].as_str(), threads[2].as_str()]);
    let overdue = inbox(&world, &world.a.admin, json!({ "overdue": true })).await;
    assert_eq!(ids(&overdue), [threads[1].as_str()]);
    assert_eq!(overdue["nodes"][0]["overdue"], true);
    let on_time = inbox(&world, &world.a.admin, json!({ "overdue": false })).await;
    assert_eq!(ids(&on_time), [threads[0].as_str(), threads[2].as_str()]);
    let by_client = inbox(
        &world,
        &world.a.admin,
        json!({ "clientId": record.client_id }),
    )
    .await;
    assert_eq!(by_client["totalCount"], 3);
    let other_client = inbox(
        &world,
        &world.a.admin,
        json!({ "clientId": world.a.other_client_id }),
    )
    .await;
    assert_eq!(other_client["totalCount"], 0);
    let other_incident = inbox(
        &world,
        &world.a.admin,
        json!({ "incidentId": world.a.incident_id }),
    )
    .await;
    assert_eq!(other_incident["totalCount"], 0);
    let other_tenant = inbox(&world, &world.b.admin, json!(null)).await;
    assert_eq!(
        other_tenant["totalCount"], 0,
        "another tenant's inbox is its own"
    );
}

#[tokio::test]
async fn the_inbox_is_for_staff_only_and_bad_filter_ids_are_refused() {
    let world = World::new().await;
    for token in [&world.a.client, &world.a.reporter] {
        let body = world.app.gql(token, INBOX, json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
        assert_eq!(body["errors"][0]["path"], json!(["feedback"]));
    }
    let body = world
        .app
        .gql(
            &world.a.admin,
            INBOX,
            json!({ "filter": { "clientId": world.a.incident_id } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
}

#[tokio::test]
async fn a_full_inbox_page_costs_little_and_reads_each_incident_in_one_statement() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    for n in 0..5 {
        let input = json!({ "input": { "incidentId": record.incident_id, "kind": "CONCERN", "body": format!("Concern {n}") } });
        world.app.data(&world.a.client, SUBMIT, input).await;
    }
    let query = "{ feedback(first: 100) { totalCount nodes { id kind status overdue body confidence createdAt firstResponseAt incident { id reference title severity status } replies { body fromStaff at } } } }";
    let statements = world
        .app
        .statements_for(&world.a.editor, query, json!({}))
        .await;
    // Authentication, the page, the count, the tenant's SLA, the incidents, the replies.
    assert!(statements <= 6, "{statements} statements");
}
