//! Incidents: the object, its queries and its mutations.

mod inputs;
mod mutation;
mod object;
mod query;

pub use mutation::IncidentMutation;
pub use object::Incident;
pub use query::IncidentQuery;
