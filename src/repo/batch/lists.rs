//! The lists that can be batched: the statement that reads each one for many parents, and
//! how its rows are ordered and grouped.

use super::json_row;
use crate::error::AppResult;
use crate::repo::grouping;
use crate::repo::incidents::INCIDENT_SERVICES;
use crate::repo::links::LinkTable;
use crate::repo::measures::MEASURE_ROOT_CAUSES;
use crate::repo::root_causes::ROOT_CAUSE_SERVICES;
use crate::repo::scope::{Scope, TenantOwned};
use entity::{
    FeedbackStatus, Visibility, client, client_impact, feedback, post_mortem, prevention_measure,
    root_cause, service, timeline_event,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveEnum, ColumnTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
    Select,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A list read for many parents at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum List {
    /// An incident's services, by name.
    IncidentServices,
    /// An incident's root causes the caller may read, in the order recorded.
    RootCauses,
    /// An incident's client impacts the caller may read, by start.
    Impacts,
    /// An incident's prevention measures, in the order recorded.
    Measures,
    /// An incident's post-mortem.
    PostMortem,
    /// The first `first + 1` feedback threads of an incident the caller may read, oldest
    /// first (the extra one tells whether there is a next page).
    Feedback {
        status: Option<FeedbackStatus>,
        first: u64,
    },
    /// How many timeline entries of an incident the caller may read.
    TimelineCount(Option<Visibility>),
    /// How many feedback threads of an incident the caller may read.
    FeedbackCount(Option<FeedbackStatus>),
    /// A root cause's services, by name.
    RootCauseServices,
    /// A client, by its id.
    Client,
    /// The root causes a measure addresses, in the order recorded.
    MeasureAddresses,
}

/// What a [`List`] holds for one parent.
#[derive(Clone, Debug)]
pub enum Rows {
    Services(Vec<service::Model>),
    RootCauses(Vec<root_cause::Model>),
    Impacts(Vec<client_impact::Model>),
    Measures(Vec<prevention_measure::Model>),
    PostMortem(Option<post_mortem::Model>),
    Feedback(Vec<feedback::Model>),
    Count(u64),
    Client(Option<client::Model>),
}

macro_rules! take {
    ($($(#[$doc:meta])* $method:ident, $variant:ident => $value:ty;)*) => {
        impl Rows {
            $(
                $(#[$doc])*
                pub fn $method(self) -> $value {
                    match self {
                        Rows::$variant(value) => value,
                        other => {
                            // A list always yields its own variant; a mismatch is a bug here.
                            debug_assert!(false, "{other:?} read as {}", stringify!($variant));
                            <$value>::default()
                        }
                    }
                }
            )*
        }
    };
}

take! {
    /// The services of [`List::IncidentServices`] or [`List::RootCauseServices`].
    services, Services => Vec<service::Model>;
    /// The causes of [`List::RootCauses`] or [`List::MeasureAddresses`].
    root_causes, RootCauses => Vec<root_cause::Model>;
    /// The impacts of [`List::Impacts`].
    impacts, Impacts => Vec<client_impact::Model>;
    /// The measures of [`List::Measures`].
    measures, Measures => Vec<prevention_measure::Model>;
    /// The post-mortem of [`List::PostMortem`].
    post_mortem, PostMortem => Option<post_mortem::Model>;
    /// The threads of [`List::Feedback`].
    feedback, Feedback => Vec<feedback::Model>;
    /// The number of [`List::TimelineCount`] or [`List::FeedbackCount`].
    count, Count => u64;
    /// The client of [`List::Client`].
    client, Client => Option<client::Model>;
}

impl List {
    /// What the list holds for a parent without rows.
    pub fn empty(self) -> Rows {
        match self {
            List::IncidentServices | List::RootCauseServices => Rows::Services(Vec::new()),
            List::RootCauses | List::MeasureAddresses => Rows::RootCauses(Vec::new()),
            List::Impacts => Rows::Impacts(Vec::new()),
            List::Measures => Rows::Measures(Vec::new()),
            List::PostMortem => Rows::PostMortem(None),
            List::Feedback { .. } => Rows::Feedback(Vec::new()),
            List::TimelineCount(_) | List::FeedbackCount(_) => Rows::Count(0),
            List::Client => Rows::Client(None),
        }
    }

    /// The rows of the list's statement, `(parent, JSON row)`, as each parent's value.
    pub(super) fn decode(self, rows: Vec<(Uuid, String)>) -> AppResult<HashMap<Uuid, Rows>> {
        Ok(match self {
            List::IncidentServices | List::RootCauseServices => wrap(
                grouped::<service::Entity, _>(rows, |s| s.name.clone())?,
                Rows::Services,
            ),
            List::RootCauses | List::MeasureAddresses => wrap(
                grouped::<root_cause::Entity, _>(rows, |c| c.id)?,
                Rows::RootCauses,
            ),
            List::Impacts => wrap(
                grouped::<client_impact::Entity, _>(rows, |i| (i.started_at, i.id))?,
                Rows::Impacts,
            ),
            List::Measures => wrap(
                grouped::<prevention_measure::Entity, _>(rows, |m| m.id)?,
                Rows::Measures,
            ),
            List::Feedback { .. } => wrap(
                grouped::<feedback::Entity, _>(rows, |f| f.id)?,
                Rows::Feedback,
            ),
            List::PostMortem => wrap(single::<post_mortem::Entity>(rows)?, |pm| {
                Rows::PostMortem(Some(pm))
            }),
            List::Client => wrap(single::<client::Entity>(rows)?, |c| Rows::Client(Some(c))),
            List::TimelineCount(_) | List::FeedbackCount(_) => rows
                .into_iter()
                .map(|(parent, count)| Ok((parent, Rows::Count(count.parse().map_err(bad_count)?))))
                .collect::<AppResult<_>>()?,
        })
    }
}

impl Scope {
    /// The statement reading `list` for `parents`: columns `parent` and `row` (JSON text),
    /// after the caller's `tag`.
    pub(super) fn list_statement(
        &self,
        list: List,
        parents: &[Uuid],
        tag: Expr,
    ) -> SelectStatement {
        let backend = self.db().get_database_backend();
        match list {
            List::IncidentServices => linked(
                self,
                &INCIDENT_SERVICES,
                self.select::<service::Entity>(),
                service::Column::Id,
                parents,
                tag,
            ),
            List::RootCauseServices => linked(
                self,
                &ROOT_CAUSE_SERVICES,
                self.select::<service::Entity>(),
                service::Column::Id,
                parents,
                tag,
            ),
            List::MeasureAddresses => linked(
                self,
                &MEASURE_ROOT_CAUSES,
                self.visible_root_causes(),
                root_cause::Column::Id,
                parents,
                tag,
            ),
            List::RootCauses => of_parents(
                self.visible_root_causes(),
                root_cause::Column::IncidentId,
                parents,
                tag,
                backend,
            ),
            List::Impacts => of_parents(
                self.visible_impacts(),
                client_impact::Column::IncidentId,
                parents,
                tag,
                backend,
            ),
            List::Measures => of_parents(
                self.select::<prevention_measure::Entity>(),
                prevention_measure::Column::IncidentId,
                parents,
                tag,
                backend,
            ),
            List::PostMortem => of_parents(
                self.select::<post_mortem::Entity>(),
                post_mortem::Column::IncidentId,
                parents,
                tag,
                backend,
            ),
            List::Client => of_parents(
                self.select::<client::Entity>(),
                client::Column::Id,
                parents,
                tag,
                backend,
            ),
            List::Feedback { status, first } => {
                self.feedback_statement(parents, status, first, tag)
            }
            List::TimelineCount(visibility) => {
                self.timeline_count_statement(parents, visibility, tag)
            }
            List::FeedbackCount(status) => self.feedback_count_statement(parents, status, tag),
        }
    }

    /// The first `first + 1` threads of each incident, ranked within their incident.
    fn feedback_statement(
        &self,
        parents: &[Uuid],
        status: Option<FeedbackStatus>,
        first: u64,
        tag: Expr,
    ) -> SelectStatement {
        let mut ranked = self
            .visible_feedback()
            .filter(feedback::Column::IncidentId.is_in(parents.iter().copied()));
        if let Some(status) = status {
            ranked = ranked.filter(feedback::Column::Status.eq(status.to_value()));
        }
        let ranked = ranked
            .column_as(
                Expr::cust(r#"ROW_NUMBER() OVER (PARTITION BY "feedback"."incident_id" ORDER BY "feedback"."id")"#),
                "rank",
            )
            .into_query();
        let table = Alias::new("feedback");
        Query::select()
            .expr_as(tag, Alias::new("tag"))
            .expr_as(
                Expr::col((table.clone(), feedback::Column::IncidentId)),
                Alias::new("parent"),
            )
            .expr_as(
                Expr::cust(json_row::encode::<feedback::Entity>(
                    self.db().get_database_backend(),
                )),
                Alias::new("row"),
            )
            .from_subquery(ranked, table.clone())
            .and_where(Expr::col((table, Alias::new("rank"))).lte(first.saturating_add(1)))
            .to_owned()
    }

    /// How many entries of each incident the caller may read.
    fn timeline_count_statement(
        &self,
        parents: &[Uuid],
        visibility: Option<Visibility>,
        tag: Expr,
    ) -> SelectStatement {
        use timeline_event::Column as C;
        let mut select = self
            .select::<timeline_event::Entity>()
            .filter(C::IncidentId.is_in(parents.iter().copied()));
        if let Some(visible) = self.readable_visibility(visibility) {
            select = select.filter(C::Visibility.is_in(visible.iter().map(|v| v.to_value())));
        }
        counted(select, C::IncidentId, tag)
    }

    /// How many threads of each incident the caller may read.
    fn feedback_count_statement(
        &self,
        parents: &[Uuid],
        status: Option<FeedbackStatus>,
        tag: Expr,
    ) -> SelectStatement {
        let mut select = self
            .visible_feedback()
            .filter(feedback::Column::IncidentId.is_in(parents.iter().copied()));
        if let Some(status) = status {
            select = select.filter(feedback::Column::Status.eq(status.to_value()));
        }
        counted(select, feedback::Column::IncidentId, tag)
    }
}

/// The rows of `select` counted by `parent`, read as `(tag, parent, row)` with the count as
/// a JSON number.
fn counted<E: EntityTrait>(select: Select<E>, parent: E::Column, tag: Expr) -> SelectStatement {
    select
        .select_only()
        .expr_as(tag, "tag")
        .column_as(parent, "parent")
        .column_as(Expr::cust("CAST(COUNT(*) AS TEXT)"), "row")
        .group_by(parent)
        .into_query()
}

/// The rows of `select` whose `parent` column is one of `parents`, read as `(tag, parent, row)`.
fn of_parents<E: EntityTrait + Default>(
    select: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
    tag: Expr,
    backend: DatabaseBackend,
) -> SelectStatement {
    tagged(
        select.filter(parent.is_in(parents.iter().copied())),
        tag,
        Expr::col((E::default(), parent)),
        backend,
    )
}

/// The rows of `targets` (whose id column is `target_id`) that `link` ties to one of
/// `parents`, read as `(tag, parent, row)`.
fn linked<L, C>(
    scope: &Scope,
    link: &LinkTable<L>,
    targets: Select<C>,
    target_id: C::Column,
    parents: &[Uuid],
    tag: Expr,
) -> SelectStatement
where
    L: TenantOwned + Default,
    L::ActiveModel: sea_orm::ActiveModelTrait<Entity = L> + Send,
    C: EntityTrait + Default,
{
    let backend = scope.db().get_database_backend();
    let mut query = tagged(targets, tag, link.parent_of_row(), backend);
    link.join_parents::<C>(scope, &mut query, target_id, parents);
    query
}

/// `select` read as `(tag, parent, row)`.
fn tagged<E: EntityTrait + Default>(
    select: Select<E>,
    tag: Expr,
    parent: Expr,
    backend: DatabaseBackend,
) -> SelectStatement {
    select
        .select_only()
        .expr_as(tag, "tag")
        .expr_as(parent, "parent")
        .expr_as(Expr::cust(json_row::encode::<E>(backend)), "row")
        .into_query()
}

/// Decodes rows of `E` and groups them by parent, each group sorted by `order`.
fn grouped<E, K: Ord>(
    rows: Vec<(Uuid, String)>,
    order: impl Fn(&E::Model) -> K,
) -> AppResult<HashMap<Uuid, Vec<E::Model>>>
where
    E: EntityTrait,
    E::ActiveModel: sea_orm::TryIntoModel<E::Model>,
{
    let decoded = rows
        .into_iter()
        .map(|(parent, row)| Ok((parent, json_row::decode::<E>(&row)?)))
        .collect::<AppResult<Vec<_>>>()?;
    let mut groups = grouping::by_parent(decoded, |(parent, _)| *parent);
    Ok(groups
        .drain()
        .map(|(parent, group)| {
            let mut models: Vec<E::Model> = group.into_iter().map(|(_, model)| model).collect();
            models.sort_by_key(|model| order(model));
            (parent, models)
        })
        .collect())
}

/// Decodes rows of `E`, at most one per parent.
fn single<E>(rows: Vec<(Uuid, String)>) -> AppResult<HashMap<Uuid, E::Model>>
where
    E: EntityTrait,
    E::ActiveModel: sea_orm::TryIntoModel<E::Model>,
{
    rows.into_iter()
        .map(|(parent, row)| Ok((parent, json_row::decode::<E>(&row)?)))
        .collect()
}

fn wrap<T>(found: HashMap<Uuid, T>, rows: fn(T) -> Rows) -> HashMap<Uuid, Rows> {
    found
        .into_iter()
        .map(|(parent, value)| (parent, rows(value)))
        .collect()
}

fn bad_count(error: std::num::ParseIntError) -> crate::error::AppError {
    crate::error::AppError::internal(anyhow::anyhow!("a batched count: {error}"))
}
