//! Rules for the tenant's directory: people, client accounts, services and settings.

use super::changes::Changes;
use super::event::Action;
use super::readiness::phrases::Phrase;
use super::{FieldError, FieldErrorCode, text};
use entity::{Role, client, service, user};
use sea_orm::ActiveEnum;

/// Longest display name, client or service name.
pub const NAME_MAX: usize = 200;
/// Longest email address (RFC 5321).
pub const EMAIL_MAX: usize = 320;

/// A display name, client or service name: trimmed, 1 to [`NAME_MAX`] characters, with no
/// hidden characters, in composed form (see [`text::visible`]).
pub fn name(field: &str, value: &str) -> Result<String, FieldError> {
    let trimmed = text::required(field, value, NAME_MAX)?;
    text::visible(field, &trimmed)
}

/// A syntactically valid address with no hidden characters, lower-cased so uniqueness
/// ignores case.
pub fn email(field: &str, value: &str) -> Result<String, FieldError> {
    let trimmed = text::required(field, value, EMAIL_MAX)?;
    let trimmed = text::visible(field, &trimmed)?;
    if !email_address::EmailAddress::is_valid(&trimmed) {
        return Err(FieldError::new(
            field,
            FieldErrorCode::Invalid,
            format!("{field} is not a valid email address"),
        ));
    }
    Ok(trimmed.to_lowercase())
}

/// A CLIENT user must belong to a client account, and no other role may.
pub fn client_binding<T>(role: Role, client: Option<T>) -> Result<Option<T>, FieldError> {
    match (role, client) {
        (Role::Client, None) => Err(FieldError::new(
            "clientId",
            FieldErrorCode::Invalid,
            "a CLIENT user needs the client account they belong to",
        )),
        (Role::Client, client) => Ok(client),
        (_, Some(_)) => Err(FieldError::new(
            "clientId",
            FieldErrorCode::Invalid,
            "only CLIENT users belong to a client account",
        )),
        (_, None) => Ok(None),
    }
}

/// The client account a user keeps after a change of role: the one `requested`
/// (`Some(None)` unbinds), or else the `current` one while the user stays CLIENT.
pub fn client_after<T>(role: Role, requested: Option<Option<T>>, current: Option<T>) -> Option<T> {
    match requested {
        Some(client) => client,
        None if role == Role::Client => current,
        None => None,
    }
}

/// The NOT_FOUND field error for a client account id that is not the tenant's.
pub fn client_not_found() -> FieldError {
    FieldError::new(
        "clientId",
        FieldErrorCode::NotFound,
        "no such client account",
    )
}

/// The NOT_FOUND field error for the `index`-th of a list of service ids.
pub fn service_not_found(index: usize) -> FieldError {
    FieldError::new("serviceIds", FieldErrorCode::NotFound, "no such service").at_index(index)
}

/// Whether the change from `old` to `new` takes away an active ADMIN.
pub fn removes_an_admin(old: &user::Model, new: &user::Model) -> bool {
    old.role == Role::Admin && old.active && (new.role != Role::Admin || !new.active)
}

/// The tenant always keeps at least one active ADMIN: a change that takes one away (see
/// [`removes_an_admin`]) needs another. The error names `role` for a demotion and `id` for
/// a deactivation.
pub fn keeps_an_admin(new: &user::Model, other_active_admins: u64) -> Result<(), FieldError> {
    if other_active_admins > 0 {
        return Ok(());
    }
    let field = if new.active { "role" } else { "id" };
    Err(FieldError::new(
        field,
        FieldErrorCode::Invalid,
        "the tenant must keep at least one active ADMIN",
    ))
}

/// The TAKEN field error for a user's email.
pub fn email_taken() -> FieldError {
    taken("email")
}

/// The TAKEN field error for a client account's or a service's name.
pub fn name_taken() -> FieldError {
    taken("name")
}

fn taken(field: &str) -> FieldError {
    FieldError::new(
        field,
        FieldErrorCode::Taken,
        format!("this {field} is already in use"),
    )
}

/// How the audit log records one kind of directory record.
pub struct Audit<M> {
    /// The GraphQL type name its audit entries and events give the record.
    pub subject_type: &'static str,
    /// The action of a creation. Updates name theirs: a user's may be a deactivation.
    pub create: Action,
    /// The fields a creation sets, by their API names.
    pub created: fn(&M) -> Changes,
    /// The fields an update changed, by their API names.
    pub changes: fn(&M, &M) -> Changes,
}

impl<M> Audit<M> {
    const fn new(
        subject_type: &'static str,
        create: Action,
        created: fn(&M) -> Changes,
        changes: fn(&M, &M) -> Changes,
    ) -> Self {
        Self {
            subject_type,
            create,
            created,
            changes,
        }
    }
}

fn user_set(new: &user::Model) -> Changes {
    Changes::default()
        .set("email", &new.email)
        .set("displayName", &new.display_name)
        .set("role", &new.role.to_value())
        .set("clientId", &new.client_id)
}

fn user_diff(before: &user::Model, after: &user::Model) -> Changes {
    Changes::default()
        .diff("displayName", &before.display_name, &after.display_name)
        .diff("role", &before.role.to_value(), &after.role.to_value())
        .diff("clientId", &before.client_id, &after.client_id)
        .diff("active", &before.active, &after.active)
}

/// How the audit log records users. Their email never changes.
pub const USER_AUDIT: Audit<user::Model> =
    Audit::new("User", Action::UserCreate, user_set, user_diff);

fn client_set(new: &client::Model) -> Changes {
    Changes::default()
        .set("name", &new.name)
        .set("contactEmail", &new.contact_email)
        .set("timeZone", &new.time_zone)
}

fn client_diff(before: &client::Model, after: &client::Model) -> Changes {
    Changes::default()
        .diff("name", &before.name, &after.name)
        .diff("contactEmail", &before.contact_email, &after.contact_email)
        .diff("timeZone", &before.time_zone, &after.time_zone)
}

/// How the audit log records client accounts.
pub const CLIENT_AUDIT: Audit<client::Model> =
    Audit::new("Client", Action::ClientCreate, client_set, client_diff);

fn service_set(new: &service::Model) -> Changes {
    Changes::default().set("name", &new.name)
}

fn service_diff(before: &service::Model, after: &service::Model) -> Changes {
    Changes::default().diff("name", &before.name, &after.name)
}

/// How the audit log records services.
pub const SERVICE_AUDIT: Audit<service::Model> =
    Audit::new("Service", Action::ServiceCreate, service_set, service_diff);

/// A tenant slug: 2 to 64 lower-case letters, digits and dashes, starting with a letter or digit.
pub fn slug(value: &str) -> Result<String, FieldError> {
    let valid = (2..=64).contains(&value.len())
        && value.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            "slug",
            FieldErrorCode::Invalid,
            "a slug is 2-64 characters of a-z, 0-9 and '-'",
        ))
    }
}

/// A whole number setting within its allowed range.
pub fn setting_in_range(
    field: &str,
    value: i32,
    range: std::ops::RangeInclusive<i32>,
) -> Result<i32, FieldError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            field,
            FieldErrorCode::Invalid,
            format!(
                "{field} must be between {} and {}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// Most phrases a tenant may add to one readiness list.
pub const TERMS_MAX: usize = 100;
/// Longest phrase a tenant may add, in characters.
pub const TERM_MAX: usize = 100;

/// Most words in one phrase.
pub const TERM_WORDS_MAX: usize = 8;

/// Phrases for one readiness list: each trimmed, holding 1 to [`TERM_WORDS_MAX`] words, at
/// most [`TERM_MAX`] characters; a phrase with the same words as an earlier one (ignoring case
/// and punctuation) is dropped.
pub fn readiness_terms(field: &str, terms: Vec<String>) -> Result<Vec<String>, FieldError> {
    if terms.len() > TERMS_MAX {
        return Err(FieldError::new(
            field,
            FieldErrorCode::TooLong,
            format!("at most {TERMS_MAX} phrases"),
        ));
    }
    let mut kept: Vec<Phrase> = Vec::with_capacity(terms.len());
    for (index, term) in terms.iter().enumerate() {
        let term = text::required(field, term, TERM_MAX).map_err(|e| e.at_index(index))?;
        let invalid =
            |message| FieldError::new(field, FieldErrorCode::Invalid, message).at_index(index);
        let phrase =
            Phrase::new(&term).ok_or(invalid("a phrase needs at least one letter or digit"))?;
        if phrase.word_count() > TERM_WORDS_MAX {
            return Err(invalid("a phrase has at most 8 words"));
        }
        if !kept.iter().any(|k| k.words() == phrase.words()) {
            kept.push(phrase);
        }
    }
    Ok(kept.into_iter().map(|p| p.label).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_validated_and_lower_cased() {
        assert_eq!(
            email("email", " Dana@Example.COM ").unwrap(),
            "dana@example.com"
        );
        assert_eq!(
            email("email", "not-an-email").unwrap_err().code,
            FieldErrorCode::Invalid
        );
    }

    #[test]
    fn only_client_users_have_a_client() {
        assert!(client_binding(Role::Client, None::<u8>).is_err());
        assert!(client_binding(Role::Editor, Some(1)).is_err());
        assert_eq!(client_binding(Role::Client, Some(1)).unwrap(), Some(1));
        assert_eq!(client_binding(Role::Viewer, None::<u8>).unwrap(), None);
    }

    fn admin() -> user::Model {
        let at = chrono::DateTime::UNIX_EPOCH;
        user::Model {
            tenant_id: uuid::Uuid::nil(),
            id: uuid::Uuid::nil(),
            email: "ada@example.com".into(),
            display_name: "Ada".into(),
            role: Role::Admin,
            client_id: None,
            active: true,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn only_a_client_keeps_their_client_account() {
        assert_eq!(client_after(Role::Client, None, Some(1)), Some(1));
        assert_eq!(client_after(Role::Client, Some(Some(2)), Some(1)), Some(2));
        assert_eq!(client_after(Role::Editor, None, Some(1)), None);
        assert_eq!(client_after(Role::Client, Some(None), Some(1)), None);
    }

    #[test]
    fn the_last_active_admin_stays() {
        let old = admin();
        let demoted = user::Model {
            role: Role::Editor,
            ..admin()
        };
        let deactivated = user::Model {
            active: false,
            ..admin()
        };
        assert!(!removes_an_admin(&old, &admin()));
        assert!(removes_an_admin(&old, &demoted));
        assert_eq!(keeps_an_admin(&demoted, 0).unwrap_err().field, ["role"]);
        assert_eq!(keeps_an_admin(&deactivated, 0).unwrap_err().field, ["id"]);
        assert!(keeps_an_admin(&deactivated, 1).is_ok());
    }

    #[test]
    fn user_audits_name_fields_by_their_api_names_in_order() {
        let created = (USER_AUDIT.created)(&admin()).into_json();
        let keys: Vec<_> = created.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["email", "displayName", "role", "clientId"]);
        assert_eq!(created["role"]["to"], "ADMIN");
        let renamed = user::Model {
            display_name: "Ada L.".into(),
            ..admin()
        };
        let changes = (USER_AUDIT.changes)(&admin(), &renamed).into_json();
        assert_eq!(
            changes,
            serde_json::json!({ "displayName": { "from": "Ada", "to": "Ada L." } })
        );
    }

    #[test]
    fn readiness_terms_are_trimmed_deduplicated_and_bounded() {
        let terms = |list: &[&str]| list.iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(
            readiness_terms("t", terms(&[" cowboy deploy ", "Cowboy-Deploy!", "yolo"])),
            Ok(vec!["cowboy deploy".to_owned(), "yolo".to_owned()])
        );
        let blank = readiness_terms("t", terms(&["ok", "  "])).unwrap_err();
        assert_eq!(
            (blank.code, blank.field),
            (FieldErrorCode::Blank, vec!["t".into(), "1".into()])
        );
        let symbols = readiness_terms("t", terms(&["--"])).unwrap_err();
        assert_eq!(symbols.code, FieldErrorCode::Invalid);
        let wordy = readiness_terms("t", terms(&["a b c d e f g h i"])).unwrap_err();
        assert_eq!(wordy.code, FieldErrorCode::Invalid);
        let long = readiness_terms("t", vec!["x".repeat(TERM_MAX + 1)]).unwrap_err();
        assert_eq!(long.code, FieldErrorCode::TooLong);
        let many = readiness_terms("t", vec!["x".to_owned(); TERMS_MAX + 1]).unwrap_err();
        assert_eq!(many.code, FieldErrorCode::TooLong);
    }

    #[test]
    fn slugs_are_short_lower_case_words() {
        assert!(slug("acme").is_ok());
        assert!(slug("acme-2").is_ok());
        assert!(slug("Acme").is_err());
        assert!(slug("-acme").is_err());
        assert!(slug("a").is_err());
    }
}
