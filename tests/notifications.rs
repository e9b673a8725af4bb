//! Email notifications (docs/NOTIFICATIONS.md) against a real SMTP server on loopback: who
//! receives which email, preferences and digests, unsubscribe links, what a client's email
//! may hold, and retries when the server refuses.

use crate::support::record::{self, Record, mutate};
use crate::support::smtp::{Mail, Sink};
use crate::support::{World, decode_uuid};
use serde_json::json;
use std::time::Duration;

const PUBLISH: &str = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code message } } }";
const PREFERENCES: &str = "mutation($mode: NotificationMode!) { notificationPreferencesUpdate(input: { mode: $mode }) { notificationPreferences { mode } userErrors { code } } }";
const SUBMIT: &str = "mutation($id: ID!) { feedbackSubmit(input: { incidentId: $id, kind: QUESTION, body: \"Will it recur?\" }) { feedback { id } userErrors { code } } }";
const REPLY: &str = "mutation($id: ID!, $body: String!) { feedbackReply(input: { feedbackId: $id, body: $body }) { userErrors { code } } }";

const CONTACT: &str = "contact@client00.example";
const READER: &str = "reader@client00.example";
const ADMIN: &str = "admin@tenant-a.example";
const EDITOR: &str = "editor@tenant-a.example";

/// A world whose record's first client has a contact address and a CLIENT user, with the
/// email worker sending to `sink`.
struct Scene {
    world: World,
    record: Record,
    sink: Sink,
    /// The CLIENT user of the record's first client.
    reader: String,
}

impl Scene {
    async fn new() -> Self {
        let world = World::new().await;
        let sink = Sink::start().await;
        let (app, admin) = (&world.app, &world.a.admin);
        let record = record::build(app, admin, 2).await;
        app.data(admin, "mutation($id: ID!) { clientUpdate(input: { id: $id, contactEmail: \"contact@client00.example\", timeZone: \"Asia/Tokyo\" }) { userErrors { code } } }", json!({ "id": record.client_id })).await;
        let planted = app.data(admin, "mutation($id: ID!) { incidentUpdate(input: { id: $id, version: 1, summary: \"SECRET summary\" }) { userErrors { code } } }", json!({ "id": record.incident_id })).await;
        assert_eq!(
            planted["incidentUpdate"]["userErrors"],
            json!([]),
            "{planted}"
        );
        let planted = app.data(admin, "mutation($id: ID!) { postMortemUpdate(input: { postMortemId: $id, version: 2, lessonsLearned: \"SECRET lessons\" }) { userErrors { code } } }", json!({ "id": record.post_mortem_id })).await;
        assert_eq!(
            planted["postMortemUpdate"]["userErrors"],
            json!([]),
            "{planted}"
        );
        let user = mutate(app, admin, "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } userErrors { code } } }", json!({ "email": READER, "displayName": "Reader", "role": "CLIENT", "clientId": record.client_id }), "userCreate", "user").await;
        let tenant = decode_uuid(&world.a.tenant_node_id);
        let reader = app.token(tenant, decode_uuid(&user));
        let settings = debrief::notifications::NotificationSettings {
            smtp_url: Some(sink.url()),
            retry_scale: 0.001,
            poll_interval: Duration::from_millis(50),
            timeout: Duration::from_secs(5),
            digest_period: Duration::from_secs(3),
            ..Default::default()
        };
        let public_url = url::Url::parse(&format!("{}/", app.url)).expect("url");
        tokio::spawn(debrief::worker::email::run(
            app.db.clone(),
            settings,
            public_url,
            std::future::pending(),
        ));
        Self {
            world,
            record,
            sink,
            reader,
        }
    }

    async fn publish(&self) {
        let published = self
            .world
            .app
            .data(
                &self.world.a.admin,
                PUBLISH,
                json!({ "id": self.record.post_mortem_id }),
            )
            .await;
        assert_eq!(
            published["postMortemPublish"]["userErrors"],
            json!([]),
            "{published}"
        );
    }

    async fn set_mode(&self, token: &str, mode: &str) {
        let data = self
            .world
            .app
            .data(token, PREFERENCES, json!({ "mode": mode }))
            .await;
        assert_eq!(
            data["notificationPreferencesUpdate"]["notificationPreferences"]["mode"],
            mode
        );
    }

    /// A question from the reader; its id.
    async fn ask(&self) -> String {
        let asked = self
            .world
            .app
            .data(
                &self.reader,
                SUBMIT,
                json!({ "id": self.record.incident_id }),
            )
            .await;
        asked["feedbackSubmit"]["feedback"]["id"]
            .as_str()
            .expect("feedback")
            .to_owned()
    }

    async fn answer(&self, feedback: &str, body: &str) {
        let replied = self
            .world
            .app
            .data(
                &self.world.a.editor,
                REPLY,
                json!({ "id": feedback, "body": body }),
            )
            .await;
        assert_eq!(
            replied["feedbackReply"]["userErrors"],
            json!([]),
            "{replied}"
        );
    }
}

fn subjects(mails: &[Mail]) -> Vec<String> {
    let mut all: Vec<String> = mails.iter().map(Mail::subject).collect();
    all.sort();
    all
}

/// What no client email may hold: internal text, and another client's (or tenant's) name.
fn assert_clean(mail: &Mail) {
    for body in [mail.text(), mail.html(), mail.subject()] {
        for forbidden in [
            "SECRET",
            "Client 01",
            "Impacted Co",
            "Bystander Ltd",
            "tenant-b",
        ] {
            assert!(
                !body.contains(forbidden),
                "{forbidden} in a client email: {body}"
            );
        }
    }
}

#[tokio::test]
async fn each_event_reaches_its_recipients_and_no_one_else() {
    let scene = Scene::new().await;
    let sink = &scene.sink;
    scene.publish().await;
    let mails = sink
        .wait_for("the publication emails", |m| m.len() >= 2)
        .await;
    let published = "Post-mortem published: INC-2: Checkout failures";
    for address in [CONTACT, READER] {
        let mine = sink.mails_to(address);
        assert_eq!(subjects(&mine), [published], "{address}");
        let mail = &mine[0];
        assert_clean(mail);
        assert!(mail.text().contains("Client 00 (INC-2)"), "{}", mail.text());
        assert!(
            mail.text().contains("Asia/Tokyo"),
            "the client's zone: {}",
            mail.text()
        );
        assert!(
            mail.html().contains("<h1>") || mail.html().contains("<h2>"),
            "{}",
            mail.html()
        );
        assert!(!mail.html().contains("<script"), "sanitised");
        let content_type = mail.header("Content-Type").unwrap_or_default();
        assert!(
            content_type.starts_with("multipart/alternative"),
            "{content_type}"
        );
        let list = mail.header("List-Unsubscribe").expect("List-Unsubscribe");
        assert_eq!(list, format!("<{}>", mail.unsubscribe_link()));
    }
    assert_eq!(
        mails.len(),
        2,
        "only the first client has addresses: {:?}",
        subjects(&mails)
    );

    let feedback = scene.ask().await;
    let asked = sink
        .wait_for("the question's emails", |m| m.len() >= 4)
        .await;
    for address in [ADMIN, EDITOR] {
        let mine = sink.mails_to(address);
        assert_eq!(
            subjects(&mine),
            ["New client question: INC-2: Checkout failures"],
            "{address}"
        );
        assert!(
            !mine[0].text().contains("Will it recur?"),
            "staff emails hold no text"
        );
    }
    assert_eq!(asked.len(), 4, "{:?}", subjects(&asked));

    scene.answer(&feedback, "We added a load test.").await;
    sink.wait_for("the answer's emails", |m| m.len() >= 6).await;
    for address in [CONTACT, READER] {
        let answered: Vec<Mail> = sink
            .mails_to(address)
            .into_iter()
            .filter(|m| m.subject().starts_with("Your question was answered"))
            .collect();
        assert_eq!(answered.len(), 1, "{address}");
        assert!(answered[0].text().contains("We added a load test."));
        assert_clean(&answered[0]);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for nobody in [
        "viewer@tenant-a.example",
        "reporter@tenant-a.example",
        "ops@impacted.example",
    ] {
        assert!(sink.mails_to(nobody).is_empty(), "{nobody} gets nothing");
    }
    assert!(
        sink.mails()
            .iter()
            .all(|m| m.to.iter().all(|t| !t.contains("tenant-b")))
    );
    assert_eq!(sink.mails().len(), 6);

    let held_at = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
    let reviewed = scene.world.app.data(&scene.world.a.editor, "mutation($id: ID!, $at: DateTime!) { effectivenessReviewRecord(input: { postMortemId: $id, heldAt: $at, summary: \"The load test caught a regression.\" }) { userErrors { code } } }", json!({ "id": scene.record.post_mortem_id, "at": held_at })).await;
    assert_eq!(
        reviewed["effectivenessReviewRecord"]["userErrors"],
        json!([]),
        "{reviewed}"
    );
    sink.wait_for("the follow-up emails", |m| m.len() >= 8)
        .await;
    for address in [CONTACT, READER] {
        let report: Vec<Mail> = sink
            .mails_to(address)
            .into_iter()
            .filter(|m| m.subject() == "Follow-up report ready: INC-2: Checkout failures")
            .collect();
        assert_eq!(report.len(), 1, "{address}");
        assert_clean(&report[0]);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.mails().len(), 8, "{:?}", subjects(&sink.mails()));
}

#[tokio::test]
async fn preferences_digests_and_unsubscribe_links_are_honoured() {
    let scene = Scene::new().await;
    let (sink, app) = (&scene.sink, &scene.world.app);
    scene.set_mode(&scene.reader, "DAILY_DIGEST").await;
    scene.set_mode(&scene.world.a.editor, "OFF").await;
    let shown = app
        .data(
            &scene.reader,
            "{ viewer { notificationPreferences { mode } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        shown["viewer"]["notificationPreferences"]["mode"],
        "DAILY_DIGEST"
    );
    let viewer = app
        .data(
            &scene.world.a.viewer,
            "{ viewer { notificationPreferences { mode } } }",
            json!({}),
        )
        .await;
    assert_eq!(viewer["viewer"]["notificationPreferences"], json!(null));

    scene.publish().await;
    let feedback = scene.ask().await;
    scene.answer(&feedback, "Here is the answer.").await;
    // IMMEDIATE: the contact gets two emails, the ADMIN one; OFF: the editor none; the
    // digest reader one email gathering both of theirs.
    let digest = sink
        .wait_for("the digest", |m| m.iter().any(|m| m.to == [READER]))
        .await;
    let to_reader: Vec<&Mail> = digest.iter().filter(|m| m.to == [READER]).collect();
    assert_eq!(to_reader.len(), 1);
    let gathered = to_reader[0];
    assert!(
        gathered.subject().contains("2 notifications"),
        "{}",
        gathered.subject()
    );
    assert!(gathered.text().contains("Post-mortem published"));
    assert!(gathered.text().contains("Here is the answer."));
    assert_clean(gathered);
    sink.wait_for("the contact's emails", |_| {
        sink.mails_to(CONTACT).len() >= 2
    })
    .await;
    assert_eq!(sink.mails_to(ADMIN).len(), 1);
    assert!(sink.mails_to(EDITOR).is_empty(), "OFF gets nothing");

    // Following the contact's link turns the contact's notifications off.
    let link = sink.mails_to(CONTACT)[0].unsubscribe_link();
    let page = app.http.get(&link).send().await.expect("unsubscribe");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("page").contains("unsubscribed"));
    let wrong = app
        .http
        .get(format!("{}/unsubscribe/dbu_nonsense", app.url))
        .send()
        .await
        .expect("wrong token");
    assert_eq!(wrong.status(), 404);
    let before = sink.mails_to(CONTACT).len();
    scene.answer(&feedback, "A second answer.").await;
    sink.wait_for("the second digest", |m| {
        m.iter().filter(|m| m.to == [READER]).count() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        sink.mails_to(CONTACT).len(),
        before,
        "no more mail after unsubscribing"
    );
}

#[tokio::test]
async fn a_refusing_server_is_retried_until_it_accepts() {
    let scene = Scene::new().await;
    let sink = &scene.sink;
    scene.set_mode(&scene.reader, "OFF").await;
    sink.refuse_next(2);
    scene.publish().await;
    let mails = sink
        .wait_for("the email after two refusals", |m| !m.is_empty())
        .await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, [CONTACT]);
    assert_eq!(sink.offered.load(std::sync::atomic::Ordering::SeqCst), 3);
    use sea_orm::{ConnectionTrait, Statement};
    let db = &scene.world.app.owner_db;
    // The sink answers before the worker records the attempt: wait for the third.
    let mut codes: Vec<Option<i32>> = Vec::new();
    for _ in 0..100 {
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT reply_code FROM email_attempts ORDER BY attempted_at",
            ))
            .await
            .expect("attempts");
        codes = rows
            .iter()
            .map(|r| r.try_get::<Option<i32>>("", "reply_code").expect("code"))
            .collect();
        if codes.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(codes, [Some(451), Some(451), None]);

    // Finished emails and their attempts are purged with the webhook deliveries; old
    // unsubscribe tokens after a year.
    let backend = db.get_database_backend();
    let long_ago = chrono::Utc::now() - chrono::TimeDelta::days(400);
    for table in [
        "email_messages SET updated_at",
        "unsubscribe_tokens SET created_at",
    ] {
        let placeholder = if backend == sea_orm::DbBackend::Postgres {
            "$1"
        } else {
            "?"
        };
        let aged = Statement::from_sql_and_values(
            backend,
            format!("UPDATE {table} = {placeholder}"),
            [long_ago.into()],
        );
        db.execute_raw(aged).await.expect("age");
    }
    debrief::worker::pass(db, debrief::worker::WorkerSettings::default())
        .await
        .expect("a worker pass");
    for table in ["email_messages", "email_attempts", "unsubscribe_tokens"] {
        let left = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("a row")
            .try_get::<i64>("", "n")
            .expect("n");
        assert_eq!(left, 0, "{table}");
    }
}

#[tokio::test]
async fn staff_hear_of_deadlines_that_pass_and_clients_do_not() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let scene = Scene::new().await;
    let (sink, app) = (&scene.sink, &scene.world.app);
    scene.publish().await;
    scene.ask().await;
    sink.wait_for("the publication and question emails", |m| m.len() >= 4)
        .await;
    // A SEV1 incident resolved six days ago whose post-mortem is still a draft.
    let resolved = chrono::Utc::now() - chrono::TimeDelta::days(6);
    let at = |minutes: i64| (resolved - chrono::TimeDelta::minutes(minutes)).to_rfc3339();
    let created = app.data(&scene.world.a.admin, "mutation($input: IncidentCreateInput!) { incidentCreate(input: $input) { userErrors { code } } }", json!({ "input": { "title": "Old outage", "summary": "SECRET", "severity": "SEV1", "status": "RESOLVED", "startedAt": at(120), "detectedAt": at(110), "mitigatedAt": at(60), "resolvedAt": at(0) } })).await;
    assert_eq!(
        created["incidentCreate"]["userErrors"],
        json!([]),
        "{created}"
    );
    let backend = app.db.get_database_backend();
    let placeholder = |n: usize| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    let past = (chrono::Utc::now() - chrono::TimeDelta::days(2)).date_naive();
    let long_ago = chrono::Utc::now() - chrono::TimeDelta::days(3);
    let measure = decode_uuid(&scene.record.measure_ids[0]);
    for statement in [
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
        Statement::from_sql_and_values(
            backend,
            format!("UPDATE feedback SET created_at = {}", placeholder(1)),
            [long_ago.into()],
        ),
    ] {
        app.owner_db
            .execute_raw(statement)
            .await
            .expect("age the record");
    }
    debrief::worker::pass(&app.db, debrief::worker::WorkerSettings::default())
        .await
        .expect("a worker pass");
    sink.wait_for("the deadline emails", |m| m.len() >= 12)
        .await;
    for address in [ADMIN, EDITOR] {
        let mine = subjects(&sink.mails_to(address));
        assert_eq!(
            mine,
            [
                "Client question awaiting an answer: INC-2: Checkout failures",
                "Effectiveness review due: INC-2: Checkout failures",
                "New client question: INC-2: Checkout failures",
                "Post-mortem due: INC-3: Old outage",
                "Prevention measure overdue: INC-2: Checkout failures",
            ],
            "{address}"
        );
        for mail in sink.mails_to(address) {
            assert!(
                mail.text().contains(" UTC"),
                "the tenant's zone: {}",
                mail.text()
            );
            assert!(!mail.text().contains("SECRET"), "{}", mail.text());
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        sink.mails_to(CONTACT).len(),
        1,
        "clients hear only of the publication"
    );
    assert_eq!(sink.mails_to(READER).len(), 1);
    assert_eq!(sink.mails().len(), 12, "{:?}", subjects(&sink.mails()));
}

#[tokio::test]
async fn development_writes_each_email_into_a_folder() {
    let folder = tempfile::tempdir().expect("folder");
    let world = World::new().await;
    let (app, admin) = (&world.app, &world.a.admin);
    let record = record::build(app, admin, 1).await;
    app.data(admin, "mutation($id: ID!) { clientUpdate(input: { id: $id, contactEmail: \"contact@client00.example\" }) { userErrors { code } } }", json!({ "id": record.client_id })).await;
    let settings = debrief::notifications::NotificationSettings {
        email_dir: Some(folder.path().to_owned()),
        poll_interval: Duration::from_millis(50),
        ..Default::default()
    };
    let public_url = url::Url::parse(&format!("{}/", app.url)).expect("url");
    tokio::spawn(debrief::worker::email::run(
        app.db.clone(),
        settings,
        public_url,
        std::future::pending(),
    ));
    app.data(admin, PUBLISH, json!({ "id": record.post_mortem_id }))
        .await;
    for _ in 0..200 {
        let files: Vec<_> = std::fs::read_dir(folder.path())
            .map(|d| d.flatten().collect())
            .unwrap_or_default();
        if let Some(file) = files.first() {
            assert_eq!(files.len(), 1);
            assert!(file.file_name().to_string_lossy().ends_with(".eml"));
            let raw = std::fs::read_to_string(file.path()).expect("eml");
            assert!(raw.contains("To: contact@client00.example"), "{raw}");
            assert!(raw.contains("List-Unsubscribe: <"), "{raw}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no .eml was written");
}
