//! The messages' forms: a new conversation, a reply, a report, a moderator's decision.

use serde::Deserialize;

use crate::domain::{MessageBody, NewConversation, ServiceError};

/// A new conversation: usernames (separated by commas or spaces), a subject, the first message.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConversationForm {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl ConversationForm {
    pub fn parse(&self) -> Result<NewConversation, ServiceError> {
        NewConversation::parse(&NewConversation::split(&self.to), &self.subject, &self.body)
            .map_err(ServiceError::Invalid)
    }
}

/// A message in a conversation.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MessageForm {
    pub body: String,
}

impl MessageForm {
    pub fn parse(&self) -> Result<MessageBody, ServiceError> {
        MessageBody::parse(&self.body).map_err(|message| ServiceError::invalid("body", message))
    }
}

/// Why a message is reported.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub reason: String,
}

/// A moderator's decision on a report: `dismiss` or `deactivate_sender`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResolveForm {
    pub action: String,
}

/// Whether new messages are mailed (`true` or anything else).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MailForm {
    pub mail: String,
}
