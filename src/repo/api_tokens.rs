//! Service tokens: ADMIN only, issued and revoked with an audit entry and a DIRECTORY_CHANGED
//! event, and neither the secret nor its hash ever in an audit entry.

use crate::domain::api_token::{self as rules, NewToken};
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::repo::outcome::Outcome;
use crate::repo::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use crate::repo::scope::{Admin, Scope};
use crate::repo::write::Change;
use entity::api_token;
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect,
    Select, Set,
};
use uuid::Uuid;

/// The name of the tokens' GraphQL type, as audit entries and events name their subject.
const SUBJECT: &str = "ApiToken";

fn by_creation() -> Ordering<api_token::Entity> {
    Ordering {
        column: api_token::Column::CreatedAt,
        kind: KeyKind::Time,
        id: api_token::Column::Id,
        direction: Direction::Asc,
        key: |t| Key {
            value: KeyValue::Time(t.created_at),
            id: t.id,
        },
    }
}

impl Scope {
    /// The tenant's service tokens, revoked and expired ones included, oldest first. ADMIN
    /// only.
    pub async fn api_tokens(&self, request: &PageRequest) -> AppResult<Page<api_token::Model>> {
        self.principal().require(Capability::ManageDirectory)?;
        let select = self.select::<api_token::Entity>();
        page::fetch(self.db(), select, &by_creation(), request).await
    }

    /// How many service tokens the tenant has. ADMIN only.
    pub async fn api_tokens_count(&self) -> AppResult<u64> {
        self.principal().require(Capability::ManageDirectory)?;
        Ok(self.select::<api_token::Entity>().count(self.db()).await?)
    }

    /// One service token; NOT_FOUND for an unknown id or a caller who is not ADMIN.
    pub async fn api_token(&self, id: Uuid) -> AppResult<api_token::Model> {
        self.one_api_token(id)?
            .one(self.db())
            .await?
            .ok_or_else(not_found)
    }

    /// The token `id`, for an ADMIN; NOT_FOUND for anyone else.
    fn one_api_token(&self, id: Uuid) -> AppResult<Select<api_token::Entity>> {
        self.principal()
            .require(Capability::ManageDirectory)
            .map_err(|_| not_found())?;
        Ok(self
            .select::<api_token::Entity>()
            .filter(api_token::Column::Id.eq(id)))
    }
}

fn not_found() -> AppError {
    AppError::not_found("service token")
}

impl Admin<'_> {
    /// Issues a token whose secret hashes to `token_hash`.
    pub async fn api_token_create(
        &self,
        new: NewToken,
        token_hash: String,
    ) -> Outcome<api_token::Model> {
        let mut write = self.scope.begin_write().await?;
        let row = api_token::Model {
            tenant_id: self.scope.tenant_id(),
            id: Uuid::now_v7(),
            name: new.name,
            role: new.role,
            token_hash,
            created_by: self.scope.principal().user_id(),
            created_at: time::now(),
            expires_at: time::to_storage_precision(new.expires_at),
            last_used_at: None,
            revoked_at: None,
        };
        let saved = self
            .scope
            .insert(row.into_active_model())
            .exec_with_returning(write.txn())
            .await?;
        write.record(Change {
            action: Action::ApiTokenCreate,
            subject_type: SUBJECT,
            subject_id: saved.id,
            incident_id: None,
            changes: rules::issued(&saved),
        });
        write.commit().await?;
        Ok(saved)
    }

    /// Revokes a token: the next request that presents it is refused, and sockets it opened
    /// close. Revoking a revoked token keeps its first revocation time.
    pub async fn api_token_revoke(&self, id: Uuid) -> Outcome<api_token::Model> {
        let mut write = self.scope.begin_write().await?;
        let old = self
            .scope
            .one_api_token(id)?
            .lock(LockType::NoKeyUpdate)
            .one(write.txn())
            .await?
            .ok_or_else(not_found)?;
        let saved = if old.revoked_at.is_some() {
            old.clone()
        } else {
            let mut active = old.clone().into_active_model();
            active.revoked_at = Set(Some(time::now()));
            active.update(write.txn()).await?
        };
        write.record(Change {
            action: Action::ApiTokenRevoke,
            subject_type: SUBJECT,
            subject_id: id,
            incident_id: None,
            changes: rules::revoked(&old, &saved),
        });
        write.commit().await?;
        Ok(saved)
    }
}
