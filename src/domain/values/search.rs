//! What someone types into the search box, parsed into terms every backend's full-text engine
//! takes safely: words are runs of letters and digits (any script), so no operator, quote or
//! bracket of any engine's syntax ever reaches it.

use std::fmt;

/// Characters a search may have (longer input is refused with a message, not cut).
pub const MAX_SEARCH_CHARS: usize = 200;
/// Terms a search may have.
pub const MAX_SEARCH_TERMS: usize = 8;

/// One term of a search; a result has every term.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Term {
    /// A word, as the engine's stemming takes it (`film` also finds "films" where it stems).
    Word(String),
    /// The beginning of a word: `direct*`.
    Prefix(String),
    /// Words one after the other: `"the godfather"`, or a hyphenated `joon-ho`.
    Phrase(Vec<String>),
}

impl Term {
    /// The term's words, lowercased.
    pub fn words(&self) -> &[String] {
        match self {
            Term::Word(w) | Term::Prefix(w) => std::slice::from_ref(w),
            Term::Phrase(words) => words,
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Word(w) => f.write_str(w),
            Term::Prefix(w) => write!(f, "{w}*"),
            Term::Phrase(words) => write!(f, "\"{}\"", words.join(" ")),
        }
    }
}

/// A parsed search: one to [`MAX_SEARCH_TERMS`] terms.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

impl SearchQuery {
    /// The terms of `raw`, or `Ok(None)` when it holds no word at all (an empty search). A
    /// word is a run of letters and digits; a quoted part is a phrase (an unclosed quote runs
    /// to the end); a word ending in `*` is a prefix; other punctuation separates words.
    pub fn parse(raw: &str) -> Result<Option<SearchQuery>, String> {
        if raw.chars().count() > MAX_SEARCH_CHARS {
            return Err(format!("Search for at most {MAX_SEARCH_CHARS} characters."));
        }
        let mut terms = Vec::new();
        let mut rest = raw;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            rest = &rest[start..];
            let (chunk, quoted, after) = if let Some(inner) = rest.strip_prefix('"') {
                let end = inner.find('"').unwrap_or(inner.len());
                let after = inner.get(end + 1..).unwrap_or("");
                (&inner[..end], true, after)
            } else {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '"')
                    .unwrap_or(rest.len());
                (&rest[..end], false, &rest[end..])
            };
            rest = after;
            let words = words_of(chunk);
            let term = match words.len() {
                0 => continue,
                1 if !quoted && chunk.trim_end().ends_with('*') => {
                    Term::Prefix(words.into_iter().next().unwrap_or_default())
                }
                1 => Term::Word(words.into_iter().next().unwrap_or_default()),
                _ => Term::Phrase(words),
            };
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        if terms.is_empty() {
            return Ok(None);
        }
        if terms.len() > MAX_SEARCH_TERMS {
            return Err(format!(
                "Search for at most {MAX_SEARCH_TERMS} words or phrases."
            ));
        }
        Ok(Some(SearchQuery { terms }))
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Every word of every term, in order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.terms
            .iter()
            .flat_map(|t| t.words().iter().map(String::as_str))
    }

    /// The same query with each word replaced by `replace(word)`.
    pub fn map_words(&self, mut replace: impl FnMut(&str) -> String) -> SearchQuery {
        let mut map = |w: &String| replace(w);
        let terms = self
            .terms
            .iter()
            .map(|t| match t {
                Term::Word(w) => Term::Word(map(w)),
                Term::Prefix(w) => Term::Prefix(map(w)),
                Term::Phrase(words) => Term::Phrase(words.iter().map(&mut map).collect()),
            })
            .collect();
        SearchQuery { terms }
    }
}

impl fmt::Display for SearchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, term) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{term}")?;
        }
        Ok(())
    }
}

/// The lowercased runs of letters and digits in `text`.
pub fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Vec<Term> {
        SearchQuery::parse(raw)
            .ok()
            .flatten()
            .map(|q| q.terms().to_vec())
            .unwrap_or_default()
    }

    #[test]
    fn words_prefixes_and_phrases_are_told_apart() {
        assert_eq!(
            parse(r#"Film direct* "The  Godfather" joon-ho"#),
            vec![
                Term::Word("film".into()),
                Term::Prefix("direct".into()),
                Term::Phrase(vec!["the".into(), "godfather".into()]),
                Term::Phrase(vec!["joon".into(), "ho".into()]),
            ]
        );
    }

    #[test]
    fn operators_of_every_engine_are_only_separators() {
        assert_eq!(
            parse(r#"+a -b (c) NEAR/2 d:e @f ~g <h>"#)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["a", "b", "c", "\"near 2\"", "\"d e\"", "f", "g", "h"]
        );
        assert_eq!(
            parse(r#"'i' \j % _ ; -- /* */"#),
            vec![Term::Word("i".into()), Term::Word("j".into())]
        );
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end_and_empty_input_is_no_search() {
        assert_eq!(
            parse(r#"alpha "beta gamma"#),
            vec![
                Term::Word("alpha".into()),
                Term::Phrase(vec!["beta".into(), "gamma".into()])
            ]
        );
        assert_eq!(SearchQuery::parse("  \"\" *** -- "), Ok(None));
        assert_eq!(SearchQuery::parse(""), Ok(None));
    }

    #[test]
    fn other_scripts_are_words_too() {
        assert_eq!(
            parse("Кино 映画 ταινία"),
            vec![
                Term::Word("кино".into()),
                Term::Word("映画".into()),
                Term::Word("ταινία".into())
            ]
        );
    }

    #[test]
    fn too_long_or_too_many_is_refused_with_a_message() {
        assert!(SearchQuery::parse(&"a".repeat(MAX_SEARCH_CHARS)).is_ok());
        assert!(SearchQuery::parse(&"a".repeat(MAX_SEARCH_CHARS + 1)).is_err());
        assert!(SearchQuery::parse("a b c d e f g h").is_ok());
        assert!(SearchQuery::parse("a b c d e f g h i").is_err());
        // A repeated term counts once.
        assert!(SearchQuery::parse("a a a a a a a a a a").is_ok());
    }

    #[test]
    fn a_query_prints_as_it_would_be_typed() {
        let q = SearchQuery::parse(r#"x* "y z" w"#).ok().flatten();
        assert_eq!(q.map(|q| q.to_string()), Some(r#"x* "y z" w"#.to_owned()));
    }
}
