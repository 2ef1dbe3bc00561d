//! Personal access tokens for the JSON API: made by their owner with a name, a lifetime and
//! scopes that are a subset of the owner's permissions; shown once and stored only as a
//! SHA-256; listed and revoked by their owner. Making and revoking a token is audited.
//!
//! A token acts as its owner with the permissions the owner's role grants *now* and the token's
//! scopes allow: a token stops working when it expires or is revoked or the account is
//! deactivated, and loses a permission the moment the role does.

use std::collections::BTreeSet;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use entity::enums::Permission;
use entity::{api_token, role, user};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};

use super::secrets::token_id;
use crate::domain::{CurrentUser, FieldErrors, Name, ServiceError, parse_permissions};
use crate::services::audit::{self, Actor};

/// What every token starts with, so a leaked one is easy to recognise (secret scanners).
pub const PREFIX: &str = "mqt_";

/// The lifetimes a token may be given, in days.
pub const LIFETIMES: [i64; 4] = [7, 30, 90, 365];

/// Tokens an account may hold that have not expired or been revoked.
pub const MAX_LIVE: u64 = 50;

/// The checked values of the new-token form.
#[derive(Clone, Debug)]
pub struct TokenInput {
    pub name: Name,
    pub days: i64,
    pub scopes: BTreeSet<Permission>,
}

impl TokenInput {
    /// Checks raw values (the form's and the API's): a name, one of [`LIFETIMES`], and known
    /// permission names.
    pub fn parse(name: &str, days: &str, scopes: &[String]) -> Result<TokenInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", Name::parse(name, "token"));
        let days = errors.check(
            "expires_in_days",
            days.trim()
                .parse::<i64>()
                .ok()
                .filter(|d| LIFETIMES.contains(d))
                .ok_or_else(|| "Choose how long the token lasts from the list.".to_owned()),
        );
        let scopes = errors.check("scopes", parse_permissions(scopes));
        errors.or_valid(|| {
            Some(TokenInput {
                name: name?,
                days: days?,
                scopes: scopes?,
            })
        })
    }
}

/// A token as its owner sees it (never the secret).
#[derive(Clone, Debug)]
pub struct TokenRow {
    pub token: api_token::Model,
    pub scopes: Vec<Permission>,
}

impl TokenRow {
    fn of(token: api_token::Model) -> TokenRow {
        TokenRow {
            scopes: scope_set(&token.scopes).into_iter().collect(),
            token,
        }
    }

    /// Usable now: neither revoked nor expired.
    pub fn is_live(&self, now: &DateTime<Utc>) -> bool {
        self.token.revoked_at.is_none() && self.token.expires_at > *now
    }
}

fn scope_set(stored: &str) -> BTreeSet<Permission> {
    stored
        .split(',')
        .filter_map(|name| Permission::all().into_iter().find(|p| p.as_str() == name))
        .collect()
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Makes a token for `user`; returns it with its secret, which is never shown again. Scopes
/// beyond the user's own permissions are refused (a 422 on `scopes`).
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    input: TokenInput,
) -> Result<(TokenRow, String), ServiceError> {
    let beyond: Vec<&str> = input
        .scopes
        .iter()
        .filter(|p| !user.can(**p))
        .map(|p| p.label())
        .collect();
    if !beyond.is_empty() {
        return Err(ServiceError::invalid(
            "scopes",
            format!(
                "A token can only hold permissions you hold yourself: {}.",
                beyond.join(", ")
            ),
        ));
    }
    let now = Utc::now();
    let txn = crate::services::begin_write(db).await?;
    let live = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ExpiresAt.gt(now))
        .count(&txn)
        .await?;
    if live >= MAX_LIVE {
        return Err(ServiceError::conflict(format!(
            "You already have {MAX_LIVE} live tokens; revoke one first."
        )));
    }
    let secret = new_secret();
    let scopes: Vec<&str> = input.scopes.iter().map(|p| p.as_str()).collect();
    let token = api_token::ActiveModel {
        user_id: Set(user.id),
        name: Set(input.name.to_string()),
        token_hash: Set(token_id(&secret)),
        scopes: Set(scopes.join(",")),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(input.days)),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "token.create",
        "api_token",
        token.id,
        None,
        Some(serde_json::json!({
            "name": token.name,
            "scopes": scopes,
            "expires_at": token.expires_at.to_rfc3339(),
        })),
    )
    .await?;
    txn.commit().await?;
    Ok((TokenRow::of(token), secret))
}

/// `user`'s tokens, newest first, live or not.
pub async fn list(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
) -> Result<Vec<TokenRow>, ServiceError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user.id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(TokenRow::of)
        .collect())
}

/// Revokes one of `user`'s own tokens (someone else's is a 404); revoking twice is harmless.
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
) -> Result<TokenRow, ServiceError> {
    let txn = crate::services::begin_write(db).await?;
    let token = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(user.id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if token.revoked_at.is_some() {
        return Ok(TokenRow::of(token));
    }
    let mut active: api_token::ActiveModel = token.into();
    active.revoked_at = Set(Some(Utc::now()));
    let token = active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "token.revoke",
        "api_token",
        token.id,
        Some(serde_json::json!({ "name": token.name })),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(TokenRow::of(token))
}

/// Revokes every live token of `user_id` (an account being taken back); returns how many.
pub async fn revoke_all(db: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    let revoked = api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(revoked.rows_affected)
}

/// Who a bearer token acts for: the token's id and its owner with the permissions both the
/// owner's role (as it is now) and the token's scopes grant. `None` for a token that is
/// unknown, revoked or expired, or whose account is inactive. Three statements.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    secret: &str,
) -> Result<Option<(i32, CurrentUser)>, ServiceError> {
    if !secret.starts_with(PREFIX) || secret.len() > 100 {
        return Ok(None);
    }
    let now = Utc::now();
    let Some((token, Some(owner))) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_id(secret)))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ExpiresAt.gt(now))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if !owner.is_active {
        return Ok(None);
    }
    let Some(role) = role::Entity::find_by_id(owner.role_id).one(db).await? else {
        return Ok(None);
    };
    let scopes = scope_set(&token.scopes);
    let permissions =
        super::permissions::held_permissions(db, &owner, |p| scopes.contains(p)).await?;
    Ok(Some((token.id, CurrentUser::new(owner, role, permissions))))
}
