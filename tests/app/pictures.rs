//! Pictures: movie posters uploaded through the form and the API, decoded and re-encoded (no
//! metadata survives), refused when hostile with nothing stored, served by hash with caching
//! headers, stored once, and removed when nothing refers to them.

use std::io::Cursor;

use entity::{movie, picture, picture_file};
use image::{ImageFormat, Rgba, RgbaImage};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::api_client::{Api, make_token};
use crate::helpers::{TestApp, location};

/// A 300 × 450 picture with a gradient (so that encoders have something to encode).
fn picture_in(format: ImageFormat) -> Vec<u8> {
    let image = RgbaImage::from_fn(300, 450, |x, y| {
        Rgba([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8, 255])
    });
    let mut bytes = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => image::DynamicImage::ImageRgba8(image)
            .to_rgb8()
            .write_to(&mut bytes, format)
            .unwrap(),
        _ => image.write_to(&mut bytes, format).unwrap(),
    }
    bytes.into_inner()
}

/// A JPEG carrying an EXIF segment with a GPS position, right after its start marker.
fn jpeg_with_exif() -> Vec<u8> {
    let plain = picture_in(ImageFormat::Jpeg);
    let payload = b"Exif\0\0MM\0*GPSLatitude 48.8584 N GPSLongitude 2.2945 E";
    let length = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
    let mut bytes = plain[..2].to_vec();
    bytes.extend_from_slice(&[0xFF, 0xE1, length[0], length[1]]);
    bytes.extend_from_slice(payload);
    bytes.extend_from_slice(&plain[2..]);
    bytes
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A PNG of a few dozen bytes that claims to be 50,000 × 50,000 pixels.
fn decompression_bomb() -> Vec<u8> {
    let mut header = Vec::new();
    header.extend_from_slice(&50_000u32.to_be_bytes());
    header.extend_from_slice(&50_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

async fn movie_id(app: &TestApp, manager: &crate::helpers::Visitor, title: &str) -> i32 {
    let created = manager
        .post(
            "/movies/new",
            &[
                ("title", title),
                ("year", "1999"),
                ("directors", "Someone"),
                ("synopsis", "s"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let _ = app;
    location(&created)
        .trim_start_matches("/movies/")
        .parse()
        .unwrap()
}

async fn poster_of(app: &TestApp, id: i32) -> Option<String> {
    movie::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .poster
}

async fn stored(app: &TestApp) -> (u64, u64) {
    (
        picture::Entity::find().count(&app.db).await.unwrap(),
        picture_file::Entity::find().count(&app.db).await.unwrap(),
    )
}

backend_tests! {
    async fn every_accepted_format_is_stored_re_encoded_without_its_metadata(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let manager = app.signed_in("mia", "moderator").await;
        let token = make_token(&manager.visitor, &["manage_movies"]).await;
        let id = movie_id(&app, &manager.visitor, "The Matrix").await;

        // Through the form: a JPEG with a GPS position in its EXIF.
        let exif = jpeg_with_exif();
        assert!(image::load_from_memory(&exif).is_ok(), "the test file is a picture");
        let saved = manager.visitor.post_multipart(&format!("/movies/{id}/poster"), &[("poster", Some("holiday.jpg"), &exif)]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let hash = poster_of(&app, id).await.expect("a poster");
        assert_eq!(stored(&app).await, (1, 3));
        let full = app.visitor().get(&format!("/media/{hash}/full")).await;
        assert_eq!(full.status(), StatusCode::OK);
        assert_eq!(full.headers()["content-type"], "image/jpeg");
        assert_eq!(full.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(full.headers()["x-content-type-options"], "nosniff");
        let tag = full.headers()["etag"].to_str().unwrap().to_owned();
        let bytes = full.bytes().await.unwrap();
        let served = image::load_from_memory(&bytes).unwrap();
        assert_eq!((served.width(), served.height()), (600, 900));
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Exif") && !text.contains("GPS"), "no metadata is kept");
        let again = app.visitor().client_get_with(&format!("/media/{hash}/full"), ("if-none-match", &tag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let thumb = image::load_from_memory(&app.visitor().get(&format!("/media/{hash}/thumb")).await.bytes().await.unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (80, 120));

        // The pages show it, with its size and alternatives.
        let (_, page) = app.visitor().get_html(&format!("/movies/{id}")).await;
        assert!(page.contains(&format!("src=\"/media/{hash}/card\"")) && page.contains("width=\"240\" height=\"360\""), "{page}");
        assert!(page.contains("alt=\"Poster of The Matrix\""));
        let (_, list) = app.visitor().get_html("/movies").await;
        assert!(list.contains(&format!("/media/{hash}/thumb")) && list.contains("loading=\"lazy\""));

        // Through the API: PNG, GIF and WebP, whatever the Content-Type says.
        for format in [ImageFormat::Png, ImageFormat::Gif, ImageFormat::WebP] {
            let mut put = api.call(reqwest::Method::PUT, &format!("/api/v1/movies/{id}/poster"));
            put.token = Some(&token);
            put.raw = Some(picture_in(format));
            put.headers.push(("content-type", "text/plain".into()));
            let reply = api.send(put).await;
            assert_eq!(reply.status, StatusCode::OK, "{format:?}: {}", reply.body);
            let hash = reply.body["poster"]["hash"].as_str().unwrap().to_owned();
            assert_eq!(reply.body["poster"]["full"], format!("/media/{hash}/full"));
            let card = app.visitor().get(&format!("/media/{hash}/card")).await.bytes().await.unwrap();
            let card = image::load_from_memory_with_format(&card, ImageFormat::Jpeg).unwrap();
            assert_eq!((card.width(), card.height()), (240, 360), "{format:?}");
        }
        // Each replaced poster went with its movie's last reference to it.
        assert_eq!(stored(&app).await, (1, 3));
        let gone = app.visitor().get(&format!("/media/{hash}/full")).await;
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.visitor().get("/media/nothash/full").await.status(), StatusCode::NOT_FOUND);
    }

    async fn hostile_files_are_refused_with_a_reason_and_nothing_stored(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let manager = app.signed_in("mia", "moderator").await;
        let token = make_token(&manager.visitor, &["manage_movies"]).await;
        let id = movie_id(&app, &manager.visitor, "Heat").await;
        let png = picture_in(ImageFormat::Png);
        let mut polyglot = png.clone();
        polyglot.extend_from_slice(b"PK\x03\x04<html><script>alert(1)</script></html>");
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(), "is not one"),
            ("empty", Vec::new(), "The file is empty"),
            ("truncated", png[..png.len() / 2].to_vec(), "damaged or cut short"),
            ("polyglot", polyglot, "more than a picture"),
            ("bomb", decompression_bomb(), "too large: at most 8000 × 8000 pixels"),
            ("text", b"just some text pretending to be a picture".to_vec(), "is not one"),
        ];
        for (name, bytes, reason) in &cases {
            let refused = manager.visitor.post_multipart(&format!("/movies/{id}/poster"), &[("poster", Some("x.png"), bytes)]).await;
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            let html = refused.text().await.unwrap();
            assert!(html.contains(reason), "{name}: {html}");
            assert!(html.contains("id=\"poster-error\""), "{name}: the field says why");
            let mut put = api.call(reqwest::Method::PUT, &format!("/api/v1/movies/{id}/poster"));
            put.token = Some(&token);
            put.raw = Some(bytes.clone());
            let reply = api.send(put).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            assert_eq!(reply.fields(), ["poster"], "{name}");
        }
        assert_eq!(stored(&app).await, (0, 0));
        assert_eq!(poster_of(&app, id).await, None);

        // Over the limit: 413, through the form and the API, nothing stored.
        let huge = vec![0u8; 6 * 1024 * 1024];
        let refused = manager.visitor.post_multipart(&format!("/movies/{id}/poster"), &[("poster", Some("huge.png"), &huge)]).await;
        assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let mut put = api.call(reqwest::Method::PUT, &format!("/api/v1/movies/{id}/poster"));
        put.token = Some(&token);
        put.raw = Some(huge);
        assert_eq!(api.send(put).await.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(stored(&app).await, (0, 0));
    }

    async fn a_picture_is_stored_once_and_goes_when_nothing_refers_to_it(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let manager = app.signed_in("mia", "moderator").await;
        let token = make_token(&manager.visitor, &["manage_movies"]).await;
        let (first, second) = (movie_id(&app, &manager.visitor, "Alpha").await, movie_id(&app, &manager.visitor, "Beta").await);
        let statements = app.statements_for("/movies").await;
        let png = picture_in(ImageFormat::Png);
        for id in [first, second] {
            let mut put = api.call(reqwest::Method::PUT, &format!("/api/v1/movies/{id}/poster"));
            put.token = Some(&token);
            put.raw = Some(png.clone());
            assert_eq!(api.send(put).await.status, StatusCode::OK);
        }
        assert_eq!(stored(&app).await, (1, 3), "the same picture is stored once");
        assert_eq!(poster_of(&app, first).await, poster_of(&app, second).await);
        assert_eq!(app.statements_for("/movies").await, statements, "a list reads posters with the rows");

        // Others may not change posters.
        let reader = app.signed_in("rob", "reader").await;
        let weak = make_token(&reader.visitor, &["review_movies"]).await;
        let mut put = api.call(reqwest::Method::PUT, &format!("/api/v1/movies/{first}/poster"));
        put.token = Some(&weak);
        put.raw = Some(picture_in(ImageFormat::Gif));
        assert_eq!(api.send(put).await.status, StatusCode::FORBIDDEN);
        assert_eq!(reader.visitor.get(&format!("/movies/{first}/poster")).await.status(), StatusCode::FORBIDDEN);
        let refused = reader.visitor.post_multipart(&format!("/movies/{first}/poster"), &[("poster", Some("p.png"), &png)]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(reader.visitor.post(&format!("/movies/{first}/poster/remove"), &[]).await.status(), StatusCode::FORBIDDEN);
        assert!(poster_of(&app, first).await.is_some());

        // Removing it from one movie keeps it for the other; from both, it goes.
        let removed = manager.visitor.post(&format!("/movies/{first}/poster/remove"), &[]).await;
        assert_eq!(removed.status(), StatusCode::SEE_OTHER);
        assert_eq!(poster_of(&app, first).await, None);
        assert_eq!(stored(&app).await, (1, 3));
        let mut delete = api.call(reqwest::Method::DELETE, &format!("/api/v1/movies/{second}/poster"));
        delete.token = Some(&token);
        let reply = api.send(delete).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body["poster"].is_null());
        assert_eq!(stored(&app).await, (0, 0));

        // Deleting a movie takes its poster along.
        let mut put = api.call(reqwest::Method::PUT, &format!("/api/v1/movies/{first}/poster"));
        put.token = Some(&token);
        put.raw = Some(png.clone());
        assert_eq!(api.send(put).await.status, StatusCode::OK);
        assert_eq!(manager.visitor.post(&format!("/movies/{first}/delete"), &[]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(stored(&app).await, (0, 0));
    }

    async fn members_set_their_avatar_moderators_take_one_down_and_managers_set_portraits(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let ada = app.signed_in("ada", "author").await;
        let saved = ada.visitor.post_multipart("/settings/avatar", &[("avatar", Some("me.webp"), &picture_in(ImageFormat::WebP))]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&saved), "/users/ada");
        let hash = entity::user::Entity::find_by_id(ada.id).one(&app.db).await.unwrap().unwrap().avatar.expect("an avatar");
        let full = app.visitor().get(&format!("/media/{hash}/full")).await.bytes().await.unwrap();
        let full = image::load_from_memory(&full).unwrap();
        assert_eq!((full.width(), full.height()), (256, 256), "square");
        let (_, profile) = app.visitor().get_html("/users/ada").await;
        assert!(profile.contains(&format!("src=\"/media/{hash}/card\"")) && profile.contains("width=\"96\" height=\"96\""), "{profile}");
        assert!(profile.contains("alt=\"ada’s avatar\""));
        // Beside her name where she writes, read with the rows that name her.
        let post = app.create_post(ada.id, "Notes", true, None, &[]).await;
        let (_, page) = app.visitor().get_html(&format!("/posts/{}", post.slug)).await;
        assert!(page.contains(&format!("<img class=\"avatar-small\" src=\"/media/{hash}/thumb\"")), "{page}");

        // Someone else cannot set or take it down; a moderator can.
        let bob = app.signed_in("bob", "reader").await;
        let bobs = make_token(&bob.visitor, &["comment"]).await;
        let mut delete = api.call(reqwest::Method::DELETE, "/api/v1/users/ada/avatar");
        delete.token = Some(&bobs);
        assert_eq!(api.send(delete).await.status, StatusCode::FORBIDDEN);
        assert_eq!(bob.visitor.post("/users/ada/avatar/remove", &[]).await.status(), StatusCode::FORBIDDEN);
        let (_, seen) = bob.visitor.get_html("/users/ada").await;
        assert!(!seen.contains("/avatar/remove"), "no button for someone who may not");
        let moderator = app.signed_in("mod", "moderator").await;
        let (_, seen) = moderator.visitor.get_html("/users/ada").await;
        assert!(seen.contains("action=\"/users/ada/avatar/remove\""));
        let removed = moderator.visitor.post("/users/ada/avatar/remove", &[]).await;
        assert_eq!(removed.status(), StatusCode::SEE_OTHER);
        assert_eq!(entity::user::Entity::find_by_id(ada.id).one(&app.db).await.unwrap().unwrap().avatar, None);
        assert_eq!(stored(&app).await, (0, 0));
        let (_, profile) = app.visitor().get_html("/users/ada").await;
        assert!(profile.contains("<div class=\"avatar\" aria-hidden=\"true\">A</div>"), "the initials again");

        // Through the API: your own, with a token.
        let token = make_token(&ada.visitor, &["comment"]).await;
        let mut put = api.call(reqwest::Method::PUT, "/api/v1/me/avatar");
        put.token = Some(&token);
        put.raw = Some(picture_in(ImageFormat::Png));
        let reply = api.send(put).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(reply.body["thumb"].as_str().unwrap().ends_with("/thumb"));
        let mut delete = api.call(reqwest::Method::DELETE, "/api/v1/users/ada/avatar");
        delete.token = Some(&token);
        assert_eq!(api.send(delete).await.status, StatusCode::NO_CONTENT);
        assert_eq!(stored(&app).await, (0, 0));

        // A portrait: movie managers only, shown on the person's page.
        let manager = app.signed_in("mia", "moderator").await;
        movie_id(&app, &manager.visitor, "Heat").await;
        let person = entity::person::Entity::find().one(&app.db).await.unwrap().unwrap();
        let page = format!("/people/{}/portrait", person.id);
        assert_eq!(bob.visitor.get(&page).await.status(), StatusCode::FORBIDDEN);
        let refused = bob.visitor.post_multipart(&page, &[("portrait", Some("p.png"), &picture_in(ImageFormat::Png))]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let saved = manager.visitor.post_multipart(&page, &[("portrait", Some("p.gif"), &picture_in(ImageFormat::Gif))]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let (_, shown) = app.visitor().get_html(&format!("/people/{}", person.id)).await;
        assert!(shown.contains(&format!("alt=\"Portrait of {}\"", person.name)), "{shown}");
        let managers = make_token(&manager.visitor, &["manage_movies"]).await;
        let mut delete = api.call(reqwest::Method::DELETE, &format!("/api/v1/people/{}/portrait", person.id));
        delete.token = Some(&managers);
        assert_eq!(api.send(delete).await.status, StatusCode::NO_CONTENT);
        assert_eq!(stored(&app).await, (0, 0));
    }

    async fn a_sweep_removes_the_pictures_left_by_rows_deleted_outside_marquee(test_db: TestDb) {
        use sea_orm::{ColumnTrait, QueryFilter};
        let app = test_db.spawn().await;
        let manager = app.signed_in("mia", "moderator").await;
        let (kept, dropped) = (movie_id(&app, &manager.visitor, "Kept").await, movie_id(&app, &manager.visitor, "Dropped").await);
        for (id, format) in [(kept, ImageFormat::Png), (dropped, ImageFormat::Gif)] {
            let saved = manager.visitor.post_multipart(&format!("/movies/{id}/poster"), &[("poster", Some("p"), &picture_in(format))]).await;
            assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        }
        let gone = poster_of(&app, dropped).await.unwrap();
        // Deleted by hand, as an operator's SQL would: its poster stays behind.
        entity::movie_director::Entity::delete_many().filter(entity::movie_director::Column::MovieId.eq(dropped)).exec(&app.db).await.unwrap();
        movie::Entity::delete_by_id(dropped).exec(&app.db).await.unwrap();
        assert_eq!(stored(&app).await, (2, 6));
        let sweep = |minutes: &str| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
                .args(["sweep-pictures", "--older-than", minutes, "--no-migrate"])
                .env("DATABASE_URL", &test_db.url)
                .env("MARQUEE_LOG", "error")
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap()
        };
        // Stored within the last hour: left alone (an upload may be about to refer to it).
        assert_eq!(sweep("60"), "removed 0 picture(s) nothing refers to\n");
        assert_eq!(stored(&app).await, (2, 6));
        assert_eq!(sweep("0"), "removed 1 picture(s) nothing refers to\n");
        assert_eq!(stored(&app).await, (1, 3));
        assert_eq!(app.visitor().get(&format!("/media/{gone}/full")).await.status(), StatusCode::NOT_FOUND);
        let poster = poster_of(&app, kept).await.unwrap();
        assert_eq!(app.visitor().get(&format!("/media/{poster}/full")).await.status(), StatusCode::OK);
    }
}

mod in_posts;
