//! The GraphQL schema: one module per aggregate, each with its objects, inputs, payloads,
//! queries and mutations, merged into the root types here.

mod api_tokens;
mod audit;
pub mod connection;
pub mod context;
mod cursor;
mod directory;
mod enums;
pub mod errors;
mod events;
pub(crate) mod ids;
mod incidents;
pub mod limits;

mod loaders;
mod metrics;
mod node;
mod notifications;
mod payload;
mod rate_limit;
mod record;
pub mod response;
mod scalars;
mod subscriptions;
mod viewer;
mod webhooks;

use async_graphql::{MergedObject, SDLExportOptions, Schema};

pub use subscriptions::SubscriptionRoot as Subscription;

pub use limits::{MAX_ALIASES, MAX_DEPTH, MAX_NESTING, MAX_ROOT_FIELDS};

/// Operations costing more than this are refused; a connection costs `first × child`.
pub const MAX_COMPLEXITY: usize = 10_000;

/// Every query field.
#[derive(MergedObject, Default)]
pub struct Query(
    viewer::ViewerQuery,
    node::NodeQuery,
    incidents::IncidentQuery,
    directory::user::UserQuery,
    directory::client::ClientQuery,
    directory::service::ServiceQuery,
    audit::AuditQuery,
    metrics::MetricsQuery,
    record::inbox::InboxQuery,
    events::EventQuery,
    webhooks::WebhookQuery,
    api_tokens::ApiTokenQuery,
    rate_limit::RateLimitQuery,
);

/// Every mutation field.
#[derive(MergedObject, Default)]
pub struct Mutation(
    directory::tenant::TenantMutation,
    directory::user::UserMutation,
    directory::client::ClientMutation,
    directory::service::ServiceMutation,
    incidents::IncidentMutation,
    record::timeline::TimelineMutation,
    record::root_cause::RootCauseMutation,
    record::impact::ImpactMutation,
    record::post_mortem_mutation::PostMortemMutation,
    record::measure::MeasureMutation,
    record::feedback::FeedbackMutation,
    record::review::ReviewMutation,
    record::verdict::VerdictMutation,
    record::confidence::ConfidenceMutation,
    webhooks::mutations::WebhookMutation,
    record::share_link::ShareLinkMutation,
    api_tokens::ApiTokenMutation,
    notifications::NotificationMutation,
);

pub type DebriefSchema = Schema<Query, Mutation, Subscription>;

/// Switches that differ between development and production.
#[derive(Debug, Clone)]
pub struct SchemaOptions {
    /// "Did you mean …?" hints in validation errors (development only).
    pub suggestions: bool,
    /// How many feedback threads a client contact may open per hour.
    pub feedback_per_hour: u32,
    /// Which destinations webhook endpoints may have.
    pub webhook_addresses: crate::domain::webhook::AddressPolicy,
    /// The server's public base URL, which share links point at.
    pub public_url: url::Url,
}

/// Builds the schema with its depth and complexity limits. Needs no database. The error
/// policy and the operation limits are applied around execution by the HTTP layer
/// ([`errors::police`], [`limits::check`]).
pub fn build(options: SchemaOptions) -> DebriefSchema {
    builder(options)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// What measures the cost of operations the schema refused as too complex: the same schema
/// without the limit, stopping after validation ([`limits::CostMeter`]).
pub fn cost_meter(options: SchemaOptions) -> limits::CostMeter {
    limits::CostMeter::new(builder(options).extension(limits::Measure).finish())
}

fn builder(options: SchemaOptions) -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(Query::default(), Mutation::default(), Subscription)
        .limit_recursive_depth(MAX_NESTING)
        .data(record::feedback::FeedbackRateLimit(
            options.feedback_per_hour,
        ))
        .data(options.webhook_addresses)
        .data(record::share_link::SharePages(options.public_url));
    if options.suggestions {
        builder
    } else {
        builder.disable_suggestions()
    }
}

/// The schema as SDL, with sorted fields: the text of `schema.graphql`.
pub fn sdl() -> String {
    build(SchemaOptions {
        suggestions: false,
        feedback_per_hour: 30,
        webhook_addresses: Default::default(),
        public_url: crate::config::default_public_url(),
    })
    .sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items()
            .include_specified_by(),
    )
}
