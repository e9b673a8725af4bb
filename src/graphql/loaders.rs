//! Per-request DataLoaders: every list nested under a page of incidents is fetched in one
//! batch, so a response costs a constant number of statements whatever the list sizes.
//! They are built for each request from its scope and never shared.

use crate::error::AppError;
use crate::repo::Scope;
use crate::repo::timeline::{TimelinePage, TimelinePageKey};
use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    Visibility, client, client_impact, effectiveness_review, feedback_reply, incident, post_mortem,
    prevention_measure, root_cause, service, tenant, user,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
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
    /// `Incident.services`.
    IncidentServices, Uuid => Vec<service::Model>, services_of_incidents
);
loader!(
    /// `Incident.timeline` pages.
    TimelinePages, TimelinePageKey => TimelinePage, timeline_pages
);
loader!(
    /// `Incident.rootCauses`.
    RootCausesByIncident, Uuid => Vec<root_cause::Model>, root_causes_of_incidents
);
loader!(
    /// `RootCause.services`.
    RootCauseServices, Uuid => Vec<service::Model>, services_of_root_causes
);
loader!(
    /// `Incident.impacts`.
    ImpactsByIncident, Uuid => Vec<client_impact::Model>, impacts_of_incidents
);
loader!(
    /// `ClientImpact.client`.
    ClientsById, Uuid => client::Model, clients_by_id
);
loader!(
    /// `TimelineEvent.author`.
    UsersById, Uuid => user::Model, users_by_id
);
loader!(
    /// `Incident.measures`.
    MeasuresByIncident, Uuid => Vec<prevention_measure::Model>, measures_of_incidents
);
loader!(
    /// `PreventionMeasure.addresses`.
    MeasureAddresses, Uuid => Vec<root_cause::Model>, addresses_of_measures
);
loader!(
    /// `Incident.postMortem`.
    PostMortemsByIncident, Uuid => post_mortem::Model, post_mortems_of_incidents
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
    /// `PostMortem.review`.
    ReviewsByIncident, Uuid => effectiveness_review::Model, reviews_of_incidents
);

loader!(
    /// `Incident.recurrenceOf`.
    RecurrenceOf, Uuid => Vec<incident::Model>, recurrence_of_incidents
);
loader!(
    /// `Incident.recurrences`.
    Recurrences, Uuid => Vec<incident::Model>, recurrences_of_incidents
);

/// `Incident.timeline.totalCount`, batched per requested visibility.
pub struct TimelineCounts(pub Scope);

impl Loader<(Uuid, Option<Visibility>)> for TimelineCounts {
    type Value = u64;
    type Error = Arc<AppError>;

    async fn load(
        &self,
        keys: &[(Uuid, Option<Visibility>)],
    ) -> Result<HashMap<(Uuid, Option<Visibility>), u64>, Self::Error> {
        let mut by_visibility: HashMap<Option<Visibility>, Vec<Uuid>> = HashMap::new();
        for (incident, visibility) in keys {
            by_visibility
                .entry(*visibility)
                .or_default()
                .push(*incident);
        }
        let mut counts = HashMap::new();
        for (visibility, incidents) in by_visibility {
            let found = self
                .0
                .timeline_counts(&incidents, visibility)
                .await
                .map_err(Arc::new)?;
            for incident in incidents {
                counts.insert(
                    (incident, visibility),
                    found.get(&incident).copied().unwrap_or(0),
                );
            }
        }
        Ok(counts)
    }
}

fn new<T: Send + Sync + 'static>(loader: T, window: Duration) -> DataLoader<T> {
    DataLoader::new(loader, tokio::spawn).delay(window)
}

/// Attaches a fresh set of loaders for `scope` to a request.
pub fn attach(
    request: async_graphql::Request,
    scope: &Scope,
    window: Duration,
) -> async_graphql::Request {
    request
        .data(new(IncidentServices(scope.clone()), window))
        .data(new(TimelinePages(scope.clone()), window))
        .data(Arc::new(new(TimelineCounts(scope.clone()), window)))
        .data(new(RootCausesByIncident(scope.clone()), window))
        .data(new(RootCauseServices(scope.clone()), window))
        .data(new(ImpactsByIncident(scope.clone()), window))
        .data(new(ClientsById(scope.clone()), window))
        .data(new(UsersById(scope.clone()), window))
        .data(new(MeasuresByIncident(scope.clone()), window))
        .data(new(MeasureAddresses(scope.clone()), window))
        .data(new(PostMortemsByIncident(scope.clone()), window))
        .data(new(RepliesOfFeedback(scope.clone()), window))
        .data(new(OwnTenant(scope.clone()), window))
        .data(new(ReviewsByIncident(scope.clone()), window))
        .data(new(RecurrenceOf(scope.clone()), window))
        .data(new(Recurrences(scope.clone()), window))
}
