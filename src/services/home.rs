//! What the home page shows besides recent posts (see `blog`): the newest movies with their
//! directors, loaded in bulk (two statements whatever the list length).

use entity::enums::MpaRating;
use entity::movie;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};

#[derive(Clone, Debug)]
pub struct MovieSummary {
    pub id: i32,
    pub title: String,
    pub year: i32,
    pub mpa: Option<MpaRating>,
    pub theatre: bool,
    pub directors: Vec<String>,
}

/// The `limit` newest movies (by release year) with their directors in credited order
/// (two queries: movies, then all their director links joined to people).
pub async fn newest_movies(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<MovieSummary>, DbErr> {
    let movies = movie::Entity::find()
        .order_by_desc(movie::Column::Year)
        .order_by_asc(movie::Column::Title)
        .limit(limit)
        .all(db)
        .await?;
    let mut directors =
        super::movies::directors_of(db, movies.iter().map(|m| m.id).collect()).await?;
    Ok(movies
        .into_iter()
        .map(|m| MovieSummary {
            directors: directors
                .remove(&m.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, name)| name)
                .collect(),
            id: m.id,
            title: m.title,
            year: m.year,
            mpa: m.mpa,
            theatre: m.theatre,
        })
        .collect())
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
    use super::excerpt;

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
