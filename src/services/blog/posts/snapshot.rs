//! A post as its audit entries record it: everything its edit form changes, so that its
//! history can show what each change did (a text diff for the body) and a version can be
//! restored. Entries written before snapshots carried the body hold only the title and the
//! status; they are shown, but cannot be restored.

use entity::post;
use serde::{Deserialize, Serialize};

use crate::services::blog::tags::split_tags;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PostSnapshot {
    pub title: String,
    #[serde(default)]
    pub status: Option<String>,
    /// The Markdown; `None` in entries written before snapshots carried it.
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub category_id: Option<i32>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The history entry a revert restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverted_to: Option<i32>,
}

impl PostSnapshot {
    pub fn of(post: &post::Model) -> PostSnapshot {
        PostSnapshot {
            title: post.title.clone(),
            status: Some(post.status.as_str().to_owned()),
            body: Some(post.body.clone()),
            category_id: post.category_id,
            tags: split_tags(&post.tag_names),
            reverted_to: None,
        }
    }

    /// Read back from an audit entry's JSON.
    pub fn parse(json: Option<&str>) -> Option<PostSnapshot> {
        serde_json::from_str(json?).ok()
    }

    /// Whether the snapshot holds all a restore needs.
    pub fn complete(&self) -> bool {
        self.body.is_some()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}
