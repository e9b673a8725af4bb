//! Deleting an incident created by mistake, with its whole record. The rule is
//! `domain::deletion`'s.

use super::super::outcome::Outcome;
use super::super::scope::Admin;
use super::super::write::Change;
use crate::domain::deletion as rules;
use crate::domain::event::Action;
use crate::error::AppResult;
use entity::{audit_entry, incident};
use sea_orm::{ColumnTrait, DatabaseTransaction, PaginatorTrait, QueryFilter};
use uuid::Uuid;

impl Admin<'_> {
    /// Deletes an incident whose post-mortem was never published, and everything under it:
    /// timeline, root causes and their services, impacts, measures and what they address,
    /// the post-mortem, its reviews, feedback and replies, services and recurrence facts.
    /// ADMIN only: this is the ADMIN's handle. Events and audit entries about it stay: they
    /// are the history.
    ///
    /// One `DELETE` of the incident row removes the rest: every table under an incident
    /// references it (or a child of it) by `(tenant_id, id)` with `ON DELETE CASCADE`, on
    /// both databases (SQLite connections enable `foreign_keys`), so nothing can be left
    /// behind, and a table added later is covered by its own foreign key.
    pub async fn incident_delete(&self, id: Uuid, reason: String) -> Outcome<Uuid> {
        // The tenant lock first, as publication takes it: a publication racing this deletion
        // either commits first (and the deletion is refused) or finds the incident gone.
        let mut write = self.scope.begin_tenant_write().await?;
        let old = self.scope.incident_in(write.txn(), id).await?;
        let post_mortem = self.scope.post_mortem_locked(write.txn(), id).await?;
        let ever_published =
            post_mortem.published_at.is_some() || self.was_published(write.txn(), id).await?;
        rules::deletable(ever_published)?;
        self.scope
            .delete::<incident::Entity>()
            .filter(incident::Column::Id.eq(id))
            .exec(write.txn())
            .await?;
        write.record(Change {
            action: Action::IncidentDelete,
            subject_type: "Incident",
            subject_id: id,
            incident_id: Some(id),
            changes: rules::deleted_changes(&old, &reason),
        });
        write.commit().await?;
        Ok(id)
    }

    /// Whether the incident's post-mortem was ever published: unpublishing clears
    /// `publishedAt`, but the audit log keeps every publication.
    async fn was_published(&self, txn: &DatabaseTransaction, id: Uuid) -> AppResult<bool> {
        let publications = self
            .scope
            .select::<audit_entry::Entity>()
            .filter(audit_entry::Column::EntityType.eq("PostMortem"))
            .filter(audit_entry::Column::EntityId.eq(id))
            .filter(audit_entry::Column::Action.eq(Action::PostMortemPublish.as_str()))
            .count(txn)
            .await?;
        Ok(publications > 0)
    }
}
