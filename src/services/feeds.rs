//! What the Atom feeds carry: the newest published posts of the whole site, of a category with
//! its descendants, of a tag or of an author. The posts come from the post lists' own keyset
//! query ([`blog::list_posts`] with a [`PostFilter`], so drafts never appear), then one more
//! statement fetches what only a feed needs (rendered HTML, update time, author's display
//! name). A feed is a fixed handful of statements whatever the volume. The XML itself is the
//! web layer's (`routes::feeds`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{category, post, profile, tag, user};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QuerySelect, RelationTrait,
};

use super::ServiceError;
use super::blog::{self, Position, PostFilter};

/// Entries in a feed: the newest posts.
pub const FEED_ENTRIES: u64 = 20;

/// Which posts a feed asks for (as named in its URL).
#[derive(Clone, Copy, Debug)]
pub enum FeedScope<'a> {
    All,
    /// A category's slug: its posts and those of every category below it.
    Category(&'a str),
    /// A tag's name.
    Tag(&'a str),
    /// An author's username.
    Author(&'a str),
}

/// What a feed turned out to be about.
#[derive(Clone, Debug)]
pub enum FeedSubject {
    All,
    Category(category::Model),
    Tag(tag::Model),
    Author {
        username: String,
        /// The display name, or the username when there is none.
        name: String,
    },
}

/// One published post as a feed shows it.
#[derive(Clone, Debug)]
pub struct FeedEntry {
    pub id: i32,
    pub title: String,
    pub slug: String,
    /// The plain-text excerpt.
    pub summary: String,
    /// The body rendered and cleaned at write time (`None` for rows written before it was
    /// stored).
    pub html: Option<String>,
    pub published: DateTime<Utc>,
    /// The last change (never before `published`).
    pub updated: DateTime<Utc>,
    /// The author's display name, or their username.
    pub author: String,
    pub tags: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Feed {
    pub subject: FeedSubject,
    /// Newest first.
    pub entries: Vec<FeedEntry>,
}

impl Feed {
    /// The newest change among the entries (`None` for an empty feed).
    pub fn updated(&self) -> Option<DateTime<Utc>> {
        self.entries.iter().map(|e| e.updated).max()
    }
}

/// A display name if it says something, else the username.
fn name_or(display_name: Option<String>, username: &str) -> String {
    display_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| username.to_owned())
}

/// The subject of `scope` and the list filter for its posts; an unknown category, tag or
/// author is [`ServiceError::NotFound`].
async fn subject(
    db: &impl ConnectionTrait,
    scope: FeedScope<'_>,
) -> Result<(FeedSubject, PostFilter), ServiceError> {
    Ok(match scope {
        FeedScope::All => (FeedSubject::All, PostFilter::default()),
        FeedScope::Category(slug) => {
            let all = blog::categories(db).await?;
            let (category, filter) = blog::category_posts(&all, slug, PostFilter::default())
                .ok_or(ServiceError::NotFound)?;
            (FeedSubject::Category(category), filter)
        }
        FeedScope::Tag(name) => {
            let tag = blog::tag_by_name(db, name).await?;
            let filter = PostFilter {
                tag_id: Some(tag.id),
                ..Default::default()
            };
            (FeedSubject::Tag(tag), filter)
        }
        FeedScope::Author(username) => {
            let author = super::accounts::user_by_username(db, username).await?;
            let display_name = profile::Entity::find_by_user_id(author.id)
                .one(db)
                .await?
                .map(|p| p.display_name);
            let filter = PostFilter {
                author_id: Some(author.id),
                ..Default::default()
            };
            let name = name_or(display_name, &author.username);
            (
                FeedSubject::Author {
                    username: author.username,
                    name,
                },
                filter,
            )
        }
    })
}

/// What a feed needs beyond a list row.
#[derive(Clone, Debug, FromQueryResult)]
struct FeedDetail {
    id: i32,
    body_html: Option<String>,
    updated_at: DateTime<Utc>,
    display_name: Option<String>,
}

/// The [`FeedDetail`]s of these posts, by id, in one statement.
async fn feed_details(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> Result<HashMap<i32, FeedDetail>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(post::Entity::find()
        .select_only()
        .columns([
            post::Column::Id,
            post::Column::BodyHtml,
            post::Column::UpdatedAt,
        ])
        .column_as(profile::Column::DisplayName, "display_name")
        .join(JoinType::InnerJoin, post::Relation::User.def())
        .join(JoinType::LeftJoin, user::Relation::Profile.def())
        .filter(post::Column::Id.is_in(ids))
        .into_model::<FeedDetail>()
        .all(db)
        .await?
        .into_iter()
        .map(|detail| (detail.id, detail))
        .collect())
}

/// The newest [`FEED_ENTRIES`] published posts of `scope`, newest first (in the lists' order:
/// by publication, then id), in at most five statements.
#[tracing::instrument(skip(db))]
pub async fn feed(db: &impl ConnectionTrait, scope: FeedScope<'_>) -> Result<Feed, ServiceError> {
    let (subject, filter) = subject(db, scope).await?;
    let slice = blog::list_posts(db, &filter, Position::Newest, FEED_ENTRIES).await?;
    let mut details = feed_details(db, slice.items.iter().map(|c| c.row.id).collect()).await?;
    let entries = slice
        .items
        .into_iter()
        .map(|card| {
            let row = card.row;
            let detail = details.remove(&row.id);
            let published = row.published_at.unwrap_or(row.listed_at);
            let updated = detail.as_ref().map_or(published, |d| d.updated_at);
            let (html, display_name) =
                detail.map_or((None, None), |d| (d.body_html, d.display_name));
            FeedEntry {
                id: row.id,
                author: name_or(display_name, &row.author),
                title: row.title,
                slug: row.slug,
                summary: row.excerpt,
                html,
                published,
                updated: updated.max(published),
                tags: card.tags,
            }
        })
        .collect();
    Ok(Feed { subject, entries })
}
