//! A movie manager uploads a poster, a member an avatar and an author a picture for a post
//! through the forms in Chromium, and each shows where it belongs; a hostile file is refused
//! on the form. Every page is checked by
//! axe and the Nu checker like every journey's, and shot at desktop and phone widths.

use std::io::Cursor;

use image::{ImageFormat, Rgba, RgbaImage};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::driver::*;
use super::log_in;
use crate::helpers::{Backend, TestDb};

/// A picture file for the browser to upload.
fn picture_file(dir: &std::path::Path, name: &str, format: ImageFormat) -> std::path::PathBuf {
    let image = RgbaImage::from_fn(400, 500, |x, y| {
        Rgba([(x / 2 % 256) as u8, 90, (y / 2 % 256) as u8, 255])
    });
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes.into_inner()).unwrap();
    path
}

#[cfg_attr(
    not(marquee_browser),
    ignore = "no chromedriver found when the tests were built (apt-get install chromium chromium-driver)"
)]
#[cfg_attr(
    all(marquee_browser, not(marquee_checkers)),
    ignore = "no markup and accessibility checkers: set MARQUEE_VNU_JAR and MARQUEE_AXE_JS (.ci/run installs vnu-jar and axe-core)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_uploads_a_poster_a_member_an_avatar_and_an_author_a_post_picture() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.create_user("mia", "moderator").await;
    app.create_user("ada", "reader").await;
    app.create_user("lee", "author").await;
    let files = std::env::temp_dir().join(format!("marquee-pictures-{}", std::process::id()));
    std::fs::create_dir_all(&files).unwrap();
    let poster = picture_file(&files, "poster.png", ImageFormat::Png);
    let avatar = picture_file(&files, "avatar.gif", ImageFormat::Gif);
    let photo = picture_file(&files, "harbour.webp", ImageFormat::WebP);
    let svg = files.join("drawing.svg");
    std::fs::write(
        &svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
    )
    .unwrap();
    let browser = Browser::start().await;

    // A manager adds a movie, then its poster; an SVG is refused on the form first.
    log_in(&browser, &app, "mia").await;
    browser.goto(&app.url("/movies/new")).await;
    browser.fill("#title", "Harbour Lights").await;
    browser.fill("#year", "1998").await;
    browser.fill("#directors", "Ann Example").await;
    browser
        .click("form[action='/movies/new'] button[type=submit]")
        .await;
    browser.wait_for_text("Harbour Lights").await;
    let movie = entity::movie::Entity::find()
        .filter(entity::movie::Column::Title.eq("Harbour Lights"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let page = format!("/movies/{movie}/poster");
    browser.goto(&app.url(&page)).await;
    browser.attach("#poster", &svg).await;
    browser
        .click(&format!("form[action='{page}'] button[type=submit]"))
        .await;
    browser.wait_for_text("this file is not one").await;
    browser.screenshot("poster-refused").await;
    browser.attach("#poster", &poster).await;
    browser
        .click(&format!("form[action='{page}'] button[type=submit]"))
        .await;
    browser.wait_for_text("is saved").await;
    let shown = browser.texts("img.poster").await;
    assert_eq!(shown.len(), 1, "the movie page shows its poster");
    browser.screenshot("movie-with-poster").await;
    browser.goto(&app.url("/movies")).await;
    assert_eq!(browser.texts("img.poster-thumb").await.len(), 1);
    browser.screenshot("movies-with-posters").await;
    browser.resize(390, 900).await;
    browser.screenshot("movies-with-posters-phone").await;
    browser.resize(1280, 900).await;
    browser.click("form[action='/logout'] button").await;
    browser.wait_for_text("You are logged out.").await;

    // A member sets an avatar from their profile.
    log_in(&browser, &app, "ada").await;
    browser.goto(&app.url("/users/ada")).await;
    browser.click("a[href='/settings/avatar']").await;
    browser.attach("#avatar", &avatar).await;
    browser
        .click("form[action='/settings/avatar'] button[type=submit]")
        .await;
    browser.wait_for_text("Your avatar is saved.").await;
    assert_eq!(browser.texts("img.avatar-photo").await.len(), 1);
    browser.screenshot("profile-with-avatar").await;
    browser.resize(390, 900).await;
    browser.screenshot("profile-with-avatar-phone").await;
    browser.resize(1280, 900).await;
    browser.click("form[action='/logout'] button").await;
    browser.wait_for_text("You are logged out.").await;

    // An author attaches a picture to a draft, puts its line into the text and publishes.
    log_in(&browser, &app, "lee").await;
    browser.goto(&app.url("/posts/new")).await;
    browser.fill("#title", "A walk by the harbour").await;
    browser.fill("#body", "Notes from the quay.").await;
    browser
        .click("form[action='/posts/new'] button[type=submit]")
        .await;
    browser.wait_for_text("Notes from the quay.").await;
    browser
        .goto(&app.url("/posts/a-walk-by-the-harbour/edit"))
        .await;
    browser
        .click("a[href='/posts/a-walk-by-the-harbour/pictures']")
        .await;
    browser.attach("#picture", &photo).await;
    browser
        .click("form[action='/posts/a-walk-by-the-harbour/pictures'] button[type=submit]")
        .await;
    browser.wait_for_text("The picture is attached").await;
    assert_eq!(browser.loaded_images(".attached img").await, 1);
    browser.screenshot("post-pictures").await;
    let hash = entity::post_picture::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .hash;
    browser
        .goto(&app.url("/posts/a-walk-by-the-harbour/edit"))
        .await;
    browser
        .fill(
            "#body",
            &format!("Notes from the quay.\n\n![The harbour at dusk](/media/{hash}/full)"),
        )
        .await;
    browser.set_value("#status", "published").await;
    // A look first: the preview shows the picture, the form keeps the text.
    browser
        .click("form[action='/posts/a-walk-by-the-harbour/edit'] button[name=preview]")
        .await;
    browser.wait_for_text("not saved yet").await;
    assert_eq!(browser.loaded_images(".preview img").await, 1);
    browser.screenshot("post-preview").await;
    browser
        .click("form[action='/posts/a-walk-by-the-harbour/edit'] button[type=submit]:not([name])")
        .await;
    browser.wait_for_text("Your changes are saved.").await;
    assert_eq!(browser.loaded_images(".prose img").await, 1);
    browser.screenshot("post-with-picture").await;
    browser.resize(390, 900).await;
    browser.screenshot("post-with-picture-phone").await;

    browser.quit().await;
    std::fs::remove_dir_all(&files).ok();
    app.stop().await;
}
