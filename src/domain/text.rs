//! Text fields: trimmed, bounded in length, and required where the record needs them.

use super::{FieldError, FieldErrorCode};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Trims `value` and requires 1..=`max` characters.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            field,
            FieldErrorCode::Blank,
            format!("{field} must not be blank"),
        ));
    }
    bounded(field, trimmed, max)
}

/// Keeps `value` as written (Markdown keeps its white space) and allows at most `max` characters.
/// NUL characters are refused: PostgreSQL cannot store them in text.
pub fn bounded(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    if value.contains('\0') {
        return Err(FieldError::new(
            field,
            FieldErrorCode::Invalid,
            format!("{field} must not contain NUL characters"),
        ));
    }
    let length = value.chars().count();
    if length > max {
        return Err(FieldError::new(
            field,
            FieldErrorCode::TooLong,
            format!("{field} is {length} characters long; the limit is {max}"),
        ));
    }
    Ok(value.to_owned())
}

/// An identity's text (a name, an email address) in Unicode's composed form (NFC), refusing
/// characters a reader cannot see or that change how the text around them reads: controls,
/// format characters (zero-width spaces and joiners, direction marks and overrides, the byte
/// order mark, soft hyphens), line and paragraph separators, and private-use or unassigned
/// code points. Two names that look alike are then stored alike.
pub fn visible(field: &str, value: &str) -> Result<String, FieldError> {
    match value.chars().find(|&c| is_hidden(c)) {
        Some(hidden) => Err(FieldError::new(
            field,
            FieldErrorCode::Invalid,
            format!(
                "{field} must not contain invisible or control characters (found U+{:04X})",
                u32::from(hidden)
            ),
        )),
        None => Ok(value.nfc().collect()),
    }
}

fn is_hidden(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Other
        || matches!(
            c.general_category(),
            GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
        )
}

/// Like [`required`] but absent or blank input means "none".
pub fn optional(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => bounded(field, v, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_must_not_be_blank() {
        assert_eq!(required("title", "  Outage ", 10).unwrap(), "Outage");
        assert_eq!(
            required("title", "   ", 10).unwrap_err().code,
            FieldErrorCode::Blank
        );
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert!(bounded("body", &"é".repeat(10), 10).is_ok());
        assert_eq!(
            bounded("body", &"é".repeat(11), 10).unwrap_err().code,
            FieldErrorCode::TooLong
        );
    }

    #[test]
    fn nul_characters_are_refused() {
        assert_eq!(
            bounded("body", "a\0b", 10).unwrap_err().code,
            FieldErrorCode::Invalid
        );
    }

    #[test]
    fn hidden_characters_are_refused_in_identities() {
        for hidden in [
            "\u{200b}", "\u{200c}", "\u{200d}", "\u{202e}", "\u{2066}", "\u{feff}", "\u{00ad}",
            "\u{2028}", "\u{7}", "\u{e000}",
        ] {
            let value = format!("ad{hidden}min");
            let error = visible("name", &value).expect_err(&format!("{value:?} is refused"));
            assert_eq!(error.code, FieldErrorCode::Invalid);
        }
    }

    #[test]
    fn identities_are_composed_and_other_scripts_are_kept() {
        assert_eq!(
            visible("name", "Jose\u{301}").expect("accepted"),
            "Jos\u{e9}"
        );
        for name in [
            "王小明",
            "محمد العلي",
            "Zoë Ångström",
            "Ærøskøbing ApS",
            "Иван",
        ] {
            assert_eq!(visible("name", name).expect("accepted"), name);
        }
    }

    #[test]
    fn optional_blank_text_means_none() {
        assert_eq!(optional("email", Some("  "), 10).unwrap(), None);
        assert_eq!(optional("email", None, 10).unwrap(), None);
    }
}
