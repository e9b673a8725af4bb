//! Email notifications: each recipient's preference and the unsubscribe links that turn it
//! off ([`preferences`]), who an event is for ([`recipients`]), and the outbox the workers
//! drain ([`outbox`]).

pub mod outbox;
pub mod preferences;
pub mod recipients;
