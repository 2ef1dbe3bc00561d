//! `marquee seed --scale N`: N generated posts with proportional users, tags, comments,
//! movies, people and reviews, for load tests and pagination at depth.
//!
//! Rows are written with multi-row INSERTs, one transaction per batch. Generated rows carry
//! numbered keys (`scale-post-0000001`, `scale_user_00001`, ...), so a run continues where the
//! last one stopped: running it twice with the same N changes nothing, a larger N adds the rest.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use entity::enums::{MpaRating, PostStatus};
use entity::{
    category, comment, movie, movie_director, person, post, post_tag, profile, review, role, tag,
    user,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect,
};

use crate::services::accounts::password;
use crate::services::movies::FacetKey;

/// Rows per INSERT statement and per transaction (well under every backend's bind limit).
const BATCH: u64 = 1_000;
const COMMENTS_PER_POST: u64 = 3;
const TAGS_PER_POST: u64 = 2;
const REVIEWS_PER_MOVIE: u64 = 2;

/// How many rows of each kind N posts bring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub posts: u64,
    pub users: u64,
    pub tags: u64,
    pub movies: u64,
    pub people: u64,
}

impl Plan {
    pub fn for_posts(posts: u64) -> Plan {
        Plan {
            posts,
            users: (posts / 20).max(10),
            tags: (posts / 200).clamp(10, 500),
            movies: (posts / 10).max(5),
            people: (posts / 20).max(3),
        }
    }

    /// Units of work reported to the progress callback.
    pub fn work(&self) -> u64 {
        self.users + self.posts + self.movies
    }
}

/// Generates the data for `n_posts`; `progress(done, total)` is called after every batch.
pub async fn seed_scale(
    db: &DatabaseConnection,
    n_posts: u64,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<Plan> {
    let plan = Plan::for_posts(n_posts);
    let total = plan.work();
    let mut done = 0;

    // A few drawn posters and avatars, each shared by many generated rows.
    let palette = super::palette::Palette::stored(db).await?;
    let users = ensure_users(db, &plan, &palette, &mut |n| {
        done += n;
        progress(done, total)
    })
    .await?;
    let tags = ensure_tags(db, plan.tags).await?;
    let categories: Vec<i32> = category::Entity::find()
        .select_only()
        .column(category::Column::Id)
        .into_tuple()
        .all(db)
        .await?;

    let existing_posts = post::Entity::find()
        .filter(post::Column::Slug.starts_with("scale-post-"))
        .count(db)
        .await?;
    done += existing_posts.min(plan.posts);
    progress(done, total);
    let now = Utc::now();
    let mut start = existing_posts;
    while start < plan.posts {
        let end = (start + BATCH).min(plan.posts);
        insert_posts(db, start..end, &users, &tags, &categories, now).await?;
        done += end - start;
        progress(done, total);
        start = end;
    }
    if existing_posts < plan.posts {
        crate::services::blog::refresh_post_counts(db, None, None).await?;
    }

    let people = ensure_people(db, plan.people).await?;
    let existing_movies = movie::Entity::find()
        .filter(movie::Column::Title.starts_with("Scale movie #"))
        .count(db)
        .await?;
    done += existing_movies.min(plan.movies);
    progress(done, total);
    let mut start = existing_movies;
    while start < plan.movies {
        let end = (start + BATCH).min(plan.movies);
        insert_movies(db, start..end, &people, &users, &palette, now).await?;
        done += end - start;
        progress(done, total);
        start = end;
    }
    Ok(plan)
}

fn post_slug(i: u64) -> String {
    format!("scale-post-{i:07}")
}

fn movie_title(i: u64) -> String {
    format!("Scale movie #{i:07}")
}

/// A cheap deterministic mix of `i`, for varied but repeatable data.
fn mix(i: u64, salt: u64) -> u64 {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 32)
}

const WORDS: &[&str] = &[
    "cinema", "light", "frame", "story", "rust", "query", "index", "reader", "scene", "score",
    "quiet", "bright", "tower", "river", "signal", "memory", "garden", "engine", "winter",
    "harbour", "letter", "market", "orbit", "paper", "silver", "theatre", "velvet", "window",
];

fn words(i: u64, salt: u64, count: u64) -> String {
    (0..count)
        .map(|k| WORDS[(mix(i, salt + k) % WORDS.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

fn body(i: u64) -> String {
    format!(
        "## {}\n\nThis generated post explores *{}* and `{}`. {}.\n\n- {}\n- {}\n\n{}.",
        words(i, 1, 3),
        words(i, 2, 2),
        words(i, 3, 1),
        capitalise(&words(i, 4, 24)),
        words(i, 5, 5),
        words(i, 6, 4),
        capitalise(&words(i, 7, 30)),
    )
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

async fn ensure_users(
    db: &DatabaseConnection,
    plan: &Plan,
    palette: &super::palette::Palette,
    progress: &mut impl FnMut(u64),
) -> anyhow::Result<Vec<i32>> {
    let existing = user::Entity::find()
        .filter(user::Column::Username.starts_with("scale_user_"))
        .count(db)
        .await?;
    progress(existing.min(plan.users));
    if existing < plan.users {
        let roles: HashMap<String, i32> = role::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.name, r.id))
            .collect();
        let author = roles
            .get("author")
            .or_else(|| roles.values().next())
            .copied();
        let reader = roles.get("reader").copied().or(author);
        let (Some(author), Some(reader)) = (author, reader) else {
            anyhow::bail!("no roles found: run the migrations first");
        };
        // One hash for every generated account: nobody needs to log in as them, and hashing
        // thousands of passwords would take minutes.
        let hash = password::hash(password::generate(24)).await?;
        let now = Utc::now();
        let mut start = existing;
        while start < plan.users {
            let end = (start + BATCH).min(plan.users);
            let txn = crate::services::begin_write(db).await?;
            let rows: Vec<user::ActiveModel> = (start..end)
                .map(|i| user::ActiveModel {
                    username: Set(format!("scale_user_{i:05}")),
                    email: Set(format!("scale_user_{i:05}@example.test")),
                    password_hash: Set(hash.clone()),
                    role_id: Set(if i % 4 == 0 { author } else { reader }),
                    country_id: Set(None),
                    is_active: Set(true),
                    created_at: Set(now - Duration::minutes(i as i64)),
                    last_seen_at: Set(None),
                    email_verified_at: Set(Some(now)),
                    avatar: Set(palette.avatar(i, mix(i, 73))),
                    ..Default::default()
                })
                .collect();
            user::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
            let ids = ids_by_key(
                &txn,
                user::Entity::find()
                    .select_only()
                    .column(user::Column::Id)
                    .column(user::Column::Username)
                    .filter(user::Column::Username.between(
                        format!("scale_user_{start:05}"),
                        format!("scale_user_{:05}", end - 1),
                    )),
            )
            .await?;
            let profiles: Vec<profile::ActiveModel> = ids
                .iter()
                .map(|(id, username)| profile::ActiveModel {
                    user_id: Set(*id),
                    display_name: Set(username.replace('_', " ")),
                    bio: Set(String::new()),
                    birth_date: Set(None),
                    job: Set(None),
                    location: Set(None),
                    website: Set(None),
                    ..Default::default()
                })
                .collect();
            profile::Entity::insert_many(profiles)
                .exec_without_returning(&txn)
                .await?;
            txn.commit().await?;
            progress(end - start);
            start = end;
        }
    }
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Username.starts_with("scale_user_"))
        .into_tuple()
        .all(db)
        .await?)
}

async fn ids_by_key(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<impl EntityTrait>,
) -> Result<Vec<(i32, String)>, DbErr> {
    select.into_tuple::<(i32, String)>().all(db).await
}

async fn ensure_tags(db: &DatabaseConnection, count: u64) -> anyhow::Result<Vec<(i32, String)>> {
    let existing = tag::Entity::find()
        .filter(tag::Column::Name.starts_with("scale-tag-"))
        .count(db)
        .await?;
    if existing < count {
        let rows: Vec<tag::ActiveModel> = (existing..count)
            .map(|i| tag::ActiveModel {
                name: Set(format!("scale-tag-{i:04}")),
                ..Default::default()
            })
            .collect();
        tag::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(ids_by_key(
        db,
        tag::Entity::find()
            .select_only()
            .column(tag::Column::Id)
            .column(tag::Column::Name)
            .filter(tag::Column::Name.starts_with("scale-tag-")),
    )
    .await?)
}

/// The tags of generated post `i`: `TAGS_PER_POST` neighbours from a spot that `i` picks.
fn tags_of_post(i: u64, tags: &[(i32, String)]) -> Vec<&(i32, String)> {
    if tags.is_empty() {
        return Vec::new();
    }
    let first = (mix(i, 21) % tags.len() as u64) as usize;
    (0..(TAGS_PER_POST as usize).min(tags.len()))
        .map(|k| &tags[(first + k) % tags.len()])
        .collect()
}

/// Whether comment `k` of generated post `i` is hidden (one in forty).
fn comment_hidden(i: u64, k: u64) -> bool {
    mix(i, 50 + k).is_multiple_of(40)
}

async fn ensure_people(db: &DatabaseConnection, count: u64) -> anyhow::Result<Vec<i32>> {
    let existing = person::Entity::find()
        .filter(person::Column::Name.starts_with("Scale Person "))
        .count(db)
        .await?;
    let mut start = existing;
    while start < count {
        let end = (start + BATCH).min(count);
        let rows: Vec<person::ActiveModel> = (start..end)
            .map(|i| person::ActiveModel {
                name: Set(format!("Scale Person {i:06}")),
                ..Default::default()
            })
            .collect();
        person::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
        start = end;
    }
    Ok(person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::Name.starts_with("Scale Person "))
        .into_tuple()
        .all(db)
        .await?)
}

async fn insert_posts(
    db: &DatabaseConnection,
    range: std::ops::Range<u64>,
    users: &[i32],
    tags: &[(i32, String)],
    categories: &[i32],
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    if users.is_empty() {
        anyhow::bail!("no generated users to write posts");
    }
    let txn = crate::services::begin_write(db).await?;
    let rows: Vec<post::ActiveModel> = range
        .clone()
        .map(|i| {
            let published = now - Duration::minutes(i as i64 * 7 + 60);
            let draft = i % 50 == 49;
            let body = body(i);
            let tag_names: Vec<String> = tags_of_post(i, tags)
                .into_iter()
                .map(|(_, name)| name.clone())
                .collect();
            let stored = crate::services::blog::stored_fields(&body, &tag_names, &[]);
            let mut row = post::ActiveModel {
                title: Set(format!("{} #{}", capitalise(&words(i, 0, 4)), i + 1)),
                slug: Set(post_slug(i)),
                listed_at: Set(published),
                body: Set(body),
                status: Set(if draft {
                    PostStatus::Draft
                } else {
                    PostStatus::Published
                }),
                author_id: Set(users[(mix(i, 11) % users.len() as u64) as usize]),
                category_id: Set(if categories.is_empty() {
                    None
                } else {
                    Some(categories[(i % categories.len() as u64) as usize])
                }),
                created_at: Set(published),
                updated_at: Set(published),
                published_at: Set((!draft).then_some(published)),
                ..Default::default()
            };
            stored.set_on(&mut row);
            row
        })
        .collect();
    post::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    let ids = ids_by_key(
        &txn,
        post::Entity::find()
            .select_only()
            .column(post::Column::Id)
            .column(post::Column::Slug)
            .filter(post::Column::Slug.between(post_slug(range.start), post_slug(range.end - 1))),
    )
    .await?;

    let mut links = Vec::with_capacity(ids.len() * TAGS_PER_POST as usize);
    let mut comments = Vec::with_capacity(ids.len() * COMMENTS_PER_POST as usize);
    for (n, (post_id, _)) in ids.iter().enumerate() {
        let i = range.start + n as u64;
        let published = now - Duration::minutes(i as i64 * 7 + 60);
        for (tag_id, _) in tags_of_post(i, tags) {
            links.push(post_tag::ActiveModel {
                post_id: Set(*post_id),
                tag_id: Set(*tag_id),
                listed_at: Set(published),
            });
        }
        for k in 0..COMMENTS_PER_POST {
            comments.push(comment::ActiveModel {
                post_id: Set(*post_id),
                author_id: Set(users[(mix(i, 31 + k) % users.len() as u64) as usize]),
                body: Set(capitalise(&words(i, 40 + k, 12)) + "."),
                is_hidden: Set(comment_hidden(i, k)),
                created_at: Set(published + Duration::minutes(k as i64 + 1)),
                ..Default::default()
            });
        }
    }
    if !links.is_empty() {
        post_tag::Entity::insert_many(links)
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in chunked(comments) {
        comment::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    let post_ids: Vec<i32> = ids.iter().map(|(id, _)| *id).collect();
    crate::services::blog::refresh_comment_counts(&txn, post_ids).await?;
    crate::services::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(())
}

async fn insert_movies(
    db: &DatabaseConnection,
    range: std::ops::Range<u64>,
    people: &[i32],
    users: &[i32],
    palette: &super::palette::Palette,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    if people.is_empty() || users.is_empty() {
        anyhow::bail!("no generated people or users for movies");
    }
    let ratings = MpaRating::all();
    let txn = crate::services::begin_write(db).await?;
    let keys: Vec<FacetKey> = range
        .clone()
        .map(|i| FacetKey {
            mpa: {
                let pick = (mix(i, 63) % (ratings.len() as u64 + 1)) as usize;
                ratings.get(pick).copied()
            },
            year: 1920 + (mix(i, 61) % 106) as i32,
            theatre: i % 10 == 0,
        })
        .collect();
    let rows: Vec<movie::ActiveModel> = range
        .clone()
        .zip(&keys)
        .map(|(i, key)| movie::ActiveModel {
            title: Set(movie_title(i)),
            year: Set(key.year),
            theatre: Set(key.theatre),
            synopsis: Set(capitalise(&words(i, 62, 20)) + "."),
            created_at: Set(now - Duration::minutes(i as i64)),
            mpa: Set(key.mpa),
            poster: Set(palette.poster(i, mix(i, 71))),
            ..Default::default()
        })
        .collect();
    movie::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    crate::services::movies::count_in_facets(&txn, keys.into_iter().map(|k| (k, 1))).await?;
    let ids = ids_by_key(
        &txn,
        movie::Entity::find()
            .select_only()
            .column(movie::Column::Id)
            .column(movie::Column::Title)
            .filter(
                movie::Column::Title.between(movie_title(range.start), movie_title(range.end - 1)),
            ),
    )
    .await?;
    let mut links = Vec::new();
    let mut reviews = Vec::new();
    for (movie_id, title) in &ids {
        let i: u64 = title
            .rsplit('#')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_default();
        let first = (mix(i, 71) % people.len() as u64) as usize;
        let directors = if i.is_multiple_of(5) && people.len() > 1 {
            2
        } else {
            1
        };
        for position in 0..directors {
            links.push(movie_director::ActiveModel {
                movie_id: Set(*movie_id),
                person_id: Set(people[(first + position) % people.len()]),
                position: Set(position as i32),
            });
        }
        let first_user = (mix(i, 81) % users.len() as u64) as usize;
        for k in 0..(REVIEWS_PER_MOVIE as usize).min(users.len()) {
            reviews.push(review::ActiveModel {
                movie_id: Set(*movie_id),
                user_id: Set(users[(first_user + k) % users.len()]),
                rating: Set(1 + (mix(i, 90 + k as u64) % 10) as i32),
                body: Set(capitalise(&words(i, 100 + k as u64, 10)) + "."),
                created_at: Set(now - Duration::minutes((i * 3 + k as u64) as i64)),
                ..Default::default()
            });
        }
    }
    for chunk in chunked(links) {
        movie_director::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in chunked(reviews) {
        review::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    let movie_ids: Vec<i32> = ids.iter().map(|(id, _)| *id).collect();
    for chunk in chunked(movie_ids) {
        crate::services::movies::refresh_derived(&txn, chunk).await?;
    }
    crate::services::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Splits rows into INSERT-sized chunks.
fn chunked<T>(rows: Vec<T>) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        chunks.push(rows.by_ref().take(BATCH as usize).collect());
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_scales_every_kind_with_the_number_of_posts() {
        let small = Plan::for_posts(100);
        let large = Plan::for_posts(100_000);
        assert_eq!(large.posts, 100_000);
        assert_eq!(large.users, 5_000);
        assert_eq!(large.movies, 10_000);
        assert!(small.users >= 10 && small.tags >= 10 && small.people >= 3);
    }

    #[test]
    fn generated_keys_sort_in_numeric_order() {
        assert!(post_slug(9) < post_slug(10));
        assert!(movie_title(99_999) < movie_title(100_000));
    }

    #[test]
    fn chunked_keeps_every_row_in_order() {
        let chunks = chunked((0..2_500).collect::<Vec<_>>());
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks.concat(), (0..2_500).collect::<Vec<_>>());
    }
}
