//! Prevention measures: what will keep the incident from happening again, and how the
//! follow-through stands.

use super::links::LinkTable;
use super::outcome::{Outcome, refused};
use super::scope::{Scope, Writer};
use super::write::Change;
use crate::domain::event::Action;
use crate::domain::measure::{self as rules, MeasureChanges};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::{
    Effectiveness, MeasureKind, MeasureStatus, PostMortemStatus, measure_root_cause,
    prevention_measure,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
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

impl Scope {
    /// One measure, if the caller may see its incident.
    pub async fn measure(&self, id: Uuid) -> AppResult<prevention_measure::Model> {
        let measure = self.measure_in(self.db(), id).await?;
        self.require_visible_incident(self.db(), measure.incident_id, "prevention measure")
            .await?;
        Ok(measure)
    }

    pub(super) async fn measure_in<C: ConnectionTrait>(
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
    pub async fn measure_create(&self, new: NewMeasure) -> Outcome<prevention_measure::Model> {
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
            return refused(foreign);
        }
        let published = self
            .scope
            .post_mortem_status_in(write.txn(), new.incident_id)
            .await?
            != PostMortemStatus::Draft;
        let saved = self
            .scope
            .insert(new_row(self.scope, &new, published))
            .exec_with_returning(write.txn())
            .await?;
        MEASURE_ROOT_CAUSES
            .replace(self.scope, write.txn(), saved.id, &new.addresses)
            .await?;
        let changes = rules::created(&saved, &new.addresses);
        write.record(Change {
            action: Action::MeasureCreate,
            subject_type: "PreventionMeasure",
            subject_id: saved.id,
            incident_id: Some(saved.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(saved)
    }

    /// Changes a measure. Status moves PLANNED → IN_PROGRESS → DONE, or to CANCELLED with a
    /// reason; `committedDueOn` never changes here.
    pub async fn measure_update(
        &self,
        id: Uuid,
        new: MeasureChanges,
    ) -> Outcome<prevention_measure::Model> {
        let mut write = self.scope.begin_write().await?;
        let old = self.scope.measure_in(write.txn(), id).await?;
        let foreign = match &new.addresses {
            Some(addresses) => {
                let scope = self.scope;
                scope
                    .foreign_root_causes(write.txn(), old.incident_id, addresses)
                    .await?
            }
            None => Vec::new(),
        };
        let updated = rules::update(&old, &new, foreign, time::now())?;
        let saved = updated
            .into_active_model()
            .reset_all()
            .update(write.txn())
            .await?;
        let mut changes = rules::changes(&old, &saved);
        if let Some(addresses) = &new.addresses {
            let (before, after) = MEASURE_ROOT_CAUSES
                .relink(self.scope, write.txn(), id, addresses)
                .await?;
            changes = rules::readdressed(changes, &before, &after);
        }
        write.record(Change {
            action: Action::MeasureUpdate,
            subject_type: "PreventionMeasure",
            subject_id: saved.id,
            incident_id: Some(saved.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(saved)
    }

    /// Deletes a measure of a draft post-mortem. Once published, a measure can only be
    /// cancelled, so the follow-through record stays honest.
    pub async fn measure_delete(&self, id: Uuid) -> Outcome<Uuid> {
        let mut write = self.scope.begin_write().await?;
        let old = self.scope.measure_in(write.txn(), id).await?;
        let published = self
            .scope
            .post_mortem_locked(write.txn(), old.incident_id)
            .await?
            .status
            != PostMortemStatus::Draft;
        if published || old.committed_due_on.is_some() {
            return refused(vec![rules::committed()]);
        }
        self.scope
            .delete::<prevention_measure::Entity>()
            .filter(prevention_measure::Column::Id.eq(id))
            .exec(write.txn())
            .await?;
        let changes = rules::deleted(&old);
        write.record(Change {
            action: Action::MeasureDelete,
            subject_type: "PreventionMeasure",
            subject_id: id,
            incident_id: Some(old.incident_id),
            changes,
        });
        write.commit().await?;
        Ok(id)
    }
}

/// The row of a new measure; published, its due date is committed at once.
fn new_row(scope: &Scope, new: &NewMeasure, published: bool) -> prevention_measure::ActiveModel {
    let now = time::now();
    prevention_measure::ActiveModel {
        tenant_id: Set(scope.principal().tenant_id()),
        id: Set(Uuid::now_v7()),
        incident_id: Set(new.incident_id),
        kind: Set(new.kind),
        title: Set(new.title.clone()),
        description: Set(new.description.clone()),
        success_criterion: Set(new.success_criterion.clone()),
        owner_team: Set(new.owner_team.clone()),
        due_on: Set(new.due_on),
        committed_due_on: Set(if published { new.due_on } else { None }),
        status: Set(MeasureStatus::Planned),
        completed_at: Set(None),
        cancel_reason: Set(None),
        tracker_url: Set(new.tracker_url.clone()),
        effectiveness: Set(Effectiveness::NotReviewed),
        effectiveness_note: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
