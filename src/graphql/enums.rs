//! API enums. Stored enums are mirrored from the entity crate with `remote`, so the two can
//! never drift apart silently: a new variant fails to compile until it is added here.

use async_graphql::Enum;

/// What a user may do within their tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::Role")]
pub enum Role {
    /// Manages users, clients, services and settings; everything an EDITOR does; reads the audit log.
    Admin,
    /// Writes incidents and post-mortems, publishes and reviews them.
    Editor,
    /// Reads all of the tenant's internal data.
    Viewer,
    /// A client contact: reads published post-mortems that concern their client, sends feedback.
    Client,
    /// A reporting tool: reads metrics and incidents without internal text.
    Reporter,
}

/// How serious an incident is; SEV1 is the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::Severity")]
pub enum Severity {
    /// Critical: a major outage for many clients.
    #[graphql(name = "SEV1")]
    Sev1,
    /// Major: significant degradation or a partial outage.
    #[graphql(name = "SEV2")]
    Sev2,
    /// Minor: limited impact with a workaround.
    #[graphql(name = "SEV3")]
    Sev3,
    /// Low: cosmetic or negligible impact.
    #[graphql(name = "SEV4")]
    Sev4,
}

/// Where the response to an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::IncidentStatus")]
pub enum IncidentStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

/// Whether blame findings warn or block publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::BlamelessPolicy")]
pub enum BlamelessPolicy {
    /// Blame findings are warnings.
    Warn,
    /// Blame findings block publication.
    Block,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::repo::Direction")]
pub enum OrderDirection {
    Asc,
    Desc,
}
