//! `rateLimit`: the caller's budget as this request left it, as GitHub's API reports it.

use crate::domain::rate_limit::Admission;
use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// The rate-limit budget that binds the caller (their own, or their tenant's when that has
/// fewer points left), after this request was charged. `docs/OPERATIONS.md` gives the cost
/// formula.
#[derive(SimpleObject)]
pub struct RateLimit {
    /// What this request cost, in points.
    cost: u64,
    /// The points the budget holds when full.
    limit: u64,
    /// The points left after this request.
    remaining: u64,
    /// The points spent and not yet restored.
    used: u64,
    /// When the budget is full again; it refills evenly over its window.
    reset_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct RateLimitQuery;

#[Object]
impl RateLimitQuery {
    /// The caller's rate-limit budget after this request; null when the server enforces no
    /// budget.
    async fn rate_limit(&self, ctx: &Context<'_>) -> Option<RateLimit> {
        let admission = ctx.data_opt::<Admission>()?;
        let limit = u64::from(admission.budget.points);
        let remaining = admission.remaining();
        Some(RateLimit {
            cost: admission.cost,
            limit,
            remaining,
            used: limit.saturating_sub(remaining),
            reset_at: admission.reset_at(),
        })
    }
}
