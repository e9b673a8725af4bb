//! Enumerations stored as short strings, so both SQLite and PostgreSQL hold readable values.

use sea_orm::entity::prelude::*;

/// What a user may do within their tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "EDITOR")]
    Editor,
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
    #[sea_orm(string_value = "CLIENT")]
    Client,
    #[sea_orm(string_value = "REPORTER")]
    Reporter,
}

/// How serious an incident is; SEV1 is the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Severity {
    #[sea_orm(string_value = "SEV1")]
    Sev1,
    #[sea_orm(string_value = "SEV2")]
    Sev2,
    #[sea_orm(string_value = "SEV3")]
    Sev3,
    #[sea_orm(string_value = "SEV4")]
    Sev4,
}

/// Where the response to an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IncidentStatus {
    #[sea_orm(string_value = "INVESTIGATING")]
    Investigating,
    #[sea_orm(string_value = "IDENTIFIED")]
    Identified,
    #[sea_orm(string_value = "MONITORING")]
    Monitoring,
    #[sea_orm(string_value = "RESOLVED")]
    Resolved,
}

/// Whether blame findings warn or block publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum BlamelessPolicy {
    #[sea_orm(string_value = "WARN")]
    Warn,
    #[sea_orm(string_value = "BLOCK")]
    Block,
}
