//! A validation problem tied to one input field. The API turns these into `userErrors`.

use super::readiness::{FindingCode, Target};

/// Why a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorCode {
    /// Required but empty or only white space.
    Blank,
    /// Longer than allowed.
    TooLong,
    /// Outside the allowed range or format.
    Invalid,
    /// Already used by another record where names must be unique.
    Taken,
    /// Refers to a record that does not exist in this tenant.
    NotFound,
    /// Times that must be ordered are not.
    OutOfOrder,
    /// The record changed since the caller read it.
    Conflict,
    /// The post-mortem was shared with clients once, so the record must stay.
    Published,
    /// A blocking readiness finding stops publication.
    NotReady(FindingCode),
}

/// One refused field: its path in the input, a code, and a readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Vec<String>,
    pub code: FieldErrorCode,
    pub message: String,
    /// For a blocking readiness finding: the record and text it is about (the API layer
    /// names it by path).
    pub finding: Option<Target>,
}

impl FieldError {
    pub fn new(field: &str, code: FieldErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: vec![field.to_owned()],
            code,
            message: message.into(),
            finding: None,
        }
    }

    /// The same error for the `index`-th element of a list field.
    pub fn at_index(mut self, index: usize) -> Self {
        self.field.push(index.to_string());
        self
    }

    /// The same error for item `index` of the input list `list`: `["effectiveness"]`
    /// becomes `["verdicts", "0", "effectiveness"]`.
    pub fn in_item(mut self, list: &str, index: usize) -> Self {
        let mut field = vec![list.to_owned(), index.to_string()];
        field.append(&mut self.field);
        self.field = field;
        self
    }
}

/// A check's result: a value, or one or more field errors.
pub trait Check {
    type Value;
    fn into_checked(self) -> Result<Self::Value, Vec<FieldError>>;
}

impl<T> Check for Result<T, FieldError> {
    type Value = T;
    fn into_checked(self) -> Result<T, Vec<FieldError>> {
        self.map_err(|error| vec![error])
    }
}

impl<T> Check for Result<T, Vec<FieldError>> {
    type Value = T;
    fn into_checked(self) -> Self {
        self
    }
}

/// Every check of an input at once: all the values, or every field error, so the caller
/// sees all of them together.
pub trait Checks {
    type Values;
    fn all(self) -> Result<Self::Values, Vec<FieldError>>;
}

macro_rules! checks {
    ($($check:ident),+) => {
        impl<$($check: Check),+> Checks for ($($check,)+) {
            type Values = ($($check::Value,)+);

            #[allow(non_snake_case)]
            fn all(self) -> Result<Self::Values, Vec<FieldError>> {
                let ($($check,)+) = self;
                let mut errors = Vec::new();
                $(let $check = $check.into_checked().map_err(|e| errors.extend(e)).ok();)+
                match ($($check,)+) {
                    ($(Some($check),)+) => Ok(($($check,)+)),
                    _ => Err(errors),
                }
            }
        }
    };
}

checks!(A);
checks!(A, B);
checks!(A, B, C);
checks!(A, B, C, D);
checks!(A, B, C, D, E);
checks!(A, B, C, D, E, F);
checks!(A, B, C, D, E, F, G);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failing_check_is_reported_and_passing_ones_give_their_values() {
        let blank = || FieldError::new("title", FieldErrorCode::Blank, "blank");
        let ok: Result<i32, FieldError> = Ok(1);
        let two: Result<&str, Vec<FieldError>> = Ok("two");
        assert_eq!((ok.clone(), two.clone()).all(), Ok((1, "two")));
        let failed: Result<i32, FieldError> = Err(blank());
        let many: Result<&str, Vec<FieldError>> = Err(vec![blank(), blank()]);
        assert_eq!((failed, many).all().unwrap_err().len(), 3);
    }
}
