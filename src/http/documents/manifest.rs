//! Reading a persisted-document manifest: Relay's (`{ "<sha256>": "<document>" }`, as
//! relay-compiler writes it with `persistConfig.algorithm` `SHA256`) or Apollo's
//! (`{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [...] }`,
//! as `@apollo/generate-persisted-query-manifest` writes it).

use super::DocumentHash;
use anyhow::{Context, anyhow, bail};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// The `format` of Apollo's manifests.
const APOLLO_FORMAT: &str = "apollo-persisted-query-manifest";

/// The documents an operator trusts, each checked against its id and parsed once.
#[derive(Debug, Default)]
pub struct TrustedDocuments {
    documents: HashMap<DocumentHash, Trusted>,
}

/// One trusted document: its text and its parse.
#[derive(Debug)]
pub(in crate::http) struct Trusted {
    pub text: String,
    pub parsed: ExecutableDocument,
}

impl Trusted {
    /// The name of the operation a request with `operation_name` runs: the one named, or the
    /// document's only one. (The parser keeps named operations by name, and an anonymous one
    /// alone.)
    pub fn operation_name(&self, operation_name: Option<&str>) -> Option<String> {
        let DocumentOperations::Multiple(operations) = &self.parsed.operations else {
            return None;
        };
        let mut names = operations.keys();
        let name = match operation_name {
            Some(wanted) => names.find(|name| name.as_str() == wanted),
            None if operations.len() == 1 => names.next(),
            None => None,
        };
        name.map(|name| name.to_string())
    }
}

impl TrustedDocuments {
    /// Reads and checks the manifest at `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the trusted documents {}", path.display()))?;
        Self::from_json(&text)
            .with_context(|| format!("the trusted documents {} are refused", path.display()))
    }

    /// Reads a manifest in either format. Fails when it is neither, when an id is not the
    /// SHA-256 of its document (a stale manifest), or when a document does not parse.
    pub fn from_json(text: &str) -> anyhow::Result<Self> {
        let Value::Object(object) =
            serde_json::from_str(text).map_err(|e| anyhow!("not valid JSON: {e}"))?
        else {
            bail!("a manifest is a JSON object");
        };
        let pairs = match object.get("format") {
            Some(Value::String(format)) if format == APOLLO_FORMAT => apollo(object)?,
            Some(format) => bail!("unknown manifest format {format}; expected `{APOLLO_FORMAT}`"),
            None => relay(object)?,
        };
        let mut documents = HashMap::with_capacity(pairs.len());
        for (id, text) in pairs {
            let (hash, trusted) = check(&id, text)?;
            documents.insert(hash, trusted);
        }
        if documents.is_empty() {
            bail!("the manifest holds no documents");
        }
        Ok(Self { documents })
    }

    /// How many documents are trusted.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether no document is trusted (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    pub(super) fn get(&self, hash: &DocumentHash) -> Option<&Trusted> {
        self.documents.get(hash)
    }
}

/// Relay's manifest: each key the hash of its value.
fn relay(object: Map<String, Value>) -> anyhow::Result<Vec<(String, String)>> {
    object
        .into_iter()
        .map(|(id, text)| match text {
            Value::String(text) => Ok((id, text)),
            _ => Err(anyhow!(
                "the document of `{id}` is not a string (a Relay manifest maps ids to documents)"
            )),
        })
        .collect()
}

#[derive(Deserialize)]
struct ApolloManifest {
    version: u64,
    operations: Vec<ApolloOperation>,
}

#[derive(Deserialize)]
struct ApolloOperation {
    id: String,
    body: String,
}

/// Apollo's manifest, version 1: a list of operations with their ids and bodies.
fn apollo(object: Map<String, Value>) -> anyhow::Result<Vec<(String, String)>> {
    let manifest: ApolloManifest = serde_json::from_value(Value::Object(object))
        .map_err(|e| anyhow!("not an Apollo persisted query manifest: {e}"))?;
    if manifest.version != 1 {
        bail!(
            "Apollo manifest version {} is not supported; expected 1",
            manifest.version
        );
    }
    Ok(manifest
        .operations
        .into_iter()
        .map(|operation| (operation.id, operation.body))
        .collect())
}

/// Checks that `id` is the SHA-256 of `text` and that `text` parses.
fn check(id: &str, text: String) -> anyhow::Result<(DocumentHash, Trusted)> {
    let hash = DocumentHash::parse(id.strip_prefix("sha256:").unwrap_or(id))
        .ok_or_else(|| anyhow!("the id `{id}` is not a SHA-256 (64 hex digits)"))?;
    if DocumentHash::of(&text) != hash {
        bail!(
            "the id `{id}` is not the SHA-256 of its document: the manifest is stale or was \
             hashed another way; regenerate it with SHA-256"
        );
    }
    let parsed = async_graphql::parser::parse_query(&text)
        .map_err(|e| anyhow!("the document `{id}` does not parse: {e}"))?;
    Ok((hash, Trusted { text, parsed }))
}
