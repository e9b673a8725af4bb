//! An incident's feedback threads as a connection: the first page is batched with the rest of
//! the record, later pages follow the cursor.

use crate::client_channel::{SUBMIT, published};
use crate::support::World;
use serde_json::{Value, json};

#[tokio::test]
async fn an_incidents_threads_page_oldest_first_by_status_and_on_through_the_cursor() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    let app = &world.app;
    let mut ids = Vec::new();
    for n in 0..3 {
        let input = json!({ "input": { "incidentId": record.incident_id, "kind": "QUESTION", "body": format!("Question {n}") } });
        let submitted = app.data(&world.a.client, SUBMIT, input).await;
        ids.push(submitted["feedbackSubmit"]["feedback"]["id"].clone());
    }
    app.data(
        &world.a.client,
        "mutation($id: ID!) { feedbackClose(input: { feedbackId: $id }) { userErrors { code } } }",
        json!({ "id": ids[1] }),
    )
    .await;
    let page = "query($id: ID!, $after: String, $status: FeedbackStatus) { incident(id: $id) { feedback(first: 2, after: $after, status: $status) { totalCount nodes { body } pageInfo { hasNextPage endCursor } } } }";
    let bodies = |data: &Value| {
        data["incident"]["feedback"]["nodes"]
            .as_array()
            .map(|nodes| nodes.iter().map(|n| n["body"].clone()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let first = app
        .data(&world.a.viewer, page, json!({ "id": record.incident_id }))
        .await;
    assert_eq!(bodies(&first), [json!("Question 0"), json!("Question 1")]);
    assert_eq!(first["incident"]["feedback"]["totalCount"], 3);
    assert_eq!(
        first["incident"]["feedback"]["pageInfo"]["hasNextPage"],
        true
    );
    let after = first["incident"]["feedback"]["pageInfo"]["endCursor"].clone();
    let second = app
        .data(
            &world.a.viewer,
            page,
            json!({ "id": record.incident_id, "after": after }),
        )
        .await;
    assert_eq!(bodies(&second), [json!("Question 2")]);
    assert_eq!(
        second["incident"]["feedback"]["pageInfo"]["hasNextPage"],
        false
    );
    let closed = app
        .data(
            &world.a.viewer,
            page,
            json!({ "id": record.incident_id, "status": "CLOSED" }),
        )
        .await;
    assert_eq!(bodies(&closed), [json!("Question 1")]);
    assert_eq!(closed["incident"]["feedback"]["totalCount"], 1);
    assert_eq!(
        closed["incident"]["feedback"]["pageInfo"]["hasNextPage"],
        false
    );
    let others = app
        .data(
            &world.a.admin,
            "{ incidents(first: 20) { nodes { id feedback(first: 2) { totalCount nodes { body } } } } }",
            json!({}),
        )
        .await;
    for incident in others["incidents"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let expected = if incident["id"] == json!(record.incident_id) {
            3
        } else {
            0
        };
        assert_eq!(incident["feedback"]["totalCount"], expected, "{incident}");
    }
}
