//! The messages' pages: the conversation list, a new conversation, a conversation, a report,
//! the members a member blocks, and the moderators' reported messages.

use askama::Template;
use askama_web::WebTemplate;

use entity::enums::Permission;

use crate::domain::FieldErrors;
use crate::services::messages::{Conversation, ConversationRow, MessageRow, OpenReport};
use crate::services::{Page, UserRef};

use super::layout::{PageContext, Pager, filters};

/// `/messages`: the member's conversations, latest first.
#[derive(Template, WebTemplate)]
#[template(path = "messages/list.html")]
pub struct ConversationsPage {
    pub ctx: PageContext,
    pub page: Page<ConversationRow>,
    pub pager: Pager,
    /// Whether new messages are mailed to the member.
    pub mail: bool,
}

/// `/messages/new`: a new conversation, with the values kept when it comes back.
#[derive(Template, WebTemplate)]
#[template(path = "messages/new.html")]
pub struct NewConversationPage {
    pub ctx: PageContext,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub errors: FieldErrors,
}

/// `/messages/{id}`: a conversation, its latest messages first on page 1 (shown oldest first
/// within the page), and the reply form.
#[derive(Template, WebTemplate)]
#[template(path = "messages/show.html")]
pub struct ConversationPage {
    pub ctx: PageContext,
    pub conversation: Conversation,
    pub pager: Pager,
    pub body: String,
    pub errors: FieldErrors,
}

impl ConversationPage {
    /// The page's messages in the order sent.
    fn in_order(&self) -> impl Iterator<Item = &MessageRow> {
        self.conversation.messages.items.iter().rev()
    }

    /// Whether `message` was sent by the viewer.
    fn mine(&self, message: &entity::message::Model) -> bool {
        let me = self.ctx.user.as_ref().map(|u| u.id);
        message.sender_id.is_some() && message.sender_id == me
    }
}

/// `/messages/report/{message_id}`: why a message is reported.
#[derive(Template, WebTemplate)]
#[template(path = "messages/report.html")]
pub struct ReportPage {
    pub ctx: PageContext,
    pub message: MessageRow,
    pub conversation: i32,
    pub reason: String,
    pub errors: FieldErrors,
}

/// `/messages/blocked`: the members whose messages never reach this member.
#[derive(Template, WebTemplate)]
#[template(path = "messages/blocked.html")]
pub struct BlockedPage {
    pub ctx: PageContext,
    pub blocked: Vec<UserRef>,
    pub username: String,
    pub errors: FieldErrors,
}

/// `/moderation/messages`: the reported messages, and nothing else of anyone's conversations.
#[derive(Template, WebTemplate)]
#[template(path = "messages/reports.html")]
pub struct ReportsPage {
    pub ctx: PageContext,
    pub page: Page<OpenReport>,
    pub pager: Pager,
}
