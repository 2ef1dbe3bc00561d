//! What the sitemap lists: the home page, published posts, categories, tags that a published
//! post carries, movies and people. Up to `per_file` addresses it is one list; past that it is
//! an index of numbered parts per section, each at most `per_file` addresses (the protocol's
//! limit is 50,000). Every query selects only the columns an address needs and reads at most
//! one part's rows (LIMIT/OFFSET in id order), so memory stays bounded at any volume. The XML
//! and the URL shapes are the web layer's (`routes::feeds`).

use chrono::{DateTime, Utc};
use entity::enums::PostStatus;
use entity::{category, movie, person, post, tag};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, TryGetableMany,
};

/// A kind of page the sitemap lists, one numbered series of parts each in an index.
/// The protocol's limit of addresses in one file (and of parts in an index).
pub const MAX_PER_FILE: u64 = 50_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    Home,
    Posts,
    Categories,
    Tags,
    Movies,
    People,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Home,
        Section::Posts,
        Section::Categories,
        Section::Tags,
        Section::Movies,
        Section::People,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Section::Home => "home",
            Section::Posts => "posts",
            Section::Categories => "categories",
            Section::Tags => "tags",
            Section::Movies => "movies",
            Section::People => "people",
        }
    }

    pub fn named(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A page the sitemap points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Home,
    /// A post's slug.
    Post(String),
    /// A category's slug.
    Category(String),
    /// A tag's name.
    Tag(String),
    Movie(i32),
    Person(i32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SitemapUrl {
    pub place: Place,
    /// When the page last changed, where that is known (posts).
    pub lastmod: Option<DateTime<Utc>>,
}

/// One file of a split sitemap: the `number`th (from 1) run of `per_file` addresses of a
/// section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SitemapPart {
    pub section: Section,
    pub number: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sitemap {
    /// Every address, in one file.
    Urls(Vec<SitemapUrl>),
    /// Too many for one file: the parts to list in a sitemap index.
    Index(Vec<SitemapPart>),
}

fn published_posts() -> Select<post::Entity> {
    post::Entity::find().filter(post::Column::Status.eq(PostStatus::Published))
}

/// Tags that at least one published post carries (the others' pages are empty), by the
/// maintained count.
fn used_tags() -> Select<tag::Entity> {
    tag::Entity::find().filter(tag::Column::PostCount.gt(0))
}

/// How many addresses a section has (one statement; none for the home page).
async fn count(db: &impl ConnectionTrait, section: Section) -> Result<u64, DbErr> {
    match section {
        Section::Home => Ok(1),
        Section::Posts => published_posts().count(db).await,
        Section::Categories => category::Entity::find().count(db).await,
        Section::Tags => used_tags().count(db).await,
        Section::Movies => movie::Entity::find().count(db).await,
        Section::People => person::Entity::find().count(db).await,
    }
}

/// Up to `limit` rows of `columns` from `offset` on, in `order` (one statement).
async fn rows<E, T>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    columns: impl IntoIterator<Item = E::Column>,
    order: E::Column,
    (limit, offset): (u64, u64),
) -> Result<Vec<T>, DbErr>
where
    E: EntityTrait,
    T: TryGetableMany,
{
    select
        .select_only()
        .columns(columns)
        .order_by_asc(order)
        .limit(limit)
        .offset(offset)
        .into_tuple::<T>()
        .all(db)
        .await
}

/// Up to `limit` addresses of a section from `offset` on, in id order (one statement).
async fn load(
    db: &impl ConnectionTrait,
    section: Section,
    limit: u64,
    offset: u64,
) -> Result<Vec<SitemapUrl>, DbErr> {
    let window = (limit, offset);
    let at = |place| SitemapUrl {
        place,
        lastmod: None,
    };
    Ok(match section {
        Section::Home => match offset {
            0 => vec![at(Place::Home)],
            _ => Vec::new(),
        },
        Section::Posts => {
            let columns = [post::Column::Slug, post::Column::UpdatedAt];
            rows::<_, (String, DateTime<Utc>)>(
                db,
                published_posts(),
                columns,
                post::Column::Id,
                window,
            )
            .await?
            .into_iter()
            .map(|(slug, updated)| SitemapUrl {
                place: Place::Post(slug),
                lastmod: Some(updated),
            })
            .collect()
        }
        Section::Categories => {
            let columns = [category::Column::Slug];
            rows(
                db,
                category::Entity::find(),
                columns,
                category::Column::Id,
                window,
            )
            .await?
            .into_iter()
            .map(|slug| at(Place::Category(slug)))
            .collect()
        }
        Section::Tags => rows(
            db,
            used_tags(),
            [tag::Column::Name],
            tag::Column::Id,
            window,
        )
        .await?
        .into_iter()
        .map(|name| at(Place::Tag(name)))
        .collect(),
        Section::Movies => {
            let columns = [movie::Column::Id];
            rows(
                db,
                movie::Entity::find(),
                columns,
                movie::Column::Id,
                window,
            )
            .await?
            .into_iter()
            .map(|id| at(Place::Movie(id)))
            .collect()
        }
        Section::People => {
            let columns = [person::Column::Id];
            rows(
                db,
                person::Entity::find(),
                columns,
                person::Column::Id,
                window,
            )
            .await?
            .into_iter()
            .map(|id| at(Place::Person(id)))
            .collect()
        }
    })
}

/// The sitemap with at most `per_file` addresses a file (1 to [`MAX_PER_FILE`]): every address when they
/// all fit (six counts, then one statement per non-empty section), else the index of parts
/// (the six counts only).
#[tracing::instrument(skip(db))]
pub async fn sitemap(db: &impl ConnectionTrait, per_file: u64) -> Result<Sitemap, DbErr> {
    let per_file = per_file.clamp(1, MAX_PER_FILE);
    let mut counts = Vec::with_capacity(Section::ALL.len());
    for section in Section::ALL {
        counts.push((section, count(db, section).await?));
    }
    let total = counts
        .iter()
        .fold(0u64, |sum, (_, n)| sum.saturating_add(*n));
    if total <= per_file {
        let mut urls = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
        for (section, n) in counts {
            if n > 0 {
                urls.extend(load(db, section, per_file, 0).await?);
            }
        }
        // Rows added between the counts and the reads must not push the file past the limit.
        urls.truncate(usize::try_from(per_file).unwrap_or(usize::MAX));
        return Ok(Sitemap::Urls(urls));
    }
    Ok(Sitemap::Index(
        counts
            .into_iter()
            .flat_map(|(section, n)| {
                (1..=n.div_ceil(per_file)).map(move |number| SitemapPart { section, number })
            })
            .collect(),
    ))
}

/// The addresses of one part (two statements), or `None` for a part that does not exist.
#[tracing::instrument(skip(db))]
pub async fn sitemap_part(
    db: &impl ConnectionTrait,
    part: SitemapPart,
    per_file: u64,
) -> Result<Option<Vec<SitemapUrl>>, DbErr> {
    let per_file = per_file.clamp(1, MAX_PER_FILE);
    // Numbers past what a query can bind (an i64 offset) are parts that cannot exist.
    let Some(offset) = part
        .number
        .checked_sub(1)
        .and_then(|n| n.checked_mul(per_file))
        .filter(|offset| i64::try_from(*offset).is_ok())
    else {
        return Ok(None);
    };
    if offset >= count(db, part.section).await? {
        return Ok(None);
    }
    Ok(Some(load(db, part.section, per_file, offset).await?))
}
