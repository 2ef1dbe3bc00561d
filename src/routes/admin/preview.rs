//! The pages of a planned admin change: its preview, with a form that confirms it, and the same
//! preview again with a warning when the confirmation came too late (something changed).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use crate::routes::error::AppError;
use crate::routes::render_status;
use crate::services::admin::{Planned, Preview};
use crate::views::{PageContext, PreviewPage};

/// Where a change's preview form posts and what it carries.
pub struct Proposal {
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub fields: Vec<(&'static str, String)>,
}

impl Proposal {
    fn page(self, ctx: PageContext, preview: Preview, stale: bool) -> PreviewPage {
        PreviewPage {
            ctx,
            heading: self.heading,
            action: self.action,
            cancel: self.cancel,
            fields: self.fields,
            preview,
            stale,
        }
    }
}

/// The response to a planned change: `applied` for a saved one, the preview page otherwise
/// (409 when the confirmation was stale).
pub fn respond<T>(
    ctx: PageContext,
    outcome: Planned<T>,
    proposal: Proposal,
    applied: impl FnOnce(T) -> HttpResponse,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Planned::Applied(value, _) => Ok(applied(value)),
        Planned::Previewed(preview) => {
            render_status(StatusCode::OK, &proposal.page(ctx, preview, false))
        }
        Planned::Stale(preview) => {
            render_status(StatusCode::CONFLICT, &proposal.page(ctx, preview, true))
        }
    }
}
