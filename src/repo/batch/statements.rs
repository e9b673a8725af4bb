//! The statement that reads each [`List`] for many parents: the entity's own columns and a
//! `parent` column (or `parent` and `count` for the totals).

use super::lists::List;
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
    ActiveEnum, ColumnTrait, EntityTrait, Iterable, QueryFilter, QuerySelect, QueryTrait, Select,
};
use uuid::Uuid;

impl Scope {
    /// The statement reading `list` for `parents`: the entity's columns and `parent`.
    pub(super) fn list_statement(&self, list: List, parents: &[Uuid]) -> SelectStatement {
        match list {
            List::IncidentServices => linked(
                self,
                &INCIDENT_SERVICES,
                self.select::<service::Entity>(),
                service::Column::Id,
                parents,
            ),
            List::RootCauseServices => linked(
                self,
                &ROOT_CAUSE_SERVICES,
                self.select::<service::Entity>(),
                service::Column::Id,
                parents,
            ),
            List::MeasureAddresses => linked(
                self,
                &MEASURE_ROOT_CAUSES,
                self.visible_root_causes(),
                root_cause::Column::Id,
                parents,
            ),
            List::RootCauses => of_parents(
                self.visible_root_causes(),
                root_cause::Column::IncidentId,
                parents,
            ),
            List::Impacts => of_parents(
                self.visible_impacts(),
                client_impact::Column::IncidentId,
                parents,
            ),
            List::Measures => of_parents(
                self.select::<prevention_measure::Entity>(),
                prevention_measure::Column::IncidentId,
                parents,
            ),
            List::PostMortem => of_parents(
                self.select::<post_mortem::Entity>(),
                post_mortem::Column::IncidentId,
                parents,
            ),
            List::Client => {
                of_parents(self.select::<client::Entity>(), client::Column::Id, parents)
            }
            List::Feedback { status, first } => self.feedback_statement(parents, status, first),
            List::TimelineCount(visibility) => self.timeline_count_statement(parents, visibility),
            List::FeedbackCount(status) => self.feedback_count_statement(parents, status),
        }
    }

    /// The first `first + 1` threads of each incident, ranked within their incident.
    fn feedback_statement(
        &self,
        parents: &[Uuid],
        status: Option<FeedbackStatus>,
        first: u64,
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
        #[allow(clippy::disallowed_methods)] // reads only `ranked`, a scoped statement
        Query::select()
            .expr_as(
                Expr::col((table.clone(), feedback::Column::IncidentId)),
                Alias::new("parent"),
            )
            .columns(feedback::Column::iter().map(|c| (table.clone(), c)))
            .from_subquery(ranked, table.clone())
            .and_where(Expr::col((table, Alias::new("rank"))).lte(first.saturating_add(1)))
            .to_owned()
    }

    /// How many entries of each incident the caller may read.
    fn timeline_count_statement(
        &self,
        parents: &[Uuid],
        visibility: Option<Visibility>,
    ) -> SelectStatement {
        use timeline_event::Column as C;
        let mut select = self
            .select::<timeline_event::Entity>()
            .filter(C::IncidentId.is_in(parents.iter().copied()));
        if let Some(visible) = self.readable_visibility(visibility) {
            select = select.filter(C::Visibility.is_in(visible.iter().map(|v| v.to_value())));
        }
        counted(select, C::IncidentId)
    }

    /// How many threads of each incident the caller may read.
    fn feedback_count_statement(
        &self,
        parents: &[Uuid],
        status: Option<FeedbackStatus>,
    ) -> SelectStatement {
        let mut select = self
            .visible_feedback()
            .filter(feedback::Column::IncidentId.is_in(parents.iter().copied()));
        if let Some(status) = status {
            select = select.filter(feedback::Column::Status.eq(status.to_value()));
        }
        counted(select, feedback::Column::IncidentId)
    }
}

/// The rows of `select` counted by `parent`, read as `(parent, count)`.
fn counted<E: EntityTrait>(select: Select<E>, parent: E::Column) -> SelectStatement {
    select
        .select_only()
        .column_as(parent, "parent")
        .column_as(Expr::cust("COUNT(*)"), "count")
        .group_by(parent)
        .into_query()
}

/// The rows of `select` whose `parent` column is one of `parents`, read with their `parent`.
fn of_parents<E: EntityTrait + Default>(
    select: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
) -> SelectStatement {
    with_parent(
        select.filter(parent.is_in(parents.iter().copied())),
        Expr::col((E::default(), parent)),
    )
}

/// The rows of `targets` (whose id column is `target_id`) that `link` ties to one of
/// `parents`, read with their `parent`.
fn linked<L, C>(
    scope: &Scope,
    link: &LinkTable<L>,
    targets: Select<C>,
    target_id: C::Column,
    parents: &[Uuid],
) -> SelectStatement
where
    L: TenantOwned + Default,
    L::ActiveModel: sea_orm::ActiveModelTrait<Entity = L> + Send,
    C: EntityTrait + Default,
{
    let mut query = with_parent(targets, link.parent_of_row());
    link.join_parents::<C>(scope, &mut query, target_id, parents);
    query
}

/// `select` read with their `parent`.
fn with_parent<E: EntityTrait + Default>(select: Select<E>, parent: Expr) -> SelectStatement {
    select.expr_as(parent, "parent").into_query()
}
