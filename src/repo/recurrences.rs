//! Recurrences: an incident that started after another incident's post-mortem was published,
//! and shares a root-cause category and a service with it, is a recurrence of it. The link
//! is computed by one query, the same on SQLite and PostgreSQL (`repo::metrics` counts the
//! same rule in aggregate).

use super::scope::Scope;
use super::tenant_sql::{Sql, TenantSql, sql};
use crate::error::AppResult;
use entity::incident;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// Which side of the link the given incidents are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The given incidents recur earlier ones: find what they are recurrences of.
    Later,
    /// The given incidents were published earlier: find their recurrences.
    Earlier,
}

/// `SELECT later_id, earlier_id` of the recurrence pairs where `side`'s id is one of `ids`.
fn pairs(q: &mut TenantSql, side: Side, ids: &[Uuid]) -> Sql {
    let list = Sql::join(ids.iter().map(|id| q.bind(*id)), ", ");
    let side = match side {
        Side::Later => " AND later.id IN (",
        Side::Earlier => " AND earlier.id IN (",
    };
    let tenant = TenantSql::tenant_of;
    sql! {
        "SELECT later.id AS later_id, earlier.id AS earlier_id FROM ",
        q.table("incidents", "later"), " JOIN ", q.table("post_mortems", "pm"), " ON ",
        tenant("pm"),
        " AND pm.published_at IS NOT NULL AND pm.published_at < later.started_at JOIN ",
        q.table("incidents", "earlier"), " ON ", tenant("earlier"),
        " AND earlier.id = pm.incident_id WHERE ", tenant("later"), " AND earlier.id <> later.id",
        side, list, ") AND EXISTS (SELECT 1 FROM ", q.table("root_causes", "lrc"), " JOIN ",
        q.table("root_causes", "erc"), " ON ", tenant("erc"),
        " AND erc.category = lrc.category WHERE ", tenant("lrc"),
        " AND lrc.incident_id = later.id AND erc.incident_id = earlier.id) \
         AND EXISTS (SELECT 1 FROM ",
        q.table("incident_services", "lis"), " JOIN ", q.table("incident_services", "eis"), " ON ",
        tenant("eis"), " AND eis.service_id = lis.service_id WHERE ", tenant("lis"),
        " AND lis.incident_id = later.id AND eis.incident_id = earlier.id)",
    }
}

impl Scope {
    /// For each given incident, the incidents on the other side of a recurrence link that the
    /// caller may see, oldest first (two statements).
    pub async fn recurrence_links(
        &self,
        ids: &[Uuid],
        side: Side,
    ) -> AppResult<HashMap<Uuid, Vec<incident::Model>>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = TenantSql::new(self);
        let sql = pairs(&mut q, side, ids);
        #[allow(clippy::disallowed_methods)] // built and checked by `TenantSql`
        let rows = self.db().query_all_raw(q.finish(sql)?).await?;
        let mut pairs = Vec::with_capacity(rows.len());
        for row in rows {
            let later: Uuid = row.try_get("", "later_id")?;
            let earlier: Uuid = row.try_get("", "earlier_id")?;
            pairs.push(if side == Side::Later {
                (later, earlier)
            } else {
                (earlier, later)
            });
        }
        let others: Vec<Uuid> = pairs.iter().map(|(_, other)| *other).collect();
        let visible: HashMap<Uuid, incident::Model> = self
            .visible_incidents()
            .filter(incident::Column::Id.is_in(others))
            .all(self.db())
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let mut linked: HashMap<Uuid, Vec<incident::Model>> = HashMap::new();
        for (given, other) in pairs {
            if let Some(incident) = visible.get(&other) {
                linked.entry(given).or_default().push(incident.clone());
            }
        }
        for list in linked.values_mut() {
            list.sort_by_key(|i| i.number);
            list.dedup_by_key(|i| i.id);
        }
        Ok(linked)
    }

    /// What each incident is a recurrence of.
    pub async fn recurrence_of_incidents(
        &self,
        ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, Vec<incident::Model>>> {
        self.recurrence_links(ids, Side::Later).await
    }

    /// The recurrences of each incident.
    pub async fn recurrences_of_incidents(
        &self,
        ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, Vec<incident::Model>>> {
        self.recurrence_links(ids, Side::Earlier).await
    }
}
