//! Webhooks: the endpoints ADMIN manages ([`endpoints`]), the deliveries they are owed and
//! their attempts ([`deliveries`]), and the outbox the workers drain ([`outbox`]).

pub mod deliveries;
pub mod endpoints;
pub mod outbox;

/// A message as it goes on the wire: its `webhook-id`, its `type`, and its JSON body.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub message_type: String,
    pub body: String,
}
