//! Pictures made from a name, for the demo data and the scaled seed: nothing is downloaded and
//! nothing is kept in the repository. The same name always gives the same picture (so it is
//! stored once), two colours and a few shapes drawn from the name's hash.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use sha2::{Digest, Sha256};

use super::encode::{Encoded, Kind, drawn};

/// How many drawn pictures a process keeps: the demo's, which are drawn again on every seed
/// of the demo data (the tests seed it many times), while a scaled seed's many pictures are
/// not all held.
const KEPT: usize = 32;

static DRAWN: LazyLock<Mutex<HashMap<(String, Kind), Encoded>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// A picture for `name` in `kind`'s shape, encoded like an upload; drawn once per process
/// for the first few names asked for.
pub fn generated(name: &str, kind: Kind) -> Result<Encoded, String> {
    let key = (name.to_owned(), kind);
    if let Some(kept) = DRAWN.lock().ok().and_then(|kept| kept.get(&key).cloned()) {
        return Ok(kept);
    }
    let drawn = draw(name, kind)?;
    if let Ok(mut kept) = DRAWN.lock()
        && kept.len() < KEPT
    {
        kept.insert(key, drawn.clone());
    }
    Ok(drawn)
}

fn draw(name: &str, kind: Kind) -> Result<Encoded, String> {
    let digest = Sha256::digest(name.as_bytes());
    let colour = |at: usize| [digest[at], digest[at + 1], digest[at + 2]];
    let (top, bottom, accent) = (colour(0), colour(3), colour(6));
    let drawing = imaging::Drawing {
        top,
        bottom,
        accent,
        bands: u32::from(digest[9] % 5) + 3,
    };
    // Each size drawn at its own dimensions rather than scaled down from the largest: scaling
    // was most of the time a seed spent on pictures. An illustration has its own shape: a
    // landscape no larger than a post shows it.
    drawn(kind, (720, 480), |width, height| {
        imaging::draw(drawing, width, height)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_always_gives_the_same_picture_and_two_names_two() {
        let first = generated("Metropolis", Kind::Poster).unwrap();
        assert_eq!(
            first.hash,
            generated("Metropolis", Kind::Poster).unwrap().hash
        );
        assert_ne!(first.hash, generated("Alien", Kind::Poster).unwrap().hash);
        let full = image::load_from_memory(&first.files[2].bytes).unwrap();
        assert_eq!((full.width(), full.height()), (600, 900));
    }

    #[test]
    fn every_size_is_a_jpeg_of_its_own_dimensions() {
        let sizes = |kind| {
            generated("Stalker", kind)
                .unwrap()
                .files
                .iter()
                .map(|file| {
                    let decoded = image::load_from_memory(&file.bytes).unwrap();
                    assert_eq!(
                        (decoded.width(), decoded.height()),
                        (file.width, file.height)
                    );
                    (file.width, file.height)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(Kind::Poster), [(80, 120), (240, 360), (600, 900)]);
        assert_eq!(sizes(Kind::Avatar), [(48, 48), (96, 96), (256, 256)]);
        // Its own landscape shape, fitted into the thumbnail's box and never enlarged.
        assert_eq!(
            sizes(Kind::Illustration),
            [(160, 107), (720, 480), (720, 480)]
        );
    }
}
