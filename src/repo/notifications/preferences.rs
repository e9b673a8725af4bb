//! Preferences: one setting per recipient (IMMEDIATE when never set), changed by the
//! signed-in user for themselves or by following an unsubscribe link, and audited either way.

use crate::auth::{self, opaque};
use crate::domain::changes::Changes;
use crate::domain::event::Action;
use crate::domain::notification::{self as rules, Recipient};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::repo::outcome::Outcome;
use crate::repo::scope::Scope;
use crate::repo::write::{Change, Write};
use entity::{NotificationMode, notification_preference, unsubscribe_token};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveEnum, ColumnTrait, DatabaseConnection, IntoActiveModel, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// The prefix of unsubscribe tokens.
pub const TOKEN_PREFIX: &str = "dbu_";

impl Scope {
    /// The signed-in user as a recipient: ADMIN, EDITOR and CLIENT users receive
    /// notifications; any other caller is FORBIDDEN.
    pub fn notified_self(&self) -> AppResult<Recipient> {
        let principal = self.principal();
        match principal.user_id() {
            Some(id) if rules::receives(principal.role()) => Ok(Recipient::User(id)),
            _ => Err(AppError::forbidden(
                "only ADMIN, EDITOR and CLIENT users receive notifications",
            )),
        }
    }

    /// The modes of `recipients`, IMMEDIATE for those who never chose.
    pub async fn notification_modes(
        &self,
        recipients: &[Recipient],
    ) -> AppResult<HashMap<Recipient, NotificationMode>> {
        let keys: Vec<String> = recipients.iter().map(|r| r.key()).collect();
        let rows = self
            .select::<notification_preference::Entity>()
            .filter(notification_preference::Column::Recipient.is_in(keys))
            .all(self.db())
            .await?;
        let chosen: HashMap<String, NotificationMode> =
            rows.into_iter().map(|r| (r.recipient, r.mode)).collect();
        Ok(recipients
            .iter()
            .map(|r| {
                let mode = chosen.get(&r.key()).copied();
                (*r, mode.unwrap_or(NotificationMode::Immediate))
            })
            .collect())
    }

    /// The signed-in user's mode.
    pub async fn own_notification_mode(&self) -> AppResult<NotificationMode> {
        let me = self.notified_self()?;
        let modes = self.notification_modes(&[me]).await?;
        Ok(modes
            .get(&me)
            .copied()
            .unwrap_or(NotificationMode::Immediate))
    }

    /// Sets the signed-in user's mode, audited (no event: the record did not change).
    pub async fn notification_mode_set(&self, mode: NotificationMode) -> Outcome<NotificationMode> {
        let me = self.notified_self()?;
        let mut write = self.begin_write().await?;
        set_mode(
            self,
            &mut write,
            me,
            mode,
            Action::NotificationPreferencesUpdate,
        )
        .await?;
        write.commit().await?;
        Ok(mode)
    }

    /// A new unsubscribe token for `recipient`, its hash stored; the token goes into one email.
    pub async fn unsubscribe_token_issue(&self, recipient: Recipient) -> AppResult<String> {
        let issued = opaque::issue(TOKEN_PREFIX, self.tenant_id());
        let row = unsubscribe_token::Model {
            tenant_id: self.tenant_id(),
            id: Uuid::now_v7(),
            recipient: recipient.key(),
            token_hash: issued.hash,
            created_at: time::now(),
        };
        self.insert(row.into_active_model()).exec(self.db()).await?;
        Ok(issued.token)
    }
}

/// Follows an unsubscribe link: turns its recipient's notifications OFF (audited, with no
/// actor). False for a token that names nothing.
pub async fn unsubscribe(db: &DatabaseConnection, token: &str) -> AppResult<bool> {
    let Some((tenant_id, hash)) = opaque::parse(TOKEN_PREFIX, token) else {
        return Ok(false);
    };
    let scope = Scope::background(db.clone(), auth::operator(tenant_id));
    let found = scope
        .select::<unsubscribe_token::Entity>()
        .filter(unsubscribe_token::Column::TokenHash.eq(hash))
        .one(scope.db())
        .await?;
    let Some(recipient) = found.and_then(|t| Recipient::parse(&t.recipient)) else {
        return Ok(false);
    };
    let mut write = scope.begin_write().await?;
    set_mode(
        &scope,
        &mut write,
        recipient,
        NotificationMode::Off,
        Action::NotificationUnsubscribe,
    )
    .await?;
    write.commit().await?;
    Ok(true)
}

async fn set_mode(
    scope: &Scope,
    write: &mut Write,
    recipient: Recipient,
    mode: NotificationMode,
    action: Action,
) -> AppResult<()> {
    use notification_preference::Column as P;
    let old = scope
        .select::<notification_preference::Entity>()
        .filter(P::Recipient.eq(recipient.key()))
        .one(write.txn())
        .await?
        .map_or(NotificationMode::Immediate, |row| row.mode);
    let now = time::now();
    let row = notification_preference::Model {
        tenant_id: scope.tenant_id(),
        id: Uuid::now_v7(),
        recipient: recipient.key(),
        mode,
        created_at: now,
        updated_at: now,
    };
    scope
        .insert(row.into_active_model())
        .on_conflict(
            OnConflict::columns([P::TenantId, P::Recipient])
                .update_columns([P::Mode, P::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(write.txn())
        .await?;
    let (subject_type, subject_id) = match recipient {
        Recipient::User(id) => ("User", id),
        Recipient::Client(id) => ("Client", id),
    };
    write.record(Change {
        action,
        subject_type,
        subject_id,
        incident_id: None,
        changes: Changes::default().diff("notificationMode", &old.to_value(), &mode.to_value()),
    });
    Ok(())
}
