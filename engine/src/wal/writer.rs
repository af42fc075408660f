//! Appending and group commit.
//!
//! Appends encode frames into an in-memory buffer under the lock. The first
//! caller of `wait_durable` to find no flush under way becomes the leader:
//! it takes the whole buffer and the file handle, writes and syncs without
//! the lock, rolls to a new file when the current one passes the size limit,
//! then publishes the new durable LSN and wakes every waiter. Waiters whose
//! LSN is still not durable elect the next leader.
//!
//! A failed write or sync poisons the log for good: after a failed fsync
//! the kernel may have dropped the dirty pages, so retrying could report
//! durability that is not there. Recovery is by reopening.

use std::mem;
use std::sync::MutexGuard;

use super::files;
use super::frame::{self, FRAME_HEADER_SIZE};
use super::{Lsn, MAX_RECORD_SIZE, Wal};
use crate::error::{Error, Result};
use crate::vfs::WritableFile;

/// Limit on appended bytes not yet taken by a leader: appending more
/// without waiting is an error rather than unbounded memory.
pub const MAX_BUFFER_SIZE: usize = 1 << 30;

const _: () = assert!(MAX_BUFFER_SIZE >= 2 * (MAX_RECORD_SIZE + FRAME_HEADER_SIZE));

/// The state behind the Wal's mutex.
pub(super) struct Inner {
    /// Frames appended but not yet taken by a leader.
    pub buffer: Vec<u8>,
    /// The LSN of `buffer[0]`.
    pub buffer_start: Lsn,
    /// The LSN just past the last appended record.
    pub end_lsn: Lsn,
    /// Everything before this LSN is synced.
    pub durable_lsn: Lsn,
    /// Whether a leader is writing; it holds `file` meanwhile.
    pub leader: bool,
    /// Why the log stopped, once a write or sync failed.
    pub poisoned: Option<String>,
    /// The current log file; None while a leader writes or once poisoned.
    pub file: Option<Box<dyn WritableFile>>,
    /// The start LSN of the current file.
    pub file_start: Lsn,
    /// Start LSNs of the live log files, ascending (the current one last,
    /// except while a leader that rolled has not yet published).
    pub files: Vec<Lsn>,
    /// Syncs issued: file fsyncs and directory syncs.
    pub sync_count: u64,
}

impl Inner {
    pub fn check_poisoned(&self) -> Result<()> {
        match &self.poisoned {
            Some(why) => Err(Error::Poisoned(why.clone())),
            None => Ok(()),
        }
    }
}

/// What a leader did besides writing, published when it finishes.
#[derive(Default)]
struct Flushed {
    new_files: Vec<Lsn>,
    syncs: u64,
}

impl Wal {
    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves Inner consistent: every
        // mutation happens after all fallible steps.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends one record to the in-memory buffer (does not wait); returns
    /// the LSN just past the record (the position to wait for). Records
    /// appear in the log in the order of append calls.
    pub fn append(&self, payload: &[u8]) -> Result<Lsn> {
        if payload.len() > MAX_RECORD_SIZE {
            return Err(Error::Limit(format!(
                "log record of {} bytes exceeds the limit of {MAX_RECORD_SIZE}",
                payload.len()
            )));
        }
        let size = frame::frame_size(payload.len());
        let mut inner = self.lock();
        inner.check_poisoned()?;
        if inner.buffer.len() + size as usize > MAX_BUFFER_SIZE {
            return Err(Error::Limit(format!(
                "{} bytes appended to the log without waiting for durability (limit \
                 {MAX_BUFFER_SIZE})",
                inner.buffer.len()
            )));
        }
        let lsn = inner.end_lsn;
        let end = lsn
            .checked_add(size)
            .ok_or_else(|| Error::Limit("log sequence number overflow".to_owned()))?;
        frame::encode(lsn, payload, &mut inner.buffer);
        inner.end_lsn = end;
        debug_assert_eq!(inner.buffer_start + inner.buffer.len() as u64, end);
        Ok(end)
    }

    /// Blocks until the log is durable up to `lsn`. Concurrent callers share
    /// one write and fsync (group commit).
    pub fn wait_durable(&self, lsn: Lsn) -> Result<()> {
        let mut inner = self.lock();
        if lsn > inner.end_lsn {
            return Err(Error::Invalid(format!(
                "waiting for log position {lsn} past the end {}",
                inner.end_lsn
            )));
        }
        loop {
            inner.check_poisoned()?;
            if inner.durable_lsn >= lsn {
                return Ok(());
            }
            if !inner.leader {
                let durable = self.lead(inner, false)?;
                assert!(durable >= lsn);
                return Ok(());
            }
            inner = self.flushed.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Makes everything appended durable and starts a new log file at the
    /// current end, so that the files before it can be retired after a
    /// checkpoint. Returns that LSN (the current file's start if it holds
    /// no record yet).
    pub fn rotate(&self) -> Result<Lsn> {
        let mut inner = self.lock();
        loop {
            inner.check_poisoned()?;
            if !inner.leader {
                return self.lead(inner, true);
            }
            inner = self.flushed.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Flushes the whole buffer as the leader; returns the new durable LSN.
    fn lead(&self, mut inner: MutexGuard<'_, Inner>, force_roll: bool) -> Result<Lsn> {
        assert!(!inner.leader);
        assert_eq!(inner.buffer_start, inner.durable_lsn);
        let batch = mem::take(&mut inner.buffer);
        let batch_start = inner.buffer_start;
        let batch_end = inner.end_lsn;
        assert_eq!(batch_start + batch.len() as u64, batch_end);
        inner.buffer_start = batch_end;
        let Some(mut file) = inner.file.take() else {
            unreachable!("the current file is present when no leader runs and not poisoned");
        };
        let mut file_start = inner.file_start;
        inner.leader = true;
        drop(inner);

        let mut flushed = Flushed::default();
        let result = self.write_batch(
            &mut file,
            &mut file_start,
            batch_start,
            &batch,
            force_roll,
            &mut flushed,
        );

        let mut inner = self.lock();
        assert!(inner.leader);
        inner.leader = false;
        inner.sync_count += flushed.syncs;
        inner.files.extend(flushed.new_files);
        let outcome = match result {
            Ok(()) => {
                inner.file = Some(file);
                inner.file_start = file_start;
                inner.durable_lsn = batch_end;
                if inner.buffer.is_empty() {
                    // Reuse the allocation for the next batch.
                    let mut batch = batch;
                    batch.clear();
                    inner.buffer = batch;
                }
                Ok(if force_roll { file_start } else { batch_end })
            }
            Err(error) => {
                let why = format!("write-ahead log write failed: {error}");
                tracing::error!(%why, "write-ahead log poisoned");
                inner.poisoned = Some(why.clone());
                Err(Error::Poisoned(why))
            }
        };
        self.flushed.notify_all();
        outcome
    }

    /// Writes and syncs `batch` (whole frames from `batch_start`), rolling
    /// to a new file at a record boundary whenever the current file passes
    /// the size limit, and once more at the end if `force_roll`.
    fn write_batch(
        &self,
        file: &mut Box<dyn WritableFile>,
        file_start: &mut Lsn,
        batch_start: Lsn,
        batch: &[u8],
        force_roll: bool,
        flushed: &mut Flushed,
    ) -> Result<()> {
        let limit = self.config.file_size_limit;
        let mut chunk_start = 0;
        let mut at = 0;
        while at < batch.len() {
            at += FRAME_HEADER_SIZE + frame::own_payload_len(&batch[at..]);
            let passes = file.len() + (at - chunk_start) as u64 >= limit;
            if passes || at == batch.len() {
                file.write_all(&batch[chunk_start..at])?;
                file.sync()?;
                flushed.syncs += 1;
                chunk_start = at;
                if file.len() >= limit {
                    self.roll(file, file_start, batch_start + at as u64, flushed)?;
                }
            }
        }
        assert_eq!(at, batch.len());
        let end = batch_start + batch.len() as u64;
        if force_roll && *file_start != end {
            self.roll(file, file_start, end, flushed)?;
        }
        Ok(())
    }

    /// Starts the file beginning at `start`. The old file is fully synced
    /// by now, so a crash can never leave a torn record before a valid one.
    fn roll(
        &self,
        file: &mut Box<dyn WritableFile>,
        file_start: &mut Lsn,
        start: Lsn,
        flushed: &mut Flushed,
    ) -> Result<()> {
        assert!(start > *file_start, "rolling to a new file needs a record");
        let (new, syncs) = files::create(&*self.vfs, start)?;
        flushed.syncs += syncs;
        flushed.new_files.push(start);
        *file = new;
        *file_start = start;
        Ok(())
    }
}
