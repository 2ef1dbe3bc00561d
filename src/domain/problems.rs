//! What can go wrong with a request to the services, in one vocabulary shared by every face of
//! the site: the HTML pages re-render their form with the [`FieldErrors`]; the JSON API returns
//! them as problem details (`api::problem`). The HTTP status of each is decided once
//! (`routes::error::service_status`).

use sea_orm::DbErr;

/// The key of a problem that belongs to the whole form rather than to one field (a guard rail
/// that refused the change, say). Forms show it above their fields.
pub const FORM: &str = "form";

/// What a visitor or API client reads when the fault is ours (a 500): the details are logged,
/// never shown.
pub const SERVER_FAULT: &str =
    "Something went wrong on our side. It has been logged; please try again.";

/// Problems with submitted values, by field name (the name of the form field, which is also the
/// property name in the JSON API's bodies).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    /// One problem with one field.
    pub fn one(field: &'static str, message: impl Into<String>) -> FieldErrors {
        FieldErrors(vec![(field, message.into())])
    }

    /// One problem with the whole form.
    pub fn form(message: impl Into<String>) -> FieldErrors {
        FieldErrors::one(FORM, message)
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// Records the problem of a parse result under `field`, and keeps the value when there is
    /// none: `let title = errors.check("title", Title::parse(&form.title));`.
    pub fn check<T>(&mut self, field: &'static str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// The first message for a field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Every problem as `(field, message)`, in the order they were found.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `aria-invalid` value for a field.
    pub fn invalid(&self, field: &str) -> &'static str {
        if self.get(field).is_some() {
            "true"
        } else {
            "false"
        }
    }

    /// `Ok(value)` when nothing was recorded, else these problems as [`ServiceError::Invalid`].
    pub fn or_valid<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, ServiceError> {
        if self.is_empty() {
            value().ok_or(ServiceError::Invalid(self))
        } else {
            Err(ServiceError::Invalid(self))
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for (_, message) in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(message)?;
            first = false;
        }
        Ok(())
    }
}

/// The one error of the service layer.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Nothing there, or nothing this viewer may see (404).
    #[error("We could not find what you asked for.")]
    NotFound,
    /// The actor lacks the permission, or does not own what they try to change (403).
    #[error("{0}")]
    Refused(String),
    /// Submitted values are wrong (422).
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The change collides with the state of things: a taken name, a second review, a guard
    /// rail such as "the last role manager stays" (409).
    #[error("{0}")]
    Conflict(FieldErrors),
    /// The thing changed since the client read it (`If-Match` did not match): 412.
    #[error("This changed since you read it; read it again and retry your change.")]
    Stale,
    /// The database is busy; the request may be tried again (503).
    #[error("The database is busy; please try again shortly.")]
    Unavailable,
    /// Anything else from the database (500; details are logged, never shown).
    #[error("database error: {0}")]
    Db(DbErr),
}

impl ServiceError {
    /// The permission refusal every guard uses.
    pub fn forbidden() -> ServiceError {
        ServiceError::Refused("You do not have permission to do that.".into())
    }

    /// A conflict with the whole form (a guard rail).
    pub fn conflict(message: impl Into<String>) -> ServiceError {
        ServiceError::Conflict(FieldErrors::form(message))
    }

    /// A problem with one field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::Invalid(FieldErrors::one(field, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_keeps_values_and_records_messages() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.check("a", Ok::<_, String>(1)), Some(1));
        assert_eq!(errors.check::<i32>("b", Err("bad b".into())), None);
        assert_eq!(errors.get("b"), Some("bad b"));
        assert_eq!(errors.invalid("a"), "false");
        assert_eq!(errors.invalid("b"), "true");
        assert!(
            matches!(errors.or_valid(|| Some(())), Err(ServiceError::Invalid(e)) if e.get("b").is_some())
        );
        assert_eq!(FieldErrors::default().or_valid(|| Some(7)).ok(), Some(7));
    }

    #[test]
    fn form_level_problems_use_the_form_key() {
        let error = ServiceError::conflict("The last role manager stays.");
        let ServiceError::Conflict(ref errors) = error else {
            panic!("a guard rail is a conflict: {error:?}");
        };
        assert_eq!(errors.get(FORM), Some("The last role manager stays."));
        assert_eq!(error.to_string(), "The last role manager stays.");
    }
}
