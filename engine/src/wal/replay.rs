//! Open-time scan and recovery of the log.
//!
//! Every file is read in LSN order and every frame checked: its length
//! bounded, its LSN equal to its position, its CRC right. The first bad
//! spot (a bad frame, a bad file header, or a file that does not start
//! where the previous one ended) is then judged by what follows it:
//!
//! - no valid frame anywhere after it: a crash mid-write left a torn tail.
//!   The file is cut at the bad frame (or removed, if its header is bad),
//!   later log files are removed, and a warning says what was dropped.
//! - a valid frame after it, in the same file or a later one, or a later
//!   file with a valid header: records the log once acknowledged are
//!   damaged. That is corruption, reported with the file and offset;
//!   nothing is skipped silently. (A later file is created only after every
//!   earlier one was synced whole, so its valid header proves that no
//!   earlier frame can be torn.)

use super::Lsn;
use super::files::{self, HEADER_SIZE, file_name};
use super::frame;
use crate::error::{Error, Result};
use crate::vfs::Vfs;

/// The log as recovered.
#[derive(Debug)]
pub(crate) struct Recovered {
    /// Start LSNs of the surviving log files, ascending. Empty if a new
    /// file must be created at `end`.
    pub files: Vec<Lsn>,
    /// The LSN just past the last valid record.
    pub end: Lsn,
}

/// The first bad spot of the log.
struct Bad {
    index: usize,
    offset: usize,
    /// The length of the bad spot's file.
    file_len: usize,
    detail: String,
}

/// Scans the log in `vfs`, calls `apply` for each record at or after
/// `from`, and cuts a torn tail. Returns where appending resumes.
pub(crate) fn replay(
    vfs: &dyn Vfs,
    from: Lsn,
    apply: &mut dyn FnMut(Lsn, &[u8]) -> Result<()>,
) -> Result<Recovered> {
    let starts = files::list(vfs)?;
    let Some(&first) = starts.first() else {
        return Ok(Recovered {
            files: Vec::new(),
            end: from,
        });
    };
    if from < first {
        return Err(Error::corruption(
            file_name(first),
            0,
            format!("replay must start at LSN {from} but the log begins at {first}"),
        ));
    }
    let mut live = Vec::new();
    let mut end = first;
    let mut bad: Option<Bad> = None;
    for (index, &start) in starts.iter().enumerate() {
        let name = file_name(start);
        let data = vfs.map(&name)?;
        // Where a frame at file offset `at` must claim to be.
        let lsn_at = |at: usize| {
            let delta = at.checked_sub(HEADER_SIZE)?;
            start.checked_add(delta as u64)
        };
        if let Some(bad) = &bad {
            if files::check_header(&data, start).is_ok() {
                return Err(corrupt(&starts, bad, "file header", &name, 0));
            }
            if let Some(at) = frame::find_valid(&data, HEADER_SIZE, lsn_at) {
                return Err(corrupt(&starts, bad, "frame", &name, at));
            }
            continue;
        }
        let header = files::check_header(&data, start).and_then(|()| {
            if start == end {
                Ok(())
            } else {
                Err(format!(
                    "file starts at LSN {start} but the log before it ends at {end}"
                ))
            }
        });
        if let Err(detail) = header {
            let here = Bad {
                index,
                offset: 0,
                file_len: data.len(),
                detail,
            };
            if let Some(at) = frame::find_valid(&data, HEADER_SIZE, lsn_at) {
                return Err(corrupt(&starts, &here, "frame", &name, at));
            }
            bad = Some(here);
            continue;
        }
        live.push(start);
        let mut at = HEADER_SIZE;
        let mut lsn = start;
        while at < data.len() {
            match frame::decode(&data[at..], lsn) {
                Ok(payload) => {
                    if lsn >= from {
                        apply(lsn, payload)?;
                    }
                    let size = frame::frame_size(payload.len());
                    at += size as usize;
                    lsn = lsn
                        .checked_add(size)
                        .ok_or_else(|| Error::corruption(&name, at as u64, "LSN overflows u64"))?;
                }
                Err(detail) => {
                    let here = Bad {
                        index,
                        offset: at,
                        file_len: data.len(),
                        detail,
                    };
                    if let Some(later) = frame::find_valid(&data, at + 1, lsn_at) {
                        return Err(corrupt(&starts, &here, "frame", &name, later));
                    }
                    bad = Some(here);
                    break;
                }
            }
        }
        end = lsn;
    }
    if from > end {
        return Err(Error::corruption(
            file_name(*starts.last().unwrap_or(&first)),
            0,
            format!("replay must start at LSN {from} but the log ends at {end}"),
        ));
    }
    if let Some(bad) = bad {
        cut_tail(vfs, &starts, &bad)?;
    }
    Ok(Recovered { files: live, end })
}

/// The corruption error for a bad spot followed by something valid.
fn corrupt(starts: &[Lsn], bad: &Bad, what: &str, later_file: &str, later_at: usize) -> Error {
    Error::corruption(
        file_name(starts[bad.index]),
        bad.offset as u64,
        format!(
            "{}; a valid {what} follows at {later_file} offset {later_at}, so this is damage, \
             not a torn write",
            bad.detail
        ),
    )
}

/// Drops a torn tail: cuts the file at the bad frame (durably), or removes
/// it if nothing of it is valid, and removes every later log file.
fn cut_tail(vfs: &dyn Vfs, starts: &[Lsn], bad: &Bad) -> Result<()> {
    let name = file_name(starts[bad.index]);
    let mut removed = false;
    if bad.offset >= HEADER_SIZE {
        assert!(bad.offset < bad.file_len);
        tracing::warn!(
            file = %name,
            offset = bad.offset,
            dropped = bad.file_len - bad.offset,
            detail = %bad.detail,
            "write-ahead log: dropping torn tail left by a crash mid-write"
        );
        vfs.truncate(&name, bad.offset as u64)?;
    } else {
        tracing::warn!(
            file = %name,
            detail = %bad.detail,
            "write-ahead log: removing a log file left incomplete by a crash"
        );
        vfs.remove(&name)?;
        removed = true;
    }
    for &start in &starts[bad.index + 1..] {
        let later = file_name(start);
        tracing::warn!(file = %later, "write-ahead log: removing a log file past the torn tail");
        vfs.remove(&later)?;
        removed = true;
    }
    if removed {
        vfs.sync_dir()?;
    }
    Ok(())
}
