//! Users of the tenant.

use super::client::Client;
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::{Checks, FieldError, directory};
use crate::error::AppResult;
use crate::graphql::connection::{ListRef, TotalCount, connection, page_cost};
use crate::graphql::context::scope;
use crate::graphql::enums::Role;
use crate::graphql::errors::{UserError, user_errors};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::Checked;
use crate::graphql::payload::answer;
use crate::graphql::scalars::Timestamp;
use crate::repo::users::{NewUser, UserChanges};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::user;
use futures_util::FutureExt;
use uuid::Uuid;

/// A person who signs in to the tenant.
pub struct User(pub user::Model);

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl User {
    /// The user's global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::User, self.0.id)
    }

    /// Staff, and the user themself, may read it.
    async fn email(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        let principal = scope(ctx).principal();
        if principal.user_id() != Some(self.0.id) {
            principal.require(Capability::ReadInternal)?;
        }
        Ok(Some(&self.0.email))
    }

    /// How the user is shown to others.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// What the user may do in the tenant.
    async fn role(&self) -> Role {
        self.0.role.into()
    }

    /// The client account of a CLIENT user.
    async fn client(&self, ctx: &Context<'_>) -> AppResult<Option<Client>> {
        match self.0.client_id {
            Some(id) => Ok(Some(Client(scope(ctx).client(id).await?))),
            None => Ok(None),
        }
    }

    /// Deactivated users cannot sign in.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// When the record was created.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When the record was last changed.
    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }
}

connection!(UserConnection, UserEdge, User, user::Model);

/// A new user; they are active at once.
#[derive(InputObject)]
pub struct UserCreateInput {
    /// Unique within the tenant (case-insensitive).
    pub email: String,
    /// How the user is shown to others; at most 200 characters.
    pub display_name: String,
    /// What the user may do in the tenant.
    pub role: Role,
    /// Required for, and only for, CLIENT users.
    pub client_id: Option<ID>,
}

/// Changes to a user; omitted fields keep their value.
#[derive(InputObject)]
pub struct UserUpdateInput {
    /// The user to change.
    pub id: ID,
    /// How the user is shown to others; at most 200 characters.
    pub display_name: Option<String>,
    /// The new role; the tenant's last active ADMIN cannot lose theirs.
    pub role: Option<Role>,
    /// The client account of a CLIENT user. Needed when making a user CLIENT; a user who stops
    /// being CLIENT is unbound automatically.
    pub client_id: MaybeUndefined<ID>,
    /// `true` reactivates a deactivated user; deactivate with `userDeactivate`.
    pub active: Option<bool>,
}

/// The user to deactivate.
#[derive(InputObject)]
pub struct UserDeactivateInput {
    /// The user's global id.
    pub id: ID,
}

/// The result of a user mutation.
#[derive(SimpleObject)]
pub struct UserPayload {
    /// The saved user; null when nothing was saved.
    pub user: Option<User>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<UserError>,
}

impl From<Checked<user::Model>> for UserPayload {
    fn from(result: Checked<user::Model>) -> Self {
        match result {
            Ok(model) => Self {
                user: Some(User(model)),
                user_errors: vec![],
            },
            Err(errors) => Self {
                user: None,
                user_errors: user_errors(errors),
            },
        }
    }
}

/// A client id from input; an undecodable one is a field error, like an unknown one.
/// A user's client binding, decoded; an undecodable id is an unknown client.
fn client_id(id: &ID) -> Result<Uuid, FieldError> {
    ids::decode(id, NodeType::Client).map_err(|_| directory::client_not_found())
}

/// Query fields for users.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The tenant's users, by email. Staff only.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<UserConnection> {
        let scope = scope(ctx);
        let list = ListRef::new(scope.principal().tenant_id(), "users");
        let page = scope
            .users(&list.page_request(first, after, last, before)?)
            .await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let scope = counter.clone();
            async move { scope.users_count().await }.boxed()
        });
        Ok(UserConnection::new(&list, page, total))
    }
}

/// Mutations on users.
#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Adds a user. ADMIN only.
    async fn user_create(
        &self,
        ctx: &Context<'_>,
        input: UserCreateInput,
    ) -> AppResult<UserPayload> {
        let admin = scope(ctx).admin()?;
        answer(async { admin.user_create(input.try_into()?).await }.await)
    }

    /// Changes a user's name, role or client binding. ADMIN only; the tenant always keeps an active ADMIN.
    async fn user_update(
        &self,
        ctx: &Context<'_>,
        input: UserUpdateInput,
    ) -> AppResult<UserPayload> {
        let admin = scope(ctx).admin()?;
        let id = ids::decode(&input.id, NodeType::User)?;
        answer(
            async {
                admin
                    .user_update(id, input.try_into()?, Action::UserUpdate)
                    .await
            }
            .await,
        )
    }

    /// Deactivates a user: their next request is refused. ADMIN only.
    async fn user_deactivate(
        &self,
        ctx: &Context<'_>,
        input: UserDeactivateInput,
    ) -> AppResult<UserPayload> {
        let admin = scope(ctx).admin()?;
        let id = ids::decode(&input.id, NodeType::User)?;
        let changes = UserChanges {
            active: Some(false),
            ..UserChanges::default()
        };
        answer(admin.user_update(id, changes, Action::UserDeactivate).await)
    }
}

impl TryFrom<UserCreateInput> for NewUser {
    type Error = Vec<FieldError>;

    fn try_from(input: UserCreateInput) -> Result<Self, Self::Error> {
        let (email, display_name, client) = (
            directory::email("email", &input.email),
            directory::name("displayName", &input.display_name),
            input.client_id.as_ref().map(client_id).transpose(),
        )
            .all()?;
        Ok(NewUser {
            email,
            display_name,
            role: input.role.into(),
            client_id: client,
        })
    }
}

impl TryFrom<UserUpdateInput> for UserChanges {
    type Error = Vec<FieldError>;

    fn try_from(input: UserUpdateInput) -> Result<Self, Self::Error> {
        let client = match &input.client_id {
            MaybeUndefined::Undefined => Ok(None),
            MaybeUndefined::Null => Ok(Some(None)),
            MaybeUndefined::Value(id) => client_id(id).map(|id| Some(Some(id))),
        };
        let (display_name, client) = (
            input
                .display_name
                .map(|n| directory::name("displayName", &n))
                .transpose(),
            client,
        )
            .all()?;
        Ok(UserChanges {
            display_name,
            role: input.role.map(Into::into),
            client_id: client,
            active: input.active,
        })
    }
}
