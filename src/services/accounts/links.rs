//! The links mailed to members: confirm an address (at sign-up, or a new one), and reset a
//! forgotten password. A link's secret is 256 random bits; only its SHA-256 is stored. A link
//! works once, until it expires, and only while the account's password and address are those
//! it was issued under (its `stamp`), so a password or address change voids every link out.
//! Each mail is queued in the transaction that issues its link; the secret itself is made as
//! the mail is sent ([`mint`]), so the outbox never holds one.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Utc};
use entity::{account_link, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ExprTrait, PaginatorTrait, QueryFilter, QuerySelect, TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::secrets::{random_secret, token_id};
use crate::domain::{CurrentUser, Email};
use crate::services::audit::{self, Actor};
use crate::services::outbox::{self, Mail};
use crate::services::{FieldErrors, ServiceError};

/// What a link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Confirm the address given at sign-up.
    Verify,
    /// Choose a new password.
    Reset,
    /// Confirm a new address.
    Email,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
            Purpose::Email => "email",
        }
    }

    fn parse(raw: &str) -> Option<Purpose> {
        match raw {
            "verify" => Some(Purpose::Verify),
            "reset" => Some(Purpose::Reset),
            "email" => Some(Purpose::Email),
            _ => None,
        }
    }

    /// How long a link works.
    fn lifetime(self) -> Duration {
        match self {
            Purpose::Verify => Duration::hours(48),
            Purpose::Reset => Duration::minutes(60),
            Purpose::Email => Duration::hours(24),
        }
    }

    /// The page a link opens (the secret is its last segment).
    fn path(self, secret: &str) -> String {
        match self {
            Purpose::Verify => format!("/account/verify/{secret}"),
            Purpose::Reset => format!("/account/reset/{secret}"),
            Purpose::Email => format!("/account/email/{secret}"),
        }
    }
}

/// Links of one purpose an account may be sent in an hour; more are not sent.
const PER_HOUR: u64 = 3;

/// The password and address `user` has now, hashed: a link issued under other ones is void.
fn stamp(user: &user::Model) -> String {
    token_id(&format!("{}\n{}", user.password_hash, user.email))
}

/// Issues a link for `user` and returns its id. Its secret is made only when its mail is
/// sent ([`mint`]): until then the stored hash is of a secret nobody knows, so a queued mail
/// holds nothing that opens the account.
async fn issue(
    db: &impl ConnectionTrait,
    user: &user::Model,
    purpose: Purpose,
    new_email: Option<&str>,
) -> Result<i32, DbErr> {
    let now = Utc::now();
    let link = account_link::ActiveModel {
        user_id: Set(user.id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(token_id(&random_secret())),
        new_email: Set(new_email.map(str::to_owned)),
        stamp: Set(stamp(user)),
        created_at: Set(now),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(link.id)
}

/// Makes the secret of link `id` as its mail is being sent, and returns the path the mail
/// shows; a secret made before (an earlier attempt) stops working. `None` when the link is
/// used or expired: the mail has nothing left to say.
pub async fn mint(db: &impl ConnectionTrait, id: i32) -> Result<Option<String>, DbErr> {
    let Some(link) = account_link::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let Some(purpose) = Purpose::parse(&link.purpose) else {
        return Ok(None);
    };
    let secret = random_secret();
    let minted = account_link::Entity::update_many()
        .col_expr(
            account_link::Column::TokenHash,
            Expr::value(token_id(&secret)),
        )
        .filter(account_link::Column::Id.eq(id))
        .filter(account_link::Column::UsedAt.is_null())
        .filter(account_link::Column::ExpiresAt.gt(Utc::now()))
        .exec(db)
        .await?;
    Ok((minted.rows_affected == 1).then(|| purpose.path(&secret)))
}

/// Links of `purpose` issued to `user_id` in the last hour.
async fn issued_lately(
    db: &impl ConnectionTrait,
    user_id: i32,
    purpose: Purpose,
) -> Result<u64, DbErr> {
    account_link::Entity::find()
        .filter(account_link::Column::UserId.eq(user_id))
        .filter(account_link::Column::Purpose.eq(purpose.as_str()))
        .filter(account_link::Column::CreatedAt.gt(Utc::now() - Duration::hours(1)))
        .count(db)
        .await
}

/// The link of `purpose` with this secret and its account, while it still works: not used,
/// not expired, the account active and with the password and address it was issued under.
pub async fn open(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    secret: &str,
) -> Result<Option<(account_link::Model, user::Model)>, DbErr> {
    if secret.is_empty() || secret.len() > 100 {
        return Ok(None);
    }
    let found = account_link::Entity::find()
        .filter(account_link::Column::TokenHash.eq(token_id(secret)))
        .filter(account_link::Column::Purpose.eq(purpose.as_str()))
        .filter(account_link::Column::UsedAt.is_null())
        .filter(account_link::Column::ExpiresAt.gt(Utc::now()))
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    Ok(match found {
        Some((link, Some(user))) if user.is_active && link.stamp == stamp(&user) => {
            Some((link, user))
        }
        _ => None,
    })
}

/// Opens the link and marks it used, inside `txn`: `None` when it does not work (any more),
/// including when a concurrent request used it first.
async fn redeem(
    txn: &impl ConnectionTrait,
    purpose: Purpose,
    secret: &str,
) -> Result<Option<(account_link::Model, user::Model)>, DbErr> {
    let Some((link, user)) = open(txn, purpose, secret).await? else {
        return Ok(None);
    };
    let used = account_link::Entity::update_many()
        .col_expr(account_link::Column::UsedAt, Expr::value(Utc::now()))
        .filter(account_link::Column::Id.eq(link.id))
        .filter(account_link::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok((used.rows_affected == 1).then_some((link, user)))
}

/// Queues the confirmation mail of a new account (inside its registration's transaction).
pub(crate) async fn send_verification(
    db: &impl ConnectionTrait,
    user: &user::Model,
) -> Result<(), DbErr> {
    let link = issue(db, user, Purpose::Verify, None).await?;
    let mail = Mail::Verify {
        username: user.username.clone(),
        link,
        hours: Purpose::Verify.lifetime().num_hours(),
    };
    outbox::enqueue(db, &user.email, &mail).await
}

/// "Send the link again": a new confirmation mail, a few an hour at most.
pub async fn resend_verification(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
) -> Result<(), ServiceError> {
    let txn = crate::services::begin_write(db).await?;
    let account = user::Entity::find_by_id(user.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if account.email_verified_at.is_some() {
        return Err(ServiceError::conflict("Your address is confirmed already."));
    }
    if issued_lately(&txn, account.id, Purpose::Verify).await? >= PER_HOUR {
        return Err(ServiceError::conflict(
            "We have sent you several links in the last hour: please use the newest, or try \
             again later.",
        ));
    }
    send_verification(&txn, &account).await?;
    txn.commit().await?;
    Ok(())
}

/// Confirms the address of the link's account. Returns the account, or `None` when the link
/// does not work.
pub async fn verify(
    db: &(impl ConnectionTrait + TransactionTrait),
    secret: &str,
    ip: Option<String>,
) -> Result<Option<user::Model>, ServiceError> {
    let txn = crate::services::begin_write(db).await?;
    let Some((_, account)) = redeem(&txn, Purpose::Verify, secret).await? else {
        return Ok(None);
    };
    if account.email_verified_at.is_none() {
        mark_verified(&txn, account.id).await?;
        let actor = Actor {
            id: Some(account.id),
            ip,
        };
        audit::record(&txn, &actor, "user.verify", "user", account.id, None, None).await?;
    }
    txn.commit().await?;
    Ok(Some(account))
}

async fn mark_verified(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(db)
        .await
        .map(|_| ())
}

/// "Forgot password": mails a reset link when `email` is an active account's address. The
/// answer is the same whether or not it is (no one learns which addresses have accounts), and
/// an account is sent a few links an hour at most.
pub async fn forgot_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    email: &Email,
    ip: Option<String>,
) -> Result<(), ServiceError> {
    let txn = crate::services::begin_write(db).await?;
    let Some(account) = user::Entity::find_by_email(email.as_str())
        .one(&txn)
        .await?
        .filter(|u| u.is_active)
    else {
        return Ok(());
    };
    if !may_send_reset(&txn, account.id).await? {
        return Ok(());
    }
    send_reset(&txn, &account, &Actor { id: None, ip }).await?;
    txn.commit().await?;
    Ok(())
}

/// False once an account has been sent a few reset links within the hour (whoever asked).
pub(crate) async fn may_send_reset(db: &impl ConnectionTrait, user_id: i32) -> Result<bool, DbErr> {
    Ok(issued_lately(db, user_id, Purpose::Reset).await? < PER_HOUR)
}

/// Queues a reset link to `account`, audited as sent by `actor` (nobody: the member asked).
pub(crate) async fn send_reset(
    db: &impl ConnectionTrait,
    account: &user::Model,
    actor: &Actor,
) -> Result<(), DbErr> {
    let link = issue(db, account, Purpose::Reset, None).await?;
    let mail = Mail::Reset {
        username: account.username.clone(),
        link,
        minutes: Purpose::Reset.lifetime().num_minutes(),
    };
    outbox::enqueue(db, &account.email, &mail).await?;
    audit::record(db, actor, "user.reset_link", "user", account.id, None, None).await
}

/// The accounts among `ids` that were sent as many reset links within the hour as they may be
/// (one statement).
pub(crate) async fn reset_throttled(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<BTreeSet<i32>, DbErr> {
    if ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    let counts: Vec<(i32, i64)> = account_link::Entity::find()
        .select_only()
        .column(account_link::Column::UserId)
        .column_as(Expr::col(account_link::Column::Id).count(), "sent")
        .filter(account_link::Column::UserId.is_in(ids.iter().copied()))
        .filter(account_link::Column::Purpose.eq(Purpose::Reset.as_str()))
        .filter(account_link::Column::CreatedAt.gt(Utc::now() - Duration::hours(1)))
        .group_by(account_link::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .filter(|(_, sent)| u64::try_from(*sent).unwrap_or(u64::MAX) >= PER_HOUR)
        .map(|(id, _)| id)
        .collect())
}

/// Queues a reset link to each of `accounts` at once: the links in one statement, their ids in
/// a second (MySQL returns no ids from a multi-row insert; each link's hash is unique), the
/// mails in a third. The caller audits and keeps batches to a size every backend binds.
pub(crate) async fn send_resets(
    db: &impl ConnectionTrait,
    accounts: &[user::Model],
) -> Result<(), DbErr> {
    if accounts.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let hashes: Vec<String> = accounts
        .iter()
        .map(|_| token_id(&random_secret()))
        .collect();
    account_link::Entity::insert_many(accounts.iter().zip(&hashes).map(|(account, hash)| {
        account_link::ActiveModel {
            user_id: Set(account.id),
            purpose: Set(Purpose::Reset.as_str().to_owned()),
            token_hash: Set(hash.clone()),
            new_email: Set(None),
            stamp: Set(stamp(account)),
            created_at: Set(now),
            expires_at: Set(now + Purpose::Reset.lifetime()),
            used_at: Set(None),
            ..Default::default()
        }
    }))
    .exec_without_returning(db)
    .await?;
    let ids: BTreeMap<String, i32> = account_link::Entity::find()
        .select_only()
        .columns([account_link::Column::TokenHash, account_link::Column::Id])
        .filter(account_link::Column::TokenHash.is_in(hashes.iter().cloned()))
        .into_tuple::<(String, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mails = accounts
        .iter()
        .zip(&hashes)
        .filter_map(|(account, hash)| {
            let link = *ids.get(hash)?;
            let mail = Mail::Reset {
                username: account.username.clone(),
                link,
                minutes: Purpose::Reset.lifetime().num_minutes(),
            };
            Some((account.email.clone(), mail))
        })
        .collect();
    outbox::enqueue_many(db, mails).await
}

/// Sets a new password through a reset link: every session and personal access token of the
/// account ends, the address
/// counts as confirmed (the mail reached it), and the link and every other one out are void.
/// Returns the account, or `None` when the link does not work.
pub async fn reset_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    secret: &str,
    password_hash: String,
    ip: Option<String>,
) -> Result<Option<user::Model>, ServiceError> {
    let txn = crate::services::begin_write(db).await?;
    let Some((_, account)) = redeem(&txn, Purpose::Reset, secret).await? else {
        return Ok(None);
    };
    let actor = Actor {
        id: Some(account.id),
        ip,
    };
    let change = super::credentials::PasswordChange {
        keep: None,
        action: "user.password_reset",
        recovery: true,
    };
    super::credentials::store_password(&txn, account.id, password_hash, &actor, change).await?;
    mark_verified(&txn, account.id).await?;
    txn.commit().await?;
    Ok(Some(account))
}

/// Asks to change `user`'s address to `new_email` (the current password was checked by the
/// caller): a confirmation link goes to the new address and a notice to the old one; nothing
/// changes until the link is used.
pub async fn request_address_change(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    new_email: &Email,
    ip: Option<String>,
) -> Result<(), ServiceError> {
    let txn = crate::services::begin_write(db).await?;
    let account = user::Entity::find_by_id(user.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if account.email == new_email.as_str() {
        return Err(ServiceError::invalid(
            "email",
            "That is the address you use already.",
        ));
    }
    address_free(&txn, account.id, new_email).await?;
    if issued_lately(&txn, account.id, Purpose::Email).await? >= PER_HOUR {
        return Err(ServiceError::conflict(
            "You have asked for several changes in the last hour: please use the newest link, \
             or try again later.",
        ));
    }
    let link = issue(&txn, &account, Purpose::Email, Some(new_email.as_str())).await?;
    let confirm = Mail::ConfirmAddress {
        username: account.username.clone(),
        link,
        new_email: new_email.as_str().to_owned(),
        hours: Purpose::Email.lifetime().num_hours(),
    };
    outbox::enqueue(&txn, new_email.as_str(), &confirm).await?;
    let notice = Mail::AddressChanging {
        username: account.username.clone(),
        new_email: new_email.as_str().to_owned(),
    };
    outbox::enqueue(&txn, &account.email, &notice).await?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "user.email_change_requested",
        "user",
        account.id,
        None,
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Refuses an address another account uses.
async fn address_free(
    db: &impl ConnectionTrait,
    user_id: i32,
    email: &Email,
) -> Result<(), ServiceError> {
    let taken = user::Entity::find_by_email(email.as_str())
        .one(db)
        .await?
        .is_some_and(|other| other.id != user_id);
    if taken {
        return Err(ServiceError::Conflict(FieldErrors::one(
            "email",
            "An account with this email exists already.",
        )));
    }
    Ok(())
}

/// Changes the address to the one the link confirms. Returns the account as it was, or `None`
/// when the link does not work; a conflict when the address was taken meanwhile.
pub async fn confirm_address(
    db: &(impl ConnectionTrait + TransactionTrait),
    secret: &str,
    ip: Option<String>,
) -> Result<Option<user::Model>, ServiceError> {
    let txn = crate::services::begin_write(db).await?;
    let Some((link, account)) = redeem(&txn, Purpose::Email, secret).await? else {
        return Ok(None);
    };
    let Some(new_email) = link.new_email.as_deref().and_then(|e| Email::parse(e).ok()) else {
        return Ok(None);
    };
    address_free(&txn, account.id, &new_email).await?;
    let now = Utc::now();
    let mut active: user::ActiveModel = account.clone().into();
    active.email = Set(new_email.as_str().to_owned());
    active.email_verified_at = Set(Some(now));
    active
        .update(&txn)
        .await
        .map_err(crate::services::error::on_table("user"))?;
    audit::record(
        &txn,
        &Actor {
            id: Some(account.id),
            ip,
        },
        "user.email_change",
        "user",
        account.id,
        Some(json!({ "email": account.email })),
        Some(json!({ "email": new_email.as_str() })),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(account))
}
