//! Groups (`templates/groups/`).

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use super::{PageContext, Pager, filters};
use crate::domain::FieldErrors;
use crate::services::Page;
use crate::services::groups::GroupRow;
use entity::{group, user_group};

#[derive(Template, WebTemplate)]
#[template(path = "groups/list.html")]
pub struct GroupsPage {
    pub ctx: PageContext,
    pub groups: Page<GroupRow>,
    pub pager: Pager,
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
