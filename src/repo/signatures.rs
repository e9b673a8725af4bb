//! `incident_signatures`: each incident's (service, root-cause category) pairs with its
//! publication time. Recurrence counting in `repo::metrics` reads it through an index, so it
//! is rewritten in the same transaction as every change to what it derives from: an
//! incident's services, its root causes, and its post-mortem's publication.

use super::scope::{Scope, Writer};
use super::tenant_sql::TenantSql;
use crate::auth;
use crate::error::AppResult;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

impl Writer<'_> {
    /// Rewrites the signatures of `incident_id` from its current services, root causes and
    /// post-mortem.
    pub(super) async fn refresh_signatures(
        &self,
        txn: &impl ConnectionTrait,
        incident_id: Uuid,
    ) -> AppResult<()> {
        rewrite(txn, self.scope, Some(incident_id)).await
    }
}

/// Rewrites every signature of a tenant: for rows written in bulk, outside the write path
/// (the generated volume tenant, test fixtures).
pub async fn rebuild(db: &DatabaseConnection, tenant_id: Uuid) -> AppResult<()> {
    let scope = Scope::new(db.clone(), auth::operator(tenant_id));
    let txn = db.begin().await?;
    rewrite(&txn, &scope, None).await?;
    txn.commit().await?;
    Ok(())
}

/// DELETE then INSERT … SELECT, for one incident or (with `None`) the whole tenant.
async fn rewrite(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    incident_id: Option<Uuid>,
) -> AppResult<()> {
    let mut q = TenantSql::new(scope);
    let target = q.target("incident_signatures");
    let only = incident_id.map_or(String::new(), |id| {
        format!(" AND incident_signatures.incident_id = {}", q.bind(id))
    });
    let delete = format!(
        "DELETE FROM {target} WHERE {}{only}",
        TenantSql::tenant_of("incident_signatures")
    );
    conn.execute_raw(q.finish(delete)).await?;

    let mut q = TenantSql::new(scope);
    let (s, c, pm) = (
        q.table("incident_services", "s"),
        q.table("root_causes", "c"),
        q.table("post_mortems", "pm"),
    );
    let only = incident_id.map_or(String::new(), |id| {
        format!(" AND s.incident_id = {}", q.bind(id))
    });
    let insert = format!(
        "INSERT INTO incident_signatures (tenant_id, incident_id, service_id, category, published_at) \
         SELECT DISTINCT s.tenant_id, s.incident_id, s.service_id, c.category, pm.published_at \
         FROM {s} JOIN {c} ON {} AND c.incident_id = s.incident_id \
         LEFT JOIN {pm} ON {} AND pm.incident_id = s.incident_id \
         WHERE {}{only}",
        TenantSql::tenant_of("c"),
        TenantSql::tenant_of("pm"),
        TenantSql::tenant_of("s"),
    );
    conn.execute_raw(q.finish(insert)).await?;
    Ok(())
}
