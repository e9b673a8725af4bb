//! Debrief: a multi-tenant GraphQL backend for blameless post-mortem conversations with clients.
//!
//! Layers, each importing only those below it:
//! `commands` (CLI verbs) → `http` (transport) → `graphql` (API types) → `repo` (storage,
//! tenant-scoped) and `auth` (principals) → `domain` (pure rules) → the `entity` crate.

pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod live;
pub mod notifications;
pub mod repo;
pub mod seed;
pub mod telemetry;
pub mod webhooks;
pub mod worker;
