//! Queries and mutations. Functions take `&impl ConnectionTrait` and know nothing of actix.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod blog;
pub mod groups;
pub mod health;
pub mod home;
pub mod movies;

/// One page of a paginated list; `number` is 1-based as in URLs.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub number: u64,
    pub pages: u64,
    pub total: u64,
}

impl<T> Page<T> {
    /// Clamps a requested 1-based page number to at least 1.
    pub fn index(requested: Option<u64>) -> u64 {
        requested.unwrap_or(1).max(1)
    }
}
