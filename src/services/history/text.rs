//! Text diffs for long fields (a post's body, a synopsis): the lines that changed with a
//! little context, by the `similar` crate.

use std::time::Duration;

use similar::{ChangeTag, TextDiff};

/// Lines of context kept around each change.
const CONTEXT: usize = 2;
/// A pathological pair of texts gets a coarser diff instead of holding the request.
const DEADLINE: Duration = Duration::from_millis(500);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Same,
    Added,
    Removed,
    /// Unchanged lines left out between two changes.
    Gap,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: LineKind,
    pub text: String,
}

impl DiffLine {
    /// The CSS class a page gives the line.
    pub fn class(&self) -> &'static str {
        match self.kind {
            LineKind::Same => "same",
            LineKind::Added => "added",
            LineKind::Removed => "removed",
            LineKind::Gap => "gap",
        }
    }

    pub fn is_added(&self) -> bool {
        self.kind == LineKind::Added
    }

    pub fn is_removed(&self) -> bool {
        self.kind == LineKind::Removed
    }

    pub fn is_gap(&self) -> bool {
        self.kind == LineKind::Gap
    }
}

fn diff<'a>(before: &'a str, after: &'a str) -> TextDiff<'a, 'a, 'a, str> {
    TextDiff::configure()
        .timeout(DEADLINE)
        .diff_lines(before, after)
}

/// Browsers send a textarea's lines ended by CRLF, while text written elsewhere (the API, the
/// seed) ends them by LF: a diff compares the lines, not how they end.
fn lines_of(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// The changed lines of `before` → `after`, with [`CONTEXT`] lines around each change and a
/// gap line where unchanged lines are left out.
pub fn line_diff(before: &str, after: &str) -> Vec<DiffLine> {
    let (before, after) = (lines_of(before), lines_of(after));
    let diff = diff(&before, &after);
    let mut lines = Vec::new();
    for (index, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if index > 0 {
            lines.push(DiffLine {
                kind: LineKind::Gap,
                text: String::new(),
            });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => LineKind::Same,
                    ChangeTag::Insert => LineKind::Added,
                    ChangeTag::Delete => LineKind::Removed,
                };
                let text = change.value().trim_end_matches(['\n', '\r']).to_owned();
                lines.push(DiffLine { kind, text });
            }
        }
    }
    lines
}

/// The same change as a unified diff (`---`/`+++` headers, `@@` hunks).
pub fn unified_diff(before: &str, after: &str) -> String {
    let (before, after) = (lines_of(before), lines_of(after));
    diff(&before, &after)
        .unified_diff()
        .context_radius(CONTEXT)
        .header("before", "after")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_shows_as_removed_then_added_with_its_context() {
        let before = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n";
        let after = "one\ntwo\nthree\nFOUR\nfive\nsix\nseven\neight\n";
        let lines = line_diff(before, after);
        let shown: Vec<(LineKind, &str)> =
            lines.iter().map(|l| (l.kind, l.text.as_str())).collect();
        assert_eq!(
            shown,
            vec![
                (LineKind::Same, "two"),
                (LineKind::Same, "three"),
                (LineKind::Removed, "four"),
                (LineKind::Added, "FOUR"),
                (LineKind::Same, "five"),
                (LineKind::Same, "six"),
            ]
        );
        assert!(unified_diff(before, after).contains("-four\n+FOUR\n"));
    }

    #[test]
    fn lines_ended_differently_are_the_same_lines() {
        let lines = line_diff("one\ntwo\nthree\n", "one\r\ntwo\r\nTHREE\r\n");
        let changed: Vec<&str> = lines
            .iter()
            .filter(|l| l.kind != LineKind::Same)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(changed, ["three", "THREE"]);
    }

    #[test]
    fn distant_changes_are_separated_by_a_gap() {
        let before: String = (0..40).map(|n| format!("line {n}\n")).collect();
        let after = before
            .replace("line 3\n", "line three\n")
            .replace("line 30\n", "line thirty\n");
        let lines = line_diff(&before, &after);
        assert_eq!(lines.iter().filter(|l| l.is_gap()).count(), 1);
        assert_eq!(lines.iter().filter(|l| l.is_added()).count(), 2);
        assert!(
            lines.len() < 20,
            "unchanged lines far from a change are left out"
        );
    }
}
