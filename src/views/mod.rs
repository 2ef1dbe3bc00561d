//! One Askama struct per page, in a module per area mirroring `templates/<area>/`. Every page
//! carries a [`PageContext`] for the shared layout: the signed-in user (navigation), the CSRF
//! token (every form) and flash messages. The layout's context, the pagers, the date filters and the home
//! and error pages are in [`layout`].

mod accounts;
mod admin;
mod api;
mod blog;
mod groups;
mod layout;
mod messages;
mod movies;
mod notifications;
mod pictures;
mod search;

pub use accounts::{
    EditProfilePage, EmailPage, ForgotPage, LinkGonePage, LinkPage, LoginPage, MembersPage,
    PasswordPage, ProfilePage, RegisterPage, ResetPage, SessionRow, SessionsPage, TokensPage,
    duration_words,
};
pub use admin::{
    AccountHistoryPage, AuditPage, DashboardPage, PreviewPage, RoleDeletePage, RoleFormPage,
    RoleHistoryPage, RolesPage, UserEditPage, UsersPage,
};
pub use api::{
    ApiReferencePage, Field, Operation, Param, ProblemKind, Reference, Reply, SchemaDoc, Section,
    kind,
};
pub use blog::{
    CategoriesPage, CategoryDeletePage, CategoryEditPage, CommentDeletePage, CommentEditPage,
    CommentReplyPage, ModerationPage, PostDeletePage, PostFormPage, PostHistoryPage, PostListPage,
    PostPage, PostPicturesPage, TagsPage,
};
pub use groups::{GroupDeletePage, GroupEditPage, GroupPage, GroupsPage};
pub use layout::{
    CsrfToken, ErrorPage, FeedLink, HomePage, KeysetPager, PageContext, Pager, filters,
};
pub use messages::{
    BlockedPage, ConversationPage, ConversationsPage, NewConversationPage, ReportPage, ReportsPage,
};
pub use movies::{
    MemberReviewsPage, MovieDeletePage, MovieFormPage, MovieHistoryPage, MovieListPage, MoviePage,
    MovieQuery, PeoplePage, PersonPage, ReviewFormPage, WatchlistPage,
};
pub use notifications::{NotificationSettingsPage, NotificationsPage};
pub use pictures::PicturePage;
pub use search::{KindTab, SearchPage, result_path};
