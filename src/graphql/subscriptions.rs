//! Subscriptions, over `graphql-transport-ws` at `/graphql/ws`: the event feed and single
//! incidents, live, each message resolved with the subscriber's own permissions.

use super::context::scope;
use super::cursor;
use super::events::{Event, EventsFilter, events_list};
use super::ids::{self, NodeType};
use super::incidents::Incident;
use crate::error::{AppError, AppResult};
use crate::live::{EventFollower, IncidentFollower, Live};
use crate::repo::KeyValue;
use crate::repo::events::EventFilter;
use async_graphql::{Context, ID, Subscription};
use futures_util::Stream;

/// Every subscription field.
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// The event feed as it happens, with the `events` query's filter and visibility. With
    /// `after` (an event's `cursor`, or an `endCursor` of the `events` query), first replays
    /// every event after it, then goes on live, with no gap and no duplicate; a cursor older
    /// than the events kept ends the subscription with RESYNC_REQUIRED, and so does falling
    /// too far behind. Without `after`, starts with the next event committed.
    async fn events(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventsFilter>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = AppResult<Event>> + use<>, AppError> {
        let scope = scope(ctx).clone();
        let filter = EventFilter::try_from(filter.unwrap_or_default())?;
        let after = after
            .map(|after| start_position(scope.principal().tenant_id(), &after))
            .transpose()?;
        let follower = EventFollower::start(live(ctx)?, scope, filter, after).await?;
        Ok(futures_util::stream::unfold(
            follower,
            |mut follower| async {
                let next = follower.next().await?;
                Some((next.map(Event), follower))
            },
        ))
    }

    /// One incident: as it is now, then again after each committed change to its record
    /// that you may see (several changes committed together emit it once). Ends with
    /// NOT_FOUND once you may no longer see it.
    async fn incident(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<impl Stream<Item = AppResult<Incident>> + use<>, AppError> {
        let scope = scope(ctx).clone();
        let id = ids::decode(&id, NodeType::Incident)?;
        let follower = IncidentFollower::start(live(ctx)?, scope, id).await?;
        Ok(futures_util::stream::unfold(
            follower,
            |mut follower| async {
                let next = follower.next().await?;
                Some((next.map(Incident), follower))
            },
        ))
    }
}

/// The live subscriptions, which only the WebSocket transport attaches.
fn live<'a>(ctx: &Context<'a>) -> AppResult<&'a Live> {
    ctx.data_opt::<Live>().ok_or_else(|| {
        AppError::bad_input("subscriptions are served over WebSocket at /graphql/ws")
    })
}

/// The position a feed cursor stands for.
fn start_position(tenant_id: uuid::Uuid, after: &str) -> AppResult<i64> {
    match cursor::decode(tenant_id, &events_list(tenant_id).list, after)?.value {
        KeyValue::Int(position) => Ok(position),
        _ => Err(AppError::bad_input(
            "the cursor is not valid for this list; request the first page again",
        )),
    }
}
