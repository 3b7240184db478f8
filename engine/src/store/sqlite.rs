//! SQLite store (being written in the store work).

/// Placeholder until the store lands.
#[derive(Debug)]
pub struct SqliteStore;
