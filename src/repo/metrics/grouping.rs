//! What a section's `grp` column splits its rows by, and the label each group carries: a
//! measure's kind, an incident's severity, or the client or service its incident is linked
//! to (joined in, so an incident linked to two clients counts once for each).

use crate::domain::metrics::GroupBy;
use crate::repo::tenant_sql::{Sql, TenantSql, sql};
use sea_orm::DatabaseBackend;

/// The `grp` and `label` expressions of a section's base rows, and the joins they need.
pub(super) struct Grouping {
    pub grp: Sql,
    pub label: Sql,
    pub joins: Sql,
}

impl Grouping {
    /// One group for every row (the sections of `total` and `series` that are not split).
    pub fn whole() -> Self {
        Self {
            grp: super::sql::ALL_LITERAL.into(),
            label: super::sql::ALL_LITERAL.into(),
            joins: Sql::default(),
        }
    }

    /// A group per value of `column` (a kind or a severity), labelled by that value.
    pub fn by_column(column: &'static str) -> Self {
        Self {
            grp: column.into(),
            label: column.into(),
            joins: Sql::default(),
        }
    }

    /// A group per client or service linked to the incident `incident_id` (a column), keyed by
    /// its id and labelled by its name.
    pub fn by_link(q: &mut TenantSql, by: GroupBy, incident_id: &'static str) -> Self {
        let (links, linked, named) = match by {
            GroupBy::Service => ("incident_services", "gl.service_id", "services"),
            _ => ("client_impacts", "gl.client_id", "clients"),
        };
        let joins = sql! {
            " JOIN ", q.table(links, "gl"), " ON ", TenantSql::tenant_of("gl"),
            " AND gl.incident_id = ", incident_id, " JOIN ", q.table(named, "gn"), " ON ",
            TenantSql::tenant_of("gn"), " AND gn.id = ", linked,
        };
        Self {
            grp: text_id(q, linked),
            label: "gn.name".into(),
            joins,
        }
    }
}

/// A uuid column as text that `Uuid::parse_str` reads back: PostgreSQL's hyphenated form;
/// on SQLite, where sqlx stores uuids as 16-byte blobs, their 32 hex digits.
fn text_id(q: &TenantSql, column: &'static str) -> Sql {
    match q.backend() {
        DatabaseBackend::Postgres => sql!("CAST(", column, " AS TEXT)"),
        _ => sql!("lower(hex(", column, "))"),
    }
}
