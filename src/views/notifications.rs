//! The notifications' pages: the list, and how each kind reaches the member.

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use crate::domain::FieldErrors;
use crate::services::Page;
use crate::services::notifications::{Delivery, Kind, Notice};

use super::layout::{PageContext, Pager, filters};

/// `/notifications`: newest first, the unread ones marked.
#[derive(Template, WebTemplate)]
#[template(path = "notifications/list.html")]
pub struct NotificationsPage {
    pub ctx: PageContext,
    pub page: Page<Notice>,
    pub pager: Pager,
}

impl NotificationsPage {
    fn any_unread(&self) -> bool {
        self.ctx
            .user
            .as_ref()
            .is_some_and(|u| u.unread_notifications > 0)
    }
}

/// `/settings/notifications`: a choice of delivery for each kind.
#[derive(Template, WebTemplate)]
#[template(path = "notifications/settings.html")]
pub struct NotificationSettingsPage {
    pub ctx: PageContext,
    pub choices: Vec<(Kind, Delivery)>,
    pub errors: FieldErrors,
}

impl NotificationSettingsPage {
    fn deliveries(&self) -> [Delivery; 3] {
        Delivery::all()
    }
}
