//! Debrief's sea-orm entities: one module per table, and the enums stored in them.
//!
//! Entities are plain storage shapes. Nothing here knows about GraphQL or HTTP; the server
//! wraps these models in its own API types. Every tenant-owned table has `tenant_id` leading
//! its primary key, so a row can only ever be addressed together with its tenant.

pub mod api_token;
pub mod audit_entry;
pub mod client;
pub mod client_impact;
pub mod confidence_rating;
pub mod effectiveness_review;
pub mod effectiveness_verdict;
pub mod email_attempt;
pub mod email_message;
pub mod enums;
pub mod event;
pub mod event_sequence;
pub mod feedback;
pub mod feedback_reply;
pub mod incident;
pub mod incident_service;
pub mod measure_root_cause;
pub mod notification_cursor;
pub mod notification_preference;
pub mod post_mortem;
pub mod prevention_measure;
pub mod root_cause;
pub mod root_cause_service;
pub mod service;
pub mod share_link;
pub mod tenant;
pub mod timeline_event;
pub mod unsubscribe_token;
pub mod user;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_endpoint;

pub use email_message::EmailStatus;
pub use enums::{
    BlamelessPolicy, ConfidencePhase, DeliveryStatus, Effectiveness, EventType, FeedbackKind,
    FeedbackStatus, ImpactLevel, IncidentStatus, MeasureKind, MeasureStatus, PostMortemStatus,
    Role, RootCauseCategory, RootCauseKind, Severity, TimelineEventKind, Visibility,
};
pub use notification_preference::NotificationMode;
