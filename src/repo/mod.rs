//! The only layer that touches sea-orm. Every query on tenant data starts from a [`Scope`]:
//! the tenant and the caller, taken from the verified principal. Write methods live on
//! [`Writer`] and [`Admin`], handles that only a principal with the right role can obtain.

pub mod api_tokens;
mod audit;
pub mod batch;
pub mod clients;
pub mod confidence;
pub mod db;
mod deadlines;
mod directory;
mod document;
pub mod events;
pub mod feedback;
pub mod feedback_inbox;
mod follow_up;
mod grouping;
pub mod identity;
pub mod impacts;
pub mod incidents;
mod links;
pub mod measures;
pub mod metrics;
pub mod migrations;
pub mod notifications;
pub mod outcome;
pub mod page;
pub mod post_mortems;
pub mod publication;
pub mod rate_limits;
mod readiness;
pub mod recurrences;
pub mod reviews;
pub mod root_causes;
mod scope;
pub mod services;
pub mod share_links;
pub mod signatures;
pub mod tenant_connection;
mod tenant_sql;
pub mod tenants;
pub mod timeline;
mod timeline_window;
mod unique;
pub mod users;
pub mod verdicts;
pub mod webhooks;
mod write;

pub use audit::AuditFilter;
pub use outcome::{Outcome, WriteError};
pub use page::{DEFAULT_PAGE_SIZE, Direction, Key, KeyValue, Page, PageRequest};
pub use scope::{Admin, Scope, Writer};
pub use tenant_connection::{Grouping, TenantConnection};
