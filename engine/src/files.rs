//! The device's files that media messages point at (`Media::local`): what a media send uploads (SEND-13) and where a
//! download is written (DL-6).
//!
//! Like the network and the clock, files come from the environment through a seam, [`MediaFiles`], so the core stays
//! free of I/O decisions and the simulator can give every device its own deterministic disk in memory
//! ([`MemoryFiles`]): a scenario puts a file there, the engine uploads it, another device downloads it. A real app
//! uses [`DiskFiles`].

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where downloaded files go, relative to the device's files (DL-6): `downloads/<message UID>/<file name>`.
pub const DOWNLOADS_DIRECTORY: &str = "downloads";

/// Reads and writes the files media messages name, by the path the app gave (`Media::local`).
pub trait MediaFiles {
    /// The whole content of the file at `path`.
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;

    /// Writes `bytes` as the file at `path`, replacing any file there, creating its directories.
    fn write(&mut self, path: &str, bytes: &[u8]) -> io::Result<()>;

    /// The size in bytes of the file at `path`, without reading it: whether a `create…Message` path is valid
    /// (MTYPE-26), and the size a file, short video or GIF message records.
    fn size(&self, path: &str) -> io::Result<u64>;
}

/// Files on the real disk: an absolute path as it is, a relative one under `root` (where downloads go, DL-6).
#[derive(Clone, Debug)]
pub struct DiskFiles {
    root: PathBuf,
}

impl DiskFiles {
    /// Files under `root`.
    pub fn new(root: impl Into<PathBuf>) -> DiskFiles {
        DiskFiles { root: root.into() }
    }

    fn resolve(&self, path: &str) -> PathBuf {
        let path = Path::new(path);
        if path.is_absolute() { path.to_owned() } else { self.root.join(path) }
    }
}

impl MediaFiles for DiskFiles {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.resolve(path))
    }

    fn write(&mut self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.resolve(path);
        if let Some(directory) = path.parent() {
            std::fs::create_dir_all(directory)?;
        }
        std::fs::write(path, bytes)
    }

    fn size(&self, path: &str) -> io::Result<u64> {
        let metadata = std::fs::metadata(self.resolve(path))?;
        if !metadata.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{path:?} is not a file")));
        }
        Ok(metadata.len())
    }
}

/// Files in memory, by path. Clones share the same files, so a simulator can keep a handle to a device's files
/// while the engine uses them, and the files outlive an engine the way a disk outlives an app's crash.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    files: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
}

impl MemoryFiles {
    /// The file at `path`, if there is one.
    pub fn get(&self, path: &str) -> Option<Vec<u8>> {
        self.lock().get(path).cloned()
    }

    /// Puts a file at `path`.
    pub fn insert(&self, path: &str, bytes: Vec<u8>) {
        self.lock().insert(path.to_owned(), bytes);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // A panic while holding the lock cannot leave the map half-changed: every change is one insert.
        self.files.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl MediaFiles for MemoryFiles {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        self.get(path).ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no file at {path:?}")))
    }

    fn write(&mut self, path: &str, bytes: &[u8]) -> io::Result<()> {
        self.insert(path, bytes.to_vec());
        Ok(())
    }

    fn size(&self, path: &str) -> io::Result<u64> {
        self.lock()
            .get(path)
            .map(|bytes| bytes.len() as u64)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no file at {path:?}")))
    }
}
