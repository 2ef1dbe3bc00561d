//! Notifications: what happened that concerns a member — a reply to their comment, a comment
//! on their post, a new message, a review of a film on their watchlist — written in the same
//! transaction as the event, and how each kind reaches them: on the site only, by mail at once
//! (through the outbox), or in a daily digest ([`digest`]). Nobody is told of what they did
//! themselves; a deactivated or unconfirmed account is mailed nothing.

pub mod digest;
mod kinds;

use std::collections::HashMap;

use chrono::Utc;
use entity::{notification, notification_setting, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, TransactionSession,
    TransactionTrait,
};

pub use kinds::{Delivery, Kind};

use crate::domain::CurrentUser;
use crate::services::outbox::{self, Mail};
use crate::services::{Page, ServiceError, UserRef};

/// Notifications on a page of the list.
pub const NOTIFICATIONS_PER_PAGE: u64 = 30;

/// What happened: its kind, who did it, what it is about, and the page it points to.
#[derive(Clone, Debug)]
pub struct Event<'a> {
    pub kind: Kind,
    pub actor: &'a CurrentUser,
    pub subject: String,
    pub link: String,
}

/// A notification with its actor's name (none once their account is gone).
#[derive(Clone, Debug)]
pub struct Notice {
    pub row: notification::Model,
    pub actor: Option<String>,
}

impl Notice {
    /// The notification as a sentence.
    pub fn sentence(&self) -> String {
        let kind = Kind::parse(&self.row.kind).unwrap_or(Kind::Message);
        kind.sentence(self.actor.as_deref(), &self.row.subject)
    }
}

/// Tells `recipients` of `event` (never its actor): a notification each, and a mail at once to
/// those who chose mail for its kind. Call it inside the event's transaction.
pub async fn notify(
    txn: &impl ConnectionTrait,
    recipients: impl IntoIterator<Item = i32>,
    event: Event<'_>,
) -> Result<(), DbErr> {
    let mut ids: Vec<i32> = recipients
        .into_iter()
        .filter(|id| *id != event.actor.id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let subject: String = event.subject.chars().take(200).collect();
    let now = Utc::now();
    let rows = ids.iter().map(|id| notification::ActiveModel {
        user_id: Set(*id),
        kind: Set(event.kind.as_str().to_owned()),
        actor_id: Set(Some(event.actor.id)),
        subject: Set(subject.clone()),
        link: Set(event.link.clone()),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    });
    notification::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    let chosen = deliveries(txn, &ids, event.kind).await?;
    let mailed: Vec<i32> = ids
        .iter()
        .copied()
        .filter(|id| {
            chosen
                .get(id)
                .copied()
                .unwrap_or(event.kind.default_delivery())
                == Delivery::Mail
        })
        .collect();
    if mailed.is_empty() {
        return Ok(());
    }
    let addresses = user::Entity::find()
        .filter(user::Column::Id.is_in(mailed))
        .filter(user::Column::IsActive.eq(true))
        .filter(user::Column::EmailVerifiedAt.is_not_null())
        .select_only()
        .column(user::Column::Username)
        .column(user::Column::Email)
        .into_tuple::<(String, String)>()
        .all(txn)
        .await?;
    let sentence = event.kind.sentence(Some(&event.actor.username), &subject);
    let mails = addresses
        .into_iter()
        .map(|(username, email)| {
            (
                email,
                Mail::Notification {
                    username,
                    about: event.kind.as_str().to_owned(),
                    sentence: sentence.clone(),
                    link: event.link.clone(),
                },
            )
        })
        .collect();
    outbox::enqueue_many(txn, mails).await
}

/// The deliveries `ids` chose for `kind` (those who chose none take its default).
async fn deliveries(
    db: &impl ConnectionTrait,
    ids: &[i32],
    kind: Kind,
) -> Result<HashMap<i32, Delivery>, DbErr> {
    Ok(notification_setting::Entity::find()
        .filter(notification_setting::Column::UserId.is_in(ids.iter().copied()))
        .filter(notification_setting::Column::Kind.eq(kind.as_str()))
        .select_only()
        .column(notification_setting::Column::UserId)
        .column(notification_setting::Column::Delivery)
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(id, delivery)| Some((id, Delivery::parse(&delivery)?)))
        .collect())
}

/// The count of `user_id`'s unread notifications, as an expression for a column of another
/// statement (the signed-in member's row: the navigation's count costs no statement).
pub fn unread_expr(user_id: i32) -> Expr {
    use sea_orm::sea_query::{Query, SubQueryStatement};
    let count = Query::select()
        .expr(Expr::col(notification::Column::Id).count())
        .from(notification::Entity)
        .and_where(Expr::col(notification::Column::UserId).eq(user_id))
        .and_where(Expr::col(notification::Column::ReadAt).is_null())
        .to_owned();
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(count)))
}

/// `user_id`'s unread notifications.
pub async fn unread_count(db: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await
}

/// Page `number` of `user`'s notifications, newest first, with their actors and total (one
/// statement).
pub async fn notifications(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    number: u64,
) -> Result<Page<Notice>, DbErr> {
    let select = notification::Entity::find()
        .filter(notification::Column::UserId.eq(user.id))
        .join(JoinType::LeftJoin, notification::Relation::Actor.def())
        .order_by_desc(notification::Column::Id)
        .select_also(user::Entity);
    let page = crate::services::pair_page::<_, _, notification::Model, UserRef>(
        db,
        select,
        number,
        NOTIFICATIONS_PER_PAGE,
    )
    .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|(row, actor)| Notice {
                row,
                actor: actor.map(|a| a.username),
            })
            .collect(),
        number: page.number,
        pages: page.pages,
        total: page.total,
    })
}

/// Marks `user`'s notifications read: those of `ids`, or all of them. Returns how many were
/// unread.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    ids: Option<Vec<i32>>,
) -> Result<u64, ServiceError> {
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::val(Utc::now()))
        .filter(notification::Column::UserId.eq(user.id))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(notification::Column::Id.is_in(ids));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// How each kind reaches `user_id`, every kind in order (its default where they chose none).
pub async fn settings(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Vec<(Kind, Delivery)>, DbErr> {
    let chosen: HashMap<String, String> = notification_setting::Entity::find()
        .filter(notification_setting::Column::UserId.eq(user_id))
        .select_only()
        .column(notification_setting::Column::Kind)
        .column(notification_setting::Column::Delivery)
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(Kind::all()
        .into_iter()
        .map(|kind| {
            let delivery = chosen
                .get(kind.as_str())
                .and_then(|d| Delivery::parse(d))
                .unwrap_or(kind.default_delivery());
            (kind, delivery)
        })
        .collect())
}

/// Saves how the kinds in `choices` reach `user` (the others keep theirs).
pub async fn set_settings(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    choices: &[(Kind, Delivery)],
) -> Result<(), ServiceError> {
    let txn = crate::services::begin_write(db).await?;
    notification_setting::Entity::delete_many()
        .filter(notification_setting::Column::UserId.eq(user.id))
        .filter(
            notification_setting::Column::Kind.is_in(choices.iter().map(|(kind, _)| kind.as_str())),
        )
        .exec(&txn)
        .await?;
    if !choices.is_empty() {
        let rows = choices
            .iter()
            .map(|(kind, delivery)| notification_setting::ActiveModel {
                user_id: Set(user.id),
                kind: Set(kind.as_str().to_owned()),
                delivery: Set(delivery.as_str().to_owned()),
                ..Default::default()
            });
        notification_setting::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}
