//! Marquee's Markdown, in one place for the app and for the migrations that backfill stored
//! HTML: [`to_safe_html`] renders with pulldown-cmark and cleans with ammonia (no scripts, event
//! handlers or `javascript:` links; links marked `nofollow`), [`excerpt`] gives a plain-text
//! start for lists. Posts store both at write time, so pages never render Markdown.

use pulldown_cmark::{Options, Parser, html};

pub fn to_safe_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut rendered, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(&rendered)
        .to_string()
}

/// Plain-text start of a Markdown body: markup characters dropped, cut at a word boundary.
pub fn excerpt(markdown: &str, max_chars: usize) -> String {
    let text: String = markdown
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("```"))
        .map(|l| {
            l.strip_prefix("- ")
                .or_else(|| l.strip_prefix("* "))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '[' | ']' | '>'))
        .collect();
    let text = strip_link_targets(&text);
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max_chars / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

/// Removes the `(url)` part that follows link text once brackets are gone.
fn strip_link_targets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("(http") {
        out.push_str(&rest[..start]);
        match rest[start..].find(')') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{excerpt, to_safe_html};

    #[test]
    fn markdown_is_rendered() {
        let html = to_safe_html("# Title\n\nSome *emphasis* and `code`.\n\n- one\n- two");
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<em>emphasis</em>"));
        assert!(html.contains("<code>code</code>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let html = to_safe_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) <b onclick=\"x()\">b</b>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        let link = to_safe_html("[site](https://example.com)");
        assert!(
            link.contains("rel=\"nofollow noopener noreferrer\""),
            "{link}"
        );
    }

    #[test]
    fn an_excerpt_drops_markdown_and_cuts_at_a_word() {
        let md = "# Heading\n\nSome *bold* text with a [link](https://example.com) and `code`.\n\n- item";
        assert_eq!(
            excerpt(md, 200),
            "Some bold text with a link and code. item"
        );
        let cut = excerpt("alpha beta gamma delta epsilon", 14);
        assert_eq!(cut, "alpha beta…");
    }
}
