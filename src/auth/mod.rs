//! Authentication: a bearer token is verified, then the users table decides who the caller is
//! and what they may do. Only this module can make a [`Principal`].

mod jwt;
mod principal;

pub use jwt::{TokenSigner, TokenVerifier};
pub use principal::Principal;

use crate::error::{AppError, AppResult};
use crate::repo;
use sea_orm::DatabaseConnection;

/// Turns an `Authorization` header into a [`Principal`].
#[derive(Clone)]
pub struct Authenticator {
    verifier: TokenVerifier,
    db: DatabaseConnection,
}

impl Authenticator {
    /// Verifies tokens with `verifier` and looks their users up in `db`.
    pub fn new(verifier: TokenVerifier, db: DatabaseConnection) -> Self {
        Self { verifier, db }
    }

    /// Verifies the bearer token and loads the user it names. A missing, bad or expired token,
    /// an unknown user and a deactivated user are all UNAUTHENTICATED.
    pub async fn authenticate(&self, authorization: Option<&str>) -> AppResult<Principal> {
        let header = authorization.ok_or_else(|| {
            AppError::unauthenticated(
                "authentication required: send `Authorization: Bearer <token>`",
            )
        })?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                AppError::unauthenticated("the Authorization header must be `Bearer <token>`")
            })?;
        let subject = self.verifier.verify(token)?;
        let user = repo::identity::user_for_token(&self.db, subject.tenant_id, subject.user_id)
            .await?
            .ok_or_else(|| AppError::unauthenticated("the token's user does not exist"))?;
        if !user.active {
            return Err(AppError::unauthenticated("this user has been deactivated"));
        }
        Ok(Principal::from_user(&user))
    }
}

/// The principal of an existing user, for operator commands that act on their behalf (the
/// demo seed writes a client's question this way). Crate-private, like [`operator`].
pub(crate) fn acting_as(user: &entity::user::Model) -> Principal {
    Principal::from_user(user)
}

/// A principal for operator commands run from the command line (seeding, provisioning).
/// It acts as an ADMIN of `tenant_id` with no user behind it; audit entries show no actor.
/// Crate-private: only the CLI's own code paths can act as the operator.
pub(crate) fn operator(tenant_id: uuid::Uuid) -> Principal {
    Principal::operator(tenant_id)
}
