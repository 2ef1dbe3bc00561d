//! Conversations: starting one, sending into one, the member's list (latest first), a
//! conversation's page, leaving.
//!
//! Each member's row keeps the newest message that reached them and the newest they read, so
//! the list's order and the unread count walk the member's rows only. A message reaches every
//! member of the conversation who has not left it, is active, and does not block its sender;
//! each of them is notified in the same transaction (by mail at once unless they chose
//! otherwise: `services::notifications`).

use chrono::Utc;
use entity::enums::Permission;
use entity::{conversation, conversation_member, message, user, user_block};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

use crate::domain::{CurrentUser, MessageBody, NewConversation};
use crate::services::notifications::{Delivery, Event, Kind};
use crate::services::{Page, ServiceError, UserRef};

/// Conversations on a page of the list, and messages on a page of a conversation.
pub const MESSAGES_PER_PAGE: u64 = 20;

/// Whether `user` may write messages (`comment`): [`ServiceError::Refused`] says why not.
pub fn can_message(user: &CurrentUser) -> Result<(), ServiceError> {
    user.require(Permission::Comment)
}

/// A message's text as its page shows it (the comments' Markdown, sanitized).
pub fn message_html(body: &str) -> String {
    markup::comment_to_safe_html(body)
}

/// A line of a member's conversation list.
#[derive(Clone, Debug)]
pub struct ConversationRow {
    pub id: i32,
    pub subject: String,
    /// The other members still in it, by username.
    pub others: Vec<String>,
    pub unread: bool,
    pub last_at: Option<chrono::DateTime<Utc>>,
}

/// A message with its sender (none once their account is gone).
pub type MessageRow = (message::Model, Option<UserRef>);

/// A conversation as one of its members sees it.
#[derive(Clone, Debug)]
pub struct Conversation {
    pub id: i32,
    pub subject: String,
    /// Every member still in it (the viewer too), by username.
    pub members: Vec<UserRef>,
    /// Newest first: page 1 is the latest messages.
    pub messages: Page<MessageRow>,
    /// It held a message the member had not read (opening it read it).
    pub was_unread: bool,
    /// The member's notifications of its messages that opening it marked read.
    pub notices_read: u64,
}

/// Starts a conversation between `user` and `input`'s recipients, with its first message.
/// Each recipient must be an active member who does not block `user`; the refusal names them.
pub async fn start(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    input: NewConversation,
) -> Result<i32, ServiceError> {
    can_message(user)?;
    let found = user::Entity::find()
        .filter(user::Column::Username.is_in(input.recipients.iter().cloned()))
        .filter(user::Column::IsActive.eq(true))
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Username)
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?;
    let mut recipients = Vec::with_capacity(found.len());
    for name in &input.recipients {
        match found.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)) {
            Some((id, _)) if *id == user.id => {
                return Err(ServiceError::invalid(
                    "to",
                    "You cannot start a conversation with yourself.",
                ));
            }
            Some((id, _)) => recipients.push(*id),
            None => {
                return Err(ServiceError::invalid(
                    "to",
                    format!("There is no member called “{name}”."),
                ));
            }
        }
    }
    let blocking = user_block::Entity::find()
        .filter(user_block::Column::BlockedId.eq(user.id))
        .filter(user_block::Column::UserId.is_in(recipients.iter().copied()))
        .select_only()
        .column(user_block::Column::UserId)
        .into_tuple::<i32>()
        .all(db)
        .await?;
    if let Some((_, name)) = found.iter().find(|(id, _)| blocking.contains(id)) {
        return Err(ServiceError::invalid(
            "to",
            format!("{name} does not accept messages from you."),
        ));
    }
    let now = Utc::now();
    let txn = crate::services::begin_write(db).await?;
    let started = conversation::ActiveModel {
        subject: Set(input.subject),
        started_by: Set(Some(user.id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let members =
        std::iter::once(user.id)
            .chain(recipients)
            .map(|id| conversation_member::ActiveModel {
                conversation_id: Set(started.id),
                user_id: Set(id),
                joined_at: Set(now),
                left_at: Set(None),
                last_message_id: Set(0),
                last_read_id: Set(0),
                ..Default::default()
            });
    conversation_member::Entity::insert_many(members)
        .exec_without_returning(&txn)
        .await?;
    deliver(&txn, user, &started, input.body).await?;
    txn.commit().await?;
    Ok(started.id)
}

/// Sends `body` from `user` into conversation `id`, which they are in (404 otherwise).
/// Returns the message.
pub async fn send(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    id: i32,
    body: MessageBody,
) -> Result<message::Model, ServiceError> {
    can_message(user)?;
    let txn = crate::services::begin_write(db).await?;
    // The conversation's row lock puts its senders one after another, so each member's newest
    // message only ever moves forward.
    let conversation = conversation::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    membership(&txn, user.id, id).await?;
    let sent = deliver(&txn, user, &conversation, body).await?;
    txn.commit().await?;
    Ok(sent)
}

/// `user`'s row in conversation `id` while they are in it (404 otherwise: a member who left,
/// or never was, learns nothing of it).
pub(super) async fn membership(
    db: &impl ConnectionTrait,
    user_id: i32,
    id: i32,
) -> Result<conversation_member::Model, ServiceError> {
    conversation_member::Entity::find()
        .filter(conversation_member::Column::ConversationId.eq(id))
        .filter(conversation_member::Column::UserId.eq(user_id))
        .filter(conversation_member::Column::LeftAt.is_null())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Stores the message and hands it to the members it reaches: their newest message moves to
/// it, and each is notified (by mail at once unless they chose otherwise).
async fn deliver(
    txn: &impl ConnectionTrait,
    user: &CurrentUser,
    conversation: &conversation::Model,
    body: MessageBody,
) -> Result<message::Model, ServiceError> {
    let sent = message::ActiveModel {
        conversation_id: Set(conversation.id),
        sender_id: Set(Some(user.id)),
        body: Set(body.into_inner()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    // The members it reaches: in it, active, and not blocking the sender.
    let reached = conversation_member::Entity::find()
        .inner_join(user::Entity)
        .filter(conversation_member::Column::ConversationId.eq(conversation.id))
        .filter(conversation_member::Column::LeftAt.is_null())
        .filter(conversation_member::Column::UserId.ne(user.id))
        .filter(user::Column::IsActive.eq(true))
        .filter(
            conversation_member::Column::UserId.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(user_block::Column::UserId)
                    .from(user_block::Entity)
                    .and_where(Expr::col(user_block::Column::BlockedId).eq(user.id))
                    .to_owned(),
            ),
        )
        .select_only()
        .column(conversation_member::Column::UserId)
        .into_tuple::<i32>()
        .all(txn)
        .await?;
    let mut ids = reached.clone();
    ids.push(user.id);
    conversation_member::Entity::update_many()
        .col_expr(
            conversation_member::Column::LastMessageId,
            Expr::val(sent.id),
        )
        .filter(conversation_member::Column::ConversationId.eq(conversation.id))
        .filter(conversation_member::Column::UserId.is_in(ids))
        .filter(conversation_member::Column::LastMessageId.lt(sent.id))
        .exec(txn)
        .await?;
    // What the sender wrote, they have read.
    conversation_member::Entity::update_many()
        .col_expr(conversation_member::Column::LastReadId, Expr::val(sent.id))
        .filter(conversation_member::Column::ConversationId.eq(conversation.id))
        .filter(conversation_member::Column::UserId.eq(user.id))
        .exec(txn)
        .await?;
    crate::services::notifications::notify(
        txn,
        reached,
        Event {
            kind: Kind::Message,
            actor: user,
            subject: conversation.subject.clone(),
            link: format!("/messages/{}", conversation.id),
        },
    )
    .await?;
    Ok(sent)
}

/// Page `number` of `user`'s conversations, latest first (two statements: the page with its
/// total, then the other members of the conversations on it).
pub async fn conversations(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    number: u64,
) -> Result<Page<ConversationRow>, DbErr> {
    let mine = conversation_member::Entity::find()
        .filter(conversation_member::Column::UserId.eq(user.id))
        .filter(conversation_member::Column::LeftAt.is_null())
        .filter(conversation_member::Column::LastMessageId.gt(0));
    let total = mine.clone().count(db).await?;
    let rows = mine
        .inner_join(conversation::Entity)
        .order_by_desc(conversation_member::Column::LastMessageId)
        .order_by_desc(conversation_member::Column::Id)
        .offset(crate::services::offset(number, MESSAGES_PER_PAGE))
        .limit(MESSAGES_PER_PAGE)
        .select_only()
        .column(conversation::Column::Id)
        .column(conversation::Column::Subject)
        .column(conversation_member::Column::LastMessageId)
        .column(conversation_member::Column::LastReadId)
        .into_tuple::<(i32, String, i32, i32)>()
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|(id, ..)| *id).collect();
    let others = conversation_member::Entity::find()
        .inner_join(user::Entity)
        .filter(conversation_member::Column::ConversationId.is_in(ids.clone()))
        .filter(conversation_member::Column::LeftAt.is_null())
        .filter(conversation_member::Column::UserId.ne(user.id))
        .order_by_asc(user::Column::Username)
        .select_only()
        .column(conversation_member::Column::ConversationId)
        .column(user::Column::Username)
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?;
    let last_ids: Vec<i32> = rows.iter().map(|(_, _, last, _)| *last).collect();
    let times = message::Entity::find()
        .filter(message::Column::Id.is_in(last_ids))
        .select_only()
        .column(message::Column::Id)
        .column(message::Column::CreatedAt)
        .into_tuple::<(i32, chrono::DateTime<Utc>)>()
        .all(db)
        .await?;
    let items = rows
        .into_iter()
        .map(|(id, subject, last, read)| ConversationRow {
            id,
            subject,
            others: others
                .iter()
                .filter(|(c, _)| *c == id)
                .map(|(_, name)| name.clone())
                .collect(),
            unread: last > read,
            last_at: times.iter().find(|(m, _)| *m == last).map(|(_, at)| *at),
        })
        .collect();
    Ok(Page::counted(items, number, total, MESSAGES_PER_PAGE))
}

/// The count [`unread_count`] makes, as an expression for a column of another statement (the
/// signed-in member's row, so the navigation's count costs no statement of its own).
pub fn unread_expr(user_id: i32) -> Expr {
    use sea_orm::sea_query::{Query, SubQueryStatement};
    let count = Query::select()
        .expr(Expr::col(conversation_member::Column::Id).count())
        .from(conversation_member::Entity)
        .and_where(Expr::col(conversation_member::Column::UserId).eq(user_id))
        .and_where(Expr::col(conversation_member::Column::LeftAt).is_null())
        .and_where(
            Expr::col(conversation_member::Column::LastMessageId)
                .gt(Expr::col(conversation_member::Column::LastReadId)),
        )
        .to_owned();
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(count)))
}

/// How many of `user_id`'s conversations hold a message they have not read (one statement
/// over their own rows).
pub async fn unread_count(db: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    conversation_member::Entity::find()
        .filter(conversation_member::Column::UserId.eq(user_id))
        .filter(conversation_member::Column::LeftAt.is_null())
        .filter(
            Expr::col(conversation_member::Column::LastMessageId)
                .gt(Expr::col(conversation_member::Column::LastReadId)),
        )
        .count(db)
        .await
}

/// Conversation `id` as `user` sees it, page `number` of its messages newest first (a
/// blocked member's messages left out), and read up to its newest message: opening it is
/// reading it, as the unread count in the navigation expects.
pub async fn conversation(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    id: i32,
    number: u64,
) -> Result<Conversation, ServiceError> {
    let me = membership(db, user.id, id).await?;
    let subject = conversation::Entity::find_by_id(id)
        .select_only()
        .column(conversation::Column::Subject)
        .into_tuple::<String>()
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let members = conversation_member::Entity::find()
        .inner_join(user::Entity)
        .filter(conversation_member::Column::ConversationId.eq(id))
        .filter(conversation_member::Column::LeftAt.is_null())
        .order_by_asc(user::Column::Username)
        .into_partial_model::<UserRef>()
        .all(db)
        .await?;
    let blocked = sea_orm::sea_query::Query::select()
        .column(user_block::Column::BlockedId)
        .from(user_block::Entity)
        .and_where(Expr::col(user_block::Column::UserId).eq(user.id))
        .to_owned();
    let select = message::Entity::find()
        .filter(message::Column::ConversationId.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(message::Column::SenderId.is_null())
                .add(message::Column::SenderId.not_in_subquery(blocked)),
        )
        .order_by_desc(message::Column::Id)
        .find_also_related(user::Entity);
    let messages = crate::services::pair_page::<_, _, message::Model, UserRef>(
        db,
        select,
        number,
        MESSAGES_PER_PAGE,
    )
    .await?;
    let was_unread = me.last_read_id < me.last_message_id;
    let mut notices_read = 0;
    if was_unread {
        // Its messages' notifications are read with it.
        notices_read = entity::notification::Entity::update_many()
            .col_expr(entity::notification::Column::ReadAt, Expr::val(Utc::now()))
            .filter(entity::notification::Column::UserId.eq(user.id))
            .filter(entity::notification::Column::Kind.eq(Kind::Message.as_str()))
            .filter(entity::notification::Column::Link.eq(format!("/messages/{id}")))
            .filter(entity::notification::Column::ReadAt.is_null())
            .exec(db)
            .await?
            .rows_affected;
        conversation_member::Entity::update_many()
            .col_expr(
                conversation_member::Column::LastReadId,
                Expr::col(conversation_member::Column::LastMessageId),
            )
            .filter(conversation_member::Column::Id.eq(me.id))
            .exec(db)
            .await?;
    }
    Ok(Conversation {
        id,
        subject,
        members,
        messages,
        was_unread,
        notices_read,
    })
}

/// `user` leaves conversation `id`: they see nothing of it any more and receive nothing
/// further (404 when they are not in it).
pub async fn leave(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    id: i32,
) -> Result<(), ServiceError> {
    let left = conversation_member::Entity::update_many()
        .col_expr(conversation_member::Column::LeftAt, Expr::val(Utc::now()))
        .filter(conversation_member::Column::ConversationId.eq(id))
        .filter(conversation_member::Column::UserId.eq(user.id))
        .filter(conversation_member::Column::LeftAt.is_null())
        .exec(db)
        .await?;
    match left.rows_affected {
        0 => Err(ServiceError::NotFound),
        _ => Ok(()),
    }
}

/// Whether a new message is mailed to `user` at once (their choice for the kind, on the
/// notification settings too).
pub async fn set_mail(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    mail: bool,
) -> Result<(), ServiceError> {
    let delivery = match mail {
        true => Delivery::Mail,
        false => Delivery::Site,
    };
    crate::services::notifications::set_settings(db, user, &[(Kind::Message, delivery)]).await
}

/// Whether a new message is mailed to `user_id` at once.
pub async fn mail_wanted(db: &impl ConnectionTrait, user_id: i32) -> Result<bool, DbErr> {
    let settings = crate::services::notifications::settings(db, user_id).await?;
    Ok(settings
        .iter()
        .any(|(kind, delivery)| *kind == Kind::Message && *delivery == Delivery::Mail))
}
