//! Confidence ratings: written by client contacts, read by staff, reporters and the client
//! the rating belongs to.

use super::grouping;
use super::outcome::{Outcome, WriteError};
use super::scope::Scope;
use super::write::Change;
use crate::domain::confidence::{self as rules, NewRating};
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::time;
use crate::error::{AppError, AppResult};
use entity::confidence_rating;
use sea_orm::{ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};
use std::collections::HashMap;
use uuid::Uuid;

impl Scope {
    /// Each post-mortem's ratings, oldest first (one statement). A CLIENT gets only their
    /// own client's.
    pub async fn ratings_of_incidents(
        &self,
        incident_ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, Vec<confidence_rating::Model>>> {
        let mut select = self
            .select::<confidence_rating::Entity>()
            .filter(confidence_rating::Column::IncidentId.is_in(incident_ids.iter().copied()));
        if !self.principal().can(Capability::ReadCatalog) {
            let Some(client) = self.principal().client_id() else {
                return Ok(HashMap::new());
            };
            select = select.filter(confidence_rating::Column::ClientId.eq(client));
        }
        let rows = select
            .order_by_asc(confidence_rating::Column::RatedAt)
            .order_by_asc(confidence_rating::Column::Id)
            .all(self.db())
            .await?;
        Ok(grouping::by_parent(rows, |r| r.incident_id))
    }

    /// Rates a post-mortem the caller's client can read. The phase comes from its state
    /// now; a second rating by the same contact in the same phase replaces the first.
    /// CLIENT users only.
    pub async fn confidence_rate(&self, new: NewRating) -> Outcome<confidence_rating::Model> {
        self.principal().require(Capability::RateConfidence)?;
        let (Some(user), Some(client)) = (self.principal().user_id(), self.principal().client_id())
        else {
            return Err(WriteError::Failed(AppError::forbidden(
                "only a client contact can rate their confidence",
            )));
        };
        let mut write = self.begin_write().await?;
        let incident = self.incident_in(write.txn(), new.incident_id).await?;
        // Holding the post-mortem keeps its phase until commit, and makes two ratings by one
        // contact take turns, so the second finds the first and replaces it.
        let post_mortem = self.post_mortem_locked(write.txn(), incident.id).await?;
        let phase = rules::phase(post_mortem.status)?;
        let old = self
            .select::<confidence_rating::Entity>()
            .filter(confidence_rating::Column::IncidentId.eq(incident.id))
            .filter(confidence_rating::Column::UserId.eq(user))
            .filter(confidence_rating::Column::Phase.eq(phase))
            .one(write.txn())
            .await?;
        let now = time::now();
        let saved = match &old {
            Some(old) => {
                let mut row = old.clone().into_active_model();
                row.confidence = Set(new.confidence);
                row.comment = Set(new.comment);
                row.rated_at = Set(now);
                row.updated_at = Set(now);
                row.update(write.txn()).await?
            }
            None => {
                self.insert(confidence_rating::ActiveModel {
                    tenant_id: Set(self.tenant_id()),
                    id: Set(Uuid::now_v7()),
                    incident_id: Set(incident.id),
                    client_id: Set(client),
                    user_id: Set(user),
                    phase: Set(phase),
                    confidence: Set(new.confidence),
                    comment: Set(new.comment),
                    rated_at: Set(now),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_with_returning(write.txn())
                .await?
            }
        };
        write.record(Change {
            action: Action::ConfidenceRate,
            subject_type: "PostMortem",
            subject_id: incident.id,
            incident_id: Some(incident.id),
            changes: rules::rated_changes(old.as_ref(), &saved),
        });
        write.commit().await?;
        Ok(saved)
    }
}
