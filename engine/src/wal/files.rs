//! Log files: naming, the file header, listing, creation and removal.
//!
//! A log file is named `wal-{start_lsn:020}.log` and begins with a 32-byte
//! header; its frames follow, the first at LSN `start_lsn`. LSNs count
//! frame bytes only, so the frame at LSN `l` sits at file offset
//! `HEADER_SIZE + (l - start_lsn)`.

use super::Lsn;
use crate::error::Result;
use crate::vfs::{Vfs, WritableFile};

pub(crate) const HEADER_SIZE: usize = 32;
const MAGIC: [u8; 8] = *b"CRMDBWAL";
const VERSION: u32 = 1;
const PREFIX: &str = "wal-";
const SUFFIX: &str = ".log";
const DIGITS: usize = 20;

/// Limit on the number of log files open() accepts, so that a directory
/// full of junk cannot make it loop for ever.
pub(crate) const MAX_FILES: usize = 1 << 20;

pub(crate) fn file_name(start: Lsn) -> String {
    format!("{PREFIX}{start:020}{SUFFIX}")
}

/// The start LSN of a log file's name, or None if the name is not ours.
pub(crate) fn parse_file_name(name: &str) -> Option<Lsn> {
    let digits = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    if digits.len() != DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let start = digits.parse().ok()?;
    // Only the canonical spelling, so that two names never mean one LSN.
    (file_name(start) == name).then_some(start)
}

/// The start LSNs of the log files in `vfs`, ascending.
pub(crate) fn list(vfs: &dyn Vfs) -> Result<Vec<Lsn>> {
    let mut starts: Vec<Lsn> = vfs
        .list()?
        .iter()
        .filter_map(|name| parse_file_name(name))
        .collect();
    starts.sort_unstable();
    if starts.len() > MAX_FILES {
        return Err(crate::Error::Limit(format!(
            "{} log files in {} (limit {MAX_FILES})",
            starts.len(),
            vfs.describe()
        )));
    }
    Ok(starts)
}

pub(crate) fn encode_header(start: Lsn) -> [u8; HEADER_SIZE] {
    let mut header = [0; HEADER_SIZE];
    header[0..8].copy_from_slice(&MAGIC);
    header[8..12].copy_from_slice(&VERSION.to_le_bytes());
    // 12..16: flags, 24..28: reserved; both zero in version 1.
    header[16..24].copy_from_slice(&start.to_le_bytes());
    let crc = crc32fast::hash(&header[..28]);
    header[28..32].copy_from_slice(&crc.to_le_bytes());
    header
}

/// Checks that `data` begins with the header of the file starting at
/// `start`; returns why not.
pub(crate) fn check_header(data: &[u8], start: Lsn) -> Result<(), String> {
    let Some(header) = data.get(..HEADER_SIZE) else {
        return Err(format!(
            "partial file header ({} of {HEADER_SIZE} bytes)",
            data.len()
        ));
    };
    if header[0..8] != MAGIC {
        return Err("bad magic: not a crmdb log file".to_owned());
    }
    if *header != encode_header(start) {
        // The checksum tells a damaged header from a foreign one.
        let crc = crc32fast::hash(&header[..28]).to_le_bytes();
        return Err(if header[28..32] != crc {
            "file header checksum mismatch".to_owned()
        } else {
            "file header does not match its name (version or start LSN)".to_owned()
        });
    }
    Ok(())
}

/// Creates the log file starting at `start` and makes it durable: header
/// written and synced, directory synced, before anyone relies on it.
/// Returns the file and the number of syncs issued.
pub(crate) fn create(vfs: &dyn Vfs, start: Lsn) -> Result<(Box<dyn WritableFile>, u64)> {
    let mut file = vfs.create(&file_name(start))?;
    file.write_all(&encode_header(start))?;
    file.sync()?;
    vfs.sync_dir()?;
    assert_eq!(file.len(), HEADER_SIZE as u64);
    Ok((file, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sort() {
        assert_eq!(file_name(42), "wal-00000000000000000042.log");
        assert_eq!(parse_file_name(&file_name(42)), Some(42));
        assert_eq!(parse_file_name(&file_name(u64::MAX)), Some(u64::MAX));
        for bad in [
            "wal-42.log",
            "wal-0000000000000000004x.log",
            "wal-00000000000000000042.log.tmp",
            "wal-99999999999999999999.log",
            "MANIFEST",
            "wal-+0000000000000000042.log",
        ] {
            assert_eq!(parse_file_name(bad), None, "{bad}");
        }
        assert!(file_name(9) < file_name(10));
    }

    #[test]
    fn header_checks() {
        let header = encode_header(77);
        assert!(check_header(&header, 77).is_ok());
        assert!(check_header(&header, 78).unwrap_err().contains("name"));
        assert!(
            check_header(&header[..31], 77)
                .unwrap_err()
                .contains("partial")
        );
        for bit in 0..HEADER_SIZE * 8 {
            let mut bad = header;
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(check_header(&bad, 77).is_err(), "bit {bit}");
        }
    }
}
