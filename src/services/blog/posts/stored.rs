//! What a post stores beside its Markdown and tags so that pages and lists need not derive it
//! per request (`body_html`, `excerpt`: migration 10; `tag_names`: migration 18). Every
//! writer of posts — creating and editing here, and both seeders — takes these values from
//! [`stored_fields`], so a new stored field has one home besides its migration's backfill.

use entity::post;
use sea_orm::ActiveValue::Set;

use crate::services::blog::EXCERPT_CHARS;
use crate::services::blog::tags::join_tags;

/// A post's stored derived fields, worked out from its body and tag names.
#[derive(Clone, Debug)]
pub struct StoredFields {
    body_html: String,
    excerpt: String,
    tag_names: String,
}

/// The derived fields of a post with this Markdown `body`, these tags and these attached
/// `pictures` (which its text may show).
pub fn stored_fields(
    body: &str,
    tag_names: &[String],
    pictures: &[markup::Picture],
) -> StoredFields {
    StoredFields {
        body_html: markup::to_safe_html_with(body, pictures),
        excerpt: markup::excerpt(body, EXCERPT_CHARS),
        tag_names: join_tags(tag_names),
    }
}

impl StoredFields {
    /// Sets the fields on a post row about to be inserted or updated.
    pub fn set_on(self, row: &mut post::ActiveModel) {
        row.body_html = Set(Some(self.body_html));
        row.excerpt = Set(self.excerpt);
        row.tag_names = Set(self.tag_names);
    }
}

/// The post's body as HTML: the stored rendering, or the Markdown rendered now for a row that
/// has none stored yet (written before migration 10's backfill reached it). Pages and the API
/// both show this.
pub fn body_html(post: &post::Model) -> String {
    post.body_html
        .clone()
        .unwrap_or_else(|| markup::to_safe_html(&post.body))
}

/// How `body` would show once saved (the rendering saving it stores), for whoever may write
/// it: a new post (`slug` none) for holders of `write_posts`, an edit for whoever may edit the
/// post, whose attached pictures show with their dimensions. Nothing is saved; a text longer
/// than a post may be is refused as saving it would be.
pub async fn preview_post(
    db: &impl sea_orm::ConnectionTrait,
    user: &crate::domain::CurrentUser,
    slug: Option<&str>,
    body: &str,
) -> Result<String, crate::services::ServiceError> {
    crate::domain::PostBody::within_length(body)
        .map_err(|reason| crate::services::ServiceError::invalid("body", reason))?;
    let pictures = match slug {
        Some(slug) => {
            let post = super::rules::editable_post(db, slug, user).await?;
            crate::services::blog::post_pictures(db, post.id).await?
        }
        None => {
            user.require(entity::enums::Permission::WritePosts)?;
            Vec::new()
        }
    };
    Ok(markup::to_safe_html_with(body, &pictures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_fields_are_the_rendered_body_its_excerpt_and_the_sorted_tag_names() {
        let mut row = post::ActiveModel::default();
        stored_fields("Some *text*.", &["rust".to_owned(), "film".to_owned()], &[])
            .set_on(&mut row);
        assert_eq!(
            row.body_html,
            Set(Some(markup::to_safe_html("Some *text*.")))
        );
        assert_eq!(
            row.excerpt,
            Set(markup::excerpt("Some *text*.", EXCERPT_CHARS))
        );
        assert_eq!(row.tag_names, Set("film,rust".to_owned()));
    }
}
