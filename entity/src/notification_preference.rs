//! One recipient's choice of how to be told: a user (`user:<id>`) or a client's contact
//! address (`client:<id>`). A recipient without a row gets IMMEDIATE.

use sea_orm::entity::prelude::*;

/// How a recipient wants to be notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum NotificationMode {
    /// No email at all.
    #[sea_orm(string_value = "OFF")]
    Off,
    /// One email per notification, as soon as the worker sees it.
    #[sea_orm(string_value = "IMMEDIATE")]
    Immediate,
    /// One email a day gathering the day's notifications.
    #[sea_orm(string_value = "DAILY_DIGEST")]
    DailyDigest,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_preferences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `user:<uuid>` or `client:<uuid>`.
    pub recipient: String,
    pub mode: NotificationMode,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
