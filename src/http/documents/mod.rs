//! Persisted documents: the operator's trusted documents (a Relay or Apollo manifest), named
//! by `documentId: "sha256:<hex>"` or Apollo's `extensions.persistedQuery`, and automatic
//! persisted queries (APQ) for the roles not bound to the manifest.
//!
//! A request's document is found before authentication ([`Documents::find`]: no SQL, so an
//! unknown hash costs nothing), and admitted once the caller's role is known
//! ([`Documents::admit`]), before the operation is prepared.

mod manifest;
mod registered;

pub use manifest::TrustedDocuments;

use crate::error::ErrorCode;
use crate::graphql::errors::set_code;
use async_graphql::ServerError;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use entity::Role;
use manifest::Trusted;
use registered::Registered;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The message of PERSISTED_QUERY_NOT_FOUND, which Apollo Client's persisted-query link
/// recognises (as it does the code) and answers by sending the text.
pub const NOT_FOUND_MESSAGE: &str = "PersistedQueryNotFound";

/// A document's SHA-256, as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentHash(String);

impl DocumentHash {
    /// The SHA-256 of `text`.
    pub fn of(text: &str) -> Self {
        let digest = Sha256::digest(text.as_bytes());
        Self(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// Reads 64 hex digits, in either case.
    pub fn parse(hex: &str) -> Option<Self> {
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(hex.to_ascii_lowercase()))
    }
}

/// How a request names the document it runs.
#[derive(Debug)]
pub enum DocumentRef {
    /// `query`: the text itself.
    Text(String),
    /// `documentId: "sha256:<hex>"`: a trusted document.
    Id(DocumentHash),
    /// `extensions.persistedQuery.sha256Hash`: a trusted document or a registered text,
    /// with the text (checked to match the hash) when the client registers it.
    Persisted {
        hash: DocumentHash,
        text: Option<String>,
    },
}

/// The trusted documents, the registered texts, and the roles bound to the former.
#[derive(Default)]
pub struct Documents {
    trusted: TrustedDocuments,
    registered: Registered,
    required: Vec<Role>,
}

/// A request's document, found but not yet admitted for the caller.
pub(super) enum Found<'a> {
    Trusted(&'a Trusted),
    Registered(Arc<str>),
    /// A text sent with its (checked) hash, to keep once admitted.
    Registering(DocumentHash, String),
    Text(String),
}

/// The document an admitted request runs.
pub struct Resolved {
    /// Its text.
    pub query: String,
    /// Its parse, for a trusted document (parsed at start-up); otherwise the text is parsed
    /// when the operation is prepared.
    pub parsed: Option<ExecutableDocument>,
    /// The name of the operation run, when the document is a trusted one: a name from the
    /// operator's manifest, so a bounded set (metrics may label by it).
    pub trusted_name: Option<String>,
}

impl Documents {
    /// Serves `trusted`, and binds the `required` roles to it.
    pub fn new(trusted: TrustedDocuments, required: Vec<Role>) -> Self {
        Self {
            trusted,
            registered: Registered::default(),
            required,
        }
    }

    /// Finds the document `reference` names; PERSISTED_QUERY_NOT_FOUND for a hash neither
    /// trusted nor registered.
    pub(super) fn find(&self, reference: DocumentRef) -> Result<Found<'_>, ServerError> {
        match reference {
            DocumentRef::Text(text) => Ok(Found::Text(text)),
            DocumentRef::Id(hash) => self
                .trusted
                .get(&hash)
                .map(Found::Trusted)
                .ok_or_else(not_found),
            DocumentRef::Persisted { hash, text } => {
                if let Some(trusted) = self.trusted.get(&hash) {
                    return Ok(Found::Trusted(trusted));
                }
                match text {
                    Some(text) => Ok(Found::Registering(hash, text)),
                    None => self
                        .registered
                        .get(&hash)
                        .map(Found::Registered)
                        .ok_or_else(not_found),
                }
            }
        }
    }

    /// Lets a caller of `role` run `found` (keeping a text sent to register it), unless the
    /// role may run trusted documents only: TRUSTED_DOCUMENT_REQUIRED.
    pub(super) fn admit(
        &self,
        found: Found<'_>,
        role: Role,
        operation_name: Option<&str>,
    ) -> Result<Resolved, ServerError> {
        if !matches!(found, Found::Trusted(_)) && self.required.contains(&role) {
            return Err(refusal(
                ErrorCode::TrustedDocumentRequired,
                &format!(
                    "a {} may run trusted documents only: send the `documentId` of a document \
                     of the server's manifest",
                    sea_orm::ActiveEnum::to_value(&role)
                ),
            ));
        }
        let (query, parsed, trusted_name) = match found {
            Found::Trusted(trusted) => (
                trusted.text.clone(),
                Some(trusted.parsed.clone()),
                trusted.operation_name(operation_name),
            ),
            Found::Registered(text) => (text.to_string(), None, None),
            Found::Registering(hash, text) => {
                self.registered.register(hash, &text);
                (text, None, None)
            }
            Found::Text(text) => (text, None, None),
        };
        Ok(Resolved {
            query,
            parsed,
            trusted_name,
        })
    }
}

impl Found<'_> {
    /// The document's parse: the one made at start-up for a trusted document, else its text
    /// parsed now; `None` when it does not parse (the engine reports why).
    pub fn parse(&self) -> Option<ExecutableDocument> {
        let text = match self {
            Self::Trusted(trusted) => return Some(trusted.parsed.clone()),
            Self::Registered(text) => &**text,
            Self::Registering(_, text) | Self::Text(text) => text.as_str(),
        };
        async_graphql::parser::parse_query(text).ok()
    }

    /// Whether the operation a request with `operation_name` would run is a mutation.
    pub fn is_mutation(&self, operation_name: Option<&str>) -> bool {
        let text = match self {
            Self::Trusted(trusted) => {
                return operation_type(&trusted.parsed, operation_name)
                    == Some(OperationType::Mutation);
            }
            Self::Registered(text) => &**text,
            Self::Registering(_, text) | Self::Text(text) => text.as_str(),
        };
        async_graphql::parser::parse_query(text).is_ok_and(|document| {
            operation_type(&document, operation_name) == Some(OperationType::Mutation)
        })
    }
}

/// The type of the operation `document` runs for `operation_name`, if it names one.
fn operation_type(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    crate::graphql::response::operation(document, operation_name).map(|operation| operation.ty)
}

fn not_found() -> ServerError {
    refusal(ErrorCode::PersistedQueryNotFound, NOT_FOUND_MESSAGE)
}

fn refusal(code: ErrorCode, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    set_code(&mut error, code);
    error
}

#[cfg(test)]
mod tests;
