//! Reports: a member reports a message of a conversation they are in; moderators
//! (`moderate_comments`) see the reported messages, and only those, and dismiss a report or
//! act on the sender (their account is deactivated: signed out everywhere, and nothing
//! further reaches anyone from them). Both are audited.

use chrono::Utc;
use entity::enums::Permission;
use entity::{conversation, message, message_report, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    TransactionSession, TransactionTrait,
};
use serde_json::json;

use crate::domain::CurrentUser;
use crate::services::audit::{self, Actor};
use crate::services::{Page, ServiceError, UserRef};

use super::conversations::MessageRow;

use super::conversations::MESSAGES_PER_PAGE;

/// What a moderator does with a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportAction {
    /// Nothing wrong: the report is closed.
    Dismiss,
    /// The sender's account is deactivated, and every open report of the message closed.
    DeactivateSender,
}

impl ReportAction {
    pub fn parse(raw: &str) -> Result<ReportAction, ServiceError> {
        match raw.trim() {
            "dismiss" => Ok(ReportAction::Dismiss),
            "deactivate_sender" => Ok(ReportAction::DeactivateSender),
            _ => Err(ServiceError::invalid(
                "action",
                "Choose “dismiss” or “deactivate the sender”.",
            )),
        }
    }

    fn resolution(self) -> &'static str {
        match self {
            ReportAction::Dismiss => "dismissed",
            ReportAction::DeactivateSender => "sender_deactivated",
        }
    }
}

/// An open report as moderators see it: the message, who sent it and who reported it.
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
pub struct OpenReport {
    pub id: i32,
    pub reason: String,
    pub created_at: chrono::DateTime<Utc>,
    pub message_id: i32,
    pub body: String,
    pub sent_at: chrono::DateTime<Utc>,
    pub subject: String,
    pub sender: Option<String>,
    pub reporter: String,
}

/// Message `message_id` as something `user` may report, with its sender and conversation: in
/// a conversation they are in, not their own, not from someone they block (404 for a message
/// they cannot see; 422 for their own).
pub async fn reportable(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    message_id: i32,
) -> Result<MessageRow, ServiceError> {
    let (found, sender) = message::Entity::find_by_id(message_id)
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    super::conversations::membership(db, user.id, found.conversation_id).await?;
    if let Some(sender) = found.sender_id
        && super::blocks::blocks(db, user.id, sender).await?
    {
        return Err(ServiceError::NotFound);
    }
    if found.sender_id == Some(user.id) {
        return Err(ServiceError::invalid(
            "reason",
            "You cannot report your own message.",
        ));
    }
    let sender = sender.map(|u| UserRef {
        id: u.id,
        username: u.username,
        avatar: u.avatar,
    });
    Ok((found, sender))
}

/// `user` reports message `message_id` ([`reportable`] says which); reporting twice is a
/// conflict. Returns the message's conversation.
pub async fn report(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    message_id: i32,
    reason: &str,
) -> Result<i32, ServiceError> {
    let (found, _) = reportable(db, user, message_id).await?;
    let reason = crate::domain::parse_report_reason(reason)
        .map_err(|message| ServiceError::invalid("reason", message))?;
    message_report::ActiveModel {
        message_id: Set(message_id),
        reporter_id: Set(user.id),
        reason: Set(reason),
        created_at: Set(Utc::now()),
        resolved_at: Set(None),
        resolution: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(
        |error| match crate::services::error::is_unique_violation(&error) {
            true => ServiceError::conflict("You have reported this message already."),
            false => error.into(),
        },
    )?;
    Ok(found.conversation_id)
}

/// Page `number` of the open reports, oldest first (`moderate_comments`).
pub async fn reports(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    number: u64,
) -> Result<Page<OpenReport>, ServiceError> {
    user.require(Permission::ModerateComments)?;
    let open = message_report::Entity::find().filter(message_report::Column::ResolvedAt.is_null());
    let total = open.clone().count(db).await?;
    let sender = sea_orm::sea_query::Alias::new("sender");
    let reporter = sea_orm::sea_query::Alias::new("reporter");
    let items = open
        .join(JoinType::InnerJoin, message_report::Relation::Message.def())
        .join(JoinType::InnerJoin, message::Relation::Conversation.def())
        .join_as(
            JoinType::LeftJoin,
            message::Relation::User.def(),
            sender.clone(),
        )
        .join_as(
            JoinType::InnerJoin,
            message_report::Relation::User.def(),
            reporter.clone(),
        )
        .order_by_asc(message_report::Column::Id)
        .offset(crate::services::offset(number, MESSAGES_PER_PAGE))
        .limit(MESSAGES_PER_PAGE)
        .select_only()
        .column(message_report::Column::Id)
        .column(message_report::Column::Reason)
        .column(message_report::Column::CreatedAt)
        .column(message_report::Column::MessageId)
        .column_as(message::Column::Body, "body")
        .column_as(message::Column::CreatedAt, "sent_at")
        .column_as(conversation::Column::Subject, "subject")
        .column_as(Expr::col((sender, user::Column::Username)), "sender")
        .column_as(Expr::col((reporter, user::Column::Username)), "reporter")
        .into_model::<OpenReport>()
        .all(db)
        .await?;
    Ok(Page::counted(items, number, total, MESSAGES_PER_PAGE))
}

/// A moderator resolves open report `id` with `action` (404 when it is not open). Acting on
/// the sender closes every open report of the message; a sender who is a moderator or staff
/// is for an administrator (403).
pub async fn resolve(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    actor: &Actor,
    id: i32,
    action: ReportAction,
) -> Result<(), ServiceError> {
    user.require(Permission::ModerateComments)?;
    let txn = crate::services::begin_write(db).await?;
    let open = message_report::Entity::find_by_id(id)
        .filter(message_report::Column::ResolvedAt.is_null())
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let sent = message::Entity::find_by_id(open.message_id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let closing = match action {
        ReportAction::Dismiss => message_report::Column::Id.eq(id),
        ReportAction::DeactivateSender => message_report::Column::MessageId.eq(sent.id),
    };
    if action == ReportAction::DeactivateSender
        && let Some(sender) = sent.sender_id
    {
        let holds = crate::services::accounts::effective_of(
            &txn,
            &user::Entity::find_by_id(sender)
                .one(&txn)
                .await?
                .ok_or(ServiceError::NotFound)?,
        )
        .await?
        .permissions();
        if holds.contains(&Permission::ModerateComments)
            || holds.contains(&Permission::ManageUsers)
            || holds.contains(&Permission::ManageRoles)
        {
            return Err(ServiceError::Refused(
                "The sender is a moderator or an administrator: ask an administrator.".into(),
            ));
        }
        user::Entity::update_many()
            .col_expr(user::Column::IsActive, Expr::val(false))
            .col_expr(
                user::Column::SessionVersion,
                Expr::col(user::Column::SessionVersion).add(1),
            )
            .filter(user::Column::Id.eq(sender))
            .exec(&txn)
            .await?;
        crate::services::accounts::sessions::end_all(&txn, sender, None).await?;
        audit::record(
            &txn,
            actor,
            "user.deactivate",
            "user",
            sender,
            Some(json!({ "is_active": true })),
            Some(json!({ "is_active": false, "message_report": id })),
        )
        .await?;
    }
    message_report::Entity::update_many()
        .col_expr(message_report::Column::ResolvedAt, Expr::val(Utc::now()))
        .col_expr(
            message_report::Column::Resolution,
            Expr::val(action.resolution()),
        )
        .filter(closing)
        .filter(message_report::Column::ResolvedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        "message_report.resolve",
        "message_report",
        id,
        None,
        Some(json!({ "resolution": action.resolution(), "message": sent.id })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
