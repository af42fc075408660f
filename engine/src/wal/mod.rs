//! The write-ahead log: an append-only sequence of checksummed records that
//! makes a change durable before it is acknowledged.
//!
//! A record is an opaque payload; the log gives it an [`Lsn`], its position
//! in the logical log stream. The stream is split across files named
//! `wal-{start_lsn:020}.log` in the data directory, each with a 32-byte
//! header. See docs/file-formats.md (WAL section) for every byte, and
//! `replay.rs` for the recovery rules: a torn tail is cut, damage before
//! valid records is reported as corruption.
//!
//! Concurrency: [`Wal::append`] only buffers; [`Wal::wait_durable`] does group
//! commit (see `writer.rs`). After a failed write or fsync every call
//! returns [`Error::Poisoned`].

mod files;
mod frame;
mod replay;
mod writer;

#[cfg(test)]
mod crash_tests;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Condvar, Mutex};

use crate::error::{Error, Result};
use crate::vfs::Vfs;

pub use writer::MAX_BUFFER_SIZE;

/// Position in the log: the byte offset of a record's frame in the logical
/// log stream, which is all files' frames concatenated, *excluding* the
/// file headers. A record "ends" at the LSN where the next one starts.
pub type Lsn = u64;

/// Limit on a record's payload; larger appends fail with [`Error::Limit`].
pub const MAX_RECORD_SIZE: usize = 256 << 20;

/// How the log lays out its files.
#[derive(Debug, Clone)]
pub struct WalConfig {
    /// Roll to a new file once the current one passes this many bytes
    /// (checked at record boundaries, after each synced write).
    pub file_size_limit: u64,
}

impl Default for WalConfig {
    fn default() -> Self {
        WalConfig {
            file_size_limit: 64 << 20,
        }
    }
}

/// The write-ahead log of one data directory.
pub struct Wal {
    vfs: Arc<dyn Vfs>,
    config: WalConfig,
    inner: Mutex<writer::Inner>,
    /// Signalled whenever a leader finishes (durable LSN moved or poisoned).
    flushed: Condvar,
}

impl std::fmt::Debug for Wal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.lock();
        f.debug_struct("Wal")
            .field("dir", &self.vfs.describe())
            .field("durable_lsn", &inner.durable_lsn)
            .field("end_lsn", &inner.end_lsn)
            .field("files", &inner.files.len())
            .field("poisoned", &inner.poisoned)
            .finish()
    }
}

impl Wal {
    /// Opens the log in `vfs`, creating its first file (at `from`) if there
    /// is none, and replays every record whose LSN is `>= from` by calling
    /// `apply(lsn, payload)` in order. A torn tail is cut (and logged with
    /// `tracing::warn!`); a bad frame followed by a valid one is
    /// [`Error::Corruption`], as is a `from` outside the log. Returns the
    /// log ready to append after the last valid record.
    pub fn open(
        vfs: Arc<dyn Vfs>,
        from: Lsn,
        config: WalConfig,
        apply: &mut dyn FnMut(Lsn, &[u8]) -> Result<()>,
    ) -> Result<Wal> {
        if config.file_size_limit == 0 {
            return Err(Error::Invalid(
                "WAL file_size_limit must be positive".to_owned(),
            ));
        }
        let recovered = replay::replay(&*vfs, from, apply)?;
        let end = recovered.end;
        let mut sync_count = 0;
        let (file, file_start, live) = match recovered.files.last() {
            Some(&start) => {
                let name = files::file_name(start);
                let file = vfs.open_append(&name)?;
                let expected = files::HEADER_SIZE as u64 + (end - start);
                if file.len() != expected {
                    // Replay read a different length than the file now has.
                    return Err(Error::corruption(
                        name,
                        file.len(),
                        format!("log file changed during open (expected {expected} bytes)"),
                    ));
                }
                (file, start, recovered.files)
            }
            None => {
                let (file, syncs) = files::create(&*vfs, end)?;
                sync_count += syncs;
                (file, end, vec![end])
            }
        };
        let inner = writer::Inner {
            buffer: Vec::new(),
            buffer_start: end,
            end_lsn: end,
            durable_lsn: end,
            leader: false,
            poisoned: None,
            file: Some(file),
            file_start,
            files: live,
            sync_count,
        };
        Ok(Wal {
            vfs,
            config,
            inner: Mutex::new(inner),
            flushed: Condvar::new(),
        })
    }

    /// Everything before this LSN is durable.
    pub fn durable_lsn(&self) -> Lsn {
        self.lock().durable_lsn
    }

    /// The LSN just past the last appended record.
    pub fn end_lsn(&self) -> Lsn {
        self.lock().end_lsn
    }

    /// Syncs performed so far (file fsyncs and directory syncs), for tests
    /// and benches.
    pub fn sync_count(&self) -> u64 {
        self.lock().sync_count
    }

    /// Start LSNs of the live log files, ascending (for tests and tools).
    pub fn file_starts(&self) -> Vec<Lsn> {
        self.lock().files.clone()
    }

    /// Removes the log files all of whose records lie before `lsn` (never
    /// the current file), oldest first, then syncs the directory. Any I/O
    /// failure poisons the log.
    pub fn retire_before(&self, lsn: Lsn) -> Result<()> {
        let victims: Vec<Lsn> = {
            let mut inner = self.lock();
            inner.check_poisoned()?;
            // File i holds records up to the start of file i + 1; the last
            // file listed is never retired.
            let count = inner.files.windows(2).take_while(|w| w[1] <= lsn).count();
            inner.files.drain(..count).collect()
        };
        if victims.is_empty() {
            return Ok(());
        }
        // Oldest first: a crash part-way leaves a contiguous log.
        let result = victims
            .iter()
            .try_for_each(|&start| self.vfs.remove(&files::file_name(start)))
            .and_then(|()| self.vfs.sync_dir());
        let mut inner = self.lock();
        match result {
            Ok(()) => {
                inner.sync_count += 1;
                Ok(())
            }
            Err(error) => {
                let why = format!("write-ahead log retirement failed: {error}");
                inner.poisoned = Some(why.clone());
                self.flushed.notify_all();
                Err(Error::Poisoned(why))
            }
        }
    }
}
