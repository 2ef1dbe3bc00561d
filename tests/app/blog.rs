//! The blog: lists without N+1 queries, search, post pages, writing and editing with tags,
//! permissions, categories, comments and moderation, and the top-authors report.

use entity::{category, comment, post, tag};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn category_id(db: &sea_orm::DatabaseConnection, slug: &str) -> i32 {
    category::Entity::find_by_slug(slug)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The `href` of the pagination link with this `rel` ("prev" is Newer, "next" is Older), with
/// HTML escapes undone.
/// Every category's and tag's maintained post count equals a fresh count of its published
/// posts.
async fn post_counts_hold(db: &sea_orm::DatabaseConnection, when: &str) {
    use entity::enums::PostStatus;
    use entity::post_tag;
    use sea_orm::sea_query::Query;
    let published = || post::Entity::find().filter(post::Column::Status.eq(PostStatus::Published));
    for c in category::Entity::find().all(db).await.unwrap() {
        let n = published()
            .filter(post::Column::CategoryId.eq(c.id))
            .count(db)
            .await
            .unwrap();
        assert_eq!(
            u64::try_from(c.post_count).unwrap(),
            n,
            "category {} {when}",
            c.slug
        );
    }
    for t in tag::Entity::find().all(db).await.unwrap() {
        let links = Query::select()
            .column(post_tag::Column::PostId)
            .from(post_tag::Entity)
            .and_where(post_tag::Column::TagId.eq(t.id))
            .to_owned();
        let n = published()
            .filter(post::Column::Id.in_subquery(links))
            .count(db)
            .await
            .unwrap();
        assert_eq!(
            u64::try_from(t.post_count).unwrap(),
            n,
            "tag {} {when}",
            t.name
        );
    }
}

/// Every post's stored list fields equal what they are copied from: `comment_count` its
/// visible comments, `tag_names` its linked tags, and each link's `listed_at` the post's.
async fn stored_list_fields_hold(db: &sea_orm::DatabaseConnection, when: &str) {
    use entity::post_tag;
    let posts = post::Entity::find().all(db).await.unwrap();
    let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
    let tags = marquee::services::blog::tags_of(db, ids).await.unwrap();
    for p in &posts {
        let visible = comment::Entity::find()
            .filter(comment::Column::PostId.eq(p.id))
            .filter(comment::Column::IsHidden.eq(false))
            .count(db)
            .await
            .unwrap();
        assert_eq!(
            u64::try_from(p.comment_count).unwrap(),
            visible,
            "comments of {} {when}",
            p.slug
        );
        let linked = tags.get(&p.id).cloned().unwrap_or_default().join(",");
        assert_eq!(p.tag_names, linked, "tags of {} {when}", p.slug);
    }
    for link in post_tag::Entity::find().all(db).await.unwrap() {
        let p = posts.iter().find(|p| p.id == link.post_id).unwrap();
        assert_eq!(
            link.listed_at, p.listed_at,
            "link {}–{} {when}",
            p.slug, link.tag_id
        );
    }
}

fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\" href=\"");
    let start = html.find(&marker)? + marker.len();
    let href = html[start..].split('"').next()?;
    Some(href.replace("&#38;", "&").replace("&amp;", "&"))
}

mod comment_edits;
mod community;
mod lists;
mod writing;

/// The query-string form of `text` (every byte but letters and digits escaped).
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
