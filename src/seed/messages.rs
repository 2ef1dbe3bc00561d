//! The demo's private messages and notifications: a few conversations between demo members,
//! each member told of the last message they have not read, and one member's digest choice, so
//! there is something to read under "Messages" and "Notifications" and every migration meets
//! these tables with rows.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{conversation, conversation_member, message, notification, notification_setting};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
};

use super::data::CONVERSATIONS;

/// Starts each of [`CONVERSATIONS`] that is not there yet (known by its subject): its members,
/// its messages an hour apart, read by everyone but its last message's addressees. Returns how
/// many messages it wrote.
pub async fn seed(
    db: &impl ConnectionTrait,
    users: &HashMap<&str, i32>,
    now: DateTime<Utc>,
) -> Result<u32, DbErr> {
    let mut written = 0;
    for (subject, members, lines) in CONVERSATIONS {
        let exists = conversation::Entity::find()
            .filter(conversation::Column::Subject.eq(*subject))
            .count(db)
            .await?
            > 0;
        let ids: Option<Vec<i32>> = members.iter().map(|m| users.get(m).copied()).collect();
        let (Some(ids), false) = (ids, exists) else {
            continue;
        };
        let start = now - Duration::hours(lines.len() as i64 + 1);
        let started = conversation::ActiveModel {
            subject: Set((*subject).to_owned()),
            started_by: Set(ids.first().copied()),
            created_at: Set(start),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let mut last = 0;
        let mut last_sender = 0;
        for (i, (sender, body)) in lines.iter().enumerate() {
            let sender = users.get(sender).copied();
            let sent = message::ActiveModel {
                conversation_id: Set(started.id),
                sender_id: Set(sender),
                body: Set((*body).to_owned()),
                created_at: Set(start + Duration::hours(i as i64 + 1)),
                ..Default::default()
            }
            .insert(db)
            .await?;
            last = sent.id;
            last_sender = sender.unwrap_or_default();
            written += 1;
        }
        let last_at = start + Duration::hours(lines.len() as i64);
        for id in ids.iter().copied().filter(|id| *id != last_sender) {
            // Told of the last message, as a member who has not read it yet would be.
            notification::ActiveModel {
                user_id: Set(id),
                kind: Set("message".to_owned()),
                actor_id: Set(Some(last_sender).filter(|s| *s != 0)),
                subject: Set((*subject).to_owned()),
                link: Set(format!("/messages/{}", started.id)),
                created_at: Set(last_at),
                read_at: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        for id in ids {
            conversation_member::ActiveModel {
                conversation_id: Set(started.id),
                user_id: Set(id),
                joined_at: Set(start),
                left_at: Set(None),
                last_message_id: Set(last),
                // The last message is new to those it was written to.
                last_read_id: Set(if id == last_sender { last } else { 0 }),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    // One member takes comments on their posts in a daily digest.
    if let Some(ada) = users.get("ada") {
        let chosen = notification_setting::Entity::find()
            .filter(notification_setting::Column::UserId.eq(*ada))
            .count(db)
            .await?;
        if chosen == 0 {
            notification_setting::ActiveModel {
                user_id: Set(*ada),
                kind: Set("post_comment".to_owned()),
                delivery: Set("digest".to_owned()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(written)
}
