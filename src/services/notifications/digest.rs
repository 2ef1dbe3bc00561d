//! The daily digest: once a day, each member who chose it for some kinds gets one mail with
//! their unread notifications of those kinds since their last digest. The outbox task calls
//! [`send_digests`] on its timer on every instance; the unique key on (member, day) of
//! `notification_digest`, written in the same transaction as the mail, lets only one of them
//! send a member's digest of a day.

use chrono::{DateTime, Utc};
use entity::{notification, notification_digest, notification_setting, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};

use super::{Delivery, Kind};
use crate::services::outbox::{self, DigestItem, Mail};

/// Notifications one digest lists at most (the page has them all).
const DIGEST_ITEMS: u64 = 50;
/// Members a round looks at; the next round takes the rest.
const MEMBERS_PER_ROUND: u64 = 500;

/// Sends the digests of `now`'s day (UTC) not sent yet, on any number of instances at once;
/// returns how many this call sent.
pub async fn send_digests(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<u32, DbErr> {
    let day = now.date_naive();
    let members: Vec<i32> = notification_setting::Entity::find()
        .filter(notification_setting::Column::Delivery.eq(Delivery::Digest.as_str()))
        .filter(
            notification_setting::Column::UserId.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(notification_digest::Column::UserId)
                    .from(notification_digest::Entity)
                    .and_where(notification_digest::Column::Day.eq(day))
                    .to_owned(),
            ),
        )
        .select_only()
        .column(notification_setting::Column::UserId)
        .distinct()
        .order_by_asc(notification_setting::Column::UserId)
        .limit(MEMBERS_PER_ROUND)
        .into_tuple::<i32>()
        .all(db)
        .await?;
    let mut sent = 0;
    for member in members {
        if send_one(db, member, now).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Member `user_id`'s digest of `now`'s day, unless another instance sent it or there is
/// nothing to tell.
async fn send_one(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let kinds: Vec<String> = notification_setting::Entity::find()
        .filter(notification_setting::Column::UserId.eq(user_id))
        .filter(notification_setting::Column::Delivery.eq(Delivery::Digest.as_str()))
        .select_only()
        .column(notification_setting::Column::Kind)
        .into_tuple::<String>()
        .all(db)
        .await?;
    let since = notification_digest::Entity::find()
        .filter(notification_digest::Column::UserId.eq(user_id))
        .order_by_desc(notification_digest::Column::SentAt)
        .one(db)
        .await?
        .map(|d| d.sent_at);
    let mut pending = notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::Kind.is_in(kinds))
        .filter(notification::Column::CreatedAt.lte(now));
    if let Some(since) = since {
        pending = pending.filter(notification::Column::CreatedAt.gt(since));
    }
    let items: Vec<(notification::Model, Option<String>)> = pending
        .join(
            sea_orm::JoinType::LeftJoin,
            sea_orm::RelationTrait::def(&notification::Relation::Actor),
        )
        .order_by_asc(notification::Column::Id)
        .limit(DIGEST_ITEMS)
        .select_also(user::Entity)
        .all(db)
        .await?
        .into_iter()
        .map(|(row, actor)| (row, actor.map(|a| a.username)))
        .collect();
    if items.is_empty() {
        return Ok(false);
    }
    let Some((username, email)) = user::Entity::find_by_id(user_id)
        .filter(user::Column::IsActive.eq(true))
        .filter(user::Column::EmailVerifiedAt.is_not_null())
        .select_only()
        .column(user::Column::Username)
        .column(user::Column::Email)
        .into_tuple::<(String, String)>()
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let txn = crate::services::begin_write(db).await?;
    let claimed = notification_digest::ActiveModel {
        user_id: Set(user_id),
        day: Set(now.date_naive()),
        sent_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match claimed {
        Ok(_) => {}
        // Another instance sent it.
        Err(error) if crate::services::error::is_unique_violation(&error) => {
            txn.rollback().await?;
            return Ok(false);
        }
        Err(error) => return Err(error),
    }
    let items = items
        .into_iter()
        .map(|(row, actor)| DigestItem {
            sentence: Kind::parse(&row.kind)
                .unwrap_or(Kind::Message)
                .sentence(actor.as_deref(), &row.subject),
            link: row.link,
        })
        .collect();
    outbox::enqueue(&txn, &email, &Mail::Digest { username, items }).await?;
    txn.commit().await?;
    Ok(true)
}
