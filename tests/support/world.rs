//! Two tenants, each with one user per role, two clients, a service and an incident, all
//! created through the API.

use super::TestApp;
use serde_json::{Value, json};
use uuid::Uuid;

/// One tenant's people and records: tokens by role, and global ids.
pub struct TenantWorld {
    pub admin: String,
    pub editor: String,
    pub viewer: String,
    pub reporter: String,
    pub client: String,
    pub admin_id: String,
    pub editor_id: String,
    pub client_id: String,
    pub other_client_id: String,
    pub service_id: String,
    pub incident_id: String,
    pub incident_version: i64,
    /// The tenant's own global id.
    pub tenant_node_id: String,
    /// The id of one of the tenant's audit entries.
    pub audit_entry_id: String,
}

impl TenantWorld {
    /// Every role's token, with the role's name.
    pub fn tokens(&self) -> [(&'static str, &str); 5] {
        [
            ("ADMIN", &self.admin),
            ("EDITOR", &self.editor),
            ("VIEWER", &self.viewer),
            ("REPORTER", &self.reporter),
            ("CLIENT", &self.client),
        ]
    }
}

pub struct World {
    pub app: TestApp,
    pub a: TenantWorld,
    pub b: TenantWorld,
}

impl World {
    pub async fn new() -> Self {
        Self::with(|config| config).await
    }

    /// The same world on a server whose configuration `adjust` changed.
    pub async fn with(
        adjust: impl FnOnce(debrief::config::Config) -> debrief::config::Config,
    ) -> Self {
        let app = super::spawn_app_with(adjust).await;
        let a = populate(&app, "tenant-a").await;
        let b = populate(&app, "tenant-b").await;
        Self { app, a, b }
    }
}

const USER_CREATE: &str = "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } userErrors { code message } } }";

/// Provisions tenant `slug` with one user per role, two clients, a service and an incident.
pub async fn populate(app: &TestApp, slug: &str) -> TenantWorld {
    let tenant = app.create_tenant(slug).await;
    let admin = tenant.admin.clone();
    let create = |query: &'static str, field: &'static str, object: &'static str, input: Value| {
        let admin = admin.clone();
        async move {
            let data = app.data(&admin, query, json!({ "input": input })).await;
            let payload = &data[field];
            assert_eq!(payload["userErrors"], json!([]), "{field}: {payload}");
            payload[object]["id"].as_str().expect("id").to_owned()
        }
    };
    let client_id = create(
        "mutation($input: ClientCreateInput!) { clientCreate(input: $input) { client { id } userErrors { code message } } }",
        "clientCreate",
        "client",
        json!({ "name": "Impacted Co", "contactEmail": "ops@impacted.example" }),
    )
    .await;
    let other_client_id = create(
        "mutation($input: ClientCreateInput!) { clientCreate(input: $input) { client { id } userErrors { code message } } }",
        "clientCreate",
        "client",
        json!({ "name": "Bystander Ltd" }),
    )
    .await;
    let service_id = create(
        "mutation($input: ServiceCreateInput!) { serviceCreate(input: $input) { service { id } userErrors { code message } } }",
        "serviceCreate",
        "service",
        json!({ "name": "Payments" }),
    )
    .await;
    let user = |role: &'static str, client: Option<String>| {
        let email = format!("{}@{slug}.example", role.to_lowercase());
        let input = json!({ "email": email, "displayName": format!("{role} of {slug}"), "role": role, "clientId": client });
        create(USER_CREATE, "userCreate", "user", input)
    };
    let editor_id = user("EDITOR", None).await;
    let viewer_id = user("VIEWER", None).await;
    let reporter_id = user("REPORTER", None).await;
    let client_user_id = user("CLIENT", Some(client_id.clone())).await;
    let incident = app
        .data(
            &admin,
            "mutation($input: IncidentCreateInput!) { incidentCreate(input: $input) { incident { id version } userErrors { code message } } }",
            json!({ "input": { "title": "Checkout failures", "summary": "internal notes", "severity": "SEV2", "startedAt": "2026-01-10T10:00:00Z", "serviceIds": [service_id] } }),
        )
        .await;
    let incident = &incident["incidentCreate"]["incident"];
    let token_for = |global_id: &str| app.token(tenant.id, decode_uuid(global_id));
    let own = app
        .data(
            &admin,
            "{ viewer { tenant { id } } auditLog(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    TenantWorld {
        editor: token_for(&editor_id),
        viewer: token_for(&viewer_id),
        reporter: token_for(&reporter_id),
        client: token_for(&client_user_id),
        admin,
        admin_id: global_id("User", tenant.admin_id),
        editor_id,
        client_id,
        other_client_id,
        service_id,
        incident_id: incident["id"].as_str().expect("incident id").to_owned(),
        incident_version: incident["version"].as_i64().expect("version"),
        tenant_node_id: own["viewer"]["tenant"]["id"]
            .as_str()
            .expect("tenant id")
            .to_owned(),
        audit_entry_id: own["auditLog"]["nodes"][0]["id"]
            .as_str()
            .expect("audit entry id")
            .to_owned(),
    }
}

/// The uuid inside a global id (tests need it to mint tokens).
pub fn decode_uuid(global_id: &str) -> Uuid {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global_id)
        .expect("base64 id");
    let text = String::from_utf8(bytes).expect("utf-8 id");
    Uuid::parse_str(text.split_once(':').expect("typed id").1).expect("uuid")
}

/// The global id of a `type_name` node (tests that write rows directly need it).
pub fn global_id(type_name: &str, id: Uuid) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}"))
}
