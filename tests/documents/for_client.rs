//! `forClient`: staff render exactly what one client reads; a CLIENT always gets its own.

use super::{DOCUMENT, FOLLOW_UP, FORMATS, published, render};
use crate::support::{error_codes, spawn_app};
use serde_json::json;

#[tokio::test]
async fn each_clients_copy_holds_no_other_clients_name_or_impact_and_is_what_the_client_reads() {
    let app = spawn_app().await;
    let (world, admin) = published(&app, "acme").await;
    let pm = &world.record.post_mortem_id;
    for reader in &world.clients {
        for query in [DOCUMENT, FOLLOW_UP] {
            for format in FORMATS {
                let preview = render(&app, &admin, query, pm, format, Some(&reader.id)).await;
                let own = render(&app, &reader.token, query, pm, format, None).await;
                assert_eq!(preview, own, "the preview is exactly the client's copy");
                // A CLIENT naming another client still gets its own copy.
                let other = world
                    .clients
                    .iter()
                    .find(|c| c.id != reader.id)
                    .expect("another client");
                let asked = render(&app, &reader.token, query, pm, format, Some(&other.id)).await;
                assert_eq!(asked, own);
                for other in world.clients.iter().filter(|c| c.id != reader.id) {
                    assert!(
                        !own.contains(&other.name),
                        "{} leaked into {}'s copy:\n{own}",
                        other.name,
                        reader.name
                    );
                    assert!(
                        !own.contains(&other.impact),
                        "{}'s impact leaked:\n{own}",
                        other.name
                    );
                }
                assert!(!own.contains("SECRET"), "internal text leaked:\n{own}");
                if query == DOCUMENT {
                    assert!(
                        own.contains(&reader.name) && own.contains(&reader.impact),
                        "{own}"
                    );
                }
            }
        }
    }
    let staff = render(&app, &admin, DOCUMENT, pm, "MARKDOWN", None).await;
    assert!(
        world.clients.iter().all(|c| staff.contains(&c.impact)),
        "the staff copy lists every client:\n{staff}"
    );
}

#[tokio::test]
async fn a_preview_names_a_client_the_incident_impacted_in_the_callers_tenant() {
    let app = spawn_app().await;
    let (world, admin) = published(&app, "acme").await;
    let pm = &world.record.post_mortem_id;
    let bystander = app
        .data(
            &admin,
            "mutation { clientCreate(input: { name: \"Bystander\" }) { client { id } } }",
            json!({}),
        )
        .await;
    let bystander = bystander["clientCreate"]["client"]["id"].clone();
    let refused = app
        .gql(
            &admin,
            DOCUMENT,
            json!({ "id": pm, "format": "MARKDOWN", "for": bystander }),
        )
        .await;
    assert_eq!(error_codes(&refused), ["BAD_USER_INPUT"], "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Bystander has no impact"),
        "{refused}"
    );
    let (elsewhere, _) = published(&app, "globex").await;
    let foreign = app
        .gql(
            &admin,
            FOLLOW_UP,
            json!({ "id": pm, "format": "HTML", "for": elsewhere.clients[0].id }),
        )
        .await;
    assert_eq!(error_codes(&foreign), ["NOT_FOUND"], "{foreign}");
    let not_a_client = app
        .gql(
            &admin,
            DOCUMENT,
            json!({ "id": pm, "format": "MARKDOWN", "for": pm }),
        )
        .await;
    assert_eq!(
        error_codes(&not_a_client),
        ["NOT_FOUND"],
        "an id of another type names no client: {not_a_client}"
    );
}

#[tokio::test]
async fn a_draft_can_be_previewed_by_staff_but_not_read_by_the_client() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = crate::support::record::build(&app, &tenant.admin, 2).await;
    let preview = render(
        &app,
        &tenant.admin,
        DOCUMENT,
        &record.post_mortem_id,
        "MARKDOWN",
        Some(&record.client_id),
    )
    .await;
    assert!(
        preview.contains("*Post-mortem by Tenant acme for Client 00.*"),
        "{preview}"
    );
    assert!(!preview.contains("Client 01"), "{preview}");
}

#[tokio::test]
async fn documents_are_written_in_the_clients_zone_else_the_tenants_with_the_tenants_contact_details()
 {
    let app = spawn_app().await;
    let (world, admin) = published(&app, "acme").await;
    let settings = app.data(&admin, "mutation { tenantSettingsUpdate(input: { timeZone: \"Europe/Berlin\", contactLine: \"Questions? Call +1 555 0100.\", portalUrl: \"https://portal.acme.example/\" }) { tenant { settings { timeZone contactLine portalUrl } } userErrors { code } } }", json!({})).await;
    assert_eq!(
        settings["tenantSettingsUpdate"]["tenant"]["settings"],
        json!({ "timeZone": "Europe/Berlin", "contactLine": "Questions? Call +1 555 0100.", "portalUrl": "https://portal.acme.example/" })
    );
    let tokyo = &world.clients[1];
    let zoned = app.data(&admin, "mutation($id: ID!) { clientUpdate(input: { id: $id, timeZone: \"Asia/Tokyo\" }) { client { timeZone } userErrors { code } } }", json!({ "id": tokyo.id })).await;
    assert_eq!(
        zoned["clientUpdate"]["client"]["timeZone"], "Asia/Tokyo",
        "{zoned}"
    );
    let pm = &world.record.post_mortem_id;
    let berlin = render(
        &app,
        &world.clients[0].token,
        DOCUMENT,
        pm,
        "MARKDOWN",
        None,
    )
    .await;
    for expected in [
        "- **Started:** 2026-03-01 10:00 CET",
        "- **Times are in:** Europe/Berlin",
        "from 2026-03-01 10:00 CET to 2026-03-01 12:00 CET (2 h)",
        "Ask them in our client portal at <https://portal.acme.example/>",
        "Questions? Call +1 555 0100.",
    ] {
        assert!(berlin.contains(expected), "missing `{expected}`:\n{berlin}");
    }
    let japan = render(&app, &tokyo.token, DOCUMENT, pm, "MARKDOWN", None).await;
    assert!(
        japan.contains("- **Started:** 2026-03-01 18:00 JST")
            && japan.contains("- **Times are in:** Asia/Tokyo"),
        "{japan}"
    );
    let staff = render(&app, &admin, DOCUMENT, pm, "MARKDOWN", None).await;
    assert!(
        staff.contains("- **Times are in:** Europe/Berlin"),
        "{staff}"
    );
    let page = render(&app, &tokyo.token, FOLLOW_UP, pm, "STANDALONE_HTML", None).await;
    assert!(
        page.starts_with("<!DOCTYPE html>")
            && page.contains("<meta charset=\"utf-8\">")
            && page.contains("@media print"),
        "{page}"
    );
    let cleared = app.data(&admin, "mutation { tenantSettingsUpdate(input: { portalUrl: null, contactLine: \"\" }) { tenant { settings { portalUrl contactLine } } } }", json!({})).await;
    assert_eq!(
        cleared["tenantSettingsUpdate"]["tenant"]["settings"],
        json!({ "portalUrl": null, "contactLine": "" })
    );
    let plain = render(
        &app,
        &world.clients[0].token,
        DOCUMENT,
        pm,
        "MARKDOWN",
        None,
    )
    .await;
    assert!(
        plain.ends_with("Reply to us and we will answer each one.\n"),
        "{plain}"
    );
}
