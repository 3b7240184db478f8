//! In-memory twin of `SqliteStore` (being written in the store work).

/// Placeholder until the store lands.
#[derive(Debug, Default)]
pub struct MemoryStore;
