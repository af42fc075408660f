//! [`DiskVfs`]: the real file layer, a directory on the local file system.

use std::any::Any;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{FileBytes, Vfs, WritableFile};
use crate::error::{Error, Result};

/// Name of the file whose lock marks the directory as in use.
const LOCK_FILE: &str = "LOCK";

/// A data directory on the local file system.
#[derive(Debug, Clone)]
pub struct DiskVfs {
    root: PathBuf,
}

impl DiskVfs {
    /// Uses `root` as the data directory, creating it if needed.
    pub fn new(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
        Ok(DiskVfs { root })
    }

    /// The directory's path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, name: &str) -> PathBuf {
        debug_assert!(!name.contains('/'), "data directory is flat: {name}");
        self.root.join(name)
    }
}

struct DiskFile {
    file: File,
    path: PathBuf,
    len: u64,
}

impl WritableFile for DiskFile {
    fn write_all(&mut self, buf: &[u8]) -> Result<()> {
        self.file
            .write_all(buf)
            .map_err(|e| Error::io(&self.path, e))?;
        self.len += buf.len() as u64;
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        self.file.sync_data().map_err(|e| Error::io(&self.path, e))
    }

    fn len(&self) -> u64 {
        self.len
    }
}

impl Vfs for DiskVfs {
    fn create(&self, name: &str) -> Result<Box<dyn WritableFile>> {
        let path = self.path(name);
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        Ok(Box::new(DiskFile { file, path, len: 0 }))
    }

    fn open_append(&self, name: &str) -> Result<Box<dyn WritableFile>> {
        let path = self.path(name);
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let len = file.metadata().map_err(|e| Error::io(&path, e))?.len();
        Ok(Box::new(DiskFile { file, path, len }))
    }

    fn read(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.path(name);
        fs::read(&path).map_err(|e| Error::io(&path, e))
    }

    fn map(&self, name: &str) -> Result<FileBytes> {
        let path = self.path(name);
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let len = file.metadata().map_err(|e| Error::io(&path, e))?.len();
        if len == 0 {
            return Ok(FileBytes::Memory(Arc::from(Vec::new())));
        }
        // SAFETY: the engine never writes to a file after it has been
        // completed and synced, and maps only such files; no other process
        // writes to the data directory while we hold its lock. The map is
        // read-only, so no write goes through it either.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(&path, e))?;
        Ok(FileBytes::Mapped(Arc::new(map)))
    }

    fn truncate(&self, name: &str, len: u64) -> Result<()> {
        let path = self.path(name);
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.set_len(len).map_err(|e| Error::io(&path, e))?;
        file.sync_all().map_err(|e| Error::io(&path, e))
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        let from = self.path(from);
        fs::rename(&from, self.path(to)).map_err(|e| Error::io(&from, e))
    }

    fn remove(&self, name: &str) -> Result<()> {
        let path = self.path(name);
        fs::remove_file(&path).map_err(|e| Error::io(&path, e))
    }

    fn sync_dir(&self) -> Result<()> {
        let dir = File::open(&self.root).map_err(|e| Error::io(&self.root, e))?;
        dir.sync_all().map_err(|e| Error::io(&self.root, e))
    }

    fn list(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.root).map_err(|e| Error::io(&self.root, e))? {
            let entry = entry.map_err(|e| Error::io(&self.root, e))?;
            let is_file = entry
                .file_type()
                .map_err(|e| Error::io(entry.path(), e))?
                .is_file();
            if let (true, Some(name)) = (is_file, entry.file_name().to_str()) {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    fn exists(&self, name: &str) -> Result<bool> {
        let path = self.path(name);
        path.try_exists().map_err(|e| Error::io(&path, e))
    }

    fn lock(&self) -> Result<Box<dyn Any + Send + Sync>> {
        let path = self.path(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Box::new(file)),
            Err(fs::TryLockError::WouldBlock) => Err(Error::Locked(self.root.clone())),
            Err(fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
        }
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}
