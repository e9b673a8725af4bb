//! The `Incident` object.

use crate::domain::incident;
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::{ListRef, TotalCount, connection, page_cost};
use crate::graphql::context::{load, load_list, scope};
use crate::graphql::directory::service::Service;
use crate::graphql::enums::{FeedbackStatus, IncidentStatus, Severity, Visibility};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{RecurrenceOf, Recurrences, TimelinePages};
use crate::graphql::record::feedback::FeedbackConnection;
use crate::graphql::record::impact::ClientImpact;
use crate::graphql::record::measure::PreventionMeasure;
use crate::graphql::record::post_mortem::PostMortem;
use crate::graphql::record::root_cause::RootCause;
use crate::graphql::record::timeline::TimelineEventConnection;
use crate::graphql::scalars::Timestamp;
use crate::repo::batch::List;
use crate::repo::feedback;
use crate::repo::timeline::{self, TimelinePageKey};
use crate::repo::{DEFAULT_PAGE_SIZE, Page};
use async_graphql::{Context, ID, Object};
use uuid::Uuid;

/// Something that went wrong for clients, and the record of how it was handled.
pub struct Incident(pub entity::incident::Model);

impl From<entity::incident::Model> for Incident {
    fn from(model: entity::incident::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Incident {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Incident, self.0.id)
    }

    /// Sequential within the tenant, starting at 1.
    async fn number(&self) -> i64 {
        self.0.number
    }

    /// Human reference, e.g. `INC-42`.
    async fn reference(&self) -> String {
        incident::reference(self.0.number)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Internal summary (Markdown). Staff only.
    async fn summary(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        Ok(Some(&self.0.summary))
    }

    async fn severity(&self) -> Severity {
        self.0.severity.into()
    }

    async fn status(&self) -> IncidentStatus {
        self.0.status.into()
    }

    /// When clients were first affected.
    async fn started_at(&self) -> Timestamp {
        Timestamp(self.0.started_at)
    }

    async fn detected_at(&self) -> Option<Timestamp> {
        self.0.detected_at.map(Timestamp)
    }

    async fn mitigated_at(&self) -> Option<Timestamp> {
        self.0.mitigated_at.map(Timestamp)
    }

    /// Set exactly when the status is RESOLVED.
    async fn resolved_at(&self) -> Option<Timestamp> {
        self.0.resolved_at.map(Timestamp)
    }

    /// The affected services, by name.
    async fn services(&self, ctx: &Context<'_>) -> AppResult<Vec<Service>> {
        let services = load_list(ctx, List::IncidentServices, self.0.id).await?;
        Ok(services.services()?.into_iter().map(Service).collect())
    }

    /// What happened, ordered by time and then by creation. Staff read every entry (or one
    /// `visibility`); everyone else reads the CLIENT entries only.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        visibility: Option<Visibility>,
    ) -> AppResult<TimelineEventConnection> {
        let visibility: Option<entity::Visibility> = visibility.map(Into::into);
        let tenant_id = scope(ctx).principal().tenant_id();
        let list = ListRef::new(
            tenant_id,
            format!("timeline:{}:{}", self.0.id, visibility_name(visibility)),
        );
        let request = list.page_request(first, after, last, before)?;
        let page = async {
            if request.last.is_some() || request.before.is_some() {
                return scope(ctx)
                    .timeline_of_incident(self.0.id, visibility, &request)
                    .await;
            }
            let key = TimelinePageKey {
                incident_id: self.0.id,
                first: request.first.unwrap_or(DEFAULT_PAGE_SIZE),
                after: request.after.clone(),
                visibility,
            };
            let has_previous_page = key.after.is_some();
            let found = load::<TimelinePages, _>(ctx, key)
                .await?
                .unwrap_or_default();
            let rows = found
                .events
                .into_iter()
                .map(|e| (timeline::key(&e), e))
                .collect();
            Ok(Page {
                rows,
                has_next_page: found.has_next_page,
                has_previous_page,
            })
        };
        let (page, total) = futures_util::try_join!(
            page,
            total_of(ctx, List::TimelineCount(visibility), self.0.id),
        )?;
        Ok(TimelineEventConnection::new(&list, page, total))
    }

    /// Root causes and contributing factors, in the order they were recorded.
    async fn root_causes(&self, ctx: &Context<'_>) -> AppResult<Vec<RootCause>> {
        Ok(load_list(ctx, List::RootCauses, self.0.id)
            .await?
            .root_causes()?
            .into_iter()
            .map(RootCause)
            .collect())
    }

    /// How the incident affected each client. A CLIENT user sees only their own client's.
    async fn impacts(&self, ctx: &Context<'_>) -> AppResult<Vec<ClientImpact>> {
        Ok(load_list(ctx, List::Impacts, self.0.id)
            .await?
            .impacts()?
            .into_iter()
            .map(ClientImpact)
            .collect())
    }

    /// Prevention measures, in the order they were recorded.
    async fn measures(&self, ctx: &Context<'_>) -> AppResult<Vec<PreventionMeasure>> {
        Ok(load_list(ctx, List::Measures, self.0.id)
            .await?
            .measures()?
            .into_iter()
            .map(PreventionMeasure)
            .collect())
    }

    /// Clients' questions, concerns and suggestions, oldest first. Staff see every thread,
    /// a CLIENT user their own client's; reporters see the threads without their bodies.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn feedback(
        &self,
        ctx: &Context<'_>,
        status: Option<FeedbackStatus>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<FeedbackConnection> {
        let scope = scope(ctx);
        let status: Option<entity::FeedbackStatus> = status.map(Into::into);
        let list = ListRef::new(
            scope.principal().tenant_id(),
            format!("feedback:{}", self.0.id),
        );
        let request = list.page_request(first, after, last, before)?;
        let page = async {
            match request.leading_size() {
                Some(size) => {
                    let list = List::Feedback {
                        status,
                        first: size,
                    };
                    let rows = load_list(ctx, list, self.0.id).await?;
                    Ok(feedback::first_page(rows.feedback()?, size))
                }
                None => {
                    scope
                        .feedback_of_incident(self.0.id, status, &request)
                        .await
                }
            }
        };
        let (page, total) =
            futures_util::try_join!(page, total_of(ctx, List::FeedbackCount(status), self.0.id))?;
        Ok(FeedbackConnection::new(&list, page, total))
    }

    /// Earlier incidents this one recurs: it started after their post-mortem was published
    /// and shares a root-cause category and a service with them.
    async fn recurrence_of(&self, ctx: &Context<'_>) -> AppResult<Vec<Incident>> {
        Ok(load::<RecurrenceOf, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Incident)
            .collect())
    }

    /// Later incidents that recur this one (see `recurrenceOf`).
    async fn recurrences(&self, ctx: &Context<'_>) -> AppResult<Vec<Incident>> {
        Ok(load::<Recurrences, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Incident)
            .collect())
    }

    /// The post-mortem (every incident has one, from DRAFT on).
    async fn post_mortem(&self, ctx: &Context<'_>) -> AppResult<PostMortem> {
        let found = load_list(ctx, List::PostMortem, self.0.id).await?;
        found.post_mortem()?.map(PostMortem).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("incident {} has no post-mortem", self.0.id))
        })
    }

    /// Pass this back to `incidentUpdate`; it changes with every update.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }
}

/// The `totalCount` of a list nested under an incident. When the client selects it, it is
/// read at once, so that it joins the batch of this level's lists instead of costing a
/// statement of its own one level later. Unselected, it is never read.
async fn total_of(ctx: &Context<'_>, list: List, incident_id: Uuid) -> AppResult<TotalCount> {
    let total = match ctx.look_ahead().field("totalCount").exists() {
        true => load_list(ctx, list, incident_id).await?.count()?,
        false => 0,
    };
    Ok(TotalCount::known(total))
}

connection!(
    IncidentConnection,
    IncidentEdge,
    Incident,
    entity::incident::Model
);

/// The cursor binding of a timeline page.
fn visibility_name(visibility: Option<entity::Visibility>) -> &'static str {
    match visibility {
        None => "ALL",
        Some(entity::Visibility::Internal) => "INTERNAL",
        Some(entity::Visibility::Client) => "CLIENT",
    }
}
