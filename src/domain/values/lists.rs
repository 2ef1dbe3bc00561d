//! Values that are lists of names. Each parses from a list (the JSON API's arrays, stored
//! names) and from the one text field a page's form has for it; the text parser only splits
//! and hands the parts to the list parser, so both faces follow one rule.

use std::collections::BTreeSet;

/// The tags of a post: "Rust, web dev, rust" becomes `["rust", "web-dev"]`: lowercased, spaces
/// joined by hyphens, deduplicated, at most [`Tags::MAX`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tags(Vec<String>);

impl Tags {
    pub const MAX: usize = 10;

    /// Tags from a form's text: names separated by commas.
    pub fn parse(raw: &str) -> Result<Tags, String> {
        Self::from_list(raw.split(','))
    }

    /// Tags from a list of names; blank names are skipped (as between two commas).
    pub fn from_list<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Tags, String> {
        let mut tags = BTreeSet::new();
        for part in names {
            let name = part.trim().to_lowercase();
            if name.is_empty() {
                continue;
            }
            let ok = name.chars().count() <= 50
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == ' ')
                && name.chars().any(char::is_alphanumeric);
            if !ok {
                return Err(format!(
                    "Tags may hold letters, digits, spaces and hyphens (50 at most): “{}” is not allowed.",
                    part.trim()
                ));
            }
            tags.insert(name.split_whitespace().collect::<Vec<_>>().join("-"));
        }
        if tags.len() > Self::MAX {
            return Err(format!("Use at most {} tags.", Self::MAX));
        }
        Ok(Tags(tags.into_iter().collect()))
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}

/// A movie's directors, one name per line or separated by commas, in credited order, without
/// duplicates (compared case-insensitively), at most 20.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directors(Vec<String>);

impl Directors {
    /// Directors from a form's text: names on their own lines or separated by commas.
    pub fn parse(raw: &str) -> Result<Directors, String> {
        Self::from_list(raw.split(['\n', ',']))
    }

    /// Directors from a list of names in credited order; blank names are skipped (as empty
    /// lines are).
    pub fn from_list<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Directors, String> {
        let mut kept: Vec<String> = Vec::new();
        for part in names {
            let name = part.split_whitespace().collect::<Vec<_>>().join(" ");
            if name.is_empty() {
                continue;
            }
            if name.chars().count() > 200 {
                return Err("Director names are at most 200 characters long.".into());
            }
            if !kept.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                kept.push(name);
            }
        }
        if kept.len() > 20 {
            return Err("List at most 20 directors.".into());
        }
        Ok(Directors(kept))
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}
