//! Share links: made and withdrawn by staff who write post-mortems, listed with their views,
//! and opened by whoever holds the token, as a reader of that one client's copy.

use super::outcome::{Outcome, refused};
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::{Scope, Writer};
use super::tenant_connection::{Grouping, TenantConnection};
use super::write::{Change, Write};
use crate::auth::{self, opaque};
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::share_link::{self as rules, State, TOKEN_PREFIX};
use crate::domain::{FieldError, FieldErrorCode, impact, time};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::share_link;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

/// A link just made, with its token: the only time the token exists outside its holder.
pub struct IssuedLink {
    pub link: share_link::Model,
    pub token: String,
}

fn newest_first() -> Ordering<share_link::Entity> {
    Ordering {
        column: share_link::Column::CreatedAt,
        kind: KeyKind::Time,
        id: share_link::Column::Id,
        direction: Direction::Desc,
        key: |l| Key {
            value: KeyValue::Time(l.created_at),
            id: l.id,
        },
    }
}

fn not_found() -> AppError {
    AppError::not_found("share link")
}

impl Scope {
    /// The links of `incident_id`'s post-mortem, newest first. Staff only.
    pub async fn share_links_of(
        &self,
        incident_id: Uuid,
        request: &PageRequest,
    ) -> AppResult<Page<share_link::Model>> {
        self.principal().require(Capability::ReadInternal)?;
        let select = self
            .select::<share_link::Entity>()
            .filter(share_link::Column::IncidentId.eq(incident_id));
        page::fetch(self.db(), select, &newest_first(), request).await
    }

    /// How many links `incident_id`'s post-mortem has. Staff only.
    pub async fn share_links_count(&self, incident_id: Uuid) -> AppResult<u64> {
        self.principal().require(Capability::ReadInternal)?;
        Ok(self
            .select::<share_link::Entity>()
            .filter(share_link::Column::IncidentId.eq(incident_id))
            .count(self.db())
            .await?)
    }

    /// One link; NOT_FOUND for an unknown id or a caller who is not staff.
    pub async fn share_link(&self, id: Uuid) -> AppResult<share_link::Model> {
        self.share_link_in(self.db(), id).await
    }

    async fn share_link_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<share_link::Model> {
        self.principal()
            .require(Capability::ReadInternal)
            .map_err(|_| not_found())?;
        self.select::<share_link::Entity>()
            .filter(share_link::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or_else(not_found)
    }
}

impl Writer<'_> {
    /// Makes a link to `client_id`'s copy of `incident_id`'s post-mortem, expiring at
    /// `expires_at` (see [`rules::expiry`]). The client must be one the incident impacted.
    pub async fn share_link_create(
        &self,
        incident_id: Uuid,
        client_id: Uuid,
        expires_at: Option<DateTime<Utc>>,
    ) -> Outcome<IssuedLink> {
        let now = time::now();
        let expires_at = rules::expiry(expires_at, now)?;
        let mut write = self.scope.begin_write().await?;
        self.scope.incident_in(write.txn(), incident_id).await?;
        if !self.scope.client_exists(write.txn(), client_id).await? {
            return refused(vec![impact::unknown_client()]);
        }
        if self
            .scope
            .impact_of(write.txn(), incident_id, client_id)
            .await?
            .is_none()
        {
            return refused(vec![FieldError::new(
                "clientId",
                FieldErrorCode::Invalid,
                "the incident has no impact recorded on this client, so its contacts would not be shown this post-mortem",
            )]);
        }
        let issued = opaque::issue(TOKEN_PREFIX, self.scope.tenant_id());
        let link = share_link::Model {
            tenant_id: self.scope.tenant_id(),
            id: Uuid::now_v7(),
            incident_id,
            client_id,
            token_hash: issued.hash,
            created_by: self.scope.principal().user_id(),
            created_at: now,
            expires_at: time::to_storage_precision(expires_at),
            revoked_at: None,
            revoked_by: None,
            view_count: 0,
            last_viewed_at: None,
        };
        let link = self
            .scope
            .insert(link.into_active_model())
            .exec_with_returning(write.txn())
            .await?;
        record(
            &mut write,
            Action::ShareLinkCreate,
            &link,
            rules::created(&link),
        );
        write.commit().await?;
        Ok(IssuedLink {
            link,
            token: issued.token,
        })
    }

    /// Withdraws a link: its next view is the "not available" page. Withdrawing it again
    /// changes nothing.
    pub async fn share_link_revoke(&self, id: Uuid) -> Outcome<share_link::Model> {
        let mut write = self.scope.begin_write().await?;
        let old = self.scope.share_link_in(write.txn(), id).await?;
        if old.revoked_at.is_some() {
            // Nothing changes, but someone asked: audited with no changed fields.
            let unchanged = crate::domain::changes::Changes::default();
            record(&mut write, Action::ShareLinkRevoke, &old, unchanged);
            write.commit().await?;
            return Ok(old);
        }
        let mut new = old.into_active_model();
        new.revoked_at = sea_orm::Set(Some(time::now()));
        new.revoked_by = sea_orm::Set(self.scope.principal().user_id());
        let saved = new.update(write.txn()).await?;
        record(
            &mut write,
            Action::ShareLinkRevoke,
            &saved,
            rules::revoked(&saved),
        );
        write.commit().await?;
        Ok(saved)
    }
}

fn record(
    write: &mut Write,
    action: Action,
    link: &share_link::Model,
    changes: crate::domain::changes::Changes,
) {
    write.record(Change {
        action,
        subject_type: "ShareLink",
        subject_id: link.id,
        incident_id: Some(link.incident_id),
        changes,
    });
}

/// A link that may be shown now: a scope that reads as its client, and what to show.
pub struct OpenLink {
    /// Reads as a CLIENT of the link's client, with no user.
    pub scope: Scope,
    pub incident_id: Uuid,
    link_id: Uuid,
}

/// The link `token` opens, if it is well formed, known, not revoked and not expired.
/// Whether its post-mortem may be shown is for the reader's scope to say.
#[allow(clippy::disallowed_methods)] // keyed by the tenant the token itself names
pub async fn open(db: &DatabaseConnection, token: &str) -> AppResult<Option<OpenLink>> {
    let Some((tenant_id, hash)) = opaque::parse(TOKEN_PREFIX, token) else {
        return Ok(None);
    };
    let db = TenantConnection::new(db.clone(), tenant_id, Grouping::Request);
    let link = share_link::Entity::find()
        .filter(share_link::Column::TenantId.eq(tenant_id))
        .filter(share_link::Column::TokenHash.eq(hash))
        .one(&db)
        .await?;
    Ok(link
        .filter(|link| rules::state(link, time::now()) == State::Active)
        .map(|link| OpenLink {
            scope: Scope::on(db, auth::share_reader(tenant_id, link.client_id)),
            incident_id: link.incident_id,
            link_id: link.id,
        }))
}

impl OpenLink {
    /// Counts a view that was shown, and ends the reader's transaction.
    pub async fn record_view(&self) -> AppResult<()> {
        self.scope
            .update::<share_link::Entity>()
            .col_expr(
                share_link::Column::ViewCount,
                Expr::col(share_link::Column::ViewCount).add(1),
            )
            .col_expr(share_link::Column::LastViewedAt, Expr::value(time::now()))
            .filter(share_link::Column::Id.eq(self.link_id))
            .exec(self.scope.db())
            .await?;
        self.scope.db().release().await?;
        Ok(())
    }
}
