//! The audit log: every administrative change writes a row in the same transaction as the
//! change itself, with the actor, the subject, the state before and after (JSON) and the IP.

use chrono::Utc;
use entity::{audit_log, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;

use super::Page;

/// Who made a change, and from where (no one for the command line and start-up tasks).
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: Option<i32>,
    pub ip: Option<String>,
}

impl Actor {
    /// A signed-in user acting from `ip`.
    pub fn of(user: &crate::domain::CurrentUser, ip: Option<String>) -> Actor {
        Actor {
            id: Some(user.id),
            ip,
        }
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    subject_id: impl ToString,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        actor_id: Set(actor.id),
        action: Set(action.to_owned()),
        subject_type: Set(subject_type.to_owned()),
        subject_id: Set(Some(subject_id.to_string())),
        before: Set(before.map(|v| v.to_string())),
        after: Set(after.map(|v| v.to_string())),
        ip: Set(actor.ip.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// One entry per subject for the same action by the same actor (one statement per thousand
/// entries, well under every backend's limit on bound values).
pub async fn record_many(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    entries: Vec<(String, Option<Value>, Option<Value>)>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let mut rows = entries
        .into_iter()
        .map(|(subject_id, before, after)| audit_log::ActiveModel {
            actor_id: Set(actor.id),
            action: Set(action.to_owned()),
            subject_type: Set(subject_type.to_owned()),
            subject_id: Set(Some(subject_id)),
            before: Set(before.map(|v| v.to_string())),
            after: Set(after.map(|v| v.to_string())),
            ip: Set(actor.ip.clone()),
            created_at: Set(now),
            ..Default::default()
        });
    loop {
        let chunk: Vec<audit_log::ActiveModel> = rows.by_ref().take(1_000).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        audit_log::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub subject_type: Option<String>,
    pub actor: Option<String>,
}

pub type AuditRow = (audit_log::Model, Option<super::UserRef>);

/// Newest first, with the actor loaded in the same query.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<AuditRow>, DbErr> {
    let mut query = audit_log::Entity::find();
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    if let Some(subject_type) = &filter.subject_type {
        query = query.filter(audit_log::Column::SubjectType.eq(subject_type.as_str()));
    }
    if let Some(actor) = &filter.actor {
        match user::Entity::find_by_username(actor.to_lowercase())
            .one(db)
            .await?
        {
            Some(found) => query = query.filter(audit_log::Column::ActorId.eq(found.id)),
            None => {
                return Ok(Page {
                    items: Vec::new(),
                    number: page,
                    pages: 0,
                    total: 0,
                });
            }
        }
    }
    let paginator = super::partial_pair::<_, _, audit_log::Model, super::UserRef>(
        query
            .order_by_desc(audit_log::Column::CreatedAt)
            .order_by_desc(audit_log::Column::Id)
            .find_also_related(user::Entity),
    )
    .paginate(db, per_page);
    super::fetch_page(paginator, page).await
}

/// The distinct actions and subject types, for the filter menus.
pub async fn facets(db: &impl ConnectionTrait) -> Result<(Vec<String>, Vec<String>), DbErr> {
    use sea_orm::QuerySelect;
    let actions: Vec<String> = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Action)
        .distinct()
        .order_by_asc(audit_log::Column::Action)
        .into_tuple()
        .all(db)
        .await?;
    let subjects: Vec<String> = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::SubjectType)
        .distinct()
        .order_by_asc(audit_log::Column::SubjectType)
        .into_tuple()
        .all(db)
        .await?;
    Ok((actions, subjects))
}
