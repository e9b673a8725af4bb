//! The lists that can be batched, what each holds for one parent, and how its rows are
//! ordered and grouped.

use crate::error::{AppError, AppResult};
use crate::repo::grouping;
use entity::{
    FeedbackStatus, Visibility, client, client_impact, feedback, post_mortem, prevention_measure,
    root_cause, service,
};
use sea_orm::{EntityTrait, FromQueryResult, QueryResult};
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
                ///
                /// Rows of another list are an internal error, never an empty value.
                pub fn $method(self) -> AppResult<$value> {
                    match self {
                        Rows::$variant(value) => Ok(value),
                        other => Err(AppError::internal(anyhow::anyhow!(
                            "{other:?} read as {}",
                            stringify!($variant)
                        ))),
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

    /// The rows of the list's statement (its `parent` column and the entity's columns, or
    /// `count`), decoded by sea-orm into the entity's model, as each parent's value.
    pub(super) fn decode(self, rows: Vec<QueryResult>) -> AppResult<HashMap<Uuid, Rows>> {
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
                .map(|row| {
                    let parent: Uuid = row.try_get("", "parent")?;
                    let count: i64 = row.try_get("", "count")?;
                    let count = u64::try_from(count).map_err(AppError::internal)?;
                    Ok((parent, Rows::Count(count)))
                })
                .collect::<AppResult<_>>()?,
        })
    }
}

/// Decodes rows of `E` and groups them by parent, each group sorted by `order`.
fn grouped<E, K: Ord>(
    rows: Vec<QueryResult>,
    order: impl Fn(&E::Model) -> K,
) -> AppResult<HashMap<Uuid, Vec<E::Model>>>
where
    E: EntityTrait,
{
    let decoded = rows
        .into_iter()
        .map(|row| {
            Ok((
                row.try_get("", "parent")?,
                E::Model::from_query_result(&row, "")?,
            ))
        })
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
fn single<E>(rows: Vec<QueryResult>) -> AppResult<HashMap<Uuid, E::Model>>
where
    E: EntityTrait,
{
    rows.into_iter()
        .map(|row| {
            Ok((
                row.try_get("", "parent")?,
                E::Model::from_query_result(&row, "")?,
            ))
        })
        .collect()
}

fn wrap<T>(found: HashMap<Uuid, T>, rows: fn(T) -> Rows) -> HashMap<Uuid, Rows> {
    found
        .into_iter()
        .map(|(parent, value)| (parent, rows(value)))
        .collect()
}
