//! Which incidents started in the range recur an earlier one: its post-mortem was published
//! before they started, and it shares a service and a root-cause category with them (the
//! rule of `repo::recurrences`), counted from `incident_signatures`.

use crate::repo::tenant_sql::TenantSql;
use entity::RootCauseCategory;
use sea_orm::{ActiveEnum, Iterable};

/// `SELECT DISTINCT incident_id` of the recurring incidents started in `[from, to)`.
///
/// Within one (service, category) pair only its two earliest publications matter: an
/// incident recurs when the earliest precedes its start, unless the earliest is its own, in
/// which case the second must. Those two come from the pair index, two rows per pair, so the
/// check per incident is a hash join on a table of a few hundred rows.
pub fn recurring_incidents(q: &mut TenantSql, from: &str, to: &str) -> String {
    let earliest = earliest_publications(q);
    let (own, li) = (
        q.table("incident_signatures", "own"),
        q.table("incidents", "li"),
    );
    // MATERIALIZED: each computed once, so the join runs from the range's incidents to
    // their few signatures, and never re-evaluates the pair table per row.
    format!(
        "WITH earliest AS MATERIALIZED ({earliest}), \
         started AS MATERIALIZED (SELECT li.id, li.started_at FROM {li} \
            WHERE {} AND li.started_at >= {from} AND li.started_at < {to}) \
         SELECT DISTINCT own.incident_id AS incident_id FROM started s \
         JOIN {own} ON {} AND own.incident_id = s.id \
         JOIN earliest f ON f.service_id = own.service_id AND f.category = own.category \
         WHERE (f.first_id <> own.incident_id AND f.first_published < s.started_at) \
            OR f.second_published < s.started_at",
        TenantSql::tenant_of("li"),
        TenantSql::tenant_of("own"),
    )
}

/// Per (service, category) pair: the first publication's incident and time, and the second
/// publication's time.
fn earliest_publications(q: &mut TenantSql) -> String {
    let services = q.table("services", "sv");
    let nth = |q: &mut TenantSql, alias: &str, column: &str, offset: u8| {
        let table = q.table("incident_signatures", alias);
        format!(
            "(SELECT {alias}.{column} FROM {table} WHERE {} \
             AND {alias}.service_id = p.service_id AND {alias}.category = p.category \
             AND {alias}.published_at IS NOT NULL \
             ORDER BY {alias}.published_at, {alias}.incident_id LIMIT 1 OFFSET {offset})",
            TenantSql::tenant_of(alias)
        )
    };
    let first_id = nth(q, "e1", "incident_id", 0);
    let first_published = nth(q, "e2", "published_at", 0);
    let second_published = nth(q, "e3", "published_at", 1);
    format!(
        "SELECT p.service_id, p.category, {first_id} AS first_id, \
         {first_published} AS first_published, {second_published} AS second_published \
         FROM (SELECT sv.id AS service_id, c.category FROM {services} \
            CROSS JOIN ({categories}) c WHERE {}) p",
        TenantSql::tenant_of("sv"),
        categories = categories(),
    )
}

/// `SELECT 'CODE_CHANGE' AS category UNION ALL …`: every category, inlined because they are
/// the entity's own constants, never input.
fn categories() -> String {
    RootCauseCategory::iter()
        .map(|c| {
            let value = c.to_value();
            debug_assert!(value.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_'));
            format!("SELECT '{value}' AS category")
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}
