//! A parsed search in each full-text engine's own syntax. Terms hold only letters and digits
//! (see [`SearchQuery`]), so quoting them is enough to keep the engine's operators out: no
//! input can make a query the engine rejects.

use crate::domain::{SearchQuery, Term};

/// SQLite FTS5: every term required (`"w"`, `"w"*`, `"a b"`). With two words or more, the
/// words as one phrase are added as an alternative: it matches nothing more, but `bm25` scores
/// each phrase of the query, so a text with the words side by side ranks above one where they
/// are scattered.
pub fn fts5(query: &SearchQuery) -> String {
    let required = query
        .terms()
        .iter()
        .map(|term| match term {
            Term::Word(w) => format!("\"{w}\""),
            Term::Prefix(w) => format!("\"{w}\"*"),
            Term::Phrase(words) => format!("\"{}\"", words.join(" ")),
        })
        .collect::<Vec<_>>()
        .join(" AND ");
    match side_by_side(query) {
        Some(phrase) => format!("({required}) OR \"{}\"", phrase.join(" ")),
        None => required,
    }
}

/// PostgreSQL: the words and phrases for `websearch_to_tsquery` (which never rejects input
/// and drops stop words itself; every term quoted, so `or` is a word as on the other engines) and the prefixes for `to_tsquery` (`'direct':*`), either
/// possibly empty. Ranked by `ts_rank_cd`, which rewards words found close together.
pub fn postgres(query: &SearchQuery) -> (String, String) {
    let mut words = Vec::new();
    let mut prefixes = Vec::new();
    for term in query.terms() {
        match term {
            // Quoted, so that a word such as "or" is a word, not websearch's operator.
            Term::Word(w) => words.push(format!("\"{w}\"")),
            Term::Phrase(ws) => words.push(format!("\"{}\"", ws.join(" "))),
            Term::Prefix(w) => prefixes.push(format!("'{w}':*")),
        }
    }
    (words.join(" "), prefixes.join(" & "))
}

/// MySQL/MariaDB boolean mode: the required form (`+w +w* +"a b"`, the words side by side as
/// an optional phrase to rank them higher) and the optional form (any term counts), which
/// scores the title alone. InnoDB indexes no word under three characters nor its stop words,
/// and a required term it cannot index matches nothing: such words are left out. `None` when
/// no term is left; then the caller falls back to the title's text (`short_words`).
pub fn mysql(query: &SearchQuery) -> Option<(String, String)> {
    let mut required = Vec::new();
    let mut optional = Vec::new();
    for term in query.terms() {
        let text = match term {
            Term::Word(w) if !indexed_by_innodb(w) => continue,
            Term::Phrase(ws) if !ws.iter().any(|w| indexed_by_innodb(w)) => continue,
            Term::Word(w) => w.clone(),
            Term::Prefix(w) => format!("{w}*"),
            Term::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
        };
        required.push(format!("+{text}"));
        optional.push(text);
    }
    if required.is_empty() {
        return None;
    }
    if let Some(phrase) = side_by_side(query) {
        required.push(format!("\"{}\"", phrase.join(" ")));
    }
    Some((required.join(" "), optional.join(" ")))
}

/// The words InnoDB's full-text index leaves out (its default stop words).
const INNODB_STOP_WORDS: &[&str] = &[
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how",
    "i", "in", "is", "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what",
    "when", "where", "who", "will", "with", "und", "www",
];

fn indexed_by_innodb(word: &str) -> bool {
    word.chars().count() >= 3 && !INNODB_STOP_WORDS.contains(&word)
}

/// The plain words of `query` when there are two or more, as one phrase to rank higher.
fn side_by_side(query: &SearchQuery) -> Option<Vec<&str>> {
    let words: Vec<&str> = query
        .terms()
        .iter()
        .filter_map(|t| match t {
            Term::Word(w) => Some(w.as_str()),
            _ => None,
        })
        .collect();
    (words.len() >= 2).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(raw: &str) -> SearchQuery {
        SearchQuery::parse(raw).unwrap().unwrap()
    }

    #[test]
    fn fts5_requires_every_term_and_adds_the_words_as_a_phrase() {
        assert_eq!(fts5(&q("godfather")), "\"godfather\"");
        assert_eq!(
            fts5(&q(r#"mafia famil* "old man" family"#)),
            r#"("mafia" AND "famil"* AND "old man" AND "family") OR "mafia family""#
        );
    }

    #[test]
    fn postgres_splits_words_from_prefixes() {
        assert_eq!(
            postgres(&q(r#"mafia direct* "old man""#)),
            ("\"mafia\" \"old man\"".to_owned(), "'direct':*".to_owned())
        );
        assert_eq!(
            postgres(&q("a* b*")),
            (String::new(), "'a':* & 'b':*".to_owned())
        );
    }

    #[test]
    fn mysql_leaves_out_what_innodb_does_not_index() {
        assert_eq!(
            mysql(&q(r#"the godfather up famil* "the end""#)),
            Some((
                // The optional phrase keeps every word: InnoDB skips those it does not index.
                r#"+godfather +famil* +"the end" "the godfather up""#.to_owned(),
                r#"godfather famil* "the end""#.to_owned()
            ))
        );
        assert_eq!(mysql(&q("up to it")), None);
        assert_eq!(
            mysql(&q("mafia family")),
            Some((
                r#"+mafia +family "mafia family""#.to_owned(),
                "mafia family".to_owned()
            ))
        );
    }
}
