//! The file layer under the engine.
//!
//! Every byte the engine stores goes through a [`Vfs`]: the real one,
//! [`DiskVfs`], and the fault-injecting one the crash tests use, [`SimVfs`].
//! A data directory is flat: every file the engine writes lives directly in
//! it, named by the module that owns it (see docs/file-formats.md).
//!
//! The contract mirrors what POSIX promises and no more: bytes written to a
//! file are durable only after [`WritableFile::sync`]; a file's creation,
//! rename or removal is durable only after [`Vfs::sync_dir`]. Files are never
//! modified in place except by appending and by [`Vfs::truncate`] (used once,
//! to cut a torn log tail); segments are read through read-only maps.

mod disk;
mod sim;

pub use disk::DiskVfs;
pub use sim::{SimConfig, SimVfs};

use std::any::Any;
use std::ops::Deref;
use std::sync::Arc;

use crate::error::Result;

/// A directory of files the engine owns.
pub trait Vfs: Send + Sync + 'static {
    /// Creates `name`, truncating it if it exists, open for appending.
    fn create(&self, name: &str) -> Result<Box<dyn WritableFile>>;
    /// Opens the existing file `name` for appending at its end.
    fn open_append(&self, name: &str) -> Result<Box<dyn WritableFile>>;
    /// Reads the whole of `name`.
    fn read(&self, name: &str) -> Result<Vec<u8>>;
    /// Maps `name` read-only. The bytes stay valid while the handle lives,
    /// even if the file is removed meanwhile.
    fn map(&self, name: &str) -> Result<FileBytes>;
    /// Cuts `name` to `len` bytes and makes the new length durable.
    fn truncate(&self, name: &str, len: u64) -> Result<()>;
    /// Renames `from` to `to`, replacing `to` atomically.
    fn rename(&self, from: &str, to: &str) -> Result<()>;
    /// Removes `name`.
    fn remove(&self, name: &str) -> Result<()>;
    /// Makes creations, renames and removals in the directory durable.
    fn sync_dir(&self) -> Result<()>;
    /// The names of the files in the directory, sorted.
    fn list(&self) -> Result<Vec<String>>;
    /// Whether `name` exists.
    fn exists(&self, name: &str) -> Result<bool>;
    /// Takes the directory's exclusive lock for this process; dropping the
    /// returned guard releases it. Fails with [`crate::Error::Locked`] if
    /// someone else holds it.
    fn lock(&self) -> Result<Box<dyn Any + Send + Sync>>;
    /// A human-readable name of the directory, for messages.
    fn describe(&self) -> String;
}

/// A file open for appending.
pub trait WritableFile: Send {
    /// Appends `buf` at the end of the file.
    fn write_all(&mut self, buf: &[u8]) -> Result<()>;
    /// Makes everything written so far durable (fdatasync).
    fn sync(&mut self) -> Result<()>;
    /// The file's length, counting unsynced writes.
    fn len(&self) -> u64;
    /// Whether the file is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The read-only bytes of a file: a memory map on disk, a shared buffer in
/// the simulated file layer. Cloning is cheap and keeps the bytes alive.
#[derive(Clone)]
pub enum FileBytes {
    Mapped(Arc<memmap2::Mmap>),
    Memory(Arc<[u8]>),
}

impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Memory(bytes) => bytes,
        }
    }
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileBytes({} bytes)", self.len())
    }
}
