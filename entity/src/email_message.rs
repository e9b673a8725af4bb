//! One email owed to one recipient: a notification (one per recipient and event), or a
//! digest gathering several. Its text is fixed when it is queued; the unsubscribe footer is
//! added at each attempt.

use sea_orm::entity::prelude::*;

/// Where one email stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EmailStatus {
    /// Held for the recipient's daily digest (`digest_due_at`).
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    /// Gathered into the digest `digest_id`.
    #[sea_orm(string_value = "IN_DIGEST")]
    InDigest,
    /// Not attempted yet.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The SMTP server accepted it (or it was written to the folder).
    #[sea_orm(string_value = "SENT")]
    Sent,
    /// The last attempt failed; another is due at `next_attempt_at`.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// No attempt is scheduled any more: the retry schedule ran out, the server refused it
    /// for good (5xx), or the recipient turned notifications off.
    #[sea_orm(string_value = "GAVE_UP")]
    GaveUp,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The event notified; `None` for a digest.
    pub event_id: Option<Uuid>,
    /// The event's position (the last gathered for a digest).
    pub position: i64,
    /// `user:<uuid>` or `client:<uuid>`.
    pub recipient: String,
    pub address: String,
    /// What it tells, e.g. `post_mortem.published`, or `digest`.
    pub kind: String,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub text_body: String,
    /// Sanitised HTML.
    #[sea_orm(column_type = "Text")]
    pub html_body: String,
    /// When held for a digest: when that digest is due.
    pub digest_due_at: Option<DateTimeUtc>,
    /// The digest that gathered it.
    pub digest_id: Option<Uuid>,
    pub status: EmailStatus,
    pub attempt_count: i32,
    /// Failed attempts so far: the step of the retry schedule.
    pub failures: i32,
    /// When the next attempt is due; `None` when none is scheduled.
    pub next_attempt_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
