//! What a private message is made of: its recipients (by username), a conversation's subject,
//! its text (Markdown, sanitized when shown, as a comment's) and a report's reason.

use super::bounded;
use crate::domain::FieldErrors;

/// Members a conversation may be started with at once (besides its starter).
pub const MAX_RECIPIENTS: usize = 10;

/// A message's text: 1 to 5,000 characters, trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX: usize = 5_000;

    pub fn parse(raw: &str) -> Result<MessageBody, String> {
        bounded(
            raw,
            Self::MAX,
            Some("Write something before sending."),
            "Messages are at most 5,000 characters long.",
        )
        .map(MessageBody)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A new conversation: to whom (usernames, each once, in the order given), about what, and
/// its first message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewConversation {
    pub recipients: Vec<String>,
    pub subject: String,
    pub body: MessageBody,
}

impl NewConversation {
    /// The form's and the API's fields: `to` as usernames (`recipients` split on commas and
    /// spaces by the caller), `subject` (1 to 200 characters) and `body`. Every problem is
    /// reported by field.
    pub fn parse(
        recipients: &[String],
        subject: &str,
        body: &str,
    ) -> Result<NewConversation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut names: Vec<String> = Vec::new();
        // Usernames are stored lowercase: "Ada" is ada.
        for name in recipients
            .iter()
            .map(|n| n.trim().trim_start_matches('@').to_lowercase())
        {
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
        if names.is_empty() {
            errors.add("to", "Say whom the message is for: one or more usernames.");
        } else if names.len() > MAX_RECIPIENTS {
            errors.add(
                "to",
                format!("A conversation starts with at most {MAX_RECIPIENTS} members besides you."),
            );
        } else if names.iter().any(|n| n.chars().count() > 64) {
            errors.add("to", "Usernames are at most 64 characters long.");
        }
        let subject = errors.check(
            "subject",
            bounded(
                subject,
                200,
                Some("Give the conversation a subject."),
                "Subjects are at most 200 characters long.",
            ),
        );
        let body = errors.check("body", MessageBody::parse(body));
        match (subject, body) {
            (Some(subject), Some(body)) if errors.is_empty() => Ok(NewConversation {
                recipients: names,
                subject,
                body,
            }),
            _ => Err(errors),
        }
    }

    /// Usernames as typed in one field: separated by commas or spaces.
    pub fn split(raw: &str) -> Vec<String> {
        raw.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// Why a message is reported: 1 to 500 characters, trimmed.
pub fn parse_report_reason(raw: &str) -> Result<String, String> {
    bounded(
        raw,
        500,
        Some("Say what is wrong with this message."),
        "Reasons are at most 500 characters long.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_trimmed_and_counted_once() {
        let to = NewConversation::split(" ada, @grace  ADA,,linus ");
        let parsed = NewConversation::parse(&to, " Hi ", " Hello ").unwrap();
        assert_eq!(
            parsed.recipients,
            ["ada", "grace", "linus"],
            "lowercased, once each"
        );
        assert_eq!(parsed.subject, "Hi");
        assert_eq!(parsed.body.as_str(), "Hello");
    }

    #[test]
    fn every_field_says_what_is_wrong() {
        let errors = NewConversation::parse(&[], "", "").unwrap_err();
        for field in ["to", "subject", "body"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let many: Vec<String> = (0..=MAX_RECIPIENTS).map(|i| format!("m{i}")).collect();
        let errors = NewConversation::parse(&many, "s", "b").unwrap_err();
        assert!(errors.get("to").is_some());
        assert!(MessageBody::parse(&"x".repeat(MessageBody::MAX + 1)).is_err());
        assert!(parse_report_reason(" ").is_err());
    }
}
