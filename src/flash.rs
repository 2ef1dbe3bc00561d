//! One-shot messages shown on the next page after a redirect, kept in the session.

use actix_session::Session;
use serde::{Deserialize, Serialize};

const KEY: &str = "_flash";
/// At most this many messages wait for the next page (the oldest are dropped)...
const MAX_QUEUED: usize = 3;
/// ...each cut to this many characters, so the session cookie stays far below its 4 KiB limit
/// whatever the messages quote (a cookie over the limit would fail the response after the
/// change it reports was committed).
const MAX_CHARS: usize = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Success,
    Info,
    Warning,
    Error,
}

impl Level {
    /// CSS modifier and ARIA role hint for the template.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Success => "success",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub level: Level,
    pub message: String,
}

/// Queues a message for the next rendered page.
pub fn push(session: &Session, level: Level, message: impl Into<String>) {
    let mut queued = peek(session);
    let message: String = message.into();
    let message = if message.chars().count() > MAX_CHARS {
        let mut cut: String = message.chars().take(MAX_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        message
    };
    queued.push(Flash { level, message });
    if queued.len() > MAX_QUEUED {
        queued.drain(..queued.len() - MAX_QUEUED);
    }
    if let Err(error) = session.insert(KEY, queued) {
        tracing::warn!(%error, "could not store a flash message");
    }
}

/// Takes (and clears) the queued messages.
pub fn take(session: &Session) -> Vec<Flash> {
    session
        .remove_as::<Vec<Flash>>(KEY)
        .and_then(Result::ok)
        .unwrap_or_default()
}

fn peek(session: &Session) -> Vec<Flash> {
    session
        .get::<Vec<Flash>>(KEY)
        .ok()
        .flatten()
        .unwrap_or_default()
}
