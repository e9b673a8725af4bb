//! Per-request DataLoaders: every list nested under a page of incidents is fetched in one
//! batch, so a response costs a constant number of statements whatever the list sizes.
//! They are built for each request from its scope and never shared.

use crate::error::AppError;
use crate::repo::Scope;
use crate::repo::batch::{Part, Rows};
use crate::repo::timeline::{TimelinePage, TimelinePageKey};
use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    confidence_rating, effectiveness_review, effectiveness_verdict, event, feedback_reply,
    incident, tenant, user, webhook_attempt,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;
use uuid::Uuid;

/// Declares a loader keyed by id that answers through one `Scope` method.
macro_rules! loader {
    ($(#[$doc:meta])* $name:ident, $key:ty => $value:ty, $method:ident) => {
        $(#[$doc])*
        pub struct $name(pub Scope);

        impl Loader<$key> for $name {
            type Value = $value;
            type Error = Arc<AppError>;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, Self::Error> {
                self.0.$method(keys).await.map_err(Arc::new)
            }
        }
    };
}

loader!(
    /// `Incident.timeline` pages.
    TimelinePages, TimelinePageKey => TimelinePage, timeline_pages
);
loader!(
    /// `TimelineEvent.author`.
    UsersById, Uuid => user::Model, users_by_id
);
loader!(
    /// `Feedback.incident`: incidents the caller may see, by id.
    IncidentsById, Uuid => incident::Model, incidents_by_id
);
loader!(
    /// `Feedback.replies`.
    RepliesOfFeedback, Uuid => Vec<feedback_reply::Model>, replies_of_feedback
);

loader!(
    /// The caller's tenant and its settings, read once per request.
    OwnTenant, () => tenant::Model, tenant_for_loader
);

loader!(
    /// `PostMortem.review` and `PostMortem.reviews`.
    ReviewsByIncident, Uuid => Vec<effectiveness_review::Model>, reviews_of_incidents
);

loader!(
    /// `PreventionMeasure.verdicts` and `effectivenessJudgedAt`.
    VerdictsOfMeasure, Uuid => Vec<effectiveness_verdict::Model>, verdicts_of_measures
);

loader!(
    /// `PostMortem.confidenceRatings`.
    RatingsOfIncident, Uuid => Vec<confidence_rating::Model>, ratings_of_incidents
);

loader!(
    /// `Incident.recurrenceOf`.
    RecurrenceOf, Uuid => Vec<incident::Model>, recurrence_of_incidents
);
loader!(
    /// `Incident.recurrences`.
    Recurrences, Uuid => Vec<incident::Model>, recurrences_of_incidents
);

loader!(
    /// Every list nested under incidents (see [`crate::repo::batch`]): whichever lists a
    /// level of the response asks for come back from one statement.
    RecordParts, Part => Rows, record_parts
);

loader!(
    /// `WebhookDelivery.event`.
    EventsById, Uuid => event::Model, events_by_id
);
loader!(
    /// `WebhookDelivery.attempts`.
    AttemptsOfDelivery, Uuid => Vec<webhook_attempt::Model>, webhook_attempts
);

fn new<T: Send + Sync + 'static>(loader: T, window: Duration) -> DataLoader<T> {
    // The batch runs in the span of the request that asked first, so its statements join
    // the request's trace.
    DataLoader::new(loader, |batch| tokio::spawn(batch.in_current_span())).delay(window)
}

/// Attaches a fresh set of loaders for `scope` to a request.
pub fn attach(
    request: async_graphql::Request,
    scope: &Scope,
    window: Duration,
) -> async_graphql::Request {
    request
        .data(new(TimelinePages(scope.clone()), window))
        .data(new(RecordParts(scope.clone()), window))
        .data(new(UsersById(scope.clone()), window))
        .data(new(IncidentsById(scope.clone()), window))
        .data(new(RepliesOfFeedback(scope.clone()), window))
        .data(new(OwnTenant(scope.clone()), window))
        .data(new(ReviewsByIncident(scope.clone()), window))
        .data(new(RatingsOfIncident(scope.clone()), window))
        .data(new(VerdictsOfMeasure(scope.clone()), window))
        .data(new(RecurrenceOf(scope.clone()), window))
        .data(new(Recurrences(scope.clone()), window))
        .data(new(EventsById(scope.clone()), window))
        .data(new(AttemptsOfDelivery(scope.clone()), window))
}
