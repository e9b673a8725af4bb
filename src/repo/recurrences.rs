//! Recurrences: an incident that started after another incident's post-mortem was published,
//! and shares a root-cause category and a service with it, is a recurrence of it. The link
//! is computed by one query, the same on SQLite and PostgreSQL.

use super::scope::Scope;
use crate::error::AppResult;
use entity::incident;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, QueryFilter, Statement, Value};
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

const PAIRS: &str = "SELECT later.id AS later_id, earlier.id AS earlier_id \
    FROM incidents later \
    JOIN post_mortems pm ON pm.tenant_id = later.tenant_id \
        AND pm.published_at IS NOT NULL AND pm.published_at < later.started_at \
    JOIN incidents earlier ON earlier.tenant_id = pm.tenant_id AND earlier.id = pm.incident_id \
    WHERE later.tenant_id = {tenant} AND earlier.id <> later.id AND {side}.id IN ({ids}) \
    AND EXISTS (SELECT 1 FROM root_causes a JOIN root_causes b \
        ON b.tenant_id = a.tenant_id AND b.category = a.category \
        WHERE a.tenant_id = later.tenant_id AND a.incident_id = later.id AND b.incident_id = earlier.id) \
    AND EXISTS (SELECT 1 FROM incident_services a JOIN incident_services b \
        ON b.tenant_id = a.tenant_id AND b.service_id = a.service_id \
        WHERE a.tenant_id = later.tenant_id AND a.incident_id = later.id AND b.incident_id = earlier.id)";

fn placeholder(backend: DatabaseBackend, position: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("${position}"),
        _ => "?".to_owned(),
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
        let backend = self.db().get_database_backend();
        let list: Vec<String> = (0..ids.len())
            .map(|i| placeholder(backend, i + 2))
            .collect();
        let sql = PAIRS
            .replace("{tenant}", &placeholder(backend, 1))
            .replace(
                "{side}",
                if side == Side::Later {
                    "later"
                } else {
                    "earlier"
                },
            )
            .replace("{ids}", &list.join(", "));
        let mut values: Vec<Value> = vec![self.principal().tenant_id().into()];
        values.extend(ids.iter().map(|id| Value::from(*id)));
        let rows = self
            .db()
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
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
