//! Notification preferences: how the signed-in user wants to be emailed. One setting covers
//! every kind of notification their role receives (docs/NOTIFICATIONS.md).

use super::context::scope;
use super::payload::{Checked, answer};
use crate::error::AppResult;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};

/// How a user wants to be told of what concerns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::NotificationMode")]
pub enum NotificationMode {
    /// No email at all.
    Off,
    /// One email per notification, within seconds.
    Immediate,
    /// One email a day (after 00:00 UTC) gathering the previous day's notifications.
    DailyDigest,
}

/// The signed-in user's notification preferences.
#[derive(SimpleObject)]
pub struct NotificationPreferences {
    /// How notifications reach them; IMMEDIATE until they choose.
    pub mode: NotificationMode,
}

impl From<entity::NotificationMode> for NotificationPreferences {
    fn from(mode: entity::NotificationMode) -> Self {
        Self { mode: mode.into() }
    }
}

/// The preferences to save.
#[derive(InputObject)]
pub struct NotificationPreferencesUpdateInput {
    /// OFF, IMMEDIATE or DAILY_DIGEST, for every kind of notification.
    pub mode: NotificationMode,
}

/// The result of `notificationPreferencesUpdate`.
#[derive(SimpleObject)]
pub struct NotificationPreferencesUpdatePayload {
    /// The saved preferences; null when there are user errors.
    pub notification_preferences: Option<NotificationPreferences>,
    /// Why nothing was saved; empty on success.
    pub user_errors: Vec<super::errors::UserError>,
}

impl From<Checked<entity::NotificationMode>> for NotificationPreferencesUpdatePayload {
    fn from(result: Checked<entity::NotificationMode>) -> Self {
        match result {
            Ok(mode) => Self {
                notification_preferences: Some(mode.into()),
                user_errors: vec![],
            },
            Err(errors) => Self {
                notification_preferences: None,
                user_errors: super::errors::user_errors(errors),
            },
        }
    }
}

/// The signed-in user's preferences, or null for a caller who receives no notifications
/// (VIEWER, REPORTER, service tokens).
pub async fn of_viewer(ctx: &Context<'_>) -> AppResult<Option<NotificationPreferences>> {
    let scope = scope(ctx);
    if scope.notified_self().is_err() {
        return Ok(None);
    }
    Ok(Some(scope.own_notification_mode().await?.into()))
}

/// Mutations on the signed-in user's notification preferences.
#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Sets how the signed-in user is emailed: OFF, IMMEDIATE or DAILY_DIGEST. Audited; it
    /// writes no event. ADMIN, EDITOR and CLIENT users only (the roles that receive
    /// notifications); others get FORBIDDEN.
    async fn notification_preferences_update(
        &self,
        ctx: &Context<'_>,
        input: NotificationPreferencesUpdateInput,
    ) -> AppResult<NotificationPreferencesUpdatePayload> {
        answer(scope(ctx).notification_mode_set(input.mode.into()).await)
    }
}
