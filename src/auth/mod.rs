//! Authentication: a bearer token is verified, then the users table decides who the caller is
//! and what they may do. Only this module can make a [`Principal`].

mod jwt;
pub mod opaque;
mod principal;

pub use jwt::{TokenSigner, TokenSubject, TokenVerifier};
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
        Ok(self.session(&self.verify(authorization)?).await?.principal)
    }

    /// Verifies the bearer token alone, without reading its user: the first step of
    /// [`Self::authenticate`], for a connection that watches the user before reading it.
    pub fn verify(&self, authorization: Option<&str>) -> AppResult<TokenSubject> {
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
        self.verifier.verify(token)
    }

    /// Loads the user a verified token names, and says when the token expires, for a
    /// connection that must end then (a WebSocket).
    pub async fn session(&self, subject: &TokenSubject) -> AppResult<Session> {
        let principal = self.current(subject.tenant_id, subject.user_id).await?;
        let expires_at = chrono::DateTime::from_timestamp(subject.expires_at, 0)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        Ok(Session {
            principal,
            expires_at,
        })
    }

    /// Whether `principal` still stands as the users table has it now: the same role and
    /// client, and still active. A long-lived connection asks after its user changed.
    pub async fn still_current(&self, principal: &Principal) -> AppResult<bool> {
        let Some(user_id) = principal.user_id() else {
            return Ok(true);
        };
        match self.current(principal.tenant_id(), user_id).await {
            Ok(now) => Ok(now == *principal),
            Err(AppError::Unauthenticated(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// The user's principal as the users table has it now; UNAUTHENTICATED for an unknown
    /// or deactivated user.
    async fn current(&self, tenant_id: uuid::Uuid, user_id: uuid::Uuid) -> AppResult<Principal> {
        let user = repo::identity::user_for_token(&self.db, tenant_id, user_id)
            .await?
            .ok_or_else(|| AppError::unauthenticated("the token's user does not exist"))?;
        if !user.active {
            return Err(AppError::unauthenticated("this user has been deactivated"));
        }
        Ok(Principal::from_user(&user))
    }
}

/// Who a long-lived connection speaks for, and until when.
#[derive(Debug, Clone)]
pub struct Session {
    /// The caller.
    pub principal: Principal,
    /// When the token expires; the connection must end then.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The principal of an existing user, for operator commands that act on their behalf (the
/// demo seed writes a client's question this way). Crate-private, like [`operator`].
pub(crate) fn acting_as(user: &entity::user::Model) -> Principal {
    Principal::from_user(user)
}

/// The reader behind a share link: a CLIENT of `client_id` with no user, who may read what
/// that client's contacts read and nothing else. Crate-private: only a valid link makes one.
pub(crate) fn share_reader(tenant_id: uuid::Uuid, client_id: uuid::Uuid) -> Principal {
    Principal::share_reader(tenant_id, client_id)
}

/// A principal for operator commands run from the command line (seeding, provisioning).
/// It acts as an ADMIN of `tenant_id` with no user behind it; audit entries show no actor.
/// Crate-private: only the CLI's own code paths can act as the operator.
pub(crate) fn operator(tenant_id: uuid::Uuid) -> Principal {
    Principal::operator(tenant_id)
}
