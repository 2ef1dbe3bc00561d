//! The entity crate's own values: what is stored for each enum, and how it is read back.

use entity::enums::{MpaRating, Permission};
use sea_orm::ActiveEnum;

#[test]
fn every_permission_round_trips_through_its_stored_value() {
    for p in Permission::all() {
        assert_eq!(Permission::parse(p.as_str()), Some(p));
        assert_eq!(p.to_value(), p.as_str());
    }
    assert_eq!(Permission::parse("root"), None);
}

#[test]
fn mpa_ratings_parse_case_insensitively_and_keep_their_official_spelling() {
    assert_eq!(MpaRating::parse("pg-13"), Some(MpaRating::Pg13));
    assert_eq!(MpaRating::parse(" NC-17 "), Some(MpaRating::Nc17));
    assert_eq!(MpaRating::parse("X"), None);
    assert_eq!(MpaRating::Pg13.to_value(), "PG-13");
}
