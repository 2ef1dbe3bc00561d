//! A movie's history and reverting it (`manage_movies`): a version is restored through the
//! edit's own function, with the same checks and the same audit.

use entity::enums::{MpaRating, Permission};
use entity::{audit_log, movie};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::{Differ, FieldChange, Version, entries, listed};
use crate::domain::{CurrentUser, Directors, FieldErrors, Synopsis, Title, Year};
use crate::services::ServiceError;
use crate::services::movies::{self, MovieInput, MovieSnapshot};

pub type MovieVersion = Version<MovieSnapshot>;

fn changes(before: Option<&MovieSnapshot>, after: Option<&MovieSnapshot>) -> Vec<FieldChange> {
    let empty = MovieSnapshot::default();
    let (was, is) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut differ = Differ::default();
    differ.note("Title", was.title.clone(), is.title.clone());
    let year = |s: &MovieSnapshot| s.year.map(|y| y.to_string()).unwrap_or_default();
    differ.note("Year", year(was), year(is));
    let rating = |s: &MovieSnapshot| s.mpa.clone().unwrap_or_else(|| "not rated".into());
    differ.note("MPA rating", rating(was), rating(is));
    let theatre = |s: &MovieSnapshot| if s.theatre { "yes" } else { "no" }.to_owned();
    if before.is_some() && after.is_some() {
        differ.note("In theatres", theatre(was), theatre(is));
    }
    // Entries written before snapshots carried every field know nothing of these.
    let known = |s: Option<&MovieSnapshot>| s.is_none_or(MovieSnapshot::complete);
    if known(before) && known(after) {
        differ.note(
            "Directors",
            listed(was.directors.iter().cloned()),
            listed(is.directors.iter().cloned()),
        );
        let synopsis = |s: &MovieSnapshot| s.synopsis.clone().unwrap_or_default();
        differ.text("Synopsis", &synopsis(was), &synopsis(is));
    }
    differ.done()
}

/// Every audited change to movie `id`, newest first (`manage_movies`; three statements).
pub async fn movie_history(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i32,
) -> Result<(movie::Model, Vec<MovieVersion>), ServiceError> {
    user.require(Permission::ManageMovies)?;
    let movie = movies::find(db, id).await?;
    let versions = entries(db, "movie", id, "movie.")
        .await?
        .into_iter()
        .enumerate()
        .map(|(index, (entry, actor))| {
            let before = MovieSnapshot::parse(entry.before.as_deref());
            let after = MovieSnapshot::parse(entry.after.as_deref());
            Version {
                entry_id: entry.id,
                changes: changes(before.as_ref(), after.as_ref()),
                actor,
                at: entry.created_at,
                current: index == 0,
                state: after.filter(MovieSnapshot::complete),
                action: entry.action,
            }
        })
        .collect();
    Ok((movie, versions))
}

/// Restores movie `id` to the version audit entry `entry_id` left it in, as an edit by `user`
/// (404 when the entry is not one of this movie's versions; 409 when it was recorded without
/// every field).
pub async fn revert_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
    entry_id: i32,
) -> Result<movie::Model, ServiceError> {
    user.require(Permission::ManageMovies)?;
    let entry = audit_log::Entity::find_by_id(entry_id)
        .filter(audit_log::Column::SubjectType.eq("movie"))
        .filter(audit_log::Column::SubjectId.eq(id.to_string()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let state = MovieSnapshot::parse(entry.after.as_deref()).ok_or(ServiceError::NotFound)?;
    let (Some(synopsis), Some(year)) = (state.synopsis.as_deref(), state.year) else {
        return Err(ServiceError::conflict(
            "This version was recorded without every field, so it cannot be restored.",
        ));
    };
    let mut errors = FieldErrors::default();
    let title = errors.check("title", Title::parse(&state.title, "movie"));
    let year = errors.check("year", Year::from_number(Some(year)));
    let synopsis = errors.check("synopsis", Synopsis::parse(synopsis));
    let directors = errors.check(
        "directors",
        Directors::from_list(state.directors.iter().map(String::as_str)),
    );
    let input = errors.or_valid(|| {
        Some(MovieInput {
            title: title?,
            year: year?,
            mpa: state.mpa.as_deref().and_then(MpaRating::parse),
            theatre: state.theatre,
            synopsis: synopsis?,
            directors: directors?,
        })
    })?;
    movies::save_movie(db, user, ip, id, input, None, Some(entry_id)).await
}
