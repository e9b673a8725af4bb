//! The integration suite: real HTTP against the real router, real JWTs, a real database.
//!
//! Every test gets its own database: a fresh SQLite file by default, or, with
//! `DEBRIEF_TEST_DATABASE_URL=postgres://…`, a fresh PostgreSQL database created for it and
//! dropped afterwards.

// Tests set up and inspect rows by hand (raw SQL, unscoped inserts): not a request path.
#![allow(clippy::disallowed_methods)]

mod support;

mod api_tokens;
mod auth;
mod batch_rows;
mod browsers;
mod ceiling;
mod cli;
mod client_channel;
mod confidence;
mod connections;
mod cross_tenant;
mod directory;
mod documents;
mod event_writes;
mod events;
mod feedback_pages;
mod field_errors;
mod follow_through;
mod graphiql;
mod hostile;
mod identities;
mod inbox;
mod incident_deletion;
mod incident_lists;
mod incidents;
mod keys;
mod limits;
mod metrics;
mod nodes;
mod notifications;
mod outage;
mod plans;
mod post_mortem;
mod principal_cache;
mod prometheus;
mod rate_limits;
mod readiness;
mod record;
mod reports;
mod response_shape;
mod roles;
mod scheduler;
mod schema;
mod subscriptions;
mod tenant_wall;
mod traces;
mod transport;
mod trusted_documents;
mod verdicts;
mod webhooks;
