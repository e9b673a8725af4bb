//! Rate limits, as GitHub's and Shopify's GraphQL APIs keep them: every request costs points
//! (computed from its document before it runs), and each caller and each tenant has a budget
//! of points that refills evenly over a window, a token bucket. A request runs only when both
//! of its budgets hold its cost; one that does not is refused and costs nothing.
//! `docs/OPERATIONS.md` gives the formula and the headers.

use chrono::{DateTime, Utc};
use std::time::Duration;
use uuid::Uuid;

/// The most points one operation may cost: a document over it is refused before it runs.
pub const MAX_QUERY_COST: u64 = 1_000;

/// What one mutation costs, whatever it selects.
pub const MUTATION_COST: u64 = 5;

/// Connection items one point pays for: the cost of a query is the requests its connections
/// need, divided by this.
pub const REQUESTS_PER_POINT: u64 = 100;

/// The default budget of one caller: 5,000 points an hour, as GitHub gives.
pub const DEFAULT_USER_POINTS: u32 = 5_000;

/// The default budget of one tenant, shared by all its callers.
pub const DEFAULT_TENANT_POINTS: u32 = 25_000;

/// The default window a budget refills over.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(3_600);

/// A budget standing in for "no limit" when only one of the two is configured: no request
/// can cost this much.
const UNLIMITED_POINTS: f64 = 1e15;

/// `points` that refill evenly over `window`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    pub points: u32,
    pub window: Duration,
}

impl Budget {
    /// Points restored per second.
    pub fn restore_rate(&self) -> f64 {
        f64::from(self.points) / self.window.as_secs_f64().max(1e-6)
    }
}

/// The budgets requests are charged to; `None` turns that budget off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budgets {
    pub per_caller: Option<Budget>,
    pub per_tenant: Option<Budget>,
}

impl Default for Budgets {
    fn default() -> Self {
        Self {
            per_caller: Some(Budget {
                points: DEFAULT_USER_POINTS,
                window: DEFAULT_WINDOW,
            }),
            per_tenant: Some(Budget {
                points: DEFAULT_TENANT_POINTS,
                window: DEFAULT_WINDOW,
            }),
        }
    }
}

/// Who a request is charged to besides its tenant: a user, or a service token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    User(Uuid),
    ServiceToken(Uuid),
}

/// One bucket of a charge: its key in storage, capacity and refill.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub key: String,
    pub capacity: f64,
    pub restore_per_microsecond: f64,
    /// The budget behind the bucket; `None` for one standing in for a budget turned off.
    pub budget: Option<Budget>,
}

/// A request's charge: its cost to the tenant's bucket and the caller's, at `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    pub cost: u64,
    pub at: DateTime<Utc>,
    pub tenant: Bucket,
    pub caller: Bucket,
}

impl Budgets {
    /// Whether any budget is on.
    pub fn enabled(&self) -> bool {
        self.per_caller.is_some() || self.per_tenant.is_some()
    }

    /// The charge of a request of `cost` by `caller`, or `None` when every budget is off.
    pub fn charge(&self, caller: Caller, cost: u64, at: DateTime<Utc>) -> Option<Charge> {
        if !self.enabled() {
            return None;
        }
        let caller_key = match caller {
            Caller::User(id) => format!("user:{id}"),
            Caller::ServiceToken(id) => format!("token:{id}"),
        };
        Some(Charge {
            cost,
            at,
            tenant: bucket("tenant".to_owned(), self.per_tenant),
            caller: bucket(caller_key, self.per_caller),
        })
    }
}

fn bucket(key: String, budget: Option<Budget>) -> Bucket {
    let (capacity, restore_per_microsecond) = match budget {
        Some(budget) => (f64::from(budget.points), budget.restore_rate() / 1e6),
        None => (UNLIMITED_POINTS, 0.0),
    };
    Bucket {
        key,
        capacity,
        restore_per_microsecond,
        budget,
    }
}

/// What a bucket held after a charge, and whether it paid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub available: f64,
    pub accepted: bool,
}

/// The outcome of a charge: whether the request may run, and the figures the caller is
/// told about the budget that binds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Admission {
    pub cost: u64,
    pub accepted: bool,
    /// The budget that binds: the one that refused, else the one with fewer points left.
    pub budget: Budget,
    /// `tenant` or `caller`, for the headers' policy names.
    pub policy: &'static str,
    pub available: f64,
    pub at: DateTime<Utc>,
}

impl Admission {
    /// Decides a charge from what its buckets held afterwards.
    pub fn decide(charge: &Charge, tenant: Level, caller: Level) -> Self {
        let accepted = tenant.accepted && caller.accepted;
        let candidates = [
            ("tenant", charge.tenant.budget, tenant),
            ("caller", charge.caller.budget, caller),
        ];
        let binding = candidates
            .iter()
            .filter_map(|(name, budget, level)| budget.map(|b| (*name, b, *level)))
            .min_by(|a, b| {
                let refused = |l: &Level| !accepted && !l.accepted;
                refused(&b.2)
                    .cmp(&refused(&a.2))
                    .then(a.2.available.total_cmp(&b.2.available))
            });
        let (policy, budget, level) = binding.unwrap_or((
            "caller",
            Budget {
                points: 0,
                window: DEFAULT_WINDOW,
            },
            caller,
        ));
        Self {
            cost: charge.cost,
            accepted,
            budget,
            policy,
            available: level.available,
            at: charge.at,
        }
    }

    /// Whole points left in the binding budget.
    pub fn remaining(&self) -> u64 {
        self.available.max(0.0).floor() as u64
    }

    /// When the binding budget is full again.
    pub fn reset_at(&self) -> DateTime<Utc> {
        self.at + self.seconds_until(f64::from(self.budget.points))
    }

    /// How long until the binding budget holds this request's cost again: zero for a request
    /// that was accepted.
    pub fn retry_after(&self) -> Duration {
        if self.accepted {
            return Duration::ZERO;
        }
        let wait = self.seconds_until(self.cost as f64);
        Duration::from_secs(wait.num_seconds().max(1) as u64)
    }

    /// The time until the binding budget holds `points`, rounded up to whole seconds.
    fn seconds_until(&self, points: f64) -> chrono::TimeDelta {
        let missing = (points - self.available).max(0.0);
        let seconds = (missing / self.budget.restore_rate()).ceil();
        chrono::TimeDelta::seconds(seconds.min(i64::MAX as f64 / 2.0) as i64)
    }
}

/// The cost of a query that needs `requests` connection requests, GitHub's way: a hundredth
/// of them, rounded to the nearest point, at least one.
pub fn query_cost(requests: u64) -> u64 {
    ((requests + REQUESTS_PER_POINT / 2) / REQUESTS_PER_POINT).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(budgets: Budgets, cost: u64) -> Charge {
        budgets
            .charge(Caller::User(Uuid::nil()), cost, DateTime::UNIX_EPOCH)
            .expect("budgets are on")
    }

    fn level(available: f64, accepted: bool) -> Level {
        Level {
            available,
            accepted,
        }
    }

    #[test]
    fn the_query_cost_is_a_hundredth_of_the_requests_rounded_at_least_one() {
        assert_eq!(query_cost(0), 1);
        assert_eq!(query_cost(1), 1);
        assert_eq!(query_cost(149), 1);
        assert_eq!(query_cost(150), 2);
        assert_eq!(query_cost(5_101), 51);
    }

    #[test]
    fn a_refused_request_is_bound_by_the_budget_that_refused_it() {
        let charge = charge(Budgets::default(), 10);
        let admission = Admission::decide(&charge, level(3.0, false), level(4_000.0, true));
        assert!(!admission.accepted);
        assert_eq!(admission.policy, "tenant");
        assert_eq!(admission.remaining(), 3);
        // 7 points missing at 25,000 an hour: 1.008 s, rounded up.
        assert_eq!(admission.retry_after(), Duration::from_secs(2));
    }

    #[test]
    fn an_accepted_request_reports_the_budget_with_fewer_points_left() {
        let charge = charge(Budgets::default(), 1);
        let admission = Admission::decide(&charge, level(24_000.0, true), level(4_999.0, true));
        assert!(admission.accepted);
        assert_eq!(admission.policy, "caller");
        assert_eq!(admission.budget.points, DEFAULT_USER_POINTS);
        assert_eq!(admission.retry_after(), Duration::ZERO);
        // One point missing at 5,000 an hour: 0.72 s, rounded up.
        assert_eq!(
            admission.reset_at(),
            DateTime::UNIX_EPOCH + chrono::TimeDelta::seconds(1)
        );
    }

    #[test]
    fn a_budget_turned_off_never_binds() {
        let budgets = Budgets {
            per_tenant: None,
            ..Budgets::default()
        };
        let charge = charge(budgets, 1);
        assert_eq!(charge.tenant.budget, None);
        let admission = Admission::decide(&charge, level(1e15, true), level(4_999.0, true));
        assert_eq!(admission.policy, "caller");
        let off = Budgets {
            per_caller: None,
            per_tenant: None,
        };
        assert!(
            off.charge(Caller::User(Uuid::nil()), 1, DateTime::UNIX_EPOCH)
                .is_none()
        );
    }
}
