//! Service tokens: credentials an ADMIN issues to reporting tools. ADMIN only: other roles get
//! FORBIDDEN on the list and NOT_FOUND on single tokens.

use super::connection::{ListRef, TotalCount, connection, page_cost};
use super::context::{load, scope};
use super::directory::user::User;
use super::enums::Role;
use super::errors::{UserError, user_errors};
use super::ids::{self, NodeType};
use super::loaders::UsersById;
use super::payload::{Checked, answer, payload};
use super::scalars::Timestamp;
use crate::auth::service_token;
use crate::domain::api_token::{self as rules, NewToken};
use crate::domain::{Checks, time};
use crate::error::AppResult;
use crate::repo::WriteError;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::api_token;
use futures_util::FutureExt;

/// A credential a reporting tool presents as `Authorization: Bearer dbt_…`, with a role of
/// its own (REPORTER or VIEWER) and no user behind it. Its secret is shown only when issued.
pub struct ApiToken(pub api_token::Model);

impl From<api_token::Model> for ApiToken {
    fn from(model: api_token::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl ApiToken {
    /// The token's global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ApiToken, self.0.id)
    }

    /// What the token is for, in the ADMIN's words.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the token may do: REPORTER or VIEWER.
    async fn role(&self) -> Role {
        self.0.role.into()
    }

    /// When it was issued.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When it stops working.
    async fn expires_at(&self) -> Timestamp {
        Timestamp(self.0.expires_at)
    }

    /// When it was last presented, to the minute (a use is written down at most once a
    /// minute); null if never.
    async fn last_used_at(&self) -> Option<Timestamp> {
        self.0.last_used_at.map(Timestamp)
    }

    /// When it was revoked; null while it is not.
    async fn revoked_at(&self) -> Option<Timestamp> {
        self.0.revoked_at.map(Timestamp)
    }

    /// The ADMIN who issued it; null when the operator did.
    async fn created_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.created_by {
            Some(id) => Ok(load::<UsersById, _>(ctx, id).await?.map(User)),
            None => Ok(None),
        }
    }
}

connection!(ApiTokenConnection, ApiTokenEdge, ApiToken, api_token::Model);

/// A token to issue.
#[derive(InputObject)]
pub struct ApiTokenCreateInput {
    /// What the token is for; 1 to 100 characters.
    pub name: String,
    /// REPORTER or VIEWER; any other role is refused.
    pub role: Role,
    /// When the token stops working: in the future, and at most 365 days from now.
    pub expires_at: Timestamp,
}

/// The token to revoke.
#[derive(InputObject)]
pub struct ApiTokenRevokeInput {
    /// The token's global id.
    pub id: ID,
}

/// The result of `apiTokenCreate`: the token and its secret, shown only here.
#[derive(SimpleObject)]
pub struct ApiTokenCreatePayload {
    /// The issued token; null when there are user errors.
    pub api_token: Option<ApiToken>,
    /// The secret to send as `Authorization: Bearer <token>`. Store it now: it is never
    /// shown again.
    pub token: Option<String>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<UserError>,
}

impl From<Checked<(api_token::Model, String)>> for ApiTokenCreatePayload {
    fn from(result: Checked<(api_token::Model, String)>) -> Self {
        match result {
            Ok((model, token)) => Self {
                api_token: Some(ApiToken(model)),
                token: Some(token),
                user_errors: vec![],
            },
            Err(errors) => Self {
                api_token: None,
                token: None,
                user_errors: user_errors(errors),
            },
        }
    }
}

payload!(
    /// The result of `apiTokenRevoke`.
    ApiTokenPayload, api_token: ApiToken, api_token::Model
);

fn new_token(input: ApiTokenCreateInput) -> Result<NewToken, WriteError> {
    let (name, role, expires_at) = (
        rules::name(&input.name),
        rules::role(input.role.into()),
        rules::expires_at(input.expires_at.0, time::now()),
    )
        .all()
        .map_err(WriteError::Refused)?;
    Ok(NewToken {
        name,
        role,
        expires_at,
    })
}

/// Query fields for service tokens.
#[derive(Default)]
pub struct ApiTokenQuery;

#[Object]
impl ApiTokenQuery {
    /// The tenant's service tokens, revoked and expired ones included, oldest first. ADMIN
    /// only.
    #[graphql(complexity = "page_cost(first, None, child_complexity)")]
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<ApiTokenConnection> {
        let scope = scope(ctx);
        let list = ListRef::new(scope.principal().tenant_id(), "apiTokens");
        let page = scope
            .api_tokens(&list.page_request(first, after, None, None)?)
            .await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let scope = counter.clone();
            async move { scope.api_tokens_count().await }.boxed()
        });
        Ok(ApiTokenConnection::new(&list, page, total))
    }
}

/// Mutations on service tokens.
#[derive(Default)]
pub struct ApiTokenMutation;

#[Object]
impl ApiTokenMutation {
    /// Issues a service token for a reporting tool. The payload holds its secret, shown only
    /// this once; Debrief keeps only its SHA-256. ADMIN only.
    async fn api_token_create(
        &self,
        ctx: &Context<'_>,
        input: ApiTokenCreateInput,
    ) -> AppResult<ApiTokenCreatePayload> {
        let scope = scope(ctx);
        let admin = scope.admin()?;
        answer(
            async {
                let new = new_token(input)?;
                let minted = service_token::mint(scope.principal().tenant_id());
                let saved = admin.api_token_create(new, minted.hash).await?;
                Ok((saved, minted.token))
            }
            .await,
        )
    }

    /// Revokes a service token: the next request presenting it is refused, and sockets it
    /// opened close. Revoking it again changes nothing. ADMIN only.
    async fn api_token_revoke(
        &self,
        ctx: &Context<'_>,
        input: ApiTokenRevokeInput,
    ) -> AppResult<ApiTokenPayload> {
        let admin = scope(ctx).admin()?;
        let id = ids::decode(&input.id, NodeType::ApiToken)?;
        answer(admin.api_token_revoke(id).await)
    }
}
