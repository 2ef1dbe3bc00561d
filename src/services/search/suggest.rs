//! "Did you mean …": when a search finds nothing, each word the site does not know is replaced
//! by the nearest word it does (Damerau–Levenshtein distance, one edit for short words, up to
//! three for long ones; the commoner word wins a tie). The words come from what people search
//! for by name — movie titles, people, tags, members — and the latest posts' titles; they are
//! read in one statement and kept by the caller under the content version, so a misspelling
//! costs no statement while nothing changes.

use std::collections::HashMap;

use entity::enums::PostStatus;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use crate::domain::{SearchQuery, words_of};

/// Titles and names read at most, of each kind (the newest), and posts' titles.
const NAMES_READ: i64 = 20_000;
const POST_TITLES_READ: i64 = 2_000;

/// The words the site knows, with how many titles and names hold each.
#[derive(Debug, Default)]
pub struct Vocabulary {
    words: HashMap<String, u32>,
}

impl Vocabulary {
    /// The words of `names` (those of three letters or more).
    pub fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> Vocabulary {
        let mut words: HashMap<String, u32> = HashMap::new();
        for name in names {
            for word in words_of(name) {
                if word.chars().count() >= 3 {
                    let count = words.entry(word).or_default();
                    *count = count.saturating_add(1);
                }
            }
        }
        Vocabulary { words }
    }

    /// The nearest known word to `word`, unless it is known, too short, or nothing is near.
    fn nearest(&self, word: &str) -> Option<&str> {
        let length = word.chars().count();
        if length < 3 || self.words.contains_key(word) {
            return None;
        }
        let allowed = match length {
            0..=4 => 1,
            5..=8 => 2,
            _ => 3,
        };
        self.words
            .iter()
            .filter(|(candidate, _)| candidate.chars().count().abs_diff(length) <= allowed)
            .filter_map(|(candidate, count)| {
                let distance = strsim::damerau_levenshtein(word, candidate);
                (distance <= allowed).then_some((distance, std::cmp::Reverse(*count), candidate))
            })
            .min()
            .map(|(_, _, candidate)| candidate.as_str())
    }
}

/// `query` with its unknown words replaced by the nearest known ones, if any was.
pub fn suggest(vocabulary: &Vocabulary, query: &SearchQuery) -> Option<SearchQuery> {
    let mut changed = false;
    let suggestion = query.map_words(|word| match vocabulary.nearest(word) {
        Some(nearest) => {
            changed = true;
            nearest.to_owned()
        }
        None => word.to_owned(),
    });
    changed.then_some(suggestion)
}

/// Reads the words [`suggest`] offers (one statement).
pub async fn vocabulary(db: &impl ConnectionTrait) -> Result<Vocabulary, DbErr> {
    let backend = db.get_database_backend();
    let (q, aggregate) = match backend {
        DbBackend::Sqlite => ('"', "json_group_array(w)"),
        DbBackend::Postgres => ('"', "json_agg(w)::text"),
        _ => ('`', "CAST(JSON_ARRAYAGG(w) AS CHAR)"),
    };
    let sql = format!(
        "SELECT {aggregate} FROM (\
         SELECT w FROM (SELECT title AS w FROM movie ORDER BY id DESC LIMIT {names}) m \
         UNION ALL SELECT w FROM (SELECT name AS w FROM person ORDER BY id DESC LIMIT {names}) p \
         UNION ALL SELECT w FROM (SELECT name AS w FROM tag ORDER BY id DESC LIMIT {names}) t \
         UNION ALL SELECT w FROM (SELECT username AS w FROM {q}user{q} WHERE is_active = {active} \
         ORDER BY id DESC LIMIT {names}) u \
         UNION ALL SELECT w FROM (SELECT title AS w FROM post WHERE status = '{published}' \
         ORDER BY id DESC LIMIT {posts}) po) words",
        names = NAMES_READ,
        posts = POST_TITLES_READ,
        active = if backend == DbBackend::Postgres {
            "TRUE"
        } else {
            "1"
        },
        published = PostStatus::Published.as_str(),
    );
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?;
    let json: Option<String> = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => None,
    };
    let names: Vec<String> = match json {
        Some(json) => serde_json::from_str(&json).map_err(|e| DbErr::Json(e.to_string()))?,
        None => Vec::new(),
    };
    Ok(Vocabulary::of(names.iter().map(String::as_str)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(raw: &str) -> SearchQuery {
        SearchQuery::parse(raw).unwrap().unwrap()
    }

    fn vocabulary() -> Vocabulary {
        Vocabulary::of([
            "The Godfather",
            "Parasite",
            "Bong Joon-ho",
            "Christopher Nolan",
            "Inception",
            "Interstellar",
            "Nolan Brothers",
        ])
    }

    #[test]
    fn misspelt_words_become_the_nearest_known_word() {
        let v = vocabulary();
        assert_eq!(
            suggest(&v, &q("godfahter")).map(|s| s.to_string()),
            Some("godfather".into())
        );
        assert_eq!(
            suggest(&v, &q("parasit")).map(|s| s.to_string()),
            Some("parasite".into())
        );
        assert_eq!(
            suggest(&v, &q(r#""christoper nolen" incepton*"#)).map(|s| s.to_string()),
            Some(r#""christopher nolan" inception*"#.into())
        );
    }

    #[test]
    fn known_short_or_distant_words_are_left_alone() {
        let v = vocabulary();
        assert_eq!(suggest(&v, &q("nolan inception")), None);
        assert_eq!(suggest(&v, &q("xq")), None);
        assert_eq!(suggest(&v, &q("zzzzzzzz")), None);
        // Only the unknown word changes.
        assert_eq!(
            suggest(&v, &q("nolan interstelar")).map(|s| s.to_string()),
            Some("nolan interstellar".into())
        );
    }

    #[test]
    fn the_commoner_word_wins_a_tie() {
        let v = Vocabulary::of(["cart", "card", "card game", "card trick"]);
        assert_eq!(
            suggest(&v, &q("carx")).map(|s| s.to_string()),
            Some("card".into())
        );
    }
}
