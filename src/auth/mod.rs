//! Authentication: a bearer token is verified, then the users table (for a JWT) or the
//! service tokens table (for a `dbt_` token) decides who the caller is and what they may do.
//! Only this module can make a [`Principal`].

mod jwt;
pub mod opaque;
mod principal;
mod principals;
pub mod service_token;

pub use jwt::{TokenSigner, TokenSubject, TokenVerifier};
pub use principal::Principal;
pub use principals::PrincipalCache;

use crate::domain::{api_token, time};
use crate::error::{AppError, AppResult};
use crate::repo::{self, Grouping, Scope, TenantConnection};
use sea_orm::DatabaseConnection;
use service_token::Presented;

/// A bearer token, checked as far as it can be without the database.
#[derive(Debug, Clone)]
pub enum Bearer {
    /// A JWT with a valid signature, naming a user.
    User(TokenSubject),
    /// A well-formed service token.
    Service(Presented),
}

impl Bearer {
    /// The tenant the token names.
    pub fn tenant_id(&self) -> uuid::Uuid {
        match self {
            Self::User(subject) => subject.tenant_id,
            Self::Service(presented) => presented.tenant_id,
        }
    }

    /// The user a JWT names; `None` for a service token, whose row is known only once read.
    pub fn user_id(&self) -> Option<uuid::Uuid> {
        match self {
            Self::User(subject) => Some(subject.user_id),
            Self::Service(_) => None,
        }
    }
}

/// Turns an `Authorization` header into a [`Principal`].
#[derive(Clone)]
pub struct Authenticator {
    verifier: TokenVerifier,
    db: DatabaseConnection,
    principals: Option<PrincipalCache>,
}

impl Authenticator {
    /// Verifies tokens with `verifier` and looks their users up in `db`.
    pub fn new(verifier: TokenVerifier, db: DatabaseConnection) -> Self {
        Self {
            verifier,
            db,
            principals: None,
        }
    }

    /// Serves users from `principals`, when given and holding them, instead of reading them
    /// again.
    pub fn with_principal_cache(self, principals: Option<PrincipalCache>) -> Self {
        Self { principals, ..self }
    }

    /// Verifies the bearer token and loads the user or service token it names, and returns
    /// the caller's scope for one request, whose transaction the look-up began. A missing,
    /// bad or expired token, an unknown user, a deactivated user and an unknown, revoked or
    /// expired service token are all UNAUTHENTICATED.
    pub async fn authenticate(&self, authorization: Option<&str>) -> AppResult<Scope> {
        let bearer = self.verify(authorization)?;
        self.authenticate_bearer(&bearer).await
    }

    /// The scope of a bearer already verified: its user or token looked up, like
    /// [`Self::authenticate`], on the request's connection.
    pub async fn authenticate_bearer(&self, bearer: &Bearer) -> AppResult<Scope> {
        let db = self.connection(bearer.tenant_id(), Grouping::Request);
        let principal = match (bearer, &self.principals) {
            (Bearer::User(subject), Some(cache)) => {
                if let Some(principal) = cache.get(subject.tenant_id, subject.user_id) {
                    return Ok(Scope::on(db, principal));
                }
                let epoch = cache.epoch();
                let principal = current(&db, subject.user_id).await?;
                cache.insert(epoch, &principal);
                principal
            }
            _ => self.session_on(&db, bearer).await?.principal,
        };
        Ok(Scope::on(db, principal))
    }

    fn connection(&self, tenant_id: uuid::Uuid, grouping: Grouping) -> TenantConnection {
        TenantConnection::new(self.db.clone(), tenant_id, grouping)
    }

    /// Verifies the bearer token alone, without reading its user or row: the first step of
    /// [`Self::authenticate`], for a connection that watches the user before reading it.
    pub fn verify(&self, authorization: Option<&str>) -> AppResult<Bearer> {
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
        if service_token::is_service_token(token) {
            return service_token::parse(token).map(Bearer::Service);
        }
        self.verifier.verify(token).map(Bearer::User)
    }

    /// Loads the user or service token a verified bearer names, and says when it expires,
    /// for a connection that must end then (a WebSocket).
    pub async fn session(&self, bearer: &Bearer) -> AppResult<Session> {
        let db = self.connection(bearer.tenant_id(), Grouping::EachStatement);
        self.session_on(&db, bearer).await
    }

    async fn session_on(&self, db: &TenantConnection, bearer: &Bearer) -> AppResult<Session> {
        match bearer {
            Bearer::User(subject) => {
                let principal = current(db, subject.user_id).await?;
                let expires_at = chrono::DateTime::from_timestamp(subject.expires_at, 0)
                    .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
                Ok(Session {
                    principal,
                    expires_at,
                })
            }
            Bearer::Service(presented) => service_session(db, presented).await,
        }
    }

    /// Whether `principal` still stands: for a user, the same role and client as the users
    /// table has them now, and still active; for a service token, neither revoked nor
    /// expired. A long-lived connection asks after its user or token changed.
    pub async fn still_current(&self, principal: &Principal) -> AppResult<bool> {
        let db = self.connection(principal.tenant_id(), Grouping::EachStatement);
        if let Some(token_id) = principal.api_token_id() {
            let token = repo::identity::api_token_by_id(&db, token_id).await?;
            return Ok(token.is_some_and(|token| api_token::refusal(&token, time::now()).is_none()));
        }
        let Some(user_id) = principal.user_id() else {
            return Ok(true);
        };
        match current(&db, user_id).await {
            Ok(now) => Ok(now == *principal),
            Err(AppError::Unauthenticated(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }
}

/// The user's principal as the users table has it now; UNAUTHENTICATED for an unknown
/// or deactivated user.
async fn current(db: &TenantConnection, user_id: uuid::Uuid) -> AppResult<Principal> {
    let user = repo::identity::user_for_token(db, user_id)
        .await?
        .ok_or_else(|| AppError::unauthenticated("the token's user does not exist"))?;
    if !user.active {
        return Err(AppError::unauthenticated("this user has been deactivated"));
    }
    Ok(Principal::from_user(&user))
}

/// The session of a presented service token: its row must exist, unrevoked and
/// unexpired. Its use is written down at most once a minute
/// ([`api_token::USE_RECORDED_EVERY`]).
async fn service_session(db: &TenantConnection, presented: &Presented) -> AppResult<Session> {
    let token = repo::identity::api_token_by_hash(db, &presented.hash)
        .await?
        .ok_or_else(|| AppError::unauthenticated("the service token is not recognised"))?;
    let now = time::now();
    if let Some(refusal) = api_token::refusal(&token, now) {
        return Err(AppError::unauthenticated(refusal));
    }
    if api_token::use_worth_recording(token.last_used_at, now) {
        // Recording the use is bookkeeping: a busy database must not refuse the caller.
        if let Err(error) = repo::identity::record_api_token_use(db, &token, now).await {
            tracing::warn!(%error, "could not record a service token's use");
        }
    }
    Ok(Session {
        principal: Principal::from_api_token(&token),
        expires_at: token.expires_at,
    })
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
