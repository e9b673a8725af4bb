//! Who is calling, and in which tenant.

use crate::domain::policy::{self, Capability};
use crate::error::{AppError, AppResult};
use entity::Role;
use uuid::Uuid;

/// An authenticated caller. Its fields come from the users table, read for the request or
/// kept from a recent read until the tenant's directory changes (`PrincipalCache`), so a
/// changed role or a deactivation takes effect on the next request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    tenant_id: Uuid,
    user_id: Option<Uuid>,
    api_token_id: Option<Uuid>,
    role: Role,
    client_id: Option<Uuid>,
}

impl Principal {
    /// The principal of a signed-in user, as the users table has them now.
    pub(super) fn from_user(user: &entity::user::Model) -> Self {
        Self {
            tenant_id: user.tenant_id,
            user_id: Some(user.id),
            api_token_id: None,
            role: user.role,
            client_id: user.client_id,
        }
    }

    /// The operator: an ADMIN of `tenant_id` with no user behind it.
    pub(super) fn operator(tenant_id: Uuid) -> Self {
        Self {
            tenant_id,
            user_id: None,
            api_token_id: None,
            role: Role::Admin,
            client_id: None,
        }
    }

    /// Whoever holds a share link of `client_id`: a CLIENT with no user behind it.
    pub(super) fn share_reader(tenant_id: Uuid, client_id: Uuid) -> Self {
        Self {
            tenant_id,
            user_id: None,
            api_token_id: None,
            role: Role::Client,
            client_id: Some(client_id),
        }
    }

    /// The principal of a service token: its role, and no user.
    pub(super) fn from_api_token(token: &entity::api_token::Model) -> Self {
        Self {
            tenant_id: token.tenant_id,
            user_id: None,
            api_token_id: Some(token.id),
            role: token.role,
            client_id: None,
        }
    }

    /// The tenant every query of this caller is confined to.
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    /// The signed-in user; `None` for a service token and for operator commands.
    pub fn user_id(&self) -> Option<Uuid> {
        self.user_id
    }

    /// The service token the caller presented; `None` for users and operator commands.
    pub fn api_token_id(&self) -> Option<Uuid> {
        self.api_token_id
    }

    /// The caller's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The client account a CLIENT user belongs to.
    pub fn client_id(&self) -> Option<Uuid> {
        self.client_id
    }

    /// Whether the role has `capability`.
    pub fn can(&self, capability: Capability) -> bool {
        policy::allows(self.role, capability)
    }

    /// FORBIDDEN unless the role has `capability`.
    pub fn require(&self, capability: Capability) -> AppResult<()> {
        if self.can(capability) {
            Ok(())
        } else {
            Err(AppError::forbidden(policy::refusal(capability)))
        }
    }
}
