//! A movie as its audit entries record it: everything its edit form changes, so that its
//! history can show what each change did and a version can be restored. Entries written
//! before snapshots carried the synopsis cannot be restored.

use entity::movie;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct MovieSnapshot {
    pub title: String,
    #[serde(default)]
    pub year: Option<i32>,
    /// The MPA rating's code (`PG-13`), if rated.
    #[serde(default)]
    pub mpa: Option<String>,
    #[serde(default)]
    pub theatre: bool,
    /// `None` in entries written before snapshots carried it.
    #[serde(default)]
    pub synopsis: Option<String>,
    /// In credited order.
    #[serde(default)]
    pub directors: Vec<String>,
    /// The history entry a revert restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverted_to: Option<i32>,
}

impl MovieSnapshot {
    pub fn of(movie: &movie::Model, directors: &[String]) -> MovieSnapshot {
        MovieSnapshot {
            title: movie.title.clone(),
            year: Some(movie.year),
            mpa: movie.mpa.map(|r| r.as_str().to_owned()),
            theatre: movie.theatre,
            synopsis: Some(movie.synopsis.clone()),
            directors: directors.to_vec(),
            reverted_to: None,
        }
    }

    /// Read back from an audit entry's JSON.
    pub fn parse(json: Option<&str>) -> Option<MovieSnapshot> {
        serde_json::from_str(json?).ok()
    }

    /// Whether the snapshot holds all a restore needs.
    pub fn complete(&self) -> bool {
        self.synopsis.is_some() && self.year.is_some()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}
