//! The outbox: what to mail, written in the same transaction as the change it announces, so a
//! change and its mail are never half done and a restart loses nothing. A background task
//! (`crate::delivery`) renders and delivers due messages, retrying with a growing delay; a
//! delivered message is deleted.

use chrono::{Duration, Utc};
use entity::mail_outbox;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

/// What a mail says; its words and layout are the mailer's. A link is named by its id: its
/// secret is made when the mail is sent (`links::mint`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mail {
    /// Confirm the address given at sign-up, through account link `link`.
    Verify {
        username: String,
        link: i32,
        hours: i64,
    },
    /// Choose a new password, through account link `link`.
    Reset {
        username: String,
        link: i32,
        minutes: i64,
    },
    /// Confirm `new_email` (sent to that address), through account link `link`.
    ConfirmAddress {
        username: String,
        link: i32,
        new_email: String,
        hours: i64,
    },
    /// A change of address to `new_email` was asked for (sent to the address in use).
    AddressChanging { username: String, new_email: String },
    /// A notification mailed at once: `about` (its kind, as `notifications::Kind` writes it),
    /// the sentence and the page it points to.
    Notification {
        username: String,
        about: String,
        sentence: String,
        link: String,
    },
    /// The day's digest of notifications.
    Digest {
        username: String,
        items: Vec<DigestItem>,
    },
}

impl Mail {
    /// The account link the mail carries, if any.
    pub fn link(&self) -> Option<i32> {
        match self {
            Mail::Verify { link, .. }
            | Mail::Reset { link, .. }
            | Mail::ConfirmAddress { link, .. } => Some(*link),
            Mail::AddressChanging { .. } | Mail::Notification { .. } | Mail::Digest { .. } => None,
        }
    }

    /// The page a mail without a one-time link points to, if any.
    pub fn page(&self) -> Option<String> {
        match self {
            Mail::Notification { link, .. } => Some(link.clone()),
            Mail::Digest { .. } => Some("/notifications".to_owned()),
            _ => None,
        }
    }
}

/// A line of a digest: the notification's sentence and its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestItem {
    pub sentence: String,
    pub link: String,
}

/// Attempts after which a message is given up on (about eight hours of retries).
pub const MAX_ATTEMPTS: i32 = 12;

/// How long a claimed message is left to its sender before another may try it.
const LEASE_SECS: i64 = 120;

/// Queues `mail` to `to`; call it inside the transaction of the change it announces.
pub async fn enqueue(db: &impl ConnectionTrait, to: &str, mail: &Mail) -> Result<(), DbErr> {
    let payload = serde_json::to_string(mail).map_err(|e| DbErr::Custom(e.to_string()))?;
    let now = Utc::now();
    mail_outbox::ActiveModel {
        recipient: Set(to.to_owned()),
        payload: Set(payload),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        failed_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Queues many messages in one statement (`(recipient, mail)`).
pub async fn enqueue_many(
    db: &impl ConnectionTrait,
    mails: Vec<(String, Mail)>,
) -> Result<(), DbErr> {
    if mails.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = mails
        .into_iter()
        .map(|(to, mail)| {
            let payload = serde_json::to_string(&mail).map_err(|e| DbErr::Custom(e.to_string()))?;
            Ok(mail_outbox::ActiveModel {
                recipient: Set(to),
                payload: Set(payload),
                created_at: Set(now),
                attempts: Set(0),
                next_attempt_at: Set(now),
                failed_at: Set(None),
                last_error: Set(None),
                ..Default::default()
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    mail_outbox::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Up to `limit` messages due now, oldest first.
pub async fn due(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<mail_outbox::Model>, DbErr> {
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::FailedAt.is_null())
        // A second's grace: MySQL's `timestamp` rounds to whole seconds, which can put a
        // message queued just now a fraction of a second in the future.
        .filter(mail_outbox::Column::NextAttemptAt.lte(Utc::now() + Duration::seconds(1)))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .order_by_asc(mail_outbox::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Takes `row` for one attempt: true when this caller got it (no other instance took it since
/// it was read). The attempt is counted and the message leased, so a sender that dies
/// mid-way only delays it.
pub async fn claim(db: &impl ConnectionTrait, row: &mail_outbox::Model) -> Result<bool, DbErr> {
    let taken = mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::Attempts,
            Expr::col(mail_outbox::Column::Attempts).add(1),
        )
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(Utc::now() + Duration::seconds(LEASE_SECS)),
        )
        .filter(mail_outbox::Column::Id.eq(row.id))
        .filter(mail_outbox::Column::Attempts.eq(row.attempts))
        .filter(mail_outbox::Column::FailedAt.is_null())
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// The message was handed over: it leaves the outbox.
pub async fn delivered(db: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    mail_outbox::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map(|_| ())
}

/// The attempt numbered `attempt` (1 for the first) failed: the next one waits longer, and
/// after [`MAX_ATTEMPTS`] the message is given up on. Returns true when it was given up.
pub async fn attempt_failed(
    db: &impl ConnectionTrait,
    id: i32,
    attempt: i32,
    error: &str,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let give_up = attempt >= MAX_ATTEMPTS;
    let error: String = error.chars().take(500).collect();
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::LastError, Expr::value(error))
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(now + backoff(attempt)),
        )
        .col_expr(
            mail_outbox::Column::FailedAt,
            Expr::value(give_up.then_some(now)),
        )
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(give_up)
}

/// The wait after failed attempt `attempt`: 15 s, doubling, at most four hours.
pub fn backoff(attempt: i32) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 10)).unwrap_or(10);
    Duration::seconds(15_i64.saturating_mul(1_i64 << doublings)).min(Duration::hours(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_four_hours() {
        assert_eq!(backoff(1), Duration::seconds(15));
        assert_eq!(backoff(2), Duration::seconds(30));
        assert_eq!(backoff(5), Duration::seconds(240));
        assert_eq!(backoff(MAX_ATTEMPTS), Duration::hours(4));
        assert_eq!(backoff(i32::MAX), Duration::hours(4));
        assert_eq!(backoff(0), Duration::seconds(15));
    }

    #[test]
    fn a_mail_round_trips_through_its_json() {
        let mail = Mail::Reset {
            username: "ada".into(),
            link: 7,
            minutes: 60,
        };
        let json = serde_json::to_string(&mail).unwrap();
        assert!(json.contains("\"kind\":\"reset\""), "{json}");
        assert_eq!(serde_json::from_str::<Mail>(&json).unwrap(), mail);
    }
}
