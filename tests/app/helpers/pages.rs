//! Checked inputs built through the forms' own parsers, and reading pages with CSS selectors.

#[allow(unused_imports)]
use super::*;

/// A post's checked input, through the post form's own parser.
pub fn post_input(
    title: &str,
    body: &str,
    category_id: Option<i32>,
    tags: &[&str],
    published: bool,
) -> marquee::services::blog::PostInput {
    marquee::forms::PostForm {
        title: title.into(),
        body: body.into(),
        category_id: category_id.map(|c| c.to_string()).unwrap_or_default(),
        tags: tags.join(", "),
        status: if published { "published" } else { "draft" }.into(),
        version: String::new(),
        preview: String::new(),
    }
    .parse()
    .unwrap_or_else(|e| panic!("post input: {e}"))
}

/// A movie's checked input, through the movie form's own parser.
pub fn movie_input(
    title: &str,
    year: i32,
    mpa: Option<entity::enums::MpaRating>,
    theatre: bool,
    directors: &[&str],
) -> marquee::services::movies::MovieInput {
    marquee::forms::MovieForm {
        title: title.into(),
        year: year.to_string(),
        mpa: mpa.map(|m| m.as_str().to_owned()).unwrap_or_default(),
        theatre,
        synopsis: format!("{title} synopsis"),
        directors: directors.join("\n"),
        version: String::new(),
    }
    .parse()
    .unwrap_or_else(|e| panic!("movie input: {e}"))
}

/// A review's checked input.
pub fn review_input(rating: i32, body: &str) -> marquee::services::movies::ReviewInput {
    marquee::forms::ReviewForm {
        rating: rating.to_string(),
        body: body.into(),
        version: String::new(),
    }
    .parse()
    .unwrap_or_else(|e| panic!("review input: {e}"))
}

/// A comment's checked text.
pub fn comment_text(text: &str) -> marquee::domain::CommentBody {
    marquee::domain::CommentBody::parse(text).unwrap()
}

/// A page's HTML, read through CSS selectors (`scraper`) rather than searched as text. It keeps
/// the text and parses it per question, so it may be held across an `await` (a parsed
/// `scraper::Html` is not `Send`).
pub struct Doc(String);

impl Doc {
    pub fn parse(html: &str) -> Doc {
        Doc(html.to_owned())
    }

    fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.0)
    }

    fn selector(css: &str) -> scraper::Selector {
        scraper::Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e}"))
    }

    /// The text of every element matching `css`: its words, joined by single spaces (text in
    /// neighbouring elements counts as separate words).
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.html()
            .select(&Self::selector(css))
            .map(|e| {
                e.text()
                    .flat_map(str::split_whitespace)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The text of the one element matching `css`.
    pub fn text(&self, css: &str) -> String {
        let texts = self.texts(css);
        assert_eq!(texts.len(), 1, "exactly one {css}: {texts:?}");
        texts.into_iter().next().unwrap_or_default()
    }

    /// The attribute `name` of every element matching `css`.
    pub fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        self.html()
            .select(&Self::selector(css))
            .filter_map(|e| e.value().attr(name).map(str::to_owned))
            .collect()
    }

    /// How many elements match `css`.
    pub fn count(&self, css: &str) -> usize {
        self.html().select(&Self::selector(css)).count()
    }
}

/// The text as Askama's HTML escaping writes it.
pub fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}
