//! `viewer`: who is calling.

use super::context::scope;
use super::directory::client::Client;
use super::directory::tenant::Tenant;
use super::directory::user::User;
use super::enums::Role;
use crate::error::{AppError, AppResult};
use async_graphql::{Context, Object};

/// The signed-in user, their role, tenant and (for CLIENT users) client account.
pub struct Viewer;

#[Object]
impl Viewer {
    /// The signed-in user.
    async fn user(&self, ctx: &Context<'_>) -> AppResult<User> {
        let scope = scope(ctx);
        let id = scope
            .principal()
            .user_id()
            .ok_or(AppError::not_found("user"))?;
        Ok(User(scope.user(id).await?))
    }

    /// The signed-in user's role.
    async fn role(&self, ctx: &Context<'_>) -> Role {
        scope(ctx).principal().role().into()
    }

    /// The tenant the user belongs to.
    async fn tenant(&self, ctx: &Context<'_>) -> AppResult<Tenant> {
        Ok(Tenant(scope(ctx).tenant().await?))
    }

    /// How the signed-in user is emailed; null for callers who receive no notifications
    /// (VIEWER, REPORTER, service tokens).
    async fn notification_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<super::notifications::NotificationPreferences>> {
        super::notifications::of_viewer(ctx).await
    }

    /// The client account a CLIENT user belongs to; null for staff.
    async fn client(&self, ctx: &Context<'_>) -> AppResult<Option<Client>> {
        let scope = scope(ctx);
        match scope.principal().client_id() {
            Some(id) => Ok(Some(Client(scope.client(id).await?))),
            None => Ok(None),
        }
    }
}

/// The `viewer` query field.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who is calling.
    async fn viewer(&self) -> Viewer {
        Viewer
    }
}
