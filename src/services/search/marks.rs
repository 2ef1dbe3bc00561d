//! The words a search found, marked in a result's title and in a snippet of its text. Done
//! here rather than by each engine's own highlighter (`snippet()`, `ts_headline`; MySQL has
//! none) so the three backends show the same snippets, and as text segments, never as HTML
//! built from stored text: the page escapes each segment and the API returns them as they are.

use crate::domain::{SearchQuery, Term};

/// Words a snippet shows at most.
const SNIPPET_WORDS: usize = 28;
/// Words shown before the first one found.
const LEAD_WORDS: usize = 8;

/// A piece of text, marked when it is a word the search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub marked: bool,
}

/// `text` in segments, its words that match a term of `query` marked.
pub fn highlight(text: &str, query: &SearchQuery) -> Vec<Segment> {
    let mut segments = Vec::new();
    for (piece, is_word) in pieces(text) {
        push(&mut segments, piece, is_word && matches(piece, query));
    }
    segments
}

/// A stretch of `text` (plain text) around the first word `query` finds: at most
/// [`SNIPPET_WORDS`] words, an ellipsis where it is cut. The text's start when no word is
/// found in it (the match was in the title or the tags).
pub fn snippet(text: &str, query: &SearchQuery) -> Vec<Segment> {
    let pieces = pieces(text);
    let words: Vec<usize> = pieces
        .iter()
        .enumerate()
        .filter(|(_, (_, is_word))| *is_word)
        .map(|(i, _)| i)
        .collect();
    let first_found = words
        .iter()
        .position(|&i| matches(pieces[i].0, query))
        .unwrap_or(0);
    let from_word = first_found.saturating_sub(LEAD_WORDS);
    let to_word = from_word.saturating_add(SNIPPET_WORDS).min(words.len());
    let (Some(&from), Some(&last)) = (words.get(from_word), words.get(to_word.saturating_sub(1)))
    else {
        return Vec::new();
    };
    let mut segments = Vec::new();
    if from_word > 0 {
        push(&mut segments, "…", false);
    }
    for (piece, is_word) in &pieces[from..=last] {
        push(&mut segments, piece, *is_word && matches(piece, query));
    }
    if to_word < words.len() {
        push(&mut segments, " …", false);
    }
    segments
}

/// `text` cut into runs of letters and digits (`true`) and what lies between them.
fn pieces(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word = None;
    for (i, c) in text.char_indices() {
        let is_word = c.is_alphanumeric();
        match in_word {
            Some(kind) if kind != is_word => {
                out.push((&text[start..i], kind));
                start = i;
            }
            _ => {}
        }
        in_word = Some(is_word);
    }
    if let Some(kind) = in_word {
        out.push((&text[start..], kind));
    }
    out
}

fn push(segments: &mut Vec<Segment>, text: &str, marked: bool) {
    match segments.last_mut() {
        Some(last) if last.marked == marked => last.text.push_str(text),
        _ => segments.push(Segment {
            text: text.to_owned(),
            marked,
        }),
    }
}

/// Whether the word `piece` is one `query` looks for: a prefix term begins it; a word term is
/// the same once a plural or verb ending is taken off (the engines stem), or begins it when it
/// is long enough not to begin half the words of a text.
fn matches(piece: &str, query: &SearchQuery) -> bool {
    let word = piece.to_lowercase();
    query.terms().iter().any(|term| match term {
        Term::Prefix(p) => word.starts_with(p.as_str()),
        Term::Word(_) | Term::Phrase(_) => term.words().iter().any(|w| {
            stem(&word) == stem(w) || (w.chars().count() >= 4 && word.starts_with(w.as_str()))
        }),
    })
}

/// A word without the commonest English endings, so "running" and "runs" meet "run".
fn stem(word: &str) -> &str {
    for ending in ["ing", "ed", "es", "s"] {
        if let Some(stem) = word.strip_suffix(ending)
            && stem.chars().count() >= 3
        {
            return stem;
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(raw: &str) -> SearchQuery {
        SearchQuery::parse(raw).unwrap().unwrap()
    }

    fn render(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| {
                if s.marked {
                    format!("[{}]", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn words_found_are_marked_whatever_their_case_or_ending() {
        assert_eq!(
            render(&highlight(
                "The Godfather: Films & filming",
                &q("godfather film")
            )),
            "The [Godfather]: [Films] & [filming]"
        );
        assert_eq!(
            render(&highlight("Directors", &q("direct*"))),
            "[Directors]"
        );
        assert_eq!(
            render(&highlight("Bong Joon-ho", &q("joon-ho"))),
            "Bong [Joon]-[ho]"
        );
        assert_eq!(render(&highlight("A cat asked", &q("a"))), "[A] cat asked");
    }

    #[test]
    fn a_snippet_is_cut_around_the_first_word_found() {
        let text = (1..=100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let text = text.replace("w50", "needle");
        let shown = render(&snippet(&text, &q("needle")));
        assert!(shown.starts_with("…w42 "), "{shown}");
        assert!(shown.contains("[needle]"), "{shown}");
        assert!(shown.ends_with("w69 …"), "{shown}");
    }

    #[test]
    fn a_snippet_of_text_without_the_words_is_its_start() {
        let shown = render(&snippet("Short text here.", &q("absent")));
        assert_eq!(shown, "Short text here");
        assert!(snippet("", &q("absent")).is_empty());
    }

    #[test]
    fn text_is_kept_as_it_is_for_the_page_to_escape() {
        let shown = highlight("<b>bold</b> & \"x\"", &q("bold"));
        assert_eq!(render(&shown), "<b>[bold]</b> & \"x\"");
    }
}
