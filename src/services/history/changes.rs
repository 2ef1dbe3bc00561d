//! What the versions of every kind of object share: the change in words, the version, and
//! reading a subject's audit entries with their actors' names.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use entity::{audit_log, user};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::text::{DiffLine, line_diff, unified_diff};

/// One field a change changed, in words; for long text also as a line diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
    /// The lines changed, with a little context (empty for short fields).
    pub lines: Vec<DiffLine>,
    /// The same as a unified diff (empty for short fields), for the API.
    pub unified: String,
}

/// Collects the fields that differ between two versions.
#[derive(Default)]
pub struct Differ(Vec<FieldChange>);

impl Differ {
    /// A short field, shown as before → after.
    pub fn note(&mut self, field: &'static str, before: String, after: String) {
        if before != after {
            self.0.push(FieldChange {
                field,
                before,
                after,
                lines: Vec::new(),
                unified: String::new(),
            });
        }
    }

    /// Long text, shown as the lines that changed.
    pub fn text(&mut self, field: &'static str, before: &str, after: &str) {
        if before == after {
            return;
        }
        let lines = line_diff(before, after);
        // Only how the lines end changed (a browser's CRLF): nothing a reader would see.
        if lines.is_empty() {
            return;
        }
        self.0.push(FieldChange {
            field,
            lines,
            unified: unified_diff(before, after),
            before: before.to_owned(),
            after: after.to_owned(),
        });
    }

    pub fn done(self) -> Vec<FieldChange> {
        self.0
    }
}

/// One audited change to an object, with the state it left the object in.
#[derive(Clone, Debug)]
pub struct Version<S> {
    pub entry_id: i32,
    /// `post.update`, `movie.revert`, `role.create`, `user.override`, …
    pub action: String,
    /// Who made it (none for the command line, or an account since deleted).
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    pub changes: Vec<FieldChange>,
    /// The object as this change left it, when it can be restored (none for a deletion, or an
    /// entry written before its kind recorded every field).
    pub state: Option<S>,
    /// True for the newest version: the object as it is.
    pub current: bool,
}

impl<S> Version<S> {
    /// What the action was, as a history page says it.
    pub fn verb(&self) -> &'static str {
        match self.action.rsplit('.').next().unwrap_or_default() {
            "create" => "Created",
            "revert" => "Reverted",
            "delete" => "Deleted",
            "publish" => "Published",
            "override" => "Override set",
            "override_remove" => "Override removed",
            "sessions_end" => "Signed out everywhere",
            "set_role" => "Role set from the command line",
            "verify" => "Address confirmed",
            "reset_link" => "Password reset link sent",
            _ => "Changed",
        }
    }
}

/// A list in words: the items joined with commas, or "none".
pub fn listed(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// A subject's audit entries whose action starts with `prefix`, newest first, each with its
/// actor's username (two statements).
pub async fn entries(
    db: &impl ConnectionTrait,
    subject_type: &str,
    subject_id: i32,
    prefix: &str,
) -> Result<Vec<(audit_log::Model, Option<String>)>, DbErr> {
    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::SubjectType.eq(subject_type))
        .filter(audit_log::Column::SubjectId.eq(subject_id.to_string()))
        .filter(audit_log::Column::Action.starts_with(prefix))
        .order_by_desc(audit_log::Column::Id)
        .all(db)
        .await?;
    let actors: BTreeSet<i32> = entries.iter().filter_map(|e| e.actor_id).collect();
    let usernames: BTreeMap<i32, String> = if actors.is_empty() {
        BTreeMap::new()
    } else {
        user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::Username])
            .filter(user::Column::Id.is_in(actors))
            .into_tuple::<(i32, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(entries
        .into_iter()
        .map(|entry| {
            let actor = entry.actor_id.and_then(|id| usernames.get(&id).cloned());
            (entry, actor)
        })
        .collect())
}
