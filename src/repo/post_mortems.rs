//! Post-mortems: one per incident, from DRAFT to PUBLISHED to REVIEWED.

use super::outcome::{Outcome, refused};
use super::scope::{Scope, Writer};
use super::write::Change;
use crate::domain::event::Action;
use crate::domain::{post_mortem as rules, time};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{PostMortemStatus, post_mortem};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

/// The empty DRAFT every incident starts with, written in the incident's transaction.
pub(super) async fn create_draft<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    incident_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    scope
        .insert(post_mortem::ActiveModel {
            tenant_id: NotSet, // stamped by the scope
            incident_id: Set(incident_id),
            status: Set(PostMortemStatus::Draft),
            impact_summary: Set(String::new()),
            went_well: Set(String::new()),
            could_be_better: Set(String::new()),
            lessons_learned: Set(String::new()),
            meeting_at: Set(None),
            published_at: Set(None),
            review_due_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(db)
        .await?;
    Ok(())
}

/// New text for a post-mortem's sections; `None` keeps the current text.
#[derive(Default)]
pub struct PostMortemChanges {
    pub version: i32,
    pub impact_summary: Option<String>,
    pub went_well: Option<String>,
    pub could_be_better: Option<String>,
    pub lessons_learned: Option<String>,
}

impl Scope {
    /// An incident's post-mortem, if the caller may see the incident.
    pub async fn post_mortem(&self, incident_id: Uuid) -> AppResult<post_mortem::Model> {
        self.require_visible_incident(self.db(), incident_id, "post-mortem")
            .await?;
        self.post_mortem_in(self.db(), incident_id).await
    }

    pub(super) async fn post_mortem_in<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
    ) -> AppResult<post_mortem::Model> {
        self.select::<post_mortem::Entity>()
            .filter(post_mortem::Column::IncidentId.eq(incident_id))
            .one(db)
            .await?
            .ok_or(AppError::not_found("post-mortem"))
    }

    /// The post-mortem read inside a write transaction, its row locked until the transaction
    /// ends (PostgreSQL; SQLite's write lock already covers it), so publication, review and
    /// measure changes cannot interleave.
    pub(super) async fn post_mortem_locked(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        incident_id: Uuid,
    ) -> AppResult<post_mortem::Model> {
        self.select::<post_mortem::Entity>()
            .filter(post_mortem::Column::IncidentId.eq(incident_id))
            .lock_exclusive()
            .one(txn)
            .await?
            .ok_or(AppError::not_found("post-mortem"))
    }

    /// Where an incident's post-mortem stands, read through `db`.
    pub(super) async fn post_mortem_status_in<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
    ) -> AppResult<PostMortemStatus> {
        Ok(self.post_mortem_in(db, incident_id).await?.status)
    }
}

impl Writer<'_> {
    /// Edits the sections, if nobody has saved since `version`.
    pub async fn post_mortem_update(
        &self,
        incident_id: Uuid,
        new: PostMortemChanges,
    ) -> Outcome<post_mortem::Model> {
        let mut write = self.scope.begin_write().await?;
        let old = self.scope.post_mortem_in(write.txn(), incident_id).await?;
        if old.version != new.version {
            return refused(vec![rules::conflict(new.version)]);
        }
        let mut row = old.clone().into_active_model();
        row.impact_summary = Set(new
            .impact_summary
            .unwrap_or_else(|| old.impact_summary.clone()));
        row.went_well = Set(new.went_well.unwrap_or_else(|| old.went_well.clone()));
        row.could_be_better = Set(new
            .could_be_better
            .unwrap_or_else(|| old.could_be_better.clone()));
        row.lessons_learned = Set(new
            .lessons_learned
            .unwrap_or_else(|| old.lessons_learned.clone()));
        row.version = Set(old.version + 1);
        row.updated_at = Set(time::now());
        let Some(saved) = self
            .save_versioned(write.txn(), incident_id, row, old.version)
            .await?
        else {
            return refused(vec![rules::conflict(new.version)]);
        };
        let changes = rules::section_changes(&old, &saved);
        write.record(Change {
            action: Action::PostMortemUpdate,
            subject_type: "PostMortem",
            subject_id: incident_id,
            incident_id: Some(incident_id),
            changes,
        });
        write.commit().await?;
        Ok(saved)
    }

    /// Writes `row` only if the stored version is still `read`; `None` when someone else won.
    async fn save_versioned(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        incident_id: Uuid,
        row: post_mortem::ActiveModel,
        read: i32,
    ) -> AppResult<Option<post_mortem::Model>> {
        let result = self
            .scope
            .update::<post_mortem::Entity>()
            .set(row)
            .filter(post_mortem::Column::IncidentId.eq(incident_id))
            .filter(post_mortem::Column::Version.eq(read))
            .exec(txn)
            .await?;
        if result.rows_affected != 1 {
            return Ok(None);
        }
        Ok(Some(self.scope.post_mortem_in(txn, incident_id).await?))
    }
}
