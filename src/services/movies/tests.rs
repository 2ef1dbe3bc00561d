use super::filter::*;
use super::list::*;
use entity::enums::MpaRating;
use entity::movie;
use sea_orm::QueryTrait;
use sea_orm::{DbBackend, EntityTrait, QueryFilter};

/// The list's filter as SQL (values bound apart) and its values.
fn filtered(filter: &MovieFilter) -> (String, usize) {
    let statement = movie::Entity::find()
        .filter(filter.list_conditions(col(movie::Column::Year), DbBackend::Sqlite))
        .build(DbBackend::Sqlite);
    let values = statement.values.map_or(0, |v| v.0.len());
    (statement.sql, values)
}

/// A selection is read whole up to FEW_MOVIES movies on page 1 and twice as many on page
/// 4 (√4 = 2), whatever the numbers.
#[test]
fn a_selection_is_read_whole_up_to_few_movies_times_the_root_of_the_page() {
    for (total, page, whole) in [
        (0, 1, true),
        (FEW_MOVIES, 1, true),
        (FEW_MOVIES + 1, 1, false),
        (FEW_MOVIES, 0, true),
        (FEW_MOVIES + 1, 0, false),
        (2 * FEW_MOVIES, 4, true),
        (2 * FEW_MOVIES + 1, 4, false),
        (u64::MAX, 1, false),
        (1, u64::MAX, true),
    ] {
        assert_eq!(
            reads_whole(total, page),
            whole,
            "{total} movies, page {page}"
        );
    }
}

/// Both ways of reading a page on SQLite: the unindexed terms are `+term`, and every value
/// has its placeholder (a custom expression written with another backend's placeholder
/// would bind the values one place off).
#[test]
fn on_sqlite_list_statements_bind_every_value_and_write_unindexed_terms_with_a_plus() {
    let filter = MovieFilter {
        mpa: vec![Some(MpaRating::R), None],
        theatre: Some(true),
        year_from: Some(1980),
        ..Default::default()
    };
    for (total, expected) in [
        (
            FEW_MOVIES,
            r#"ORDER BY +"movie"."rating_avg" DESC NULLS LAST, +"movie"."title" ASC"#,
        ),
        // The indexed expression exactly (migration 22), or SQLite cannot search it.
        (
            FEW_MOVIES,
            r#"COALESCE("movie"."mpa", '') IN (?, ?, ?, ?, ?, ?)"#,
        ),
        (FEW_MOVIES * 100, r#"(+"movie"."theatre") IN (?, ?)"#),
    ] {
        let statement = list_select(
            DbBackend::Sqlite,
            &filter,
            MovieSort::Rating,
            true,
            2,
            total,
        )
        .build(DbBackend::Sqlite);
        let values = statement.values.map_or(0, |v| v.0.len());
        assert!(statement.sql.contains(expected), "{}", statement.sql);
        assert!(!statement.sql.contains('$'), "{}", statement.sql);
        assert_eq!(
            statement.sql.matches('?').count(),
            values,
            "{}",
            statement.sql
        );
    }
}

#[test]
fn on_sqlite_every_selection_of_ratings_theatres_and_years_is_one_statement_shape() {
    use MpaRating::*;
    let selections = [
        MovieFilter {
            mpa: vec![Some(R)],
            ..Default::default()
        },
        MovieFilter {
            mpa: vec![Some(R), Some(Pg), None, Some(R), Some(R), Some(R), Some(R)],
            theatre: Some(true),
            year_from: Some(1990),
            ..Default::default()
        },
        MovieFilter {
            mpa: vec![None],
            theatre: Some(false),
            year_to: Some(1999),
            ..Default::default()
        },
        MovieFilter {
            mpa: MpaRating::all()
                .into_iter()
                .map(Some)
                .chain([None])
                .collect(),
            year_from: Some(1990),
            year_to: Some(1999),
            ..Default::default()
        },
    ];
    let shapes: Vec<(String, usize)> = selections.iter().map(filtered).collect();
    assert!(shapes.iter().all(|s| *s == shapes[0]), "{shapes:#?}");
}

#[test]
fn sort_names_are_read_strictly_for_the_api_and_leniently_for_the_page() {
    for sort in [MovieSort::Title, MovieSort::Year, MovieSort::Rating] {
        assert_eq!(MovieSort::named(sort.as_str()), Some(sort));
        assert_eq!(MovieSort::parse(sort.as_str()), sort);
    }
    assert_eq!(MovieSort::named("price"), None);
    assert_eq!(MovieSort::parse("price"), MovieSort::Title);
}

#[test]
fn titles_default_to_ascending_and_years_and_ratings_to_descending() {
    assert!(!MovieSort::Title.descending(None));
    assert!(MovieSort::Year.descending(None));
    assert!(MovieSort::Rating.descending(None));
    assert!(MovieSort::Title.descending(Some(true)));
    assert!(!MovieSort::Rating.descending(Some(false)));
}
