//! Rules for the tenant's directory: people, client accounts, services and settings.

use super::readiness::phrases::Phrase;
use super::{FieldError, FieldErrorCode, text};
use entity::Role;

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
