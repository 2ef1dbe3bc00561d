//! `/search`: one box over posts, movies, people and members (`?q=`, `&kind=`, `&page=`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::domain::SearchQuery;
use crate::routes::error::AppError;
use crate::routes::{Cached, render_status};
use crate::services::search::{self, Kind};
use crate::views::{PageContext, Pager, SearchPage};

/// The search page's query: what to look for, among which kind, which page of it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SearchParams {
    pub q: String,
    pub kind: String,
    pub page: Option<u64>,
}

#[tracing::instrument(name = "search", skip_all)]
pub async fn search(
    cached: Cached,
    ctx: PageContext,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let parsed = Kind::parse(&params.kind)
        .and_then(|kind| SearchQuery::parse(&params.q).map(|query| (kind, query)));
    let (kind, query) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            let page = SearchPage {
                ctx,
                q: params.q,
                kind: None,
                error: Some(error),
                results: None,
                suggestion: None,
                pager: None,
            };
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let Some(query) = query else {
        let page = SearchPage {
            ctx,
            q: params.q,
            kind,
            error: None,
            results: None,
            suggestion: None,
            pager: None,
        };
        return render_status(StatusCode::OK, &page);
    };
    let number = crate::services::Page::<()>::index(params.page);
    let results = search::search(cached.db(), ctx.user.as_ref(), &query, kind, number).await?;
    let suggestion = match results.total() {
        0 if number == 1 => search::suggest(&*cached.search_words().await?, &query),
        _ => None,
    };
    let pager = kind.map(|kind| {
        Pager::of(
            results.number,
            results.pages,
            &[
                ("q", params.q.trim().to_owned()),
                ("kind", kind.as_str().to_owned()),
            ],
        )
    });
    let page = SearchPage {
        ctx,
        q: params.q,
        kind,
        error: None,
        results: Some(results),
        suggestion: suggestion.map(|s| s.to_string()),
        pager,
    };
    render_status(StatusCode::OK, &page)
}

/// This area's pages, beside their handlers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search));
}
