//! JWT verification (and signing, for the shared-secret setup the CLI uses).

use crate::config::{JwtConfig, JwtKey};
use crate::error::{AppError, AppResult};
use anyhow::Context;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use uuid::Uuid;

/// The claims Debrief issues.
#[derive(Debug, Serialize)]
struct Claims {
    /// The user's id.
    sub: Uuid,
    /// The user's tenant id.
    tid: Uuid,
    iss: String,
    aud: String,
    iat: i64,
    nbf: i64,
    exp: i64,
}

/// The claims Debrief reads from a token it verifies. `exp`, `nbf`, `iss` and `aud` are
/// checked by the validation itself, so tokens from identity providers that leave out `nbf`
/// or send `aud` as a list are accepted.
#[derive(Debug, Deserialize)]
struct SubjectClaims {
    sub: Uuid,
    tid: Uuid,
    exp: i64,
}

/// Whom a verified token names.
#[derive(Debug, Clone, Copy)]
pub struct TokenSubject {
    /// The user's tenant (the `tid` claim).
    pub tenant_id: Uuid,
    /// The user (the `sub` claim).
    pub user_id: Uuid,
    /// When the token expires (the `exp` claim), in seconds since the Unix epoch.
    pub expires_at: i64,
}

/// Verifies tokens with the one configured algorithm, issuer and audience.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl TokenVerifier {
    /// A verifier for `config`'s key, issuer and audience. Fails on an unusable public key.
    pub fn new(config: &JwtConfig) -> anyhow::Result<Self> {
        let (key, algorithm) = match &config.key {
            JwtKey::Secret(secret) => (DecodingKey::from_secret(secret), Algorithm::HS256),
            JwtKey::PublicKeyPem(pem) => public_key(pem)?,
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        Ok(Self { key, validation })
    }

    /// Whom a valid token names. UNAUTHENTICATED when it is expired, forged or malformed.
    pub fn verify(&self, token: &str) -> AppResult<TokenSubject> {
        let data = jsonwebtoken::decode::<SubjectClaims>(token, &self.key, &self.validation)
            .map_err(|err| AppError::unauthenticated(rejection(err.kind())))?;
        Ok(TokenSubject {
            tenant_id: data.claims.tid,
            user_id: data.claims.sub,
            expires_at: data.claims.exp,
        })
    }
}

fn public_key(pem: &[u8]) -> anyhow::Result<(DecodingKey, Algorithm)> {
    if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
        return Ok((key, Algorithm::RS256));
    }
    let key = DecodingKey::from_ec_pem(pem)
        .context("DEBRIEF_JWT_PUBLIC_KEY_FILE must hold an RSA (RS256) or P-256 (ES256) public key in PEM form")?;
    Ok((key, Algorithm::ES256))
}

fn rejection(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
        ErrorKind::InvalidIssuer => "the token's issuer is not accepted",
        ErrorKind::InvalidAudience => "the token's audience is not accepted",
        ErrorKind::InvalidSignature => "the token's signature is invalid",
        ErrorKind::InvalidAlgorithm => "the token is signed with an algorithm that is not accepted",
        ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
        _ => "the token is malformed",
    }
}

/// Signs HS256 tokens with the shared secret (the `token` command and the demo start-up).
pub struct TokenSigner {
    key: EncodingKey,
    issuer: String,
    audience: String,
}

impl TokenSigner {
    /// Fails when tokens are verified with a public key: those come from an identity provider.
    pub fn new(config: &JwtConfig) -> anyhow::Result<Self> {
        match &config.key {
            JwtKey::Secret(secret) => Ok(Self {
                key: EncodingKey::from_secret(secret),
                issuer: config.issuer.clone(),
                audience: config.audience.clone(),
            }),
            JwtKey::PublicKeyPem(_) => anyhow::bail!(
                "tokens can only be signed with DEBRIEF_JWT_SECRET; with a public key, your identity provider issues them"
            ),
        }
    }

    /// A token for `user_id` of `tenant_id` that expires after `ttl`.
    pub fn sign(&self, tenant_id: Uuid, user_id: Uuid, ttl: Duration) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(ttl.as_secs()).context("the token lifetime is too long")?;
        let claims = Claims {
            sub: user_id,
            tid: tenant_id,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now.saturating_add(ttl),
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.key,
        )?)
    }
}
