//! The events each mutation writes: a table of cases over every mutation of the schema, run
//! in order against one world. Each successful call writes exactly the expected events (type,
//! subject, changed fields) in its own transaction; each refused call (validation, wrong role,
//! another tenant, stale version) writes none, in either tenant's feed.

use crate::support::record::{self, Record};
use crate::support::{World, error_codes, user_error_codes};
use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Who makes a call: a role of tenant A, or a user of tenant B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Editor,
    Viewer,
    Reporter,
    Client,
    OtherAdmin,
    OtherClient,
}

use Who::*;

impl Who {
    /// The caller's bearer token.
    fn token(self, world: &World) -> &str {
        match self {
            Admin => &world.a.admin,
            Editor => &world.a.editor,
            Viewer => &world.a.viewer,
            Reporter => &world.a.reporter,
            Client => &world.a.client,
            OtherAdmin => &world.b.admin,
            OtherClient => &world.b.client,
        }
    }
}

/// An event as the feed shows it, or as a case expects it (its `subject_id` then a reference,
/// see [`Run::refs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    kind: String,
    subject_id: String,
    /// The subject's type name; `None` when the subject is gone.
    node: Option<String>,
    /// Sorted.
    fields: Vec<String>,
}

impl Seen {
    fn new<'f>(
        kind: &str,
        subject_id: &str,
        node: Option<&str>,
        fields: impl Iterator<Item = &'f str>,
    ) -> Self {
        let mut fields: Vec<String> = fields.map(str::to_owned).collect();
        fields.sort();
        let (kind, subject_id) = (kind.to_owned(), subject_id.to_owned());
        let node = node.map(str::to_owned);
        Self {
            kind,
            subject_id,
            node,
            fields,
        }
    }
}

/// An event a call must write about `subject`, a `node` that still exists.
fn ev(kind: &str, node: &str, subject: &str, fields: &[&str]) -> Seen {
    Seen::new(kind, subject, Some(node), fields.iter().copied())
}

/// An event a call must write about a subject it deleted.
fn gone(kind: &str, subject: &str, fields: &[&str]) -> Seen {
    Seen::new(kind, subject, None, fields.iter().copied())
}

/// How a refused call is answered.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// A top-level error with this `extensions.code`.
    Error(&'static str),
    /// Exactly one user error, with this code.
    UserError(&'static str),
}

/// A variant of a case's call that must be refused.
struct Refusal {
    who: Who,
    /// Input fields that replace the case's own.
    patch: Value,
    answer: Answer,
}

/// What a refusal shows, for the coverage check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Success,
    Validation,
    WrongRole,
    OtherTenant,
    StaleVersion,
}

impl Refusal {
    /// Which kind of refusal this is: about another tenant when its caller, or an id in its
    /// input, is tenant B's.
    fn kind(&self, input: &Value) -> Kind {
        let cites_tenant_b = patched(input, &self.patch).to_string().contains("\"@b.");
        match self.answer {
            Answer::Error("FORBIDDEN") => Kind::WrongRole,
            Answer::UserError("CONFLICT") => Kind::StaleVersion,
            _ if matches!(self.who, OtherAdmin | OtherClient) || cites_tenant_b => {
                Kind::OtherTenant
            }
            _ => Kind::Validation,
        }
    }
}

/// One row of the table: a mutation called with `input` by `who`, preceded by its refusals.
struct Case {
    mutation: &'static str,
    who: Who,
    input: Value,
    /// The payload object whose id the call saves, and the reference it is saved as.
    saves: Option<(&'static str, &'static str)>,
    /// The events the call writes; `None` for a row of refusals only.
    writes: Option<Vec<Seen>>,
    refusals: Vec<Refusal>,
}

fn call(mutation: &'static str, who: Who, input: Value) -> Case {
    Case {
        mutation,
        who,
        input,
        saves: None,
        writes: None,
        refusals: Vec::new(),
    }
}

impl Case {
    fn writes(mut self, events: Vec<Seen>) -> Self {
        self.writes = Some(events);
        self
    }

    /// Like [`Case::writes`], saving the id of the payload's `object` as `name`.
    fn creates(self, object: &'static str, name: &'static str, events: Vec<Seen>) -> Self {
        Self {
            saves: Some((object, name)),
            ..self.writes(events)
        }
    }

    fn refused(mut self, who: Who, patch: Value, answer: Answer) -> Self {
        self.refusals.push(Refusal { who, patch, answer });
        self
    }

    fn forbidden(self, who: Who) -> Self {
        self.refused(who, json!({}), Answer::Error("FORBIDDEN"))
    }

    fn not_found(self, who: Who) -> Self {
        self.refused(who, json!({}), Answer::Error("NOT_FOUND"))
    }

    fn invalid(self, who: Who, patch: Value, code: &'static str) -> Self {
        self.refused(who, patch, Answer::UserError(code))
    }

    /// The operation: the mutation, with the id it saves and its user errors' codes.
    fn query(&self) -> String {
        let input_type = format!(
            "{}{}Input",
            self.mutation[..1].to_uppercase(),
            &self.mutation[1..]
        );
        let saved = self
            .saves
            .map(|(object, _)| format!("{object} {{ id }}"))
            .unwrap_or_default();
        format!(
            "mutation($input: {input_type}!) {{ {}(input: $input) {{ {saved} userErrors {{ code }} }} }}",
            self.mutation
        )
    }
}

const PUBLISHED_FIELDS: &[&str] = &["publishedAt", "reviewDueAt", "status"];
/// What a verdict changes on its measure.
const JUDGED: &[&str] = &[
    "effectiveness",
    "effectivenessJudgedAt",
    "effectivenessNote",
];

/// The table, in the order it runs: the directory, then tenant A's incident and its record,
/// then the built record through publication, feedback, withdrawal and review.
fn cases() -> Vec<Case> {
    let held_at = (Utc::now() + TimeDelta::hours(1)).to_rfc3339();
    let later_held_at = (Utc::now() + TimeDelta::hours(2)).to_rfc3339();
    vec![
        call("clientCreate", Admin, json!({ "name": "Acme Events", "contactEmail": "ops@acme.example", "timeZone": "Europe/Berlin" }))
            .invalid(Admin, json!({ "name": "Impacted Co" }), "TAKEN")
            .invalid(Admin, json!({ "timeZone": "Mars/Olympus" }), "INVALID")
            .forbidden(Editor)
            .creates("client", "@newClient", vec![ev("DIRECTORY_CHANGED", "Client", "@newClient", &["contactEmail", "name", "timeZone"])]),
        call("clientUpdate", Admin, json!({ "id": "@newClient", "name": "Acme Events Ltd" }))
            .invalid(Admin, json!({ "name": "Bystander Ltd" }), "TAKEN")
            .invalid(Admin, json!({ "timeZone": "CET+1" }), "INVALID")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![ev("DIRECTORY_CHANGED", "Client", "@newClient", &["name"])]),
        call("serviceCreate", Admin, json!({ "name": "Search" }))
            .invalid(Admin, json!({ "name": "Payments" }), "TAKEN")
            .forbidden(Reporter)
            .creates("service", "@newService", vec![ev("DIRECTORY_CHANGED", "Service", "@newService", &["name"])]),
        call("serviceUpdate", Admin, json!({ "id": "@newService", "name": "Search API" }))
            .invalid(Admin, json!({ "name": "Payments" }), "TAKEN")
            .forbidden(Client)
            .not_found(OtherAdmin)
            .writes(vec![ev("DIRECTORY_CHANGED", "Service", "@newService", &["name"])]),
        call("webhookEndpointCreate", Admin, json!({ "url": "http://127.0.0.1:9/hooks", "eventTypes": ["INCIDENT_CREATED"] }))
            .invalid(Admin, json!({ "url": "ftp://127.0.0.1/hooks" }), "INVALID")
            .forbidden(Editor)
            .creates("webhookEndpoint", "@endpoint", vec![ev("DIRECTORY_CHANGED", "WebhookEndpoint", "@endpoint", &["description", "enabled", "eventTypes", "url"])]),
        call("webhookEndpointSendTest", Admin, json!({ "id": "@endpoint" }))
            .forbidden(Reporter)
            .not_found(OtherAdmin)
            .creates("webhookDelivery", "@delivery", vec![]),
        call("webhookDeliveryRetry", Admin, json!({ "id": "@delivery" }))
            .forbidden(Client)
            .not_found(OtherAdmin)
            .writes(vec![]),
        call("webhookEndpointRotateSecret", Admin, json!({ "id": "@endpoint" }))
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![ev("DIRECTORY_CHANGED", "WebhookEndpoint", "@endpoint", &["previousSecretExpiresAt"])]),
        call("webhookEndpointUpdate", Admin, json!({ "id": "@endpoint", "description": "Jira sync", "enabled": false }))
            .invalid(Admin, json!({ "url": "gopher://127.0.0.1/" }), "INVALID")
            .forbidden(Editor)
            .not_found(OtherAdmin)
            .writes(vec![ev("DIRECTORY_CHANGED", "WebhookEndpoint", "@endpoint", &["description", "disabledReason", "enabled"])]),
        call("webhookEndpointDelete", Admin, json!({ "id": "@endpoint" }))
            .forbidden(Client)
            .not_found(OtherAdmin)
            .writes(vec![gone("DIRECTORY_CHANGED", "@endpoint", &["description", "enabled", "eventTypes", "url"])]),
        call("apiTokenCreate", Admin, json!({ "name": "BI export", "role": "REPORTER", "expiresAt": held_at }))
            .invalid(Admin, json!({ "role": "EDITOR" }), "INVALID")
            .forbidden(Editor)
            .creates("apiToken", "@apiToken", vec![ev("DIRECTORY_CHANGED", "ApiToken", "@apiToken", &["expiresAt", "name", "role"])]),
        call("apiTokenRevoke", Admin, json!({ "id": "@apiToken" }))
            .forbidden(Reporter)
            .not_found(OtherAdmin)
            .writes(vec![ev("DIRECTORY_CHANGED", "ApiToken", "@apiToken", &["revokedAt"])]),
        call("userCreate", Admin, json!({ "email": "new@tenant-a.example", "displayName": "New Editor", "role": "EDITOR" }))
            .invalid(Admin, json!({ "role": "CLIENT" }), "INVALID")
            .invalid(Admin, json!({ "role": "CLIENT", "clientId": "@b.client" }), "NOT_FOUND")
            .invalid(Admin, json!({ "email": "editor@tenant-a.example" }), "TAKEN")
            .forbidden(Viewer)
            .creates("user", "@newUser", vec![ev("DIRECTORY_CHANGED", "User", "@newUser", &["clientId", "displayName", "email", "role"])]),
        call("userUpdate", Admin, json!({ "id": "@newUser", "displayName": "Renamed Editor" }))
            .invalid(Admin, json!({ "id": "@admin", "role": "EDITOR" }), "INVALID")
            .forbidden(Editor)
            .not_found(OtherAdmin)
            .writes(vec![ev("DIRECTORY_CHANGED", "User", "@newUser", &["displayName"])]),
        call("userDeactivate", Admin, json!({ "id": "@newUser" }))
            .invalid(Admin, json!({ "id": "@admin" }), "INVALID")
            .forbidden(Client)
            .not_found(OtherAdmin)
            .writes(vec![ev("DIRECTORY_CHANGED", "User", "@newUser", &["active"])]),
        call("tenantSettingsUpdate", Admin, json!({ "coolingOffHours": 24, "postMortemDueDays": 7, "timeZone": "Asia/Tokyo", "portalUrl": "https://portal.tenant-a.example/" }))
            .invalid(Admin, json!({ "reviewAfterDays": 0 }), "INVALID")
            .invalid(Admin, json!({ "portalUrl": "javascript:alert(1)" }), "INVALID")
            .forbidden(Editor)
            .writes(vec![ev("DIRECTORY_CHANGED", "Tenant", "@tenant", &["coolingOffHours", "portalUrl", "postMortemDueDays", "timeZone"])]),
        call("incidentCreate", Editor, json!({ "title": "Search outage", "severity": "SEV3", "startedAt": "2026-11-02T08:00:00Z", "serviceIds": ["@newService"] }))
            .invalid(Editor, json!({ "title": " " }), "BLANK")
            .invalid(Editor, json!({ "serviceIds": ["@b.service"] }), "NOT_FOUND")
            .forbidden(Viewer)
            .creates("incident", "@newIncident", vec![ev("INCIDENT_CREATED", "Incident", "@newIncident", &["detectedAt", "mitigatedAt", "number", "resolvedAt", "serviceIds", "severity", "startedAt", "status", "summary", "title"])]),
        call("incidentUpdate", Editor, json!({ "id": "@incident", "version": 1, "title": "Checkout failures in the EU" }))
            .invalid(Editor, json!({ "detectedAt": "2026-01-09T00:00:00Z" }), "OUT_OF_ORDER")
            .forbidden(Reporter)
            .not_found(OtherAdmin)
            .writes(vec![ev("INCIDENT_UPDATED", "Incident", "@incident", &["title"])]),
        call("incidentUpdate", Editor, json!({ "id": "@incident", "version": 2, "status": "RESOLVED", "resolvedAt": "2026-01-10T12:00:00Z" }))
            .invalid(Editor, json!({ "version": 1 }), "CONFLICT")
            .invalid(Editor, json!({ "resolvedAt": null }), "INVALID")
            .writes(vec![
                ev("INCIDENT_UPDATED", "Incident", "@incident", &["resolvedAt", "status"]),
                ev("INCIDENT_RESOLVED", "Incident", "@incident", &["resolvedAt", "status"]),
            ]),
        call("timelineEventCreate", Editor, json!({ "incidentId": "@incident", "occurredAt": "2026-01-10T10:30:00Z", "kind": "NOTE", "body": "Rolled back", "visibility": "INTERNAL" }))
            .invalid(Editor, json!({ "occurredAt": "2026-01-09T00:00:00Z" }), "OUT_OF_ORDER")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .creates("timelineEvent", "@entry", vec![ev("TIMELINE_EVENT_CREATED", "TimelineEvent", "@entry", &["body", "incidentId", "kind", "occurredAt", "visibility"])]),
        call("timelineEventUpdate", Editor, json!({ "id": "@entry", "body": "Rolled back deploy 412", "visibility": "CLIENT" }))
            .invalid(Editor, json!({ "occurredAt": "2026-01-09T00:00:00Z" }), "OUT_OF_ORDER")
            .forbidden(Client)
            .not_found(OtherAdmin)
            .writes(vec![ev("TIMELINE_EVENT_UPDATED", "TimelineEvent", "@entry", &["body", "visibility"])]),
        call("timelineEventDelete", Editor, json!({ "id": "@entry" }))
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![gone("TIMELINE_EVENT_DELETED", "@entry", &["body", "occurredAt"])]),
        call("timelineEventDelete", Editor, json!({ "id": "@entry" })).not_found(Editor),
        call("rootCauseCreate", Editor, json!({ "incidentId": "@incident", "kind": "ROOT_CAUSE", "category": "CONFIGURATION", "internalAnalysis": "Pool of 10", "clientExplanation": "A limit was too low." }))
            .invalid(Editor, json!({ "serviceIds": ["@b.service"] }), "NOT_FOUND")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .creates("rootCause", "@cause", vec![ev("ROOT_CAUSE_CHANGED", "RootCause", "@cause", &["category", "clientExplanation", "incidentId", "internalAnalysis", "kind", "serviceIds"])]),
        call("rootCauseUpdate", Editor, json!({ "id": "@cause", "category": "CAPACITY", "internalAnalysis": "Pool of 10 for 400 workers" }))
            .invalid(Editor, json!({ "serviceIds": ["@b.service"] }), "NOT_FOUND")
            .forbidden(Reporter)
            .not_found(OtherAdmin)
            .writes(vec![ev("ROOT_CAUSE_CHANGED", "RootCause", "@cause", &["category", "internalAnalysis"])]),
        call("preventionMeasureCreate", Editor, json!({ "incidentId": "@incident", "kind": "TECHNICAL", "title": "Raise the pool limit", "dueOn": "2099-06-01", "addresses": ["@cause"] }))
            .invalid(Editor, json!({ "addresses": ["@recordCause"] }), "NOT_FOUND")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .creates("preventionMeasure", "@measure", vec![ev("MEASURE_CREATED", "PreventionMeasure", "@measure", &["addresses", "committedDueOn", "dueOn", "incidentId", "kind", "ownerTeam", "title"])]),
        call("preventionMeasureUpdate", Editor, json!({ "id": "@measure", "status": "IN_PROGRESS", "ownerTeam": "Payments SRE" }))
            .invalid(Editor, json!({ "status": "CANCELLED" }), "BLANK")
            .invalid(Editor, json!({ "status": "DONE" }), "INVALID")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![ev("MEASURE_UPDATED", "PreventionMeasure", "@measure", &["ownerTeam", "status"])]),
        call("preventionMeasureUpdate", Editor, json!({ "id": "@measure", "status": "DONE" })).writes(vec![
            ev("MEASURE_UPDATED", "PreventionMeasure", "@measure", &["status"]),
            ev("MEASURE_COMPLETED", "PreventionMeasure", "@measure", &["status"]),
        ]),
        call("preventionMeasureDelete", Editor, json!({ "id": "@measure" }))
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![gone("MEASURE_DELETED", "@measure", &["title"])]),
        call("rootCauseDelete", Editor, json!({ "id": "@cause" }))
            .forbidden(Client)
            .not_found(OtherAdmin)
            .writes(vec![gone("ROOT_CAUSE_CHANGED", "@cause", &["clientExplanation"])]),
        call("rootCauseDelete", Editor, json!({ "id": "@cause" })).not_found(Editor),
        call("clientImpactSet", Editor, json!({ "incidentId": "@incident", "clientId": "@otherClient", "level": "DEGRADED", "description": "Slow checkout", "startedAt": "2026-01-10T10:00:00Z" }))
            .invalid(Editor, json!({ "clientId": "@b.client" }), "NOT_FOUND")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .creates("clientImpact", "@impact", vec![ev("CLIENT_IMPACT_CHANGED", "ClientImpact", "@impact", &["clientId", "description", "endedAt", "incidentId", "level", "startedAt"])]),
        call("clientImpactSet", Editor, json!({ "incidentId": "@incident", "clientId": "@otherClient", "level": "PARTIAL_OUTAGE", "description": "Slow checkout", "startedAt": "2026-01-10T10:00:00Z", "endedAt": "2026-01-10T12:00:00Z" }))
            .writes(vec![ev("CLIENT_IMPACT_CHANGED", "ClientImpact", "@impact", &["endedAt", "level"])]),
        call("clientImpactRemove", Editor, json!({ "incidentId": "@incident", "clientId": "@otherClient" }))
            .invalid(Editor, json!({ "clientId": "@client" }), "NOT_FOUND")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![gone("CLIENT_IMPACT_CHANGED", "@impact", &["clientId", "description"])]),
        // The world's CLIENT user belongs to `@client`: impacting it lets them send feedback.
        call("clientImpactSet", Editor, json!({ "incidentId": "@record", "clientId": "@client", "level": "DEGRADED", "description": "Checkout was slow", "startedAt": "2026-03-01T09:00:00Z", "endedAt": "2026-03-01T11:00:00Z" }))
            .creates("clientImpact", "@recordImpact", vec![ev("CLIENT_IMPACT_CHANGED", "ClientImpact", "@recordImpact", &["clientId", "description", "endedAt", "incidentId", "level", "startedAt"])]),
        call("postMortemUpdate", Editor, json!({ "postMortemId": "@pm", "version": 2, "wentWell": "Paging worked." }))
            .invalid(Editor, json!({ "version": 1 }), "CONFLICT")
            .invalid(Editor, json!({ "couldBeBetter": "x".repeat(20_001) }), "TOO_LONG")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![ev("POST_MORTEM_UPDATED", "PostMortem", "@pm", &["wentWell"])]),
        call("postMortemPublish", Editor, json!({ "postMortemId": "@pm", "override": { "reason": "urgent" } })).forbidden(Editor),
        // Publication commits the due date of each of the record's three measures.
        call("postMortemPublish", Editor, json!({ "postMortemId": "@pm" }))
            .invalid(Admin, json!({ "override": { "reason": " " } }), "BLANK")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![
                ev("MEASURE_UPDATED", "PreventionMeasure", "@measure0", &["committedDueOn"]),
                ev("MEASURE_UPDATED", "PreventionMeasure", "@measure1", &["committedDueOn"]),
                ev("MEASURE_UPDATED", "PreventionMeasure", "@measure2", &["committedDueOn"]),
                ev("POST_MORTEM_PUBLISHED", "PostMortem", "@pm", PUBLISHED_FIELDS),
            ]),
        call("postMortemPublish", Editor, json!({ "postMortemId": "@pm" })).invalid(Editor, json!({}), "INVALID"),
        call("preventionMeasureDelete", Editor, json!({ "id": "@measure0" })).invalid(Editor, json!({}), "INVALID"),
        call("feedbackSubmit", Client, json!({ "incidentId": "@record", "kind": "QUESTION", "body": "Will it recur?", "confidence": 4 }))
            .invalid(Client, json!({ "body": " " }), "BLANK")
            .invalid(Client, json!({ "confidence": 9 }), "INVALID")
            .forbidden(Editor)
            .not_found(OtherClient)
            .creates("feedback", "@feedback", vec![ev("FEEDBACK_SUBMITTED", "Feedback", "@feedback", &["body", "confidence", "incidentId", "kind"])]),
        call("confidenceRate", Client, json!({ "postMortemId": "@pm", "confidence": 3, "comment": "Better" }))
            .invalid(Client, json!({ "confidence": 0 }), "INVALID")
            .invalid(Client, json!({ "comment": "x".repeat(2_001) }), "TOO_LONG")
            .forbidden(Editor)
            .not_found(OtherClient)
            .writes(vec![ev("CONFIDENCE_RATED", "PostMortem", "@pm", &["comment", "confidence", "phase"])]),
        // Rating again in the same phase replaces the rating: only what changed.
        call("confidenceRate", Client, json!({ "postMortemId": "@pm", "confidence": 4 }))
            .writes(vec![ev("CONFIDENCE_RATED", "PostMortem", "@pm", &["comment", "confidence"])]),
        call("feedbackReply", Editor, json!({ "feedbackId": "@feedback", "body": "We added a load test." }))
            .invalid(Editor, json!({ "body": "" }), "BLANK")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![ev("FEEDBACK_REPLIED", "Feedback", "@feedback", &["firstResponseAt", "reply", "status"])]),
        call("feedbackClose", Client, json!({ "feedbackId": "@feedback" }))
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![ev("FEEDBACK_CLOSED", "Feedback", "@feedback", &["status"])]),
        // Handing a client a link is audited, not a change to the record: no event.
        call("postMortemShareLinkCreate", Editor, json!({ "postMortemId": "@pm", "clientId": "@client" }))
            .invalid(Editor, json!({ "expiresAt": "2020-01-01T00:00:00Z" }), "INVALID")
            .invalid(Editor, json!({ "clientId": "@otherClient" }), "INVALID")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .creates("shareLink", "@shareLink", vec![]),
        call("postMortemShareLinkRevoke", Editor, json!({ "id": "@shareLink" }))
            .forbidden(Client)
            .not_found(OtherAdmin)
            .writes(vec![]),
        // How one person is emailed is theirs, not the record's: audited, no event.
        call("notificationPreferencesUpdate", Client, json!({ "mode": "DAILY_DIGEST" }))
            .forbidden(Viewer)
            .forbidden(Reporter)
            .writes(vec![]),
        call("feedbackClose", Editor, json!({ "feedbackId": "@feedback" })).invalid(Editor, json!({}), "INVALID"),
        call("feedbackReply", Editor, json!({ "feedbackId": "@feedback", "body": "And?" })).invalid(Editor, json!({}), "INVALID"),
        call("postMortemUnpublish", Editor, json!({ "postMortemId": "@pm", "reason": "Corrections" }))
            .invalid(Editor, json!({ "reason": " " }), "BLANK")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![ev("POST_MORTEM_UNPUBLISHED", "PostMortem", "@pm", &["reason", "status"])]),
        call("postMortemUnpublish", Editor, json!({ "postMortemId": "@pm", "reason": "Again" })).invalid(Editor, json!({}), "INVALID"),
        // Due dates stay committed: publishing again writes no MEASURE_UPDATED.
        call("postMortemPublish", Admin, json!({ "postMortemId": "@pm" }))
            .writes(vec![ev("POST_MORTEM_PUBLISHED", "PostMortem", "@pm", PUBLISHED_FIELDS)]),
        call("postMortemScheduleMeeting", Editor, json!({ "postMortemId": "@pm", "meetingAt": "2026-12-15T15:00:00Z" }))
            .invalid(Editor, json!({ "meetingAt": "1960-01-01T00:00:00Z" }), "INVALID")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![ev("MEETING_SCHEDULED", "PostMortem", "@pm", &["meetingAt"])]),
        call("effectivenessVerdictSet", Editor, json!({ "measureId": "@measure1", "effectiveness": "EFFECTIVE" })).invalid(Editor, json!({}), "INVALID"),
        call("effectivenessReviewRecord", Editor, json!({ "postMortemId": "@pm", "heldAt": held_at, "summary": "The load test caught a regression.", "verdicts": [{ "measureId": "@measure0", "effectiveness": "EFFECTIVE" }] }))
            .invalid(Editor, json!({ "heldAt": "2026-01-01T00:00:00Z" }), "OUT_OF_ORDER")
            .invalid(Editor, json!({ "verdicts": [{ "measureId": "@measure", "effectiveness": "EFFECTIVE" }] }), "NOT_FOUND")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![
                ev("MEASURE_UPDATED", "PreventionMeasure", "@measure0", JUDGED),
                ev("POST_MORTEM_REVIEWED", "PostMortem", "@pm", &["heldAt", "status", "summary", "verdicts"]),
            ]),
        // A later review is held after the one before it, and leaves the status as it is.
        call("effectivenessReviewRecord", Editor, json!({ "postMortemId": "@pm", "heldAt": held_at, "summary": "Twice." })).invalid(Editor, json!({}), "OUT_OF_ORDER"),
        call("effectivenessReviewRecord", Editor, json!({ "postMortemId": "@pm", "heldAt": later_held_at, "summary": "Measure 1 is done too.", "verdicts": [{ "measureId": "@measure1", "effectiveness": "PARTIALLY_EFFECTIVE" }] }))
            .writes(vec![
                ev("MEASURE_UPDATED", "PreventionMeasure", "@measure1", JUDGED),
                ev("POST_MORTEM_REVIEWED", "PostMortem", "@pm", &["heldAt", "summary", "verdicts"]),
            ]),
        call("effectivenessVerdictSet", Editor, json!({ "measureId": "@measure1", "effectiveness": "EFFECTIVE", "note": "Held at twice the peak" }))
            .invalid(Editor, json!({ "note": "x".repeat(5_001) }), "TOO_LONG")
            .forbidden(Viewer)
            .not_found(OtherAdmin)
            .writes(vec![ev("MEASURE_UPDATED", "PreventionMeasure", "@measure1", JUDGED)]),
        // After the review, a rating belongs to the second phase.
        call("confidenceRate", Client, json!({ "postMortemId": "@pm", "confidence": 5 }))
            .writes(vec![ev("CONFIDENCE_RATED", "PostMortem", "@pm", &["comment", "confidence", "phase"])]),
        call("incidentDelete", Admin, json!({ "id": "@newIncident", "reason": "Opened twice" }))
            .invalid(Admin, json!({ "reason": " " }), "BLANK")
            .invalid(Admin, json!({ "id": "@record" }), "PUBLISHED")
            .forbidden(Editor)
            .not_found(OtherAdmin)
            .writes(vec![gone("INCIDENT_DELETED", "@newIncident", &["number", "reason", "title"])]),
    ]
}

/// Events by subject, each subject's in feed order. One transaction's events about different
/// subjects (a publication's measures) come in no promised order; one subject's do.
fn by_subject(events: Vec<Seen>) -> BTreeMap<String, Vec<Seen>> {
    let mut grouped: BTreeMap<String, Vec<Seen>> = BTreeMap::new();
    for event in events {
        grouped
            .entry(event.subject_id.clone())
            .or_default()
            .push(event);
    }
    grouped
}

const FEED: &str = "query($after: String) { events(after: $after, first: 100) { edges { node { type subjectId changedFields subject { __typename id } } } pageInfo { endCursor hasNextPage } } }";

/// One tenant's event feed as its ADMIN reads it, from where the last read ended.
struct Feed {
    admin: String,
    cursor: Option<String>,
}

impl Feed {
    /// The feed of `admin`'s tenant, positioned after every event written so far.
    async fn at_end(world: &World, admin: &str) -> Self {
        let mut feed = Self {
            admin: admin.to_owned(),
            cursor: None,
        };
        feed.read(world).await;
        feed
    }

    /// Every event written since the last read, oldest first.
    async fn read(&mut self, world: &World) -> Vec<Seen> {
        let mut seen = Vec::new();
        loop {
            let data = world
                .app
                .data(&self.admin, FEED, json!({ "after": self.cursor }))
                .await;
            let page = &data["events"];
            for edge in page["edges"].as_array().expect("edges") {
                seen.push(seen_event(&edge["node"]));
            }
            if let Some(end) = page["pageInfo"]["endCursor"].as_str() {
                self.cursor = Some(end.to_owned());
            }
            if page["pageInfo"]["hasNextPage"] != true {
                return seen;
            }
        }
    }
}

/// An event node of the feed, checking that its subject is the one `subjectId` names.
fn seen_event(node: &Value) -> Seen {
    let text = |value: &Value| value.as_str().expect("a string").to_owned();
    let subject_id = text(&node["subjectId"]);
    let subject = &node["subject"];
    if !subject.is_null() {
        assert_eq!(
            subject["id"],
            subject_id.as_str(),
            "subject and subjectId differ: {node}"
        );
    }
    let fields = node["changedFields"].as_array().expect("changedFields");
    Seen::new(
        &text(&node["type"]),
        &subject_id,
        subject["__typename"].as_str(),
        fields.iter().map(|f| f.as_str().expect("a field name")),
    )
}

/// `input` with the fields of `patch` replaced.
fn patched(input: &Value, patch: &Value) -> Value {
    let mut input = input.clone();
    for (field, value) in patch.as_object().expect("a patch object") {
        input[field] = value.clone();
    }
    input
}

/// The table running against one world.
struct Run<'w> {
    world: &'w World,
    /// Ids by reference (`@name`): the world's, the built record's, and those cases saved.
    refs: HashMap<&'static str, String>,
    a: Feed,
    b: Feed,
}

/// The world's ids by reference; `@b.…` are tenant B's.
fn world_refs(world: &World) -> Vec<(&'static str, String)> {
    let (a, b) = (&world.a, &world.b);
    vec![
        ("@admin", a.admin_id.clone()),
        ("@tenant", a.tenant_node_id.clone()),
        ("@client", a.client_id.clone()),
        ("@otherClient", a.other_client_id.clone()),
        ("@service", a.service_id.clone()),
        ("@incident", a.incident_id.clone()),
        ("@b.client", b.client_id.clone()),
        ("@b.service", b.service_id.clone()),
    ]
}

/// A built record's ids by reference.
fn record_refs(record: &Record) -> Vec<(&'static str, String)> {
    let measures = ["@measure0", "@measure1", "@measure2"].into_iter();
    let mut refs = vec![
        ("@record", record.incident_id.clone()),
        ("@pm", record.post_mortem_id.clone()),
        ("@recordCause", record.root_cause_id.clone()),
    ];
    refs.extend(measures.zip(record.measure_ids.iter().cloned()));
    refs
}

impl<'w> Run<'w> {
    /// A run knowing `refs`, reading both tenants' feeds from their current end.
    async fn new(world: &'w World, refs: Vec<(&'static str, String)>) -> Self {
        Self {
            world,
            refs: refs.into_iter().collect(),
            a: Feed::at_end(world, &world.a.admin).await,
            b: Feed::at_end(world, &world.b.admin).await,
        }
    }

    /// `value` with every `@reference` string replaced by its id.
    fn resolve(&self, value: &Value) -> Value {
        match value {
            Value::String(text) if text.starts_with('@') => json!(self.id(text)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(v)).collect()),
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The id saved as `reference`.
    fn id(&self, reference: &str) -> &str {
        self.refs
            .get(reference)
            .unwrap_or_else(|| panic!("no id saved as {reference}"))
    }

    /// Runs a case: each refusal, then the call itself.
    async fn case(&mut self, case: &Case) {
        for refusal in &case.refusals {
            self.refuse(case, refusal).await;
        }
        if let Some(expected) = &case.writes {
            self.succeed(case, expected).await;
        }
    }

    /// Sends the case's mutation with `input`; returns the body, and a label for messages.
    async fn send(&self, case: &Case, who: Who, input: &Value) -> (Value, String) {
        let variables = json!({ "input": self.resolve(input) });
        let token = who.token(self.world);
        let body = self.world.app.gql(token, &case.query(), variables).await;
        (body, format!("{} by {who:?} with {input}", case.mutation))
    }

    async fn refuse(&mut self, case: &Case, refusal: &Refusal) {
        let input = patched(&case.input, &refusal.patch);
        let (body, label) = self.send(case, refusal.who, &input).await;
        let (codes, code) = match refusal.answer {
            Answer::Error(code) => (error_codes(&body), code),
            Answer::UserError(code) => {
                assert_eq!(body.get("errors"), None, "{label}: {body}");
                (user_error_codes(&body["data"][case.mutation]), code)
            }
        };
        assert_eq!(codes, [code], "{label}: {body}");
        self.assert_wrote(Vec::new(), &label).await;
    }

    async fn succeed(&mut self, case: &Case, expected: &[Seen]) {
        let (body, label) = self.send(case, case.who, &case.input).await;
        let payload = &body["data"][case.mutation];
        assert_eq!(payload["userErrors"], json!([]), "{label}: {body}");
        if let Some((object, name)) = case.saves {
            let id = payload[object]["id"].as_str().expect("the saved id");
            self.refs.insert(name, id.to_owned());
        }
        let expected = expected.iter().map(|e| self.resolved(e)).collect();
        self.assert_wrote(expected, &label).await;
    }

    /// Asserts that tenant A's feed gained exactly `expected` since the last look, and tenant
    /// B's nothing.
    async fn assert_wrote(&mut self, expected: Vec<Seen>, label: &str) {
        let written = self.a.read(self.world).await;
        assert_eq!(by_subject(written), by_subject(expected), "{label}");
        let elsewhere = self.b.read(self.world).await;
        assert_eq!(elsewhere, [], "{label} wrote in tenant B");
    }

    /// An expected event with its subject's id in place of the reference.
    fn resolved(&self, expected: &Seen) -> Seen {
        let subject_id = self.id(&expected.subject_id).to_owned();
        Seen {
            subject_id,
            ..expected.clone()
        }
    }
}

#[tokio::test]
async fn every_mutation_writes_exactly_its_events_and_every_refusal_none() {
    let world = World::new().await;
    let record = record::build(&world.app, &world.a.admin, 3).await;
    let mut run = Run::new(&world, [world_refs(&world), record_refs(&record)].concat()).await;
    for case in cases() {
        run.case(&case).await;
    }
}

/// The three term lists are stored as one value but reported by their own API names.
#[tokio::test]
async fn changed_term_lists_are_reported_by_their_api_names() {
    let world = World::new().await;
    let mut run = Run::new(&world, world_refs(&world)).await;
    let input = json!({ "blamelessTerms": ["his fault"], "defensiveTerms": ["as designed"] });
    let fields = &["blamelessTerms", "defensiveTerms"];
    let case = call("tenantSettingsUpdate", Admin, input).writes(vec![ev(
        "DIRECTORY_CHANGED",
        "Tenant",
        "@tenant",
        fields,
    )]);
    run.case(&case).await;
}

/// The fields of a `type` or `input` block of the schema: each name with the rest of its line.
fn block_fields<'s>(schema: &'s str, header: &str) -> Vec<(&'s str, &'s str)> {
    let start = schema
        .find(&format!("\n{header} {{\n"))
        .unwrap_or_else(|| panic!("no {header}"));
    schema[start + 1..]
        .lines()
        .skip(1)
        .take_while(|line| *line != "}")
        .filter_map(|line| {
            let line = line.strip_prefix('\t')?;
            let end = line.find(|c: char| !c.is_ascii_alphanumeric())?;
            let (name, rest) = line.split_at(end);
            (!name.is_empty() && (rest.starts_with(':') || rest.starts_with('(')))
                .then_some((name, rest))
        })
        .collect()
}

/// What each mutation of `schema.graphql` needs the table to show: a success and a wrong
/// role always, a stale version when its input takes a `version`, another tenant's id when it
/// takes a required id.
fn needed_coverage() -> BTreeMap<String, BTreeSet<Kind>> {
    let schema = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("read schema.graphql");
    block_fields(&schema, "type Mutation")
        .into_iter()
        .map(|(mutation, rest)| {
            let input = rest
                .strip_prefix("(input: ")
                .and_then(|r| r.split_once("!)"))
                .map_or_else(|| panic!("{mutation} takes one input"), |(input, _)| input);
            let fields = block_fields(&schema, &format!("input {input}"));
            let mut needed = BTreeSet::from([Kind::Success, Kind::WrongRole]);
            if fields.iter().any(|(name, _)| *name == "version") {
                needed.insert(Kind::StaleVersion);
            }
            if fields.iter().any(|(_, rest)| *rest == ": ID!") {
                needed.insert(Kind::OtherTenant);
            }
            (mutation.to_owned(), needed)
        })
        .collect()
}

#[test]
fn the_table_covers_every_mutation_and_each_refusal_that_applies() {
    let mut covered: BTreeMap<String, BTreeSet<Kind>> = BTreeMap::new();
    for case in cases() {
        let kinds = covered.entry(case.mutation.to_owned()).or_default();
        if case.writes.is_some() {
            kinds.insert(Kind::Success);
        }
        kinds.extend(case.refusals.iter().map(|r| r.kind(&case.input)));
    }
    let needed = needed_coverage();
    assert_eq!(
        covered.keys().collect::<Vec<_>>(),
        needed.keys().collect::<Vec<_>>(),
        "one row per mutation"
    );
    for (mutation, kinds) in &needed {
        let missing: Vec<_> = kinds.difference(&covered[mutation]).collect();
        assert!(missing.is_empty(), "{mutation} has no case of {missing:?}");
    }
}
