//! Who an event is for: the addresses of the clients it concerns (their contact address and
//! their CLIENT users), or the tenant's ADMIN and EDITOR users, each with the zone their
//! email is written in.

use crate::domain::notification::{self as rules, Audience, Recipient};
use crate::domain::zone;
use crate::error::AppResult;
use crate::repo::scope::Scope;
use chrono_tz::Tz;
use entity::{EventType, Role, client, client_impact, event, feedback, user};
use sea_orm::{ActiveEnum, ColumnTrait, QueryFilter};
use uuid::Uuid;

/// One recipient of one email.
#[derive(Debug, Clone)]
pub struct Addressee {
    pub recipient: Recipient,
    pub address: String,
    /// The client whose copy of the documents the email may quote; `None` for staff.
    pub client_id: Option<Uuid>,
    /// The zone its times are written in: the client's (or the tenant's) for client
    /// recipients, the tenant's for staff.
    pub zone: Tz,
}

impl Scope {
    /// Everyone `event` is for; empty for the types nobody is mailed about.
    pub async fn addressees(&self, event: &event::Model) -> AppResult<Vec<Addressee>> {
        let tenant = self.tenant().await?;
        match rules::audience(event.event_type) {
            Some(Audience::Staff) => {
                let zone = zone::for_reader(&tenant.time_zone, None);
                let staff = self
                    .select::<user::Entity>()
                    .filter(user::Column::Active.eq(true))
                    .filter(
                        user::Column::Role.is_in([Role::Admin.to_value(), Role::Editor.to_value()]),
                    )
                    .all(self.db())
                    .await?;
                Ok(staff
                    .into_iter()
                    .map(|u| Addressee {
                        recipient: Recipient::User(u.id),
                        address: u.email,
                        client_id: None,
                        zone,
                    })
                    .collect())
            }
            Some(Audience::Clients) => {
                let mut all = Vec::new();
                for client in self.clients_concerned(event).await? {
                    let zone = zone::for_reader(&tenant.time_zone, client.time_zone.as_deref());
                    all.extend(self.client_addressees(&client, zone).await?);
                }
                Ok(all)
            }
            None => Ok(Vec::new()),
        }
    }

    /// The clients an event is news to: those a published or reviewed post-mortem's incident
    /// impacted, or the client whose thread staff answered.
    async fn clients_concerned(&self, event: &event::Model) -> AppResult<Vec<client::Model>> {
        let ids: Vec<Uuid> = match (event.event_type, event.incident_id) {
            (EventType::FeedbackReplied, _) => {
                if !self.by_staff(event.actor_id).await? {
                    return Ok(Vec::new());
                }
                self.select::<feedback::Entity>()
                    .filter(feedback::Column::Id.eq(event.subject_id))
                    .one(self.db())
                    .await?
                    .map(|f| f.client_id)
                    .into_iter()
                    .collect()
            }
            (_, Some(incident_id)) => self
                .select::<client_impact::Entity>()
                .filter(client_impact::Column::IncidentId.eq(incident_id))
                .all(self.db())
                .await?
                .into_iter()
                .map(|i| i.client_id)
                .collect(),
            _ => Vec::new(),
        };
        Ok(self
            .select::<client::Entity>()
            .filter(client::Column::Id.is_in(ids))
            .all(self.db())
            .await?)
    }

    /// Whether a change was made by staff: a user who is not a CLIENT, or the operator.
    async fn by_staff(&self, actor_id: Option<Uuid>) -> AppResult<bool> {
        let Some(id) = actor_id else {
            return Ok(true);
        };
        let actor = self
            .select::<user::Entity>()
            .filter(user::Column::Id.eq(id))
            .one(self.db())
            .await?;
        Ok(actor.is_some_and(|u| u.role != Role::Client))
    }

    /// A client's contact address and its active CLIENT users.
    async fn client_addressees(
        &self,
        client: &client::Model,
        zone: Tz,
    ) -> AppResult<Vec<Addressee>> {
        let mut all: Vec<Addressee> = client
            .contact_email
            .iter()
            .filter(|address| !address.trim().is_empty())
            .map(|address| Addressee {
                recipient: Recipient::Client(client.id),
                address: address.clone(),
                client_id: Some(client.id),
                zone,
            })
            .collect();
        let users = self
            .select::<user::Entity>()
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::ClientId.eq(client.id))
            .all(self.db())
            .await?;
        all.extend(users.into_iter().map(|u| Addressee {
            recipient: Recipient::User(u.id),
            address: u.email,
            client_id: Some(client.id),
            zone,
        }));
        Ok(all)
    }
}

impl Scope {
    /// The newest staff reply in a thread: what a client's "question answered" email quotes.
    pub async fn latest_staff_reply(&self, feedback_id: Uuid) -> AppResult<Option<String>> {
        use entity::feedback_reply::{Column as R, Entity};
        use sea_orm::QueryOrder;
        Ok(self
            .select::<Entity>()
            .filter(R::FeedbackId.eq(feedback_id))
            .filter(R::FromStaff.eq(true))
            .order_by_desc(R::CreatedAt)
            .one(self.db())
            .await?
            .map(|r| r.body))
    }
}
