//! What recurrence counting needs, kept up to date by the write path:
//! - `incident_signatures`: each incident's (service, root-cause category) pairs with its
//!   post-mortem's publication time;
//! - `incidents.recurring`: whether the incident recurs an earlier one, that is, shares a
//!   pair with an incident whose post-mortem was published before it started (the rule of
//!   `repo::recurrences`).
//!
//! Both are rewritten in the same transaction as every change they derive from: an
//! incident's services, start or root causes, and its post-mortem's publication. Those
//! writes hold the tenant row's lock (`Scope::begin_tenant_write`): a flag depends on other
//! incidents' rows, so two such writes must not each work from a snapshot missing the other.

use super::scope::{Scope, Writer};
use super::tenant_sql::{Sql, TenantSql, sql};
use crate::auth;
use crate::error::AppResult;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::collections::BTreeSet;
use uuid::Uuid;

/// A (service, root-cause category) pair.
type Pair = (Uuid, String);

impl Writer<'_> {
    /// Rewrites the signatures of `incident_id`, then the `recurring` flag of every incident
    /// whose flag may have changed: this one, and, when it is or was published, those that
    /// share a pair with it.
    pub(super) async fn refresh_signatures(
        &self,
        txn: &impl ConnectionTrait,
        incident_id: Uuid,
    ) -> AppResult<()> {
        let mut pairs = published_pairs(txn, self.scope, incident_id).await?;
        rewrite(txn, self.scope, Some(incident_id)).await?;
        pairs.extend(published_pairs(txn, self.scope, incident_id).await?);
        update_recurring(txn, self.scope, Some((incident_id, pairs))).await
    }
}

/// Rewrites every signature and flag of a tenant: for rows written in bulk, outside the
/// write path (the generated volume tenant, test fixtures).
pub async fn rebuild(db: &DatabaseConnection, tenant_id: Uuid) -> AppResult<()> {
    let scope = Scope::background(db.clone(), auth::operator(tenant_id));
    let txn = scope.begin_branch().await?;
    rewrite(&txn, &scope, None).await?;
    update_recurring(&txn, &scope, None).await?;
    txn.commit().await?;
    Ok(())
}

/// The pairs of `incident_id` if its post-mortem is published: those other incidents'
/// flags depend on.
async fn published_pairs(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    incident_id: Uuid,
) -> AppResult<BTreeSet<Pair>> {
    let mut q = TenantSql::new(scope);
    let table = q.table("incident_signatures", "p");
    let incident = q.bind(incident_id);
    let sql = sql! {
        "SELECT p.service_id, p.category FROM ", table, " WHERE ", TenantSql::tenant_of("p"),
        " AND p.incident_id = ", incident, " AND p.published_at IS NOT NULL",
    };
    let mut pairs = BTreeSet::new();
    #[allow(clippy::disallowed_methods)] // built and checked by `TenantSql`
    let rows = conn.query_all_raw(q.finish(sql)?).await?;
    for row in rows {
        pairs.insert((row.try_get("", "service_id")?, row.try_get("", "category")?));
    }
    Ok(pairs)
}

/// DELETE then INSERT … SELECT, for one incident or (with `None`) the whole tenant.
async fn rewrite(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    incident_id: Option<Uuid>,
) -> AppResult<()> {
    let mut q = TenantSql::new(scope);
    let target = q.target("incident_signatures");
    let only = incident_id.map_or(Sql::default(), |id| {
        sql!(" AND incident_signatures.incident_id = ", q.bind(id))
    });
    let delete = sql! {
        "DELETE FROM ", target, " WHERE ", TenantSql::tenant_of("incident_signatures"), only,
    };
    execute(conn, q, delete).await?;

    let mut q = TenantSql::new(scope);
    let (s, c, pm) = (
        q.table("incident_services", "s"),
        q.table("root_causes", "c"),
        q.table("post_mortems", "pm"),
    );
    let only = incident_id.map_or(Sql::default(), |id| {
        sql!(" AND s.incident_id = ", q.bind(id))
    });
    let insert = sql! {
        "INSERT INTO incident_signatures (tenant_id, incident_id, service_id, category, published_at) \
         SELECT DISTINCT s.tenant_id, s.incident_id, s.service_id, c.category, pm.published_at \
         FROM ",
        s, " JOIN ", c, " ON ", TenantSql::tenant_of("c"),
        " AND c.incident_id = s.incident_id LEFT JOIN ", pm, " ON ", TenantSql::tenant_of("pm"),
        " AND pm.incident_id = s.incident_id WHERE ", TenantSql::tenant_of("s"), only,
    };
    execute(conn, q, insert).await
}

/// Recomputes `incidents.recurring` for one incident and the sharers of `pairs`, or (with
/// `None`) for the whole tenant. Each probe is a range scan of the pair index.
async fn update_recurring(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    affected: Option<(Uuid, BTreeSet<Pair>)>,
) -> AppResult<()> {
    let mut q = TenantSql::new(scope);
    let target = q.target("incidents");
    let (own, other) = (
        q.table("incident_signatures", "own"),
        q.table("incident_signatures", "other"),
    );
    let only = match affected {
        None => Sql::default(),
        Some((incident_id, pairs)) => {
            let incident = q.bind(incident_id);
            let matches: Vec<Sql> = pairs
                .into_iter()
                .map(|(service, category)| {
                    let (service, category) = (q.bind(service), q.bind(category));
                    sql! {
                        "(sh.service_id = ", service, " AND sh.category = ", category, ")",
                    }
                })
                .collect();
            let shared = if matches.is_empty() {
                Sql::default()
            } else {
                let sharers = q.table("incident_signatures", "sh");
                sql! {
                    " OR incidents.id IN (SELECT sh.incident_id FROM ", sharers, " WHERE ",
                    TenantSql::tenant_of("sh"), " AND (", Sql::join(matches, " OR "), "))",
                }
            };
            sql!(" AND (incidents.id = ", incident, shared, ")")
        }
    };
    // Nested EXISTS so both planners start from the incident's own few pairs and probe the
    // pair index for each, instead of scanning every signature of the tenant.
    let sql = sql! {
        "UPDATE ", target, " SET recurring = CASE WHEN EXISTS (SELECT 1 FROM ", own, " WHERE ",
        TenantSql::tenant_of("own"),
        " AND own.incident_id = incidents.id AND EXISTS (SELECT 1 FROM ", other, " WHERE ",
        TenantSql::tenant_of("other"),
        " AND other.service_id = own.service_id AND other.category = own.category \
         AND other.published_at < incidents.started_at \
         AND other.incident_id <> incidents.id)) THEN TRUE ELSE FALSE END WHERE ",
        TenantSql::tenant_of("incidents"), only,
    };
    execute(conn, q, sql).await
}

/// Runs a statement built by `q`.
async fn execute(conn: &impl ConnectionTrait, q: TenantSql, sql: Sql) -> AppResult<()> {
    #[allow(clippy::disallowed_methods)] // built and checked by `TenantSql`
    conn.execute_raw(q.finish(sql)?).await?;
    Ok(())
}
