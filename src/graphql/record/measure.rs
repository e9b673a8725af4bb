//! Prevention measures and their follow-through.

use super::decode_list;
use super::root_cause::RootCause;
use super::verdict::MeasureVerdict;
use crate::domain::measure::MeasureChanges;
use crate::domain::policy::Capability;
use crate::domain::{Checks, FieldError, measure, text};
use crate::error::AppResult;
use crate::graphql::context::{load, load_list, scope};
use crate::graphql::enums::{Effectiveness, MeasureKind, MeasureStatus};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::VerdictsOfMeasure;
use crate::graphql::payload::answer;
use crate::graphql::payload::{deletion_payload, payload};
use crate::graphql::scalars::Date;
use crate::graphql::scalars::Timestamp;
use crate::repo::WriteError;
use crate::repo::batch::List;
use crate::repo::measures::NewMeasure;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use entity::prevention_measure;

/// A concrete step that keeps the incident from happening again.
pub struct PreventionMeasure(pub prevention_measure::Model);

impl From<prevention_measure::Model> for PreventionMeasure {
    fn from(model: prevention_measure::Model) -> Self {
        Self(model)
    }
}

/// A concrete step that keeps the incident from happening again.
#[Object]
impl PreventionMeasure {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::PreventionMeasure, self.0.id)
    }

    async fn kind(&self) -> MeasureKind {
        self.0.kind.into()
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn description(&self) -> &str {
        &self.0.description
    }

    /// How we will know it worked.
    async fn success_criterion(&self) -> &str {
        &self.0.success_criterion
    }

    /// The team that owns it.
    async fn owner_team(&self) -> &str {
        &self.0.owner_team
    }

    /// When it is due now.
    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Date)
    }

    /// The due date promised when the post-mortem was published; it never moves, so
    /// on-time follow-through is measured honestly.
    async fn committed_due_on(&self) -> Option<Date> {
        self.0.committed_due_on.map(Date)
    }

    async fn status(&self) -> MeasureStatus {
        self.0.status.into()
    }

    /// When it moved to DONE.
    async fn completed_at(&self) -> Option<Timestamp> {
        self.0.completed_at.map(Timestamp)
    }

    /// Why it was cancelled.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    /// Where the work is tracked (http or https): an internal link. Staff only.
    async fn tracker_url(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        Ok(self.0.tracker_url.as_deref())
    }

    /// The root causes it addresses.
    async fn addresses(&self, ctx: &Context<'_>) -> AppResult<Vec<RootCause>> {
        Ok(load_list(ctx, List::MeasureAddresses, self.0.id)
            .await?
            .root_causes()?
            .into_iter()
            .map(RootCause)
            .collect())
    }

    /// The latest verdict: the review's, or one recorded after it.
    async fn effectiveness(&self) -> Effectiveness {
        self.0.effectiveness.into()
    }

    /// The latest verdict's note.
    async fn effectiveness_note(&self) -> Option<&str> {
        self.0.effectiveness_note.as_deref()
    }

    /// When the latest verdict was given; null before any.
    async fn effectiveness_judged_at(&self, ctx: &Context<'_>) -> AppResult<Option<Timestamp>> {
        let history = load::<VerdictsOfMeasure, _>(ctx, self.0.id).await?;
        Ok(history
            .and_then(|mut verdicts| verdicts.pop())
            .map(|latest| Timestamp(latest.judged_at)))
    }

    /// Every verdict on the measure, the first recorded first.
    async fn verdicts(&self, ctx: &Context<'_>) -> AppResult<Vec<MeasureVerdict>> {
        let history = load::<VerdictsOfMeasure, _>(ctx, self.0.id).await?;
        Ok(history
            .unwrap_or_default()
            .into_iter()
            .map(MeasureVerdict)
            .collect())
    }

    /// When the measure was recorded.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When the measure last changed.
    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }
}

/// A new prevention measure. Owner team, due date and success criterion may wait, but the
/// readiness checks ask for them before publication.
#[derive(InputObject)]
pub struct PreventionMeasureCreateInput {
    pub incident_id: ID,
    pub kind: MeasureKind,
    /// At most 200 characters.
    pub title: String,
    /// At most 5,000 characters.
    #[graphql(default)]
    pub description: String,
    /// How we will know it worked; at most 5,000 characters.
    #[graphql(default)]
    pub success_criterion: String,
    /// At most 200 characters.
    #[graphql(default)]
    pub owner_team: String,
    pub due_on: Option<Date>,
    /// An http or https link to where the work is tracked.
    pub tracker_url: Option<String>,
    /// Root causes of the same incident that it addresses.
    #[graphql(default)]
    pub addresses: Vec<ID>,
}

/// Changes to a measure; omitted fields keep their value, `null` clears `dueOn` or `trackerUrl`.
#[derive(InputObject)]
pub struct PreventionMeasureUpdateInput {
    pub id: ID,
    pub kind: Option<MeasureKind>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub success_criterion: Option<String>,
    pub owner_team: Option<String>,
    pub due_on: MaybeUndefined<Date>,
    pub tracker_url: MaybeUndefined<String>,
    /// PLANNED → IN_PROGRESS → DONE, or CANCELLED (with `cancelReason`) from any status.
    pub status: Option<MeasureStatus>,
    /// Required when cancelling.
    pub cancel_reason: Option<String>,
    /// Replaces the root causes it addresses.
    pub addresses: Option<Vec<ID>>,
}

/// The measure to delete (draft post-mortems only).
#[derive(InputObject)]
pub struct PreventionMeasureDeleteInput {
    pub id: ID,
}

payload!(
    /// The result of `preventionMeasureCreate` and `preventionMeasureUpdate`.
    PreventionMeasurePayload, prevention_measure: PreventionMeasure, prevention_measure::Model
);
deletion_payload!(
    /// The result of `preventionMeasureDelete`.
    PreventionMeasureDeletePayload, deleted_prevention_measure_id, PreventionMeasure
);

/// Prevention measure mutations. ADMIN or EDITOR.
#[derive(Default)]
pub struct MeasureMutation;

#[Object]
impl MeasureMutation {
    /// Adds a prevention measure. ADMIN or EDITOR.
    async fn prevention_measure_create(
        &self,
        ctx: &Context<'_>,
        input: PreventionMeasureCreateInput,
    ) -> AppResult<PreventionMeasurePayload> {
        let writer = scope(ctx).writer()?;
        answer(async { writer.measure_create(input.try_into()?).await }.await)
    }

    /// Changes a measure, including its status. ADMIN or EDITOR.
    async fn prevention_measure_update(
        &self,
        ctx: &Context<'_>,
        input: PreventionMeasureUpdateInput,
    ) -> AppResult<PreventionMeasurePayload> {
        let writer = scope(ctx).writer()?;
        let id = ids::decode(&input.id, NodeType::PreventionMeasure)?;
        answer(async { writer.measure_update(id, input.try_into()?).await }.await)
    }

    /// Deletes a measure of a draft post-mortem; after publication, cancel it instead. ADMIN or EDITOR.
    async fn prevention_measure_delete(
        &self,
        ctx: &Context<'_>,
        input: PreventionMeasureDeleteInput,
    ) -> AppResult<PreventionMeasureDeletePayload> {
        let writer = scope(ctx).writer()?;
        let id = ids::decode(&input.id, NodeType::PreventionMeasure)?;
        answer(writer.measure_delete(id).await)
    }
}

/// A text field of a measure, trimmed where the field is a name.
fn measure_text(field: &str, value: &str) -> Result<String, FieldError> {
    match field {
        "title" => text::required(field, value, measure::TITLE_MAX),
        "ownerTeam" => text::bounded(field, value.trim(), measure::OWNER_TEAM_MAX),
        _ => text::bounded(field, value, measure::TEXT_MAX),
    }
}

impl TryFrom<PreventionMeasureCreateInput> for NewMeasure {
    type Error = WriteError;

    fn try_from(input: PreventionMeasureCreateInput) -> Result<Self, WriteError> {
        let incident_id = ids::decode(&input.incident_id, NodeType::Incident)?;
        let (title, description, success_criterion, owner_team, tracker_url, addresses) = (
            measure_text("title", &input.title),
            measure_text("description", &input.description),
            measure_text("successCriterion", &input.success_criterion),
            measure_text("ownerTeam", &input.owner_team),
            input
                .tracker_url
                .map(|url| measure::tracker_url(&url))
                .transpose(),
            decode_list("addresses", &input.addresses, NodeType::RootCause),
        )
            .all()?;
        Ok(NewMeasure {
            incident_id,
            kind: input.kind.into(),
            title,
            description,
            success_criterion,
            owner_team,
            due_on: input.due_on.map(|d| d.0),
            tracker_url,
            addresses,
        })
    }
}

impl TryFrom<PreventionMeasureUpdateInput> for MeasureChanges {
    type Error = Vec<FieldError>;

    fn try_from(input: PreventionMeasureUpdateInput) -> Result<Self, Self::Error> {
        let text =
            |field: &str, value: Option<String>| value.map(|v| measure_text(field, &v)).transpose();
        let tracker_url = match input.tracker_url {
            MaybeUndefined::Undefined => Ok(None),
            MaybeUndefined::Null => Ok(Some(None)),
            MaybeUndefined::Value(url) => measure::tracker_url(&url).map(|url| Some(Some(url))),
        };
        let checks = (
            text("title", input.title),
            text("description", input.description),
            text("successCriterion", input.success_criterion),
            text("ownerTeam", input.owner_team),
            text("cancelReason", input.cancel_reason),
            tracker_url,
            input
                .addresses
                .map(|list| decode_list("addresses", &list, NodeType::RootCause))
                .transpose(),
        );
        let (
            title,
            description,
            success_criterion,
            owner_team,
            cancel_reason,
            tracker_url,
            addresses,
        ) = checks.all()?;
        Ok(MeasureChanges {
            kind: input.kind.map(Into::into),
            title,
            description,
            success_criterion,
            owner_team,
            due_on: match input.due_on {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(date) => Some(Some(date.0)),
            },
            tracker_url,
            status: input.status.map(Into::into),
            cancel_reason,
            addresses,
        })
    }
}
