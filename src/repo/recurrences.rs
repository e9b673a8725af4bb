//! Recurrences: an incident that started after another incident's post-mortem was published,
//! and shares a root-cause category and a service with it, is a recurrence of it. The link
//! is computed by one query, the same on SQLite and PostgreSQL (`repo::metrics` counts the
//! same rule in aggregate).

use super::scope::Scope;
use super::tenant_sql::TenantSql;
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
fn pairs(q: &mut TenantSql, side: Side, ids: &[Uuid]) -> String {
    let list: Vec<String> = ids.iter().map(|id| q.bind(*id)).collect();
    let side = match side {
        Side::Later => "later",
        Side::Earlier => "earlier",
    };
    let tables = [
        q.table("incidents", "later"),
        q.table("post_mortems", "pm"),
        q.table("incidents", "earlier"),
        q.table("root_causes", "lrc"),
        q.table("root_causes", "erc"),
        q.table("incident_services", "lis"),
        q.table("incident_services", "eis"),
    ];
    let tenant = |alias: &str| TenantSql::tenant_of(alias);
    format!(
        "SELECT later.id AS later_id, earlier.id AS earlier_id FROM {later} \
         JOIN {pm} ON {} AND pm.published_at IS NOT NULL AND pm.published_at < later.started_at \
         JOIN {earlier} ON {} AND earlier.id = pm.incident_id \
         WHERE {} AND earlier.id <> later.id AND {side}.id IN ({ids}) \
         AND EXISTS (SELECT 1 FROM {lrc} JOIN {erc} ON {} AND erc.category = lrc.category \
            WHERE {} AND lrc.incident_id = later.id AND erc.incident_id = earlier.id) \
         AND EXISTS (SELECT 1 FROM {lis} JOIN {eis} ON {} AND eis.service_id = lis.service_id \
            WHERE {} AND lis.incident_id = later.id AND eis.incident_id = earlier.id)",
        tenant("pm"),
        tenant("earlier"),
        tenant("later"),
        tenant("erc"),
        tenant("lrc"),
        tenant("eis"),
        tenant("lis"),
        later = tables[0],
        pm = tables[1],
        earlier = tables[2],
        lrc = tables[3],
        erc = tables[4],
        lis = tables[5],
        eis = tables[6],
        ids = list.join(", "),
    )
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
        let rows = self.db().query_all_raw(q.finish(sql)).await?;
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
