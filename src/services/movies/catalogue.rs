//! Managing the catalogue: who may, and movies with their ordered directors written in one
//! transaction, with the stored director list their cards show.

use std::collections::HashMap;

use chrono::Utc;
use entity::enums::MpaRating;
use entity::{movie, movie_director, person};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QuerySelect, TransactionSession, TransactionTrait,
};

use entity::enums::Permission;

use crate::domain::{CurrentUser, Directors, Synopsis, Title, Viewer, Year};
use crate::services::ServiceError;
use crate::services::audit::{self, Actor};

use super::snapshot::MovieSnapshot;
use super::{facets::*, list::*};

/// Whether `viewer` may add, edit and delete movies.
pub fn can_manage(viewer: Viewer<'_>) -> bool {
    viewer.is_some_and(|u| u.can(Permission::ManageMovies))
}

/// Whether `viewer` may review movies.
pub fn can_review(viewer: Viewer<'_>) -> bool {
    viewer.is_some_and(|u| u.can(Permission::ReviewMovies))
}

/// The movie with this id.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<movie::Model, ServiceError> {
    movie::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Checked values of the movie form.
#[derive(Clone, Debug)]
pub struct MovieInput {
    pub title: Title,
    pub year: Year,
    pub mpa: Option<MpaRating>,
    pub theatre: bool,
    pub synopsis: Synopsis,
    /// In credited order, without duplicates.
    pub directors: Directors,
}

/// Replaces the movie's director links (people reused by name, new ones created) and stores
/// the list its card shows (`movie.director_list`), in the caller's transaction.
pub(super) async fn set_directors(
    db: &impl ConnectionTrait,
    movie_id: i32,
    names: &[String],
) -> Result<(), DbErr> {
    movie_director::Entity::delete_many()
        .filter(movie_director::Column::MovieId.eq(movie_id))
        .exec(db)
        .await?;
    let mut credited: Vec<(i32, String)> = Vec::new();
    if !names.is_empty() {
        // Existing people are reused, new ones created; the "update to itself" upsert is
        // portable.
        person::Entity::insert_many(names.iter().map(|name| person::ActiveModel {
            name: Set(name.clone()),
            ..Default::default()
        }))
        .on_conflict(
            OnConflict::column(person::Column::Name)
                .update_column(person::Column::Name)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        let people: HashMap<String, (i32, String)> = person::Entity::find()
            .filter(person::Column::Name.is_in(names.to_vec()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.name.to_lowercase(), (p.id, p.name)))
            .collect();
        credited = names
            .iter()
            .filter_map(|name| people.get(&name.to_lowercase()).cloned())
            .collect();
        let links: Vec<movie_director::ActiveModel> = (0..)
            .zip(&credited)
            .map(|(position, (person_id, _))| movie_director::ActiveModel {
                movie_id: Set(movie_id),
                person_id: Set(*person_id),
                position: Set(position),
            })
            .collect();
        if !links.is_empty() {
            movie_director::Entity::insert_many(links)
                .exec_without_returning(db)
                .await?;
        }
    }
    store_director_lists(db, vec![(movie_id, director_list(&credited)?)]).await
}

/// Recomputes what these movies store from other rows, their review aggregates and director
/// lists, for movies whose reviews and director links were written directly (the seeders),
/// so that they store what the service's writes would have. Facet counts are counted in as
/// movies are inserted ([`count_in_facets`]).
pub async fn refresh_derived(db: &impl ConnectionTrait, movie_ids: Vec<i32>) -> Result<(), DbErr> {
    super::reviews::refresh_ratings(db, Some(movie_ids.clone())).await?;
    refresh_director_lists(db, movie_ids).await
}

/// Stores the director lists of these movies, from their links.
async fn refresh_director_lists(
    db: &impl ConnectionTrait,
    movie_ids: Vec<i32>,
) -> Result<(), DbErr> {
    let found = directors_of(db, movie_ids.clone()).await?;
    let lists = movie_ids
        .into_iter()
        .map(|id| {
            let directors = found.get(&id).map_or(&[][..], Vec::as_slice);
            Ok((id, director_list(directors)?))
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    store_director_lists(db, lists).await
}

/// A movie's directors as its card shows them and `movie.director_list` stores them: JSON
/// `[[person id, "name"], …]` in credited order.
pub(super) fn director_list(directors: &[(i32, String)]) -> Result<String, DbErr> {
    serde_json::to_string(directors).map_err(|e| DbErr::Json(format!("director list: {e}")))
}

/// Stores director lists (`(movie id, director_list)`).
pub(super) async fn store_director_lists(
    db: &impl ConnectionTrait,
    lists: Vec<(i32, String)>,
) -> Result<(), DbErr> {
    for (movie_id, list) in lists {
        movie::Entity::update_many()
            .col_expr(movie::Column::DirectorList, Expr::val(list))
            .filter(movie::Column::Id.eq(movie_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Creates a movie with its directors in one transaction (`manage_movies`; audited).
pub async fn create_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    input: MovieInput,
) -> Result<movie::Model, ServiceError> {
    user.require(Permission::ManageMovies)?;
    let actor = Actor::of(user, ip);
    let txn = crate::services::begin_content_change(db).await?;
    let created = movie::ActiveModel {
        title: Set(input.title.into_inner()),
        year: Set(input.year.get()),
        theatre: Set(input.theatre),
        synopsis: Set(input.synopsis.into_inner()),
        created_at: Set(Utc::now()),
        mpa: Set(input.mpa),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    count_in_facets(&txn, [(FacetKey::from(&created), 1)]).await?;
    set_directors(&txn, created.id, input.directors.names()).await?;
    let after = MovieSnapshot::of(&created, input.directors.names()).to_json();
    audit::record(
        &txn,
        &actor,
        "movie.create",
        "movie",
        created.id,
        None,
        Some(after),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// The version of a movie an edit form was opened at: a fingerprint of everything the form
/// shows (the director list included), so that saving over someone else's change can be told.
pub fn movie_version(movie: &movie::Model) -> String {
    crate::services::precondition::form_version(&serde_json::json!([
        movie.title,
        movie.year,
        movie.theatre,
        movie.synopsis,
        movie.mpa.map(|r| r.as_str()),
        movie.director_list,
    ]))
}

/// Saves a movie and replaces its director list (order kept) in one transaction
/// (`manage_movies`; audited with the movie before and after, [`MovieSnapshot`]). With
/// `expected` (the [`movie_version`] the form was opened at), only while the movie is still
/// that version: otherwise nothing is saved ([`ServiceError::Stale`]).
pub async fn update_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
    input: MovieInput,
    expected: Option<&str>,
) -> Result<movie::Model, ServiceError> {
    save_movie(db, user, ip, id, input, expected, None).await
}

/// [`update_movie`], or with `reverted_to` the revert to that history entry's version,
/// audited as `movie.revert`: the same checks and writes as an edit.
pub(crate) async fn save_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
    input: MovieInput,
    expected: Option<&str>,
    reverted_to: Option<i32>,
) -> Result<movie::Model, ServiceError> {
    user.require(Permission::ManageMovies)?;
    let actor = Actor::of(user, ip);
    let txn = crate::services::begin_content_change(db).await?;
    // The row as it is now, locked: the facet count to take it out of must be its current one.
    let existing = movie::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    crate::services::precondition::still_at(expected, &movie_version(&existing))?;
    let credited: Vec<String> = directors_of(&txn, vec![id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    let before = MovieSnapshot::of(&existing, &credited).to_json();
    let old_key = FacetKey::from(&existing);
    let mut active: movie::ActiveModel = existing.into();
    active.title = Set(input.title.into_inner());
    active.year = Set(input.year.get());
    active.theatre = Set(input.theatre);
    active.synopsis = Set(input.synopsis.into_inner());
    active.mpa = Set(input.mpa);
    let updated = active.update(&txn).await?;
    count_in_facets(&txn, [(old_key, -1), (FacetKey::from(&updated), 1)]).await?;
    set_directors(&txn, id, input.directors.names()).await?;
    let after = MovieSnapshot {
        reverted_to,
        ..MovieSnapshot::of(&updated, input.directors.names())
    }
    .to_json();
    audit::record(
        &txn,
        &actor,
        if reverted_to.is_some() {
            "movie.revert"
        } else {
            "movie.update"
        },
        "movie",
        id,
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a movie (`manage_movies`; audited); its director links and reviews go with it
/// (ON DELETE CASCADE). Returns the movie as it was.
pub async fn delete_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
) -> Result<movie::Model, ServiceError> {
    user.require(Permission::ManageMovies)?;
    let actor = Actor::of(user, ip);
    let txn = crate::services::begin_content_change(db).await?;
    // Counted out as it is now (locked), and only if this transaction deleted it.
    let current = movie::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    movie::Entity::delete_by_id(id).exec(&txn).await?;
    count_in_facets(&txn, [(FacetKey::from(&current), -1)]).await?;
    if let Some(poster) = &current.poster {
        crate::services::pictures::release(&txn, poster).await?;
    }
    let before = MovieSnapshot::of(&current, &[]).to_json();
    audit::record(
        &txn,
        &actor,
        "movie.delete",
        "movie",
        id,
        Some(before),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(current)
}
