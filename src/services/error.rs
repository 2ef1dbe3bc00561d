//! How a database error becomes a [`ServiceError`]: a busy database is `Unavailable`, a row gone
//! while the request ran is `NotFound`, and a violated unique or foreign key is put on the form
//! field it concerns, found by the constraint's name (the names differ by backend, the columns
//! in them do not).

use sea_orm::{DbErr, SqlErr};

use crate::domain::{FieldErrors, ServiceError};

/// A unique constraint: the table and columns it covers, the form field it belongs to and what
/// to say. PostgreSQL names an inline unique constraint `{table}_{column}_key`; MySQL and
/// MariaDB report the index (`{column}` or `{table}.{column}`); SQLite the columns
/// (`{table}.{column}`). A named index is found by its name on every backend.
struct Unique {
    table: &'static str,
    columns: &'static [&'static str],
    index: Option<&'static str>,
    field: &'static str,
    message: &'static str,
}

const UNIQUE: &[Unique] = &[
    Unique {
        table: "user",
        columns: &["username"],
        index: None,
        field: "username",
        message: "This username is taken.",
    },
    Unique {
        table: "user",
        columns: &["email"],
        index: None,
        field: "email",
        message: "An account with this email exists already.",
    },
    Unique {
        table: "review",
        columns: &["movie_id", "user_id"],
        index: Some("uq_review_movie_id_user_id"),
        field: crate::domain::FORM,
        message: "You have already reviewed this movie; edit your review instead.",
    },
    Unique {
        table: "role",
        columns: &["name"],
        index: None,
        field: "name",
        message: "A role with this name exists already.",
    },
    Unique {
        table: "group",
        columns: &["name"],
        index: None,
        field: "name",
        message: "A group with this name exists already.",
    },
    Unique {
        table: "category",
        columns: &["slug"],
        index: None,
        field: "name",
        message: "A category with this name exists already.",
    },
    Unique {
        table: "post",
        columns: &["slug"],
        index: None,
        field: "title",
        message: "A post with this address exists already; change the title a little.",
    },
];

impl Unique {
    /// True when `name` (from [`constraint_name`]) is this constraint.
    fn matches(&self, name: &str) -> bool {
        let qualified: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("{}.{c}", self.table))
            .collect();
        self.index == Some(name)
            || name == format!("{}_{}_key", self.table, self.columns.join("_"))
            || name == qualified.join(", ")
            || (self.columns.len() == 1 && (name == self.columns[0] || name == qualified[0]))
    }
}

/// The constraint's name in a backend's message: PostgreSQL `… constraint "user_email_key"`,
/// MySQL/MariaDB `… for key 'user.email'`, SQLite `UNIQUE constraint failed: user.email`.
fn constraint_name(message: &str) -> Option<&str> {
    if let Some((_, rest)) = message.rsplit_once("for key '") {
        return rest.split('\'').next();
    }
    if let Some((_, rest)) = message.split_once("constraint \"") {
        return rest.split('"').next();
    }
    message.split_once("failed: ").map(|(_, rest)| rest.trim())
}

/// The field problem of a unique violation, when the constraint is one of [`UNIQUE`]. On
/// MariaDB the index name is only the column, so the first entry with that column answers;
/// the field is right, the wording may name another table's thing.
pub fn unique_field(error: &DbErr, table: Option<&str>) -> Option<FieldErrors> {
    let Some(SqlErr::UniqueConstraintViolation(message)) = error.sql_err() else {
        return None;
    };
    let name = constraint_name(&message).unwrap_or_default();
    let candidates = UNIQUE.iter().filter(|u| u.matches(name));
    let chosen = match table {
        Some(table) => {
            let all: Vec<&Unique> = candidates.collect();
            all.iter()
                .find(|u| u.table == table)
                .or(all.first())
                .copied()
        }
        None => candidates.into_iter().next(),
    };
    Some(match chosen {
        Some(u) => FieldErrors::one(u.field, u.message),
        None => FieldErrors::form("That is taken already."),
    })
}

/// True when `error` is a unique-key violation (of any constraint).
pub fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// A database error on a change to `table`: unique violations become conflicts on that
/// table's field, everything else as [`From<DbErr>`].
pub fn on_table(table: &'static str) -> impl Fn(DbErr) -> ServiceError {
    move |error| match unique_field(&error, Some(table)) {
        Some(fields) => ServiceError::Conflict(fields),
        None => ServiceError::from(error),
    }
}

impl From<DbErr> for ServiceError {
    fn from(error: DbErr) -> Self {
        if matches!(error, DbErr::RecordNotFound(_)) {
            return ServiceError::NotFound;
        }
        if super::is_transient(&error) {
            tracing::warn!(%error, "database busy: answering 503");
            return ServiceError::Unavailable;
        }
        if let Some(fields) = unique_field(&error, None) {
            return ServiceError::Conflict(fields);
        }
        if let Some(SqlErr::ForeignKeyConstraintViolation(_)) = error.sql_err() {
            // What was referred to is gone (deleted by someone else meanwhile).
            return ServiceError::conflict(
                "Something this change refers to no longer exists; reload the page and try again.",
            );
        }
        ServiceError::Db(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(message: &str) -> Option<(&'static str, &'static str)> {
        UNIQUE
            .iter()
            .find(|u| constraint_name(message).is_some_and(|n| u.matches(n)))
            .map(|u| (u.table, u.field))
    }

    #[test]
    fn constraints_are_found_by_name_on_every_backend() {
        // SQLite
        assert_eq!(
            find("UNIQUE constraint failed: user.email"),
            Some(("user", "email"))
        );
        assert_eq!(
            find("UNIQUE constraint failed: review.movie_id, review.user_id"),
            Some(("review", crate::domain::FORM))
        );
        // PostgreSQL
        assert_eq!(
            find("duplicate key value violates unique constraint \"user_username_key\""),
            Some(("user", "username"))
        );
        assert_eq!(
            find("duplicate key value violates unique constraint \"uq_review_movie_id_user_id\""),
            Some(("review", crate::domain::FORM))
        );
        // MySQL 8 and MariaDB
        assert_eq!(
            find("Duplicate entry 'x' for key 'post.slug'"),
            Some(("post", "title"))
        );
        assert_eq!(
            find("Duplicate entry 'ada@example.com' for key 'email'"),
            Some(("user", "email"))
        );
        // An email that looks like a column name does not mislead the match.
        assert_eq!(
            find("Duplicate entry 'username' for key 'email'"),
            Some(("user", "email"))
        );
        assert_eq!(find("UNIQUE constraint failed: tag.name"), None);
    }
}
