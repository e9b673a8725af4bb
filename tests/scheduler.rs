//! Time-driven events (DESIGN.md section 8): written once per subject and deadline, within
//! 60 s of it, however many `debrief worker` processes run.

use crate::support::database::is_postgres;
use crate::support::{SECRET, TestApp, spawn_app};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Subjects that fall due while the workers run.
const FALLING_DUE: usize = 50;

/// `debrief worker` processes, killed when dropped.
struct Workers(Vec<Child>);

impl Workers {
    fn start(database_url: &str, count: usize) -> Self {
        let spawn = |_| {
            Command::new(env!("CARGO_BIN_EXE_debrief"))
                .arg("worker")
                .envs(crate::support::database::process_env(database_url))
                .env("DEBRIEF_JWT_SECRET", SECRET)
                .env("DEBRIEF_WORKER_INTERVAL", "1s")
                .env_remove("DEBRIEF_ENV")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start debrief worker")
        };
        Self((0..count).map(spawn).collect())
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

const CREATE: &str = "mutation($input: IncidentCreateInput!) { incidentCreate(input: $input) { incident { id postMortem { id } } userErrors { code message } } }";
const DUE_FEED: &str = "query($after: String) { events(first: 100, after: $after, filter: { types: [MEASURE_OVERDUE, REVIEW_DUE, POST_MORTEM_DUE, FEEDBACK_OVERDUE] }) { edges { node { type subjectId occurredAt deadline actor { id } } } pageInfo { endCursor hasNextPage } } }";

/// A SEV1 incident resolved so that its post-mortem falls due `due_in` from now (the
/// tenant's default `postMortemDueDays` is 5).
async fn resolved_incident(app: &TestApp, token: &str, due_in: TimeDelta) -> String {
    let resolved = Utc::now() - TimeDelta::days(5) + due_in;
    let at = |offset: i64| (resolved - TimeDelta::minutes(offset)).to_rfc3339();
    let input = json!({ "title": "Checkout failures", "summary": "internal", "severity": "SEV1", "status": "RESOLVED", "startedAt": at(120), "detectedAt": at(110), "mitigatedAt": at(60), "resolvedAt": at(0) });
    let data = app.data(token, CREATE, json!({ "input": input })).await;
    assert_eq!(data["incidentCreate"]["userErrors"], json!([]), "{data}");
    data["incidentCreate"]["incident"]["postMortem"]["id"]
        .as_str()
        .expect("post-mortem")
        .to_owned()
}

/// One subject of each other time-driven kind, already past its deadline: the stored facts
/// are moved into the past, as time would have moved them.
async fn overdue_of_each_other_kind(app: &TestApp, token: &str) {
    let record = crate::support::record::build(app, token, 3).await;
    let published = app.data(token, "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code } } }", json!({ "id": record.post_mortem_id })).await;
    assert_eq!(
        published["postMortemPublish"]["userErrors"],
        json!([]),
        "{published}"
    );
    let measure = crate::support::decode_uuid(&record.measure_ids[0]);
    let past = (Utc::now() - TimeDelta::days(2)).date_naive();
    let backend = app.db.get_database_backend();
    let placeholder = |n: usize| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    let statements = [
        Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE prevention_measures SET committed_due_on = {} WHERE id = {}",
                placeholder(1),
                placeholder(2)
            ),
            [past.into(), measure.into()],
        ),
        Statement::from_string(
            backend,
            "UPDATE post_mortems SET review_due_at = published_at WHERE status = 'PUBLISHED'",
        ),
    ];
    for statement in statements {
        let done = app
            .owner_db
            .execute_raw(statement)
            .await
            .expect("age the record");
        assert_eq!(done.rows_affected(), 1);
    }
}

/// Every time-driven event `token` may read.
async fn due_events(app: &TestApp, token: &str) -> Vec<Value> {
    crate::support::whole_feed(app, token, DUE_FEED).await
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().and_then(|t| t.parse().ok()).expect("a time")
}

#[tokio::test]
async fn workers_write_each_deadline_once_within_a_minute_of_it() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("deadlines").await;
    let token = tenant.admin.clone();
    overdue_of_each_other_kind(&app, &token).await;
    let mut post_mortems = Vec::new();
    for i in 0..FALLING_DUE {
        let due_in = TimeDelta::seconds(8) + TimeDelta::milliseconds(200 * i as i64);
        post_mortems.push(resolved_incident(&app, &token, due_in).await);
    }
    let expected = FALLING_DUE + 2;
    let workers = Workers::start(app.database_url(), if is_postgres() { 3 } else { 1 });
    for _ in 0..60 {
        if due_events(&app, &token).await.len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Give any duplicate the chance to appear: several more passes of every worker.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let events = due_events(&app, &token).await;
    drop(workers);

    let mut per_subject: HashMap<(String, String), usize> = HashMap::new();
    for event in &events {
        let key = (
            event["type"].as_str().unwrap_or_default().to_owned(),
            event["subjectId"].as_str().unwrap_or_default().to_owned(),
        );
        *per_subject.entry(key).or_default() += 1;
        if event["type"] == "POST_MORTEM_DUE" {
            let late = time(&event["occurredAt"]) - time(&event["deadline"]);
            let on_time = late >= TimeDelta::zero() && late <= TimeDelta::seconds(60);
            assert!(on_time, "written {late} after its deadline: {event}");
        }
    }
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(events.len(), expected, "{kinds:?}");
    assert!(per_subject.values().all(|&n| n == 1), "{per_subject:?}");
    for post_mortem in &post_mortems {
        assert_eq!(
            per_subject.get(&("POST_MORTEM_DUE".into(), post_mortem.clone())),
            Some(&1)
        );
    }
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(
        kinds.contains(&"MEASURE_OVERDUE") && kinds.contains(&"REVIEW_DUE"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_moved_deadline_is_a_new_event_and_a_repeated_pass_writes_nothing() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("moved").await;
    let record = crate::support::record::build(&app, &tenant.admin, 3).await;
    let publish = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code } } }";
    app.data(
        &tenant.admin,
        publish,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    let backend = app.db.get_database_backend();
    let placeholder = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let due_at = |seconds_ago: i64| {
        let at = Utc::now() - TimeDelta::seconds(seconds_ago);
        let sql = format!("UPDATE post_mortems SET review_due_at = {placeholder}");
        Statement::from_sql_and_values(backend, sql, [at.into()])
    };
    let pass = || debrief::worker::pass(&app.db, debrief::worker::WorkerSettings::default());
    app.owner_db.execute_raw(due_at(10)).await.expect("due now");
    pass().await.expect("pass");
    pass().await.expect("a second pass");
    let reviews = |events: Vec<Value>| {
        events
            .into_iter()
            .filter(|e| e["type"] == "REVIEW_DUE")
            .collect::<Vec<_>>()
    };
    let first = reviews(due_events(&app, &tenant.admin).await);
    assert_eq!(first.len(), 1, "once per deadline: {first:?}");
    app.owner_db
        .execute_raw(due_at(1))
        .await
        .expect("a moved deadline");
    pass().await.expect("pass");
    let both = reviews(due_events(&app, &tenant.admin).await);
    assert_eq!(both.len(), 2, "the moved deadline is a new event: {both:?}");
    assert_ne!(both[0]["deadline"], both[1]["deadline"]);
}
