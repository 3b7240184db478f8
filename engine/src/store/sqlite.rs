//! SQLite store (being written in the store work).

use std::path::Path;

use super::StoreError;

/// Placeholder until the store lands.
#[derive(Debug)]
pub struct SqliteStore;

impl SqliteStore {
    /// Placeholder.
    pub fn open(_path: &Path) -> Result<super::MemoryStore, StoreError> {
        Ok(super::MemoryStore::new())
    }
}
