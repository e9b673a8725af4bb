//! What each email says. A client's email is written from that client's own copy of the
//! documents, read as a reader of that client (the share-link reader), so it can hold
//! nothing another client or staff alone may read; a staff email holds references, titles
//! and times only.

use crate::auth;
use crate::domain::document;
use crate::domain::follow_up;
use crate::domain::notification::{self as rules, Notice};
use crate::domain::{incident, zone};
use crate::error::{AppError, AppResult};
use crate::repo::Scope;
use crate::repo::notifications::recipients::Addressee;
use chrono::{DateTime, Utc};
use entity::{EmailStatus, EventType, NotificationMode, email_message, event};
use sea_orm::DatabaseConnection;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

/// The messages `event` owes its recipients, as queued at `now`: none for an event nobody
/// is mailed about, or older than [`rules::MAX_AGE`]; none for a recipient who turned
/// notifications off; held for the digest for one who chose DAILY_DIGEST.
pub async fn messages_for(
    db: &DatabaseConnection,
    scope: &Scope,
    event: &event::Model,
    now: DateTime<Utc>,
    digest_period: Duration,
) -> AppResult<Vec<email_message::Model>> {
    if rules::audience(event.event_type).is_none() || now - event.occurred_at > rules::MAX_AGE {
        return Ok(Vec::new());
    }
    let mut seen = HashSet::new();
    let addressees: Vec<Addressee> = scope
        .addressees(event)
        .await?
        .into_iter()
        .filter(|a| seen.insert(a.address.trim().to_lowercase()))
        .collect();
    let recipients: Vec<_> = addressees.iter().map(|a| a.recipient).collect();
    let modes = scope.notification_modes(&recipients).await?;
    let mut notices: HashMap<Option<Uuid>, Option<Notice>> = HashMap::new();
    let mut rows = Vec::new();
    for addressee in addressees {
        let mode = modes
            .get(&addressee.recipient)
            .copied()
            .unwrap_or(NotificationMode::Immediate);
        if mode == NotificationMode::Off {
            continue;
        }
        if let Entry::Vacant(slot) = notices.entry(addressee.client_id) {
            slot.insert(notice(db, scope, event, &addressee).await?);
        }
        let Some(Some(notice)) = notices.get(&addressee.client_id) else {
            continue;
        };
        let digest = mode == NotificationMode::DailyDigest;
        rows.push(email_message::Model {
            tenant_id: event.tenant_id,
            id: Uuid::now_v7(),
            event_id: Some(event.id),
            position: event.position,
            recipient: addressee.recipient.key(),
            address: addressee.address,
            kind: sea_orm::ActiveEnum::to_value(&event.event_type),
            subject: notice.subject.clone(),
            text_body: notice.text.clone(),
            html_body: notice.html.clone(),
            digest_due_at: digest.then(|| rules::digest_due_at(now, digest_period)),
            digest_id: None,
            status: if digest {
                EmailStatus::Queued
            } else {
                EmailStatus::Pending
            },
            attempt_count: 0,
            failures: 0,
            next_attempt_at: (!digest).then_some(now),
            created_at: now,
            updated_at: now,
        });
    }
    Ok(rows)
}

/// What `addressee` is told of `event`; `None` when there is nothing they may be shown (a
/// post-mortem taken back to draft since, a client no longer impacted).
async fn notice(
    db: &DatabaseConnection,
    scope: &Scope,
    event: &event::Model,
    addressee: &Addressee,
) -> AppResult<Option<Notice>> {
    let result = match addressee.client_id {
        Some(client_id) => {
            let reader =
                Scope::background(db.clone(), auth::share_reader(event.tenant_id, client_id));
            client_notice(&reader, event).await
        }
        None => staff_notice(scope, event, addressee).await,
    };
    match result {
        Err(AppError::NotFound(_)) => Ok(None),
        other => other,
    }
}

async fn client_notice(reader: &Scope, event: &event::Model) -> AppResult<Option<Notice>> {
    let Some(incident_id) = event.incident_id else {
        return Ok(None);
    };
    let client = reader.document_reader(incident_id, None).await?;
    let summary = reader
        .document_snapshot(incident_id, client.as_ref())
        .await?;
    let provider = summary.presentation.provider.clone();
    let headline = rules::headline(&summary.reference, &summary.title);
    let notice = match event.event_type {
        EventType::PostMortemPublished => rules::client_notice(
            &provider,
            "Post-mortem published",
            &headline,
            &format!("{provider} has published the post-mortem of {headline}. Here is your copy."),
            &document::markdown(&summary),
        ),
        EventType::PostMortemReviewed => {
            let report = reader
                .follow_up_snapshot(incident_id, client.as_ref())
                .await?;
            rules::client_notice(
                &provider,
                "Follow-up report ready",
                &headline,
                &format!(
                    "{provider} has reviewed how well the measures for {headline} worked. Here is what we implemented."
                ),
                &follow_up::markdown(&report),
            )
        }
        EventType::FeedbackReplied => {
            let reply = reader
                .latest_staff_reply(event.subject_id)
                .await?
                .unwrap_or_default();
            let quoted: String = reply.lines().map(|l| format!("> {l}\n")).collect();
            rules::client_notice(
                &provider,
                "Your question was answered",
                &headline,
                &format!("{provider} answered your question about {headline}:"),
                &quoted,
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(notice))
}

async fn staff_notice(
    scope: &Scope,
    event: &event::Model,
    addressee: &Addressee,
) -> AppResult<Option<Notice>> {
    let Some(incident_id) = event.incident_id else {
        return Ok(None);
    };
    let incident = scope.incident(incident_id).await?;
    let headline = rules::headline(&incident::reference(incident.number), &incident.title);
    let when = zone::time(event.deadline.unwrap_or(event.occurred_at), addressee.zone);
    Ok(Some(rules::staff_notice(
        event.event_type,
        &headline,
        &when,
    )))
}
