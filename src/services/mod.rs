//! Queries and mutations. Functions take `&impl ConnectionTrait` and know nothing of actix.

pub mod health;
pub mod home;
