//! One page of many incidents' timelines in one statement. Each incident's entries are read
//! through `ix_timeline_events_incident` in order and the read stops after the page, so the
//! cost follows the page size, not how long the timelines are.

use super::grouping;
use super::page::{Key, KeyValue};
use super::scope::Scope;
use super::tenant_sql::{Sql, TenantSql, sql};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{Visibility, timeline_event};
use sea_orm::sea_query::{Alias, Asterisk, Query, UnionType};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, DatabaseBackend, FromQueryResult, IdenStatic, Iterable,
};
use std::collections::HashMap;
use timeline_event::Column as C;
use uuid::Uuid;

/// Incidents per SQLite statement: SQLite allows at most 500 terms in one compound SELECT.
const INCIDENTS_PER_UNION: usize = 400;

/// Where a page starts: past this entry's time and id.
type After = (DateTime<Utc>, Uuid);

impl Scope {
    /// The first `limit` entries of each incident past `after`, that the caller may read
    /// (narrowed to `visibility` when given), in time order.
    pub(super) async fn timeline_window(
        &self,
        incident_ids: &[Uuid],
        limit: u64,
        after: Option<&Key>,
        visibility: Option<Visibility>,
    ) -> AppResult<HashMap<Uuid, Vec<timeline_event::Model>>> {
        let after = match after.map(|key| (&key.value, key.id)) {
            None => None,
            Some((KeyValue::Time(at), id)) => Some((*at, id)),
            Some(_) => {
                return Err(AppError::bad_input(
                    "the cursor is not valid for this list; request the first page again",
                ));
            }
        };
        let rows = match self.db().get_database_backend() {
            DatabaseBackend::Postgres => {
                self.window_lateral(incident_ids, limit, after, visibility)
                    .await?
            }
            _ => {
                self.window_union(incident_ids, limit, after, visibility)
                    .await?
            }
        };
        Ok(grouping::by_parent(rows, |row| row.incident_id))
    }

    /// PostgreSQL: one ordered, limited read per element of an id array (`CROSS JOIN
    /// LATERAL`). The text of the statement does not depend on how many incidents there
    /// are, so it is planned once per connection.
    async fn window_lateral(
        &self,
        incident_ids: &[Uuid],
        limit: u64,
        after: Option<After>,
        visibility: Option<Visibility>,
    ) -> AppResult<Vec<timeline_event::Model>> {
        let mut sql = TenantSql::new(self);
        let ids: Vec<String> = incident_ids.iter().map(Uuid::to_string).collect();
        let ids = sql.bind(format!("{{{}}}", ids.join(",")));
        let table = sql.table("timeline_events", "e");
        let mut conditions = vec![TenantSql::tenant_of("e"), sql!("e.incident_id = i.id")];
        if let Some(visible) = self.readable_visibility(visibility) {
            let values: Vec<Sql> = visible.iter().map(|v| sql.bind(v.to_value())).collect();
            conditions.push(match values.is_empty() {
                true => sql!("FALSE"),
                false => sql!("e.visibility IN (", Sql::join(values, ", "), ")"),
            });
        }
        if let Some((at, id)) = after {
            let (at, id) = (sql.bind(at), sql.bind(id));
            conditions.push(sql! {
                "(e.occurred_at > ", &at, " OR (e.occurred_at = ", &at, " AND e.id > ", id, "))",
            });
        }
        let limit = sql.bind(i64::try_from(limit).unwrap_or(i64::MAX));
        let columns = Sql::join(C::iter().map(|c| sql!("e.", c.as_str())), ", ");
        let statement = sql.finish(sql! {
            "SELECT page.* FROM unnest(CAST(", ids,
            " AS uuid[])) AS i(id) \
             CROSS JOIN LATERAL (SELECT ",
            columns, " FROM ", table, " WHERE ", Sql::join(conditions, " AND "),
            " ORDER BY e.occurred_at, e.id LIMIT ", limit, ") AS page",
        })?;
        #[allow(clippy::disallowed_methods)] // built and checked by `TenantSql`
        Ok(timeline_event::Model::find_by_statement(statement)
            .all(self.db())
            .await?)
    }

    /// SQLite, which has no `LATERAL`: a `UNION ALL` of one ordered, limited read per
    /// incident, [`INCIDENTS_PER_UNION`] incidents per statement.
    async fn window_union(
        &self,
        incident_ids: &[Uuid],
        limit: u64,
        after: Option<After>,
        visibility: Option<Visibility>,
    ) -> AppResult<Vec<timeline_event::Model>> {
        let mut filter = Condition::all();
        if let Some(visible) = self.readable_visibility(visibility) {
            filter = filter.add(C::Visibility.is_in(visible.iter().map(|v| v.to_value())));
        }
        if let Some((at, id)) = after {
            filter = filter.add(
                Condition::any()
                    .add(C::OccurredAt.gt(at))
                    .add(Condition::all().add(C::OccurredAt.eq(at)).add(C::Id.gt(id))),
            );
        }
        let one_incident = |index: usize, incident_id: Uuid| {
            let read = self
                .query::<timeline_event::Entity>()
                .columns(C::iter())
                .cond_where(filter.clone().add(C::IncidentId.eq(incident_id)))
                .order_by(C::OccurredAt, sea_orm::Order::Asc)
                .order_by(C::Id, sea_orm::Order::Asc)
                .limit(limit)
                .to_owned();
            #[allow(clippy::disallowed_methods)] // reads only `read`, a scoped statement
            Query::select()
                .column(Asterisk)
                .from_subquery(read, Alias::new(format!("t{index}")))
                .to_owned()
        };
        let mut rows = Vec::new();
        for chunk in incident_ids.chunks(INCIDENTS_PER_UNION) {
            let mut reads = chunk.iter().enumerate().map(|(i, id)| one_incident(i, *id));
            let Some(mut statement) = reads.next() else {
                continue;
            };
            for read in reads {
                statement.union(UnionType::All, read);
            }
            let statement = self.db().get_database_backend().build(&statement);
            #[allow(clippy::disallowed_methods)] // every read in it is a `Scope::query`
            rows.extend(
                timeline_event::Model::find_by_statement(statement)
                    .all(self.db())
                    .await?,
            );
        }
        Ok(rows)
    }
}
