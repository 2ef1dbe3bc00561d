//! Pictures: uploads decoded (never trusted by name or type), refused when hostile, re-encoded
//! into the sizes the pages use ([`encode`]), stored in the database by the hash of what was
//! encoded, once, and removed when nothing refers to them any more ([`store`]); the rows that
//! hold them: posters, portraits, avatars ([`holders`]); pictures in posts are the blog's
//! (`blog::attach_picture`).

mod encode;
mod generate;
mod holders;
mod store;
mod trailing;

pub use encode::{Encoded, EncodedFile, Kind, MAX_SIDE, MAX_UPLOAD, Size, encode};
pub use generate::generated;
pub use holders::{Holder, prepare, remove_picture, set_picture};
pub use store::{MediaFile, dimensions, file, release, store, sweep};
