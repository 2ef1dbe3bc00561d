//! `/members`: the members' directory, active accounts by name, searchable.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::routes::error::AppError;
use crate::routes::{ListSearch, render_status};
use crate::services::accounts;
use crate::state::App;
use crate::views::{MembersPage, PageContext, Pager};

pub async fn members(
    ctx: PageContext,
    app: App,
    query: web::Query<ListSearch>,
) -> Result<HttpResponse, AppError> {
    let number = query.number();
    let page = accounts::members(&app.db, &query.q, number).await?;
    let pager = Pager::new(&page, &query.kept());
    let q = query.into_inner().q;
    render_status(
        StatusCode::OK,
        &MembersPage {
            ctx,
            q,
            page,
            pager,
        },
    )
}

/// This part's pages, beside their handlers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/members", web::get().to(members));
}
