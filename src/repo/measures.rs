//! Prevention measures: what will keep the incident from happening again, and how the
//! follow-through stands.

use super::Checked;
use super::changes::Changes;
use super::links::LinkTable;
use super::scope::{Scope, Writer};
use super::write::Change;
use crate::domain::event::Action;
use crate::domain::{FieldError, FieldErrorCode, measure, time};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::{
    Effectiveness, MeasureKind, MeasureStatus, PostMortemStatus, measure_root_cause,
    prevention_measure,
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

/// Which root causes each measure addresses.
pub(in crate::repo) const MEASURE_ROOT_CAUSES: LinkTable<measure_root_cause::Entity> = LinkTable {
    parent: measure_root_cause::Column::MeasureId,
    child: measure_root_cause::Column::RootCauseId,
    row: |tenant_id, measure_id, root_cause_id| measure_root_cause::ActiveModel {
        tenant_id: Set(tenant_id),
        measure_id: Set(measure_id),
        root_cause_id: Set(root_cause_id),
    },
};

/// A new measure, its text already validated.
pub struct NewMeasure {
    pub incident_id: Uuid,
    pub kind: MeasureKind,
    pub title: String,
    pub description: String,
    pub success_criterion: String,
    pub owner_team: String,
    pub due_on: Option<NaiveDate>,
    pub tracker_url: Option<String>,
    pub addresses: Vec<Uuid>,
}

/// Changes to a measure; `None` keeps the current value, `Some(None)` clears it.
#[derive(Default)]
pub struct MeasureChanges {
    pub kind: Option<MeasureKind>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub success_criterion: Option<String>,
    pub owner_team: Option<String>,
    pub due_on: Option<Option<NaiveDate>>,
    pub tracker_url: Option<Option<String>>,
    pub status: Option<MeasureStatus>,
    pub cancel_reason: Option<String>,
    pub addresses: Option<Vec<Uuid>>,
}

impl Scope {
    /// One measure, if the caller may see its incident.
    pub async fn measure(&self, id: Uuid) -> AppResult<prevention_measure::Model> {
        let measure = self.measure_in(self.db(), id).await?;
        self.require_visible_incident(self.db(), measure.incident_id, "prevention measure")
            .await?;
        Ok(measure)
    }

    async fn measure_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<prevention_measure::Model> {
        self.select::<prevention_measure::Entity>()
            .filter(prevention_measure::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(AppError::not_found("prevention measure"))
    }

    /// One incident's measures, read through `db` (a transaction, when writing).
    pub(super) async fn measures_of_incident_in<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
    ) -> AppResult<Vec<prevention_measure::Model>> {
        Ok(self
            .select::<prevention_measure::Entity>()
            .filter(prevention_measure::Column::IncidentId.eq(incident_id))
            .order_by_asc(prevention_measure::Column::Id)
            .all(db)
            .await?)
    }
}

impl Writer<'_> {
    /// Adds a measure. Added to an already published post-mortem, its due date is committed
    /// at once.
    pub async fn measure_create(
        &self,
        new: NewMeasure,
    ) -> AppResult<Checked<prevention_measure::Model>> {
        let mut write = self.scope.begin_write().await?;
        self.scope.incident_in(write.txn(), new.incident_id).await?;
        self.scope
            .post_mortem_locked(write.txn(), new.incident_id)
            .await?;
        let foreign = self
            .scope
            .foreign_root_causes(write.txn(), new.incident_id, &new.addresses)
            .await?;
        if !foreign.is_empty() {
            return Ok(Err(foreign));
        }
        let published = self
            .scope
            .post_mortem_status_in(write.txn(), new.incident_id)
            .await?
            != PostMortemStatus::Draft;
        let now = time::now();
        let saved = prevention_measure::ActiveModel {
            tenant_id: Set(self.scope.tenant_id()),
            id: Set(Uuid::now_v7()),
            incident_id: Set(new.incident_id),
            kind: Set(new.kind),
            title: Set(new.title),
            description: Set(new.description),
            success_criterion: Set(new.success_criterion),
            owner_team: Set(new.owner_team),
            due_on: Set(new.due_on),
            committed_due_on: Set(if published { new.due_on } else { None }),
            status: Set(MeasureStatus::Planned),
            completed_at: Set(None),
            cancel_reason: Set(None),
            tracker_url: Set(new.tracker_url),
            effectiveness: Set(Effectiveness::NotReviewed),
            effectiveness_note: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(write.txn())
        .await?;
        MEASURE_ROOT_CAUSES
            .replace(self.scope, write.txn(), saved.id, &new.addresses)
            .await?;
        let changes = Changes::default()
            .set("incidentId", &saved.incident_id)
            .set("kind", &saved.kind.to_value())
            .set("title", &saved.title)
            .set("ownerTeam", &saved.owner_team)
            .set("dueOn", &saved.due_on)
            .set("committedDueOn", &saved.committed_due_on)
            .set("addresses", &new.addresses);
        write.record(Change {
            action: Action::MeasureCreate,
            subject_type: "PreventionMeasure",
            subject_id: saved.id,
            incident_id: Some(saved.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
    }

    /// Changes a measure. Status moves PLANNED → IN_PROGRESS → DONE, or to CANCELLED with a
    /// reason; `committedDueOn` never changes here.
    pub async fn measure_update(
        &self,
        id: Uuid,
        new: MeasureChanges,
    ) -> AppResult<Checked<prevention_measure::Model>> {
        let mut write = self.scope.begin_write().await?;
        let old = self.scope.measure_in(write.txn(), id).await?;
        let status = new.status.unwrap_or(old.status);
        let mut errors = Vec::new();
        if let Err(error) = measure::status_move(old.status, status, new.cancel_reason.as_deref()) {
            errors.push(error);
        }
        if let Some(addresses) = &new.addresses {
            errors.extend(
                self.scope
                    .foreign_root_causes(write.txn(), old.incident_id, addresses)
                    .await?,
            );
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let now = time::now();
        let mut row = old.clone().into_active_model();
        row.kind = Set(new.kind.unwrap_or(old.kind));
        row.title = Set(new.title.unwrap_or_else(|| old.title.clone()));
        row.description = Set(new.description.unwrap_or_else(|| old.description.clone()));
        row.success_criterion = Set(new
            .success_criterion
            .unwrap_or_else(|| old.success_criterion.clone()));
        row.owner_team = Set(new.owner_team.unwrap_or_else(|| old.owner_team.clone()));
        row.due_on = Set(new.due_on.unwrap_or(old.due_on));
        row.tracker_url = Set(new.tracker_url.unwrap_or_else(|| old.tracker_url.clone()));
        row.status = Set(status);
        row.completed_at = Set(match status {
            MeasureStatus::Done if old.status != MeasureStatus::Done => Some(now),
            MeasureStatus::Done => old.completed_at,
            _ => None,
        });
        row.cancel_reason = Set(match status {
            MeasureStatus::Cancelled if old.status != MeasureStatus::Cancelled => {
                new.cancel_reason.map(|r| r.trim().to_owned())
            }
            MeasureStatus::Cancelled => old.cancel_reason.clone(),
            _ => None,
        });
        row.updated_at = Set(now);
        let saved = row.update(write.txn()).await?;
        let mut changes = Changes::default()
            .diff("kind", &old.kind.to_value(), &saved.kind.to_value())
            .diff("title", &old.title, &saved.title)
            .diff("description", &old.description, &saved.description)
            .diff(
                "successCriterion",
                &old.success_criterion,
                &saved.success_criterion,
            )
            .diff("ownerTeam", &old.owner_team, &saved.owner_team)
            .diff("dueOn", &old.due_on, &saved.due_on)
            .diff("trackerUrl", &old.tracker_url, &saved.tracker_url)
            .diff("status", &old.status.to_value(), &saved.status.to_value())
            .diff("cancelReason", &old.cancel_reason, &saved.cancel_reason);
        if let Some(addresses) = &new.addresses {
            let before = MEASURE_ROOT_CAUSES
                .children(self.scope, write.txn(), id)
                .await?;
            MEASURE_ROOT_CAUSES
                .replace(self.scope, write.txn(), id, addresses)
                .await?;
            let after = MEASURE_ROOT_CAUSES
                .children(self.scope, write.txn(), id)
                .await?;
            changes = changes.diff("addresses", &before, &after);
        }
        write.record(Change {
            action: Action::MeasureUpdate,
            subject_type: "PreventionMeasure",
            subject_id: saved.id,
            incident_id: Some(saved.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
    }

    /// Deletes a measure of a draft post-mortem. Once published, a measure can only be
    /// cancelled, so the follow-through record stays honest.
    pub async fn measure_delete(&self, id: Uuid) -> AppResult<Checked<Uuid>> {
        let mut write = self.scope.begin_write().await?;
        let old = self.scope.measure_in(write.txn(), id).await?;
        let published = self
            .scope
            .post_mortem_locked(write.txn(), old.incident_id)
            .await?
            .status
            != PostMortemStatus::Draft;
        if published || old.committed_due_on.is_some() {
            return Ok(Err(vec![FieldError::new(
                "id",
                FieldErrorCode::Invalid,
                "a measure committed by publication cannot be deleted; cancel it with a reason instead",
            )]));
        }
        self.scope
            .delete::<prevention_measure::Entity>()
            .filter(prevention_measure::Column::Id.eq(id))
            .exec(write.txn())
            .await?;
        let changes = Changes::default().diff("title", &Some(old.title), &None);
        write.record(Change {
            action: Action::MeasureDelete,
            subject_type: "PreventionMeasure",
            subject_id: id,
            incident_id: Some(old.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(Ok(id))
    }
}
