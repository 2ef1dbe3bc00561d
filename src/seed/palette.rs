//! The drawn pictures a scaled seed shares out: a few posters and avatars, drawn and stored
//! once, each referred to by many generated movies and members (as the same picture uploaded
//! many times is stored once).

use sea_orm::DatabaseConnection;

use crate::services::pictures::{self, Kind};

/// How many different posters and avatars the scaled seed draws.
const POSTERS: usize = 6;
const AVATARS: usize = 4;

/// The hashes of the stored drawings.
pub struct Palette {
    posters: Vec<String>,
    avatars: Vec<String>,
}

impl Palette {
    /// Draws the pictures and stores those not stored yet.
    pub async fn stored(db: &DatabaseConnection) -> anyhow::Result<Palette> {
        let txn = crate::services::begin_write(db).await?;
        let draw = async |name: String, kind: Kind| -> anyhow::Result<String> {
            let drawn = pictures::generated(&name, kind)
                .map_err(|e| anyhow::anyhow!("a generated picture: {e}"))?;
            pictures::store(&txn, &drawn).await?;
            Ok(drawn.hash)
        };
        let mut posters = Vec::with_capacity(POSTERS);
        for n in 0..POSTERS {
            posters.push(draw(format!("Scale poster {n}"), Kind::Poster).await?);
        }
        let mut avatars = Vec::with_capacity(AVATARS);
        for n in 0..AVATARS {
            avatars.push(draw(format!("Scale avatar {n}"), Kind::Avatar).await?);
        }
        sea_orm::TransactionSession::commit(txn).await?;
        Ok(Palette { posters, avatars })
    }

    /// Generated movie `i`'s poster: one movie in four has one.
    pub fn poster(&self, i: u64, pick: u64) -> Option<String> {
        pick_one(&self.posters, i.is_multiple_of(4), pick)
    }

    /// Generated member `i`'s avatar: one member in three has one.
    pub fn avatar(&self, i: u64, pick: u64) -> Option<String> {
        pick_one(&self.avatars, i.is_multiple_of(3), pick)
    }
}

fn pick_one(hashes: &[String], has_one: bool, pick: u64) -> Option<String> {
    let count = u64::try_from(hashes.len()).ok().filter(|n| *n > 0)?;
    let at = usize::try_from(pick % count).ok()?;
    has_one.then(|| hashes.get(at).cloned()).flatten()
}
