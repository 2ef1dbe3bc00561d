//! Pictures: uploads decoded (never trusted by name or type), refused when hostile, re-encoded
//! into the sizes the pages use ([`encode`]), stored in the database by the hash of what was
//! encoded, once, and removed when nothing refers to them any more ([`store`]); movie posters
//! set and removed by movie managers ([`posters`]).

mod encode;
mod posters;
mod store;
mod trailing;

pub use encode::{Encoded, EncodedFile, Kind, MAX_SIDE, MAX_UPLOAD, Size, encode};
pub use posters::{remove_poster, set_poster};
pub use store::{MediaFile, file, release, store};
