//! Private messages: conversations between members ([`conversations`]), blocking
//! ([`blocks`]) and reports to moderators ([`reports`]).
//!
//! Messaging takes `comment` (so an account whose address is not confirmed cannot message, and
//! a member whose comments were taken away cannot either); a member sees only conversations
//! they are in and have not left; a blocked member's messages never reach the member who
//! blocked them. How many messages a member may send is counted by the throttle (`auth`),
//! pages and API alike, on every instance.

pub mod blocks;
pub mod conversations;
pub mod reports;

pub use blocks::{block, blocked, unblock};
pub use conversations::{
    Conversation, ConversationRow, MESSAGES_PER_PAGE, MessageRow, can_message, conversation,
    conversations, leave, mail_wanted, message_html, send, set_mail, start, unread_count,
    unread_expr,
};
pub use reports::{OpenReport, ReportAction, report, reportable, reports, resolve};
