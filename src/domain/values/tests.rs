use super::*;

#[test]
fn titles_and_names_are_trimmed_and_bounded() {
    assert_eq!(Title::parse("  Hi  ", "post").unwrap().as_str(), "Hi");
    assert_eq!(
        Title::parse("   ", "post").unwrap_err(),
        "Give the post a title."
    );
    assert!(Title::parse(&"x".repeat(201), "movie").is_err());
    assert!(Title::parse(&"é".repeat(200), "movie").is_ok());
    assert_eq!(
        Name::parse("", "group").unwrap_err(),
        "Give the group a name."
    );
    assert_eq!(
        Name::parse(&"n".repeat(65), "category").unwrap_err(),
        "Category names are at most 64 characters long."
    );
    assert_eq!(RoleName::parse(" Editor ").unwrap().as_str(), "editor");
    assert!(RoleName::parse("édit").is_err());
    assert!(Description::parse("").is_ok());
    assert!(Description::parse(&"d".repeat(256)).is_err());
}

#[test]
fn bodies_have_their_limits() {
    assert!(PostBody::parse(" \n ").is_err());
    assert!(PostBody::parse(&"b".repeat(PostBody::MAX + 1)).is_err());
    assert_eq!(PostBody::parse(" text ").unwrap().as_str(), "text");
    assert!(CommentBody::parse("").is_err());
    assert!(CommentBody::parse_review("").is_err());
    assert!(CommentBody::parse_review("Fine.").is_ok());
    assert!(CommentBody::parse(&"c".repeat(5_001)).is_err());
    assert!(Synopsis::parse(&"s".repeat(5_000)).is_ok());
}

#[test]
fn years_and_ratings_are_in_range() {
    assert_eq!(Year::parse(" 1999 ").unwrap().get(), 1999);
    assert!(Year::parse("1887").is_err());
    assert!(Year::parse(&(last_year() + 1).to_string()).is_err());
    assert!(Year::parse("99999999999").is_err());
    assert_eq!(Rating::parse("10").unwrap().get(), 10);
    for bad in ["0", "11", "-1", "x", ""] {
        assert!(Rating::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn choices_statuses_and_ratings_parse_from_selects() {
    assert_eq!(parse_choice("", "pick"), Ok(None));
    assert_eq!(parse_choice(" 7 ", "pick"), Ok(Some(7)));
    assert_eq!(parse_choice("x", "pick"), Err("pick".into()));
    assert_eq!(parse_status(""), Ok(PostStatus::Draft));
    assert_eq!(parse_status("published"), Ok(PostStatus::Published));
    assert!(parse_status("deleted").is_err());
    assert_eq!(parse_mpa(""), Ok(None));
    assert!(parse_mpa("XXX").is_err());
    assert!(parse_permissions(&["nope".into()]).is_err());
}

#[test]
fn tags_and_directors_are_normalised() {
    assert_eq!(
        Tags::parse("Rust, web  dev, rust,,").unwrap().names(),
        ["rust", "web-dev"]
    );
    assert!(Tags::parse("a<b").is_err());
    let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    assert!(Tags::parse(&many.join(",")).is_err());
    assert_eq!(
        Directors::parse("Ada  Lovelace\nada lovelace, Grace Hopper")
            .unwrap()
            .names(),
        ["Ada Lovelace", "Grace Hopper"]
    );
    let crowd: Vec<String> = (0..21).map(|i| format!("D{i}")).collect();
    assert!(Directors::parse(&crowd.join("\n")).is_err());
}

#[test]
fn lists_and_their_text_follow_one_rule() {
    let tags = ["Rust", " web  dev ", "rust"];
    assert_eq!(Tags::from_list(tags), Tags::parse(&tags.join(",")));
    assert_eq!(
        Tags::from_list(["ok", " a<b "]).unwrap_err(),
        Tags::parse("ok, a<b ").unwrap_err()
    );
    let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    assert!(Tags::from_list(many.iter().map(String::as_str)).is_err());
    let names = ["Ada  Lovelace", "ada lovelace", "Grace Hopper"];
    assert_eq!(
        Directors::from_list(names),
        Directors::parse(&names.join("\n"))
    );
    let crowd: Vec<String> = (0..21).map(|i| format!("D{i}")).collect();
    assert!(Directors::from_list(crowd.iter().map(String::as_str)).is_err());
}

#[test]
fn numbers_sent_as_numbers_meet_the_same_ranges() {
    assert_eq!(Year::from_number(Some(1999)), Year::parse("1999"));
    assert_eq!(Year::from_number(None), Year::parse(""));
    assert_eq!(Year::from_number(Some(1887)), Year::parse("1887"));
    assert_eq!(Rating::from_number(Some(10)), Rating::parse("10"));
    assert_eq!(Rating::from_number(None), Rating::parse(""));
    assert_eq!(Rating::from_number(Some(11)), Rating::parse("11"));
    assert_eq!(parse_bio("  "), Ok(String::new()));
    assert_eq!(
        parse_bio(&"b".repeat(2_001)).unwrap_err(),
        "Keep your bio under 2,000 characters."
    );
}

#[test]
fn profile_values_are_optional_but_checked() {
    assert_eq!(optional_text("  ", 10), Ok(None));
    assert!(optional_text("12345678901", 10).is_err());
    assert!(optional_website("example.com").is_err());
    assert_eq!(
        optional_website("https://example.com"),
        Ok(Some("https://example.com".into()))
    );
    assert!(optional_birth_date("1899-12-31").is_err());
    assert!(optional_birth_date("2999-01-01").is_err());
    assert!(optional_birth_date("31/12/1990").is_err());
    assert!(optional_birth_date("1990-12-31").unwrap().is_some());
    assert!(DisplayName::parse(" ").is_err());
}

#[test]
fn usernames_are_lowercased_and_checked_for_length_and_characters() {
    assert_eq!(Username::parse("  Alice_01 ").unwrap().as_str(), "alice_01");
    assert!(Username::parse("al").unwrap_err().contains("at least 3"));
    assert!(
        Username::parse(&"a".repeat(33))
            .unwrap_err()
            .contains("at most 32")
    );
    assert!(
        Username::parse("1alice")
            .unwrap_err()
            .contains("start with a letter")
    );
    assert!(
        Username::parse("ali ce")
            .unwrap_err()
            .contains("only letters")
    );
    assert!(Username::parse("alïce").is_err());
}

#[test]
fn emails_must_have_a_plausible_shape() {
    assert_eq!(
        Email::parse(" Ada@Example.COM ").unwrap().as_str(),
        "ada@example.com"
    );
    for bad in [
        "",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "a da@example.com",
        "ada@@example.com",
        "ada@-x.com",
        "ada..b@example.com",
    ] {
        assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
    }
}

#[test]
fn passwords_need_length_variety_a_match_and_no_username() {
    assert!(NewPassword::parse("correct horse battery", "correct horse battery", "ada").is_ok());
    assert!(
        NewPassword::parse("short", "short", "ada")
            .unwrap_err()
            .contains("at least 10")
    );
    assert!(
        NewPassword::parse("aaaaaaaaaaaa", "aaaaaaaaaaaa", "ada")
            .unwrap_err()
            .contains("too easy")
    );
    assert!(
        NewPassword::parse("Password123", "Password123", "ada")
            .unwrap_err()
            .contains("too easy")
    );
    assert!(
        NewPassword::parse("my-name-is-ada!", "my-name-is-ada!", "ada")
            .unwrap_err()
            .contains("username")
    );
    assert!(
        NewPassword::parse("correct horse battery", "correct horse battery!", "ada")
            .unwrap_err()
            .contains("do not match")
    );
}

#[test]
fn only_same_site_paths_are_kept_as_next() {
    assert_eq!(
        safe_next(Some("/admin/roles?x=1")).as_deref(),
        Some("/admin/roles?x=1")
    );
    for bad in [
        "https://evil.test/",
        "//evil.test",
        "/\\evil.test",
        "admin",
        "/a\nb",
    ] {
        assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
    }
    assert_eq!(safe_next(None), None);
}

#[test]
fn slugify_keeps_letters_and_digits_joined_by_single_hyphens() {
    assert_eq!(slugify("Hello, World!  2026", 80), "hello-world-2026");
    assert_eq!(slugify("Singin' in the Rain", 80), "singin-in-the-rain");
    assert_eq!(
        slugify("  Crème brûlée -- à la carte ", 80),
        "creme-brulee-a-la-carte"
    );
}

#[test]
fn slugify_never_returns_an_empty_or_overlong_slug() {
    assert_eq!(slugify("!!!", 80), "untitled");
    assert_eq!(slugify("", 80), "untitled");
    let long = slugify(&"word ".repeat(100), 30);
    assert!(long.len() <= 30 && !long.ends_with('-'), "{long}");
}
