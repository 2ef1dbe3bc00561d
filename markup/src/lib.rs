//! Marquee's Markdown, in one place for the app and for the migrations that backfill stored
//! HTML: [`to_safe_html`] renders with pulldown-cmark and cleans with ammonia (no scripts, event
//! handlers or `javascript:` links; links marked `nofollow`), [`excerpt`] gives a plain-text
//! start for lists. Posts store both at write time. Comments are Markdown too, in a smaller
//! set ([`comment_to_safe_html`]), rendered when shown.
//!
//! A post's own pictures ([`Picture`], shown as `![alt](/media/HASH/full)`) are written with
//! their dimensions (no layout shift), both sizes for the browser to choose from, and lazily
//! loaded: [`to_safe_html_with`].

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// A picture Marquee stores, as a post's text may show it: its address (`/media/HASH/…`) and
/// the dimensions of its `card` and `full` sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    pub hash: String,
    pub card: (u32, u32),
    pub full_width: u32,
}

/// `markdown` as HTML that is safe to show.
pub fn to_safe_html(markdown: &str) -> String {
    to_safe_html_with(markdown, &[])
}

/// `markdown` as HTML that is safe to show, its images of `pictures` written in full.
pub fn to_safe_html_with(markdown: &str, pictures: &[Picture]) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    let mut events = Parser::new_ext(markdown, options);
    let mut out: Vec<Event> = Vec::new();
    while let Some(event) = events.next() {
        let picture = match &event {
            Event::Start(Tag::Image { dest_url, .. }) => stored(dest_url, pictures),
            _ => None,
        };
        let Some(picture) = picture else {
            out.push(event);
            continue;
        };
        // The alternative text is the image's inner text, up to its end.
        let mut alt = String::new();
        let mut depth = 0usize;
        for inner in events.by_ref() {
            match inner {
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) if depth == 0 => break,
                Event::End(TagEnd::Image) => depth = depth.saturating_sub(1),
                Event::Text(text) | Event::Code(text) => alt.push_str(&text),
                _ => {}
            }
        }
        out.push(Event::InlineHtml(img(picture, &alt).into()));
    }
    html::push_html(&mut rendered, out.into_iter());
    ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .add_tag_attributes("img", &["srcset", "sizes"])
        .add_tag_attribute_values("img", "loading", &["lazy"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Only Marquee's own pictures are offered in several sizes.
            ("img", "srcset") => value
                .split(',')
                .all(|candidate| candidate.trim_start().starts_with("/media/"))
                .then(|| value.into()),
            _ => Some(value.into()),
        })
        .clean(&rendered)
        .to_string()
}

/// A comment's Markdown as HTML that is safe to show: emphasis, links (`nofollow`), code,
/// lists, quotes, line breaks; no images (a comment never makes its readers' browsers fetch
/// something from elsewhere), no headings or tables (shown as their text), and raw HTML shown
/// as typed, not interpreted.
pub fn comment_to_safe_html(markdown: &str) -> String {
    let events =
        Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).filter_map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            // A hard line break where the writer pressed Enter, as people expect of a comment.
            Event::SoftBreak => Some(Event::HardBreak),
            // An image shows as its description (the text between its start and end).
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
            other => Some(other),
        });
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut rendered, events);
    ammonia::Builder::empty()
        .add_tags([
            "p",
            "br",
            "em",
            "strong",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "a",
        ])
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer ugc"))
        .clean(&rendered)
        .to_string()
}

/// The picture `url` shows, when it is one of `pictures` (`/media/HASH/SIZE`).
fn stored<'p>(url: &str, pictures: &'p [Picture]) -> Option<&'p Picture> {
    let rest = url.strip_prefix("/media/")?;
    let (hash, size) = rest.split_once('/')?;
    if !matches!(size, "thumb" | "card" | "full") {
        return None;
    }
    pictures.iter().find(|p| p.hash == hash)
}

fn img(picture: &Picture, alt: &str) -> String {
    let Picture {
        hash,
        card: (width, height),
        full_width,
    } = picture;
    format!(
        r#"<img src="/media/{hash}/card" srcset="/media/{hash}/card {width}w, /media/{hash}/full {full_width}w" sizes="(max-width: {width}px) 100vw, {width}px" width="{width}" height="{height}" alt="{}" loading="lazy">"#,
        escape(alt)
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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
    use super::{Picture, comment_to_safe_html, excerpt, to_safe_html, to_safe_html_with};

    fn picture(hash: &str) -> Picture {
        Picture {
            hash: hash.to_owned(),
            card: (720, 480),
            full_width: 1440,
        }
    }

    #[test]
    fn a_posts_own_picture_is_written_with_its_sizes_and_dimensions() {
        let html = to_safe_html_with(
            "Look: ![A *quiet* \"bench\"](/media/abc/full)",
            &[picture("abc")],
        );
        assert!(html.contains(r#"src="/media/abc/card""#), "{html}");
        assert!(
            html.contains(r#"srcset="/media/abc/card 720w, /media/abc/full 1440w""#),
            "{html}"
        );
        assert!(html.contains(r#"width="720" height="480""#), "{html}");
        assert!(html.contains(r#"loading="lazy""#), "{html}");
        assert!(
            html.contains(r#"alt="A quiet &quot;bench&quot;""#),
            "{html}"
        );
    }

    #[test]
    fn other_images_are_left_as_written_and_srcset_never_points_elsewhere() {
        let html = to_safe_html_with("![x](/media/other/full)", &[picture("abc")]);
        assert!(
            html.contains(r#"<img src="/media/other/full" alt="x">"#),
            "{html}"
        );
        let html = to_safe_html(
            r#"<img src="/media/a/card" srcset="https://evil.example/x.png 2x" loading="eager">"#,
        );
        assert!(!html.contains("srcset"), "{html}");
        assert!(!html.contains("eager"), "{html}");
    }

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

    #[test]
    fn a_comment_keeps_emphasis_links_and_code_and_shows_html_as_typed() {
        let html = comment_to_safe_html(
            "Some *stress* and `code`, a [link](https://example.com).\nNext line <b>bold?</b>",
        );
        assert!(
            html.contains("<em>stress</em>") && html.contains("<code>code</code>"),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<a href="https://example.com" rel="nofollow noopener noreferrer ugc">link</a>"#
            ),
            "{html}"
        );
        assert!(html.contains("<br>"), "a new line stays one: {html}");
        assert!(html.contains("&lt;b&gt;bold?&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn a_comment_has_no_images_headings_scripts_or_script_links() {
        let html = comment_to_safe_html(
            "# Title\n\n![tracker](https://evil.example/p.gif)\n\n[x](javascript:alert(1))\n\n<script>alert(1)</script>",
        );
        assert!(!html.contains("<img") && !html.contains("<h1"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("Title"), "a heading's text stays: {html}");
        assert!(
            html.contains("tracker"),
            "an image's description stays: {html}"
        );
    }
}
