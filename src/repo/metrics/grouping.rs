//! What a section's `grp` column splits its rows by, and the label each group carries: a
//! measure's kind, an incident's severity, or the client or service its incident is linked
//! to (joined in, so an incident linked to two clients counts once for each).

use crate::domain::metrics::GroupBy;
use crate::repo::tenant_sql::TenantSql;
use sea_orm::DatabaseBackend;

/// The `grp` and `label` expressions of a section's base rows, and the joins they need.
pub(super) struct Grouping {
    pub grp: String,
    pub label: String,
    pub joins: String,
}

impl Grouping {
    /// One group for every row (the sections of `total` and `series` that are not split).
    pub fn whole() -> Self {
        let all = format!("'{}'", super::sql::ALL);
        Self {
            grp: all.clone(),
            label: all,
            joins: String::new(),
        }
    }

    /// A group per value of `column` (a kind or a severity), labelled by that value.
    pub fn by_column(column: &str) -> Self {
        Self {
            grp: column.to_owned(),
            label: column.to_owned(),
            joins: String::new(),
        }
    }

    /// A group per client or service linked to the incident `incident_id` (a column), keyed by
    /// its id and labelled by its name.
    pub fn by_link(q: &mut TenantSql, by: GroupBy, incident_id: &str) -> Self {
        let (links, link, column, named, name) = match by {
            GroupBy::Service => ("incident_services", "gl", "service_id", "services", "gn"),
            _ => ("client_impacts", "gl", "client_id", "clients", "gn"),
        };
        let links = q.table(links, link);
        let named = q.table(named, name);
        let joins = format!(
            " JOIN {links} ON {} AND {link}.incident_id = {incident_id} \
             JOIN {named} ON {} AND {name}.id = {link}.{column}",
            TenantSql::tenant_of(link),
            TenantSql::tenant_of(name),
        );
        Self {
            grp: text_id(q, &format!("{link}.{column}")),
            label: format!("{name}.name"),
            joins,
        }
    }
}

/// A uuid column as text that `Uuid::parse_str` reads back: PostgreSQL's hyphenated form;
/// on SQLite, where sqlx stores uuids as 16-byte blobs, their 32 hex digits.
fn text_id(q: &TenantSql, column: &str) -> String {
    match q.backend() {
        DatabaseBackend::Postgres => format!("CAST({column} AS TEXT)"),
        _ => format!("lower(hex({column}))"),
    }
}
