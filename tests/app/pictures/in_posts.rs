//! Pictures in posts: attached through the page and the API by whoever may edit the post,
//! shown by its Markdown with their dimensions and sizes, kept while the text shows them,
//! stored once, and removed with the post; the Preview button and `POST /api/v1/preview`, which
//! render a text (and its pictures) as saving would.

use entity::post_picture;
use image::{ImageFormat, RgbImage};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use super::{picture_in, stored};
use crate::api_client::{Api, make_token};
use crate::helpers::location;

/// A wide 2000 × 1000 PNG: larger than a post's full size.
fn wide_png() -> Vec<u8> {
    let image = RgbImage::from_fn(2000, 1000, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, ImageFormat::Png).unwrap();
    bytes.into_inner()
}

async fn served(app: &crate::helpers::TestApp, hash: &str, size: &str) -> (u32, u32) {
    let bytes = app
        .visitor()
        .get(&format!("/media/{hash}/{size}"))
        .await
        .bytes()
        .await
        .unwrap();
    let picture = image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg).unwrap();
    (picture.width(), picture.height())
}

backend_tests! {
    async fn authors_attach_pictures_their_text_shows_and_they_go_with_the_post(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let ada = app.signed_in("ada", "author").await;
        let post = app.create_post(ada.id, "A walk", true, None, &[]).await;
        let page = format!("/posts/{}/pictures", post.slug);
        let (status, empty) = ada.visitor.get_html(&page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(empty.contains("No pictures yet."), "{empty}");
        let (_, form) = ada.visitor.get_html(&format!("/posts/{}/edit", post.slug)).await;
        assert!(form.contains(&format!("href=\"{page}\"")), "the edit form leads to them");

        // Through the page: kept in its shape, never enlarged.
        let small = picture_in(ImageFormat::Png);
        let saved = ada.visitor.post_multipart(&page, &[("picture", Some("bench.png"), &small)]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&saved), page);
        let rows = post_picture::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(rows.len(), 1);
        let bench = rows[0].hash.clone();
        assert_eq!(stored(&app).await, (1, 3));
        assert_eq!(served(&app, &bench, "full").await, (300, 450));
        assert_eq!(served(&app, &bench, "thumb").await, (107, 160));
        let (_, listed) = ada.visitor.get_html(&page).await;
        let line = format!("![Describe the picture](/media/{bench}/full)");
        assert!(listed.contains(&line), "{listed}");

        // Through the API: a large one fitted into each size.
        let token = make_token(&ada.visitor, &["write_posts"]).await;
        let mut attach = api.call(reqwest::Method::POST, &format!("/api/v1/posts/{}/pictures", post.slug));
        attach.token = Some(&token);
        attach.raw = Some(wide_png());
        let reply = api.send(attach).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let wide = reply.body["hash"].as_str().unwrap().to_owned();
        assert_eq!((reply.body["width"].as_u64(), reply.body["height"].as_u64()), (Some(720), Some(360)));
        assert_eq!(reply.body["markdown"], format!("![Describe the picture](/media/{wide}/full)"));
        assert_eq!(served(&app, &wide, "full").await, (1440, 720));
        assert_eq!(served(&app, &wide, "card").await, (720, 360));
        assert_eq!(stored(&app).await, (2, 6));
        // The same picture again changes nothing.
        let mut again = api.call(reqwest::Method::POST, &format!("/api/v1/posts/{}/pictures", post.slug));
        again.token = Some(&token);
        again.raw = Some(small.clone());
        assert_eq!(api.send(again).await.status, StatusCode::CREATED);
        assert_eq!(post_picture::Entity::find().count(&app.db).await.unwrap(), 2);
        let mut list = api.call(reqwest::Method::GET, &format!("/api/v1/posts/{}/pictures", post.slug));
        list.token = Some(&token);
        let reply = api.send(list).await;
        let hashes: Vec<&str> = reply.body.as_array().unwrap().iter().map(|p| p["hash"].as_str().unwrap()).collect();
        assert_eq!(hashes, [bench.as_str(), wide.as_str()], "oldest first");
        // Audited, apart from the post's versions (a picture changes none of its fields).
        let attached = entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::Action.eq("post_picture.attach"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(attached, 2);
        let mut history = api.call(reqwest::Method::GET, &format!("/api/v1/posts/{}/history", post.slug));
        history.token = Some(&token);
        let versions = api.send(history).await;
        assert_eq!(versions.status, StatusCode::OK);
        assert!(!versions.body.to_string().contains("post_picture"), "{}", versions.body);

        // The text shows one: with its dimensions, both sizes and its description.
        let mut edit = api.call(reqwest::Method::PUT, &format!("/api/v1/posts/{}", post.slug));
        edit.token = Some(&token);
        edit.body = Some(json!({"title": "A walk", "body": format!("Look:\n\n![A \"quiet\" bench](/media/{bench}/full)"), "status": "published", "tags": []}));
        assert_eq!(api.send(edit).await.status, StatusCode::OK);
        let (_, shown) = app.visitor().get_html(&format!("/posts/{}", post.slug)).await;
        let img = format!("<img src=\"/media/{bench}/card\" srcset=\"/media/{bench}/card 300w, /media/{bench}/full 300w\"");
        assert!(shown.contains(&img), "{shown}");
        assert!(shown.contains("width=\"300\" height=\"450\" alt=\"A &quot;quiet&quot; bench\" loading=\"lazy\""), "{shown}");

        // It cannot be removed while the text shows it; the other can.
        let refused = ada.visitor.post(&format!("{page}/{bench}/remove"), &[]).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        assert!(refused.text().await.unwrap().contains("still shows this picture"));
        let mut detach = api.call(reqwest::Method::DELETE, &format!("/api/v1/posts/{}/pictures/{bench}", post.slug));
        detach.token = Some(&token);
        assert_eq!(api.send(detach).await.status, StatusCode::CONFLICT);
        let removed = ada.visitor.post(&format!("{page}/{wide}/remove"), &[]).await;
        assert_eq!(removed.status(), StatusCode::SEE_OTHER);
        assert_eq!(stored(&app).await, (1, 3));
        assert_eq!(app.visitor().get(&format!("/media/{wide}/full")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(ada.visitor.post(&format!("{page}/{wide}/remove"), &[]).await.status(), StatusCode::NOT_FOUND);

        // Hostile files are refused on the field, nothing more stored.
        let refused = ada.visitor.post_multipart(&page, &[("picture", Some("x.svg"), b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("id=\"picture-error\""));
        assert_eq!(stored(&app).await, (1, 3));

        // Someone who may not edit the post may not see or change its pictures.
        let bob = app.signed_in("bob", "author").await;
        assert_eq!(bob.visitor.get(&page).await.status(), StatusCode::FORBIDDEN);
        let refused = bob.visitor.post_multipart(&page, &[("picture", Some("p.png"), &small)]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let bobs = make_token(&bob.visitor, &["write_posts"]).await;
        let mut attach = api.call(reqwest::Method::POST, &format!("/api/v1/posts/{}/pictures", post.slug));
        attach.token = Some(&bobs);
        attach.raw = Some(picture_in(ImageFormat::Gif));
        assert_eq!(api.send(attach).await.status, StatusCode::FORBIDDEN);
        let draft = app.create_post(ada.id, "Unfinished", false, None, &[]).await;
        assert_eq!(bob.visitor.get(&format!("/posts/{}/pictures", draft.slug)).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(stored(&app).await, (1, 3));

        // The same picture in Bob's post is stored once; deleting Ada's post keeps it for his,
        // deleting his removes it.
        let his = app.create_post(bob.id, "Mine", true, None, &[]).await;
        let saved = bob.visitor.post_multipart(&format!("/posts/{}/pictures", his.slug), &[("picture", Some("same.png"), &small)]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(stored(&app).await, (1, 3));
        assert_eq!(ada.visitor.post(&format!("/posts/{}/delete", post.slug), &[]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(stored(&app).await, (1, 3));
        assert_eq!(post_picture::Entity::find().filter(post_picture::Column::Hash.eq(bench.as_str())).count(&app.db).await.unwrap(), 1);
        assert_eq!(bob.visitor.post(&format!("/posts/{}/delete", his.slug), &[]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(stored(&app).await, (0, 0));
    }
}

backend_tests! {
    async fn a_preview_renders_the_text_as_saving_would_and_saves_nothing(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let ada = app.signed_in("ada", "author").await;
        let posts = entity::post::Entity::find().count(&app.db).await.unwrap();

        // A new post: rendered, the input kept, nothing saved; problems shown beside it.
        let body = "Some **bold** text <script>alert(1)</script>";
        let shown = ada.visitor.post("/posts/new", &[("title", "Draft idea"), ("body", body), ("status", "draft"), ("preview", "1")]).await;
        assert_eq!(shown.status(), StatusCode::OK);
        let html = shown.text().await.unwrap();
        assert!(html.contains("<strong>bold</strong>") && !html.contains("<script>alert"), "{html}");
        assert!(html.contains("value=\"Draft idea\"") && html.contains("Some **bold** text"), "the input is kept");
        assert_eq!(entity::post::Entity::find().count(&app.db).await.unwrap(), posts, "nothing saved");
        let shown = ada.visitor.post("/posts/new", &[("title", " "), ("body", "Text"), ("status", "draft"), ("preview", "1")]).await;
        assert_eq!(shown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = shown.text().await.unwrap();
        assert!(html.contains("id=\"title-error\"") && html.contains("preview-heading"), "{html}");

        // An edit: the post's own pictures show with their dimensions; the post is unchanged.
        let post = app.create_post(ada.id, "With a picture", true, None, &[]).await;
        let saved = ada.visitor.post_multipart(&format!("/posts/{}/pictures", post.slug), &[("picture", Some("p.png"), &picture_in(ImageFormat::Png))]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let hash = post_picture::Entity::find().one(&app.db).await.unwrap().unwrap().hash;
        let text = format!("![A bench](/media/{hash}/full)");
        let shown = ada.visitor.post(&format!("/posts/{}/edit", post.slug), &[("title", "With a picture"), ("body", &text), ("status", "published"), ("preview", "1")]).await;
        assert_eq!(shown.status(), StatusCode::OK);
        assert!(shown.text().await.unwrap().contains("width=\"300\" height=\"450\" alt=\"A bench\""));
        let unchanged = entity::post::Entity::find_by_id(post.id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(unchanged.body, post.body);

        // Someone else's post is not previewed as theirs to edit.
        let bob = app.signed_in("bob", "author").await;
        let refused = bob.visitor.post(&format!("/posts/{}/edit", post.slug), &[("title", "x"), ("body", "y"), ("status", "published"), ("preview", "1")]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);

        // Through the API, with the same rules.
        let token = make_token(&ada.visitor, &["write_posts"]).await;
        let mut call = api.call(reqwest::Method::POST, "/api/v1/preview");
        call.token = Some(&token);
        call.body = Some(json!({"body": text, "post": post.slug}));
        let reply = api.send(call).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(reply.body["html"].as_str().unwrap().contains("srcset"), "{}", reply.body);
        let bobs = make_token(&bob.visitor, &["write_posts"]).await;
        let mut call = api.call(reqwest::Method::POST, "/api/v1/preview");
        call.token = Some(&bobs);
        call.body = Some(json!({"body": "x", "post": post.slug}));
        assert_eq!(api.send(call).await.status, StatusCode::FORBIDDEN);
        let mut call = api.call(reqwest::Method::POST, "/api/v1/preview");
        call.token = Some(&token);
        call.body = Some(json!({"body": "x".repeat(100_001)}));
        assert_eq!(api.send(call).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(entity::post::Entity::find().count(&app.db).await.unwrap(), posts + 1);
    }
}
