//! The demo data set: `marquee seed`, and the first start of an empty database.
//!
//! Idempotent: every row is looked up by its natural key (username, slug, name, title and
//! year, user and movie) and created only when missing, all in one transaction. Comments are
//! created together with their post, so a second run adds none.
//!
//! Both seeders write rows directly, but what a row stores derived from others comes from the
//! services, as their own writes store it (`blog::stored_fields`, the `refresh_*` counts,
//! `movies::refresh_derived`), so that no rule is written twice.

pub mod data;
mod messages;
mod palette;
pub mod scale;

use std::collections::HashMap;

use chrono::{Duration, Utc};
use entity::enums::{MpaRating, PostStatus};
use entity::{
    category, comment, country, group, movie, movie_director, person, post, post_picture, post_tag,
    profile, review, role, tag, user, user_group, watchlist_entry,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::domain::slugify;
use crate::services::accounts::password;
use data::{
    CATEGORIES, COMMENTS, GROUPS, MOVIES, POSTS, PUBLIC_WATCHLISTS, REVIEWS, TAGS, USERS, WATCHLIST,
};

/// Passwords generated for accounts this run created. Shown once, never stored in clear.
#[derive(Clone)]
pub struct Credentials {
    pub admin_username: String,
    pub admin_password: String,
    pub demo_usernames: Vec<String>,
    pub demo_password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("admin_username", &self.admin_username)
            .field("demo_usernames", &self.demo_usernames)
            .finish_non_exhaustive()
    }
}

/// How many rows of each kind a run created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Created {
    pub users: u32,
    pub groups: u32,
    pub categories: u32,
    pub tags: u32,
    pub posts: u32,
    pub comments: u32,
    pub movies: u32,
    pub people: u32,
    pub reviews: u32,
    pub watchlist_entries: u32,
    pub messages: u32,
}

impl Created {
    pub fn total(&self) -> u32 {
        self.users
            + self.groups
            + self.categories
            + self.tags
            + self.posts
            + self.comments
            + self.movies
            + self.people
            + self.reviews
            + self.watchlist_entries
            + self.messages
    }
}

#[derive(Debug)]
pub struct SeedReport {
    pub created: Created,
    pub credentials: Option<Credentials>,
}

/// How many of the demo movies get a drawn poster, and among how many of the first members
/// every other one gets a drawn avatar.
const DRAWN: usize = 8;

/// True when the database has no users yet (a new installation).
pub async fn is_empty(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(user::Entity::find().count(db).await? == 0)
}

/// Loads the demo data set; rows that exist already are left alone.
pub async fn seed_demo(db: &DatabaseConnection) -> anyhow::Result<SeedReport> {
    let existing: Vec<String> = user::Entity::find()
        .filter(user::Column::Username.is_in(USERS.iter().map(|u| u.username)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.username)
        .collect();
    let missing: Vec<&str> = USERS
        .iter()
        .map(|u| u.username)
        .filter(|name| !existing.iter().any(|e| e == name))
        .collect();
    // Hash only when accounts will be created: argon2 is deliberately slow.
    let credentials = if missing.is_empty() {
        None
    } else {
        let admin_password = password::generate(20);
        let demo_password = password::generate(16);
        Some((
            Credentials {
                admin_username: "admin".into(),
                demo_usernames: missing
                    .iter()
                    .filter(|n| **n != "admin")
                    .map(|n| (*n).to_owned())
                    .collect(),
                admin_password: admin_password.clone(),
                demo_password: demo_password.clone(),
            },
            password::hash(admin_password).await?,
            password::hash(demo_password).await?,
        ))
    };

    let txn = crate::services::begin_write(db).await?;
    let mut created = Created::default();
    let roles: HashMap<String, i32> = role::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.name, r.id))
        .collect();
    let countries: HashMap<String, i32> = country::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();

    let mut groups = HashMap::new();
    for g in GROUPS {
        let found = group::Entity::find()
            .filter(group::Column::Name.eq(g.name))
            .one(&txn)
            .await?;
        let id = match found {
            Some(found) => found.id,
            None => {
                created.groups += 1;
                group::ActiveModel {
                    name: Set(g.name.into()),
                    description: Set(g.description.into()),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        groups.insert(g.name, id);
    }

    let now = Utc::now();
    let mut users = HashMap::new();
    for (i, u) in USERS.iter().enumerate() {
        let found = user::Entity::find()
            .filter(user::Column::Username.eq(u.username))
            .one(&txn)
            .await?;
        let id = match (found, &credentials) {
            (Some(found), _) => found.id,
            (None, Some((_, admin_hash, demo_hash))) => {
                created.users += 1;
                let role_id = *roles.get(u.role).ok_or_else(|| {
                    anyhow::anyhow!("role {} is missing; run the migrations", u.role)
                })?;
                let joined = now - Duration::days(90 - 7 * i as i64);
                // Every other one of the first members has an avatar made from their name
                // (drawing is not free, and the demo is seeded often); the others show their
                // initials.
                let avatar = if i % 2 == 1 && i < DRAWN {
                    let made = crate::services::pictures::generated(
                        u.username,
                        crate::services::pictures::Kind::Avatar,
                    )
                    .map_err(|e| anyhow::anyhow!("a demo avatar: {e}"))?;
                    crate::services::pictures::store(&txn, &made).await?;
                    Some(made.hash)
                } else {
                    None
                };
                let new_user = user::ActiveModel {
                    avatar: Set(avatar),
                    username: Set(u.username.into()),
                    email: Set(u.email.into()),
                    password_hash: Set(if u.username == "admin" {
                        admin_hash.clone()
                    } else {
                        demo_hash.clone()
                    }),
                    role_id: Set(role_id),
                    country_id: Set(countries.get(u.country).copied()),
                    is_active: Set(true),
                    created_at: Set(joined),
                    last_seen_at: Set(None),
                    email_verified_at: Set(Some(joined)),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                profile::ActiveModel {
                    user_id: Set(new_user.id),
                    display_name: Set(u.display_name.into()),
                    bio: Set(u.bio.into()),
                    birth_date: Set(None),
                    job: Set(Some(u.job.into()).filter(|j: &String| !j.is_empty())),
                    location: Set(Some(u.location.into()).filter(|l: &String| !l.is_empty())),
                    website: Set(None),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                let memberships: Vec<user_group::ActiveModel> = u
                    .groups
                    .iter()
                    .filter_map(|g| groups.get(g))
                    .map(|gid| user_group::ActiveModel {
                        user_id: Set(new_user.id),
                        group_id: Set(*gid),
                        joined_at: Set(joined),
                    })
                    .collect();
                if !memberships.is_empty() {
                    user_group::Entity::insert_many(memberships)
                        .exec_without_returning(&txn)
                        .await?;
                }
                new_user.id
            }
            (None, None) => anyhow::bail!("user {} vanished while seeding", u.username),
        };
        users.insert(u.username, id);
    }

    let mut categories: HashMap<&str, i32> = HashMap::new();
    for c in CATEGORIES {
        let found = category::Entity::find()
            .filter(category::Column::Slug.eq(c.slug))
            .one(&txn)
            .await?;
        let id = match found {
            Some(found) => found.id,
            None => {
                created.categories += 1;
                category::ActiveModel {
                    name: Set(c.name.into()),
                    slug: Set(c.slug.into()),
                    parent_id: Set(c.parent.and_then(|p| categories.get(p).copied())),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        categories.insert(c.slug, id);
    }

    let mut tags: HashMap<&str, i32> = HashMap::new();
    for name in TAGS {
        let found = tag::Entity::find()
            .filter(tag::Column::Name.eq(*name))
            .one(&txn)
            .await?;
        let id = match found {
            Some(found) => found.id,
            None => {
                created.tags += 1;
                tag::ActiveModel {
                    name: Set((*name).into()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        tags.insert(name, id);
    }

    let readers: Vec<i32> = USERS
        .iter()
        .filter(|u| u.role == "reader")
        .filter_map(|u| users.get(u.username).copied())
        .collect();
    for (i, p) in POSTS.iter().enumerate() {
        let slug = slugify(p.title, 200);
        let exists = post::Entity::find()
            .filter(post::Column::Slug.eq(&slug))
            .count(&txn)
            .await?
            > 0;
        if exists {
            continue;
        }
        created.posts += 1;
        let author = match i % 6 {
            4 => "mod",
            5 => "admin",
            _ => "ada",
        };
        let author_id = users.get(author).copied().unwrap_or_default();
        let draft = i >= POSTS.len() - 2;
        let published_at = now - Duration::hours(20 * i as i64 + 3);
        // The first post shows a drawing attached to it, as an author's own pictures show.
        let illustration = if i == 0 {
            let drawn = crate::services::pictures::generated(
                p.title,
                crate::services::pictures::Kind::Illustration,
            )
            .map_err(|e| anyhow::anyhow!("a demo illustration: {e}"))?;
            crate::services::pictures::store(&txn, &drawn).await?;
            drawn.as_shown()
        } else {
            None
        };
        let body = match &illustration {
            Some(drawn) => format!(
                "{}\n\n![A drawing made for the demo](/media/{}/full)",
                p.body.trim(),
                drawn.hash
            ),
            None => p.body.trim().to_owned(),
        };
        let body = body.as_str();
        let linked: Vec<(&str, i32)> = p
            .tags
            .iter()
            .filter_map(|t| tags.get(t).map(|id| (*t, *id)))
            .collect();
        let tag_names: Vec<String> = linked.iter().map(|(t, _)| (*t).to_owned()).collect();
        let mut row = post::ActiveModel {
            title: Set(p.title.into()),
            slug: Set(slug),
            body: Set(body.into()),
            listed_at: Set(if draft {
                published_at - Duration::hours(2)
            } else {
                published_at
            }),
            status: Set(if draft {
                PostStatus::Draft
            } else {
                PostStatus::Published
            }),
            author_id: Set(author_id),
            category_id: Set(categories.get(p.category).copied()),
            created_at: Set(published_at - Duration::hours(2)),
            updated_at: Set(published_at),
            published_at: Set((!draft).then_some(published_at)),
            ..Default::default()
        };
        let shown: Vec<markup::Picture> = illustration.iter().cloned().collect();
        crate::services::blog::stored_fields(body, &tag_names, &shown).set_on(&mut row);
        let new_post = row.insert(&txn).await?;
        for drawn in &shown {
            post_picture::ActiveModel {
                post_id: Set(new_post.id),
                hash: Set(drawn.hash.clone()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        let links: Vec<post_tag::ActiveModel> = linked
            .iter()
            .map(|(_, tag_id)| post_tag::ActiveModel {
                post_id: Set(new_post.id),
                tag_id: Set(*tag_id),
                listed_at: Set(new_post.listed_at),
            })
            .collect();
        if !links.is_empty() {
            post_tag::Entity::insert_many(links)
                .exec_without_returning(&txn)
                .await?;
        }
        if draft || readers.is_empty() {
            continue;
        }
        let comments: Vec<comment::ActiveModel> = (0..(i % 4))
            .map(|k| comment::ActiveModel {
                post_id: Set(new_post.id),
                author_id: Set(readers[(i + k) % readers.len()]),
                body: Set(COMMENTS[(i * 3 + k) % COMMENTS.len()].into()),
                is_hidden: Set(false),
                created_at: Set(published_at + Duration::hours(k as i64 + 1)),
                ..Default::default()
            })
            .collect();
        created.comments += comments.len() as u32;
        if !comments.is_empty() {
            comment::Entity::insert_many(comments)
                .exec_without_returning(&txn)
                .await?;
            crate::services::blog::refresh_comment_count(&txn, new_post.id).await?;
        }
    }
    crate::services::blog::refresh_post_counts(&txn, None, None).await?;
    crate::services::blog::refresh_trails(&txn).await?;

    let mut movies: HashMap<&str, i32> = HashMap::new();
    for (index, m) in MOVIES.iter().enumerate() {
        let found = movie::Entity::find()
            .filter(movie::Column::Title.eq(m.title))
            .filter(movie::Column::Year.eq(m.year))
            .one(&txn)
            .await?;
        let id = match found {
            Some(found) => found.id,
            None => {
                created.movies += 1;
                let new_movie = movie::ActiveModel {
                    title: Set(m.title.into()),
                    year: Set(m.year),
                    theatre: Set(m.theatre),
                    synopsis: Set(m.synopsis.into()),
                    created_at: Set(now),
                    mpa: Set(m.mpa.and_then(MpaRating::parse)),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                crate::services::movies::count_in_facets(
                    &txn,
                    [(crate::services::movies::FacetKey::from(&new_movie), 1)],
                )
                .await?;
                // A poster made from the title for the first movies: the catalogue has
                // pictures to show, and the rest shows how a movie without one looks.
                if index < DRAWN {
                    let poster = crate::services::pictures::generated(
                        &format!("{} ({})", m.title, m.year),
                        crate::services::pictures::Kind::Poster,
                    )
                    .map_err(|e| anyhow::anyhow!("a demo poster: {e}"))?;
                    crate::services::pictures::store(&txn, &poster).await?;
                    movie::Entity::update_many()
                        .col_expr(
                            movie::Column::Poster,
                            sea_orm::sea_query::Expr::value(poster.hash),
                        )
                        .filter(movie::Column::Id.eq(new_movie.id))
                        .exec(&txn)
                        .await?;
                }
                for (position, name) in m.directors.iter().enumerate() {
                    let (person_id, is_new) = person_id(&txn, name).await?;
                    created.people += u32::from(is_new);
                    movie_director::ActiveModel {
                        movie_id: Set(new_movie.id),
                        person_id: Set(person_id),
                        position: Set(position as i32),
                    }
                    .insert(&txn)
                    .await?;
                }
                new_movie.id
            }
        };
        movies.insert(m.title, id);
    }

    for (i, (username, title, rating, body)) in REVIEWS.iter().enumerate() {
        let (Some(user_id), Some(movie_id)) = (users.get(username), movies.get(title)) else {
            continue;
        };
        let exists = review::Entity::find()
            .filter(review::Column::UserId.eq(*user_id))
            .filter(review::Column::MovieId.eq(*movie_id))
            .count(&txn)
            .await?
            > 0;
        if exists {
            continue;
        }
        created.reviews += 1;
        review::ActiveModel {
            movie_id: Set(*movie_id),
            user_id: Set(*user_id),
            rating: Set(*rating),
            body: Set((*body).into()),
            created_at: Set(now - Duration::hours(5 * i as i64 + 1)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    for (username, title, seen) in WATCHLIST {
        let (Some(user_id), Some(movie_id)) = (users.get(username), movies.get(title)) else {
            continue;
        };
        let exists = watchlist_entry::Entity::find()
            .filter(watchlist_entry::Column::UserId.eq(*user_id))
            .filter(watchlist_entry::Column::MovieId.eq(*movie_id))
            .count(&txn)
            .await?
            > 0;
        if exists {
            continue;
        }
        created.watchlist_entries += 1;
        let seen_on = seen.and_then(|day| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok());
        watchlist_entry::ActiveModel {
            user_id: Set(*user_id),
            movie_id: Set(*movie_id),
            seen_on: Set(seen_on),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if PUBLIC_WATCHLISTS.contains(username) {
            profile::Entity::update_many()
                .col_expr(
                    profile::Column::WatchlistPublic,
                    sea_orm::sea_query::Expr::val(true),
                )
                .filter(profile::Column::UserId.eq(*user_id))
                .exec(&txn)
                .await?;
        }
    }
    created.messages += messages::seed(&txn, &users, now).await?;
    // Director lists and review aggregates of every seeded movie, new links and reviews
    // included (a movie that existed already gets back the values it stores).
    let seeded: Vec<i32> = movies.values().copied().collect();
    crate::services::movies::refresh_derived(&txn, seeded).await?;

    crate::services::content_changed(&txn).await?;

    txn.commit().await?;
    Ok(SeedReport {
        created,
        credentials: credentials.map(|(c, _, _)| c),
    })
}

/// The id of the person with this name, creating them if needed; `true` when created.
async fn person_id(db: &impl ConnectionTrait, name: &str) -> Result<(i32, bool), DbErr> {
    if let Some(found) = person::Entity::find()
        .filter(person::Column::Name.eq(name))
        .one(db)
        .await?
    {
        return Ok((found.id, false));
    }
    let created = person::ActiveModel {
        name: Set(name.into()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((created.id, true))
}
