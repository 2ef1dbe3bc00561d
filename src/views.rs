//! One Askama struct per page. Every page carries a [`PageContext`] for the shared layout:
//! the signed-in user (navigation), the CSRF token (every form) and flash messages.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};
use entity::enums::Permission;
use entity::{country, group, user, user_group};

use crate::auth::{self, CurrentUser, session::UserSession};
use crate::errors::AppError;
use crate::flash::Flash;
use crate::services::Page;
use crate::services::accounts::ProfileView;
use crate::services::admin::{Dashboard, RoleRow, UserRow};
use crate::services::blog::{CommentRow, ModerationRow, PostDetail, PostSlice, TreeNode};
use crate::services::groups::GroupRow;
use crate::services::movies::{Facets, MovieCard, ReviewRow};

/// What the layout needs on every page.
#[derive(Clone, Debug, Default)]
pub struct PageContext {
    pub path: String,
    pub flashes: Vec<Flash>,
    pub user: Option<CurrentUser>,
    pub csrf: String,
}

impl PageContext {
    /// True when `prefix` is the current section, for `aria-current` in the navigation.
    pub fn is_current(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.path == "/"
        } else {
            self.path.starts_with(prefix)
        }
    }

    pub fn is_staff(&self) -> bool {
        self.user.as_ref().is_some_and(CurrentUser::is_staff)
    }

    pub fn can(&self, permission: &str) -> bool {
        match (Permission::parse(permission), &self.user) {
            (Some(p), Some(user)) => user.can(p),
            _ => false,
        }
    }
}

impl FromRequest for PageContext {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = auth::resolve(&req).await?;
            let session = UserSession::from_request_sync(&req);
            Ok(PageContext {
                path: req.path().to_owned(),
                flashes: crate::flash::take(session.inner()),
                csrf: session.csrf_token(),
                user,
            })
        })
    }
}

/// Field messages of a submitted form.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn extend(&mut self, errors: Vec<(&'static str, String)>) {
        self.0.extend(errors);
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `aria-invalid` value for a field.
    pub fn invalid(&self, field: &str) -> &'static str {
        if self.get(field).is_some() {
            "true"
        } else {
            "false"
        }
    }
}

/// Formats a timestamp for people: `21 Nov 2026, 14:05 UTC`.
pub fn datetime(at: &DateTime<Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

pub fn date(at: &DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}

/// Numbered pagination links that keep the other query parameters.
/// "Newer" and "Older" links of a keyset-paginated list, keeping the list's other parameters.
#[derive(Clone, Debug, Default)]
pub struct KeysetPager {
    pub newer: Option<String>,
    pub older: Option<String>,
}

impl KeysetPager {
    pub fn new(page: &PostSlice, query: &[(&str, String)]) -> KeysetPager {
        let href = |key: &str, cursor: String| {
            let mut pairs: Vec<(&str, String)> = query
                .iter()
                .filter(|(k, v)| !matches!(*k, "before" | "after" | "page") && !v.is_empty())
                .cloned()
                .collect();
            pairs.push((key, cursor));
            format!(
                "?{}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            )
        };
        KeysetPager {
            newer: page.newer.map(|c| href("before", c.encode())),
            older: page.older.map(|c| href("after", c.encode())),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Pager {
    pub number: u64,
    pub pages: u64,
    /// The query string without `page`, ready to prefix `page=N` (ends with `&` or is empty).
    pub base: String,
}

impl Pager {
    pub fn new<T>(page: &Page<T>, query: &[(&str, String)]) -> Pager {
        let kept: Vec<(&str, &str)> = query
            .iter()
            .filter(|(k, v)| *k != "page" && !v.is_empty())
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let mut base = serde_urlencoded::to_string(kept).unwrap_or_default();
        if !base.is_empty() {
            base.push('&');
        }
        Pager {
            number: page.number,
            pages: page.pages,
            base,
        }
    }

    /// Page numbers to show, with `None` for a gap: 1 … 4 5 [6] 7 8 … 20.
    pub fn links(&self) -> Vec<Option<u64>> {
        let mut shown = Vec::new();
        let mut last = 0;
        for n in 1..=self.pages {
            let near = n + 2 >= self.number && n <= self.number + 2;
            if n == 1 || n == self.pages || near {
                if n > last + 1 {
                    shown.push(None);
                }
                shown.push(Some(n));
                last = n;
            }
        }
        shown
    }

    pub fn href(&self, n: &u64) -> String {
        format!("?{}page={n}", self.base)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub ctx: PageContext,
    pub data: std::sync::Arc<crate::routes::home::HomeData>,
}

/// A list of posts: all, search results, a tag, an author or a category.
#[derive(Template, WebTemplate)]
#[template(path = "posts/list.html")]
pub struct PostListPage {
    pub ctx: PageContext,
    pub heading: String,
    pub intro: Option<String>,
    pub q: String,
    /// Where the search form sends the query (the current list).
    pub action: String,
    pub page: PostSlice,
    pub pager: KeysetPager,
    /// Root-to-here chain on category pages.
    pub breadcrumbs: Vec<entity::category::Model>,
    pub subcategories: Vec<entity::category::Model>,
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/show.html")]
pub struct PostPage {
    pub ctx: PageContext,
    pub detail: PostDetail,
    pub html: String,
    pub breadcrumbs: Vec<entity::category::Model>,
    pub comments: Page<CommentRow>,
    pub pager: Pager,
    pub can_edit: bool,
    pub can_comment: bool,
    pub can_moderate: bool,
    pub comment_body: String,
    pub comment_error: Option<String>,
}

/// Raw post form values, kept for a re-rendered form.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub title: String,
    pub body: String,
    pub category_id: String,
    pub tags: String,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/form.html")]
pub struct PostFormPage {
    pub ctx: PageContext,
    /// The post's slug when editing.
    pub slug: Option<String>,
    pub form: PostForm,
    pub tree: Vec<TreeNode>,
    pub errors: FieldErrors,
}

impl PostFormPage {
    pub fn indent(&self, depth: &usize) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(*depth)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/delete.html")]
pub struct PostDeletePage {
    pub ctx: PageContext,
    pub post: entity::post::Model,
    pub comments: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "categories/index.html")]
pub struct CategoriesPage {
    pub ctx: PageContext,
    pub tree: Vec<TreeNode>,
    pub name: String,
    pub parent_id: String,
    pub errors: FieldErrors,
}

impl CategoriesPage {
    pub fn indent(&self, depth: &usize) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(*depth)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "categories/edit.html")]
pub struct CategoryEditPage {
    pub ctx: PageContext,
    pub category: entity::category::Model,
    pub tree: Vec<TreeNode>,
    pub name: String,
    pub parent_id: String,
    pub errors: FieldErrors,
}

impl CategoryEditPage {
    pub fn indent(&self, depth: &usize) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(*depth)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "categories/delete.html")]
pub struct CategoryDeletePage {
    pub ctx: PageContext,
    pub category: entity::category::Model,
    pub posts: u64,
    pub children: u64,
    pub refusal: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "moderation.html")]
pub struct ModerationPage {
    pub ctx: PageContext,
    pub page: Page<ModerationRow>,
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage {
    pub ctx: PageContext,
    pub status: u16,
    pub title: String,
    pub message: String,
}

impl ErrorPage {
    pub fn new(status: u16, title: String, message: String) -> Self {
        ErrorPage {
            ctx: PageContext::default(),
            status,
            title,
            message,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/register.html")]
pub struct RegisterPage {
    pub ctx: PageContext,
    pub username: String,
    pub email: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub ctx: PageContext,
    pub login: String,
    pub next: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "users/profile.html")]
pub struct ProfilePage {
    pub ctx: PageContext,
    pub view: ProfileView,
    pub is_self: bool,
}

impl ProfilePage {
    pub fn display_name(&self) -> &str {
        self.view
            .profile
            .as_ref()
            .map(|p| p.display_name.as_str())
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.view.user.username)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "users/edit_profile.html")]
pub struct EditProfilePage {
    pub ctx: PageContext,
    pub form: ProfileForm,
    pub countries: Vec<country::Model>,
    pub errors: FieldErrors,
}

/// Raw profile form values, kept as typed so a re-rendered form shows them again.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub display_name: String,
    pub bio: String,
    pub birth_date: String,
    pub job: String,
    pub location: String,
    pub website: String,
    pub country_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users/password.html")]
pub struct PasswordPage {
    pub ctx: PageContext,
    pub errors: FieldErrors,
}

/// One row of the sessions page.
pub struct SessionRow {
    pub session: entity::user_session::Model,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "users/sessions.html")]
pub struct SessionsPage {
    pub ctx: PageContext,
    pub sessions: Vec<SessionRow>,
    /// The lifetimes in words ("3 days").
    pub idle: String,
    pub absolute: String,
}

/// A duration in whole days or hours, for people.
pub fn duration_words(duration: chrono::Duration) -> String {
    let hours = duration.num_hours();
    match (hours / 24, hours % 24) {
        (1, 0) => "1 day".to_owned(),
        (days, 0) if days > 1 => format!("{days} days"),
        _ if hours == 1 => "1 hour".to_owned(),
        _ => format!("{hours} hours"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub ctx: PageContext,
    pub data: Dashboard,
    pub top_authors: Vec<crate::services::blog::TopAuthor>,
}

impl DashboardPage {
    /// Bar width in percent of the largest role.
    pub fn bar(&self, users: &u64) -> u64 {
        let max = self
            .data
            .roles
            .iter()
            .map(|r| r.users)
            .max()
            .unwrap_or(0)
            .max(1);
        users * 100 / max
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/roles.html")]
pub struct RolesPage {
    pub ctx: PageContext,
    pub roles: Vec<RoleRow>,
}

/// Raw role form values.
#[derive(Clone, Debug, Default)]
pub struct RoleForm {
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub permissions: Vec<String>,
}

impl RoleForm {
    pub fn has(&self, permission: &Permission) -> bool {
        self.permissions.iter().any(|p| p == permission.as_str())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/role_form.html")]
pub struct RoleFormPage {
    pub ctx: PageContext,
    /// `None` when creating.
    pub role_id: Option<i32>,
    pub form: RoleForm,
    pub errors: FieldErrors,
    pub refusal: Option<String>,
    pub all_permissions: Vec<Permission>,
}

impl RoleFormPage {
    /// Permissions the current admin may grant (others are shown but disabled).
    pub fn grantable(&self, permission: &Permission) -> bool {
        self.ctx.user.as_ref().is_some_and(|u| u.can(*permission))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/role_delete.html")]
pub struct RoleDeletePage {
    pub ctx: PageContext,
    pub row: RoleRow,
    pub default_role: String,
    pub refusal: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub ctx: PageContext,
    pub page: Page<UserRow>,
    pub pager: Pager,
    pub roles: Vec<RoleRow>,
    pub q: String,
    pub role: String,
    pub active: String,
    pub sort: String,
    pub dir: String,
}

impl UsersPage {
    /// Link that sorts by `column`, flipping the direction when it is already the sort.
    pub fn sort_href(&self, column: &str) -> String {
        let dir = if self.sort == column && self.dir != "desc" {
            "desc"
        } else {
            "asc"
        };
        let query: Vec<(&str, &str)> = [
            ("q", self.q.as_str()),
            ("role", self.role.as_str()),
            ("active", self.active.as_str()),
            ("sort", column),
            ("dir", dir),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        format!(
            "?{}",
            serde_urlencoded::to_string(query).unwrap_or_default()
        )
    }

    pub fn sort_mark(&self, column: &str) -> &'static str {
        match (self.sort == column, self.dir.as_str()) {
            (true, "desc") => " ↓",
            (true, _) => " ↑",
            _ => "",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_edit.html")]
pub struct UserEditPage {
    pub ctx: PageContext,
    pub target: user::Model,
    pub roles: Vec<RoleRow>,
    pub role_id: i32,
    pub is_active: bool,
    pub refusal: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub ctx: PageContext,
    pub page: Page<crate::services::audit::AuditRow>,
    pub pager: Pager,
    pub actions: Vec<String>,
    pub subjects: Vec<String>,
    pub action: String,
    pub subject: String,
    pub actor: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "groups/list.html")]
pub struct GroupsPage {
    pub ctx: PageContext,
    pub groups: Vec<GroupRow>,
    pub name: String,
    pub description: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "groups/show.html")]
pub struct GroupPage {
    pub ctx: PageContext,
    pub group: group::Model,
    pub members: Page<(user_group::Model, Option<crate::services::UserRef>)>,
    pub pager: Pager,
    pub is_member: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "groups/edit.html")]
pub struct GroupEditPage {
    pub ctx: PageContext,
    pub group: group::Model,
    pub name: String,
    pub description: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "groups/delete.html")]
pub struct GroupDeletePage {
    pub ctx: PageContext,
    pub group: group::Model,
    pub members: u64,
}

/// The movie list's query string, as typed (so it can be shown and rebuilt).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MovieQuery {
    pub q: String,
    pub year_from: String,
    pub year_to: String,
    pub mpa: Vec<String>,
    pub theatre: String,
    pub director: String,
    pub sort: String,
    pub dir: String,
    pub page: Option<u64>,
}

impl MovieQuery {
    /// Every non-empty parameter except the page, in a stable order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("q", self.q.clone()),
            ("year_from", self.year_from.clone()),
            ("year_to", self.year_to.clone()),
        ];
        pairs.extend(self.mpa.iter().map(|m| ("mpa", m.clone())));
        pairs.extend([
            ("theatre", self.theatre.clone()),
            ("director", self.director.clone()),
            ("sort", self.sort.clone()),
            ("dir", self.dir.clone()),
        ]);
        pairs.retain(|(_, v)| !v.is_empty());
        pairs
    }

    pub fn href(&self) -> String {
        let pairs = self.pairs();
        if pairs.is_empty() {
            "/movies".into()
        } else {
            format!(
                "/movies?{}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            )
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/list.html")]
pub struct MovieListPage {
    pub ctx: PageContext,
    pub query: MovieQuery,
    pub facets: Facets,
    pub page: Page<MovieCard>,
    pub pager: Pager,
    pub notices: Vec<String>,
    pub sort: String,
    pub descending: bool,
}

fn rating_value(rating: &Option<entity::enums::MpaRating>) -> &'static str {
    rating.map(|r| r.as_str()).unwrap_or("unrated")
}

impl MovieListPage {
    pub fn rating_value(&self, rating: &Option<entity::enums::MpaRating>) -> &'static str {
        rating_value(rating)
    }

    pub fn rating_label(&self, rating: &Option<entity::enums::MpaRating>) -> &'static str {
        rating.map(|r| r.as_str()).unwrap_or("Unrated")
    }

    pub fn mpa_selected(&self, rating: &Option<entity::enums::MpaRating>) -> bool {
        self.query.mpa.iter().any(|m| m == rating_value(rating))
    }

    /// Adds or removes one rating, back to page 1.
    pub fn mpa_href(&self, rating: &Option<entity::enums::MpaRating>) -> String {
        let value = rating_value(rating);
        let mut next = MovieQuery {
            page: None,
            ..self.query.clone()
        };
        if next.mpa.iter().any(|m| m == value) {
            next.mpa.retain(|m| m != value);
        } else {
            next.mpa.push(value.to_owned());
        }
        next.href()
    }

    pub fn decade_selected(&self, decade: &i32) -> bool {
        self.query.year_from == decade.to_string() && self.query.year_to == (decade + 9).to_string()
    }

    /// Narrows to one decade, or widens again when it is already chosen.
    pub fn decade_href(&self, decade: &i32) -> String {
        let mut next = MovieQuery {
            page: None,
            ..self.query.clone()
        };
        if self.decade_selected(decade) {
            next.year_from.clear();
            next.year_to.clear();
        } else {
            next.year_from = decade.to_string();
            next.year_to = (decade + 9).to_string();
        }
        next.href()
    }

    pub fn theatre_href(&self, value: &str) -> String {
        let mut next = MovieQuery {
            page: None,
            ..self.query.clone()
        };
        next.theatre = if self.query.theatre == value {
            String::new()
        } else {
            value.to_owned()
        };
        next.href()
    }

    pub fn sort_href(&self, column: &str) -> String {
        let mut next = MovieQuery {
            page: None,
            ..self.query.clone()
        };
        let flip = if self.descending { "asc" } else { "desc" };
        next.dir = if self.sort == column {
            flip.to_owned()
        } else {
            String::new()
        };
        next.sort = column.to_owned();
        next.href()
    }

    pub fn sort_mark(&self, column: &str) -> &'static str {
        match (self.sort == column, self.descending) {
            (true, true) => " ↓",
            (true, false) => " ↑",
            _ => "",
        }
    }

    pub fn filtered(&self) -> bool {
        self.query
            .pairs()
            .iter()
            .any(|(k, _)| *k != "sort" && *k != "dir")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/show.html")]
pub struct MoviePage {
    pub ctx: PageContext,
    pub card: MovieCard,
    pub reviews: Page<ReviewRow>,
    pub pager: Pager,
    pub my_review: Option<entity::review::Model>,
    pub can_review: bool,
    pub can_manage: bool,
    pub form_rating: String,
    pub form_body: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/review_form.html")]
pub struct ReviewFormPage {
    pub ctx: PageContext,
    pub card: MovieCard,
    pub review_id: i32,
    pub rating: String,
    pub body: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/person.html")]
pub struct PersonPage {
    pub ctx: PageContext,
    pub person: entity::person::Model,
    pub movies: Vec<MovieCard>,
}

/// Raw movie form values.
#[derive(Clone, Debug, Default)]
pub struct MovieForm {
    pub title: String,
    pub year: String,
    pub mpa: String,
    pub theatre: bool,
    pub synopsis: String,
    pub directors: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/form.html")]
pub struct MovieFormPage {
    pub ctx: PageContext,
    pub movie_id: Option<i32>,
    pub form: MovieForm,
    pub errors: FieldErrors,
    pub ratings: Vec<entity::enums::MpaRating>,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/delete.html")]
pub struct MovieDeletePage {
    pub ctx: PageContext,
    pub card: MovieCard,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pager(number: u64, pages: u64) -> Pager {
        let page: Page<()> = Page {
            items: vec![],
            number,
            pages,
            total: pages * 10,
        };
        Pager::new(
            &page,
            &[
                ("q", "a b".into()),
                ("page", "3".into()),
                ("role", String::new()),
            ],
        )
    }

    #[test]
    fn pagination_links_keep_the_query_and_elide_far_pages() {
        let p = pager(6, 20);
        assert_eq!(p.href(&7), "?q=a+b&page=7");
        assert_eq!(
            p.links(),
            vec![
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(20)
            ]
        );
        assert_eq!(pager(1, 1).links(), vec![Some(1)]);
        assert!(pager(1, 0).links().is_empty());
    }
}
