//! The manifest: the one small file that says which segments are live and
//! from which log position recovery replays.
//!
//! It is replaced atomically: written to `MANIFEST.tmp`, synced, renamed over
//! `MANIFEST`, and the directory synced. A crash at any point leaves either
//! the old or the new manifest, never a mix.
//!
//! Layout (little-endian):
//!
//! ```text
//! 0   8  magic "CRMDBMAN"
//! 8   4  format version (1)
//! 12  4  payload length N
//! 16  4  CRC32 of the payload
//! 20  N  payload: the ManifestData below as UTF-8 JSON
//! ```

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, ColumnId, TableId};
use crate::error::{Error, Result};
use crate::vfs::Vfs;

/// The manifest's file name.
pub const MANIFEST: &str = "MANIFEST";
const MANIFEST_TMP: &str = "MANIFEST.tmp";
const MAGIC: &[u8; 8] = b"CRMDBMAN";
const VERSION: u32 = 1;
const HEADER: usize = 20;
/// A manifest larger than this is refused as corrupt.
const MAX_PAYLOAD: usize = 256 << 20;

/// What the manifest records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestData {
    /// Recovery replays the log from here: every earlier record's effect is
    /// in the segments below.
    pub wal_lsn: u64,
    /// The next commit sequence number.
    pub next_seq: u64,
    /// The next number for a segment or delete-bitmap file.
    pub next_file_id: u64,
    /// The next hidden row id for tables without a primary key.
    pub next_rowid: u64,
    pub catalog: Catalog,
    pub segments: Vec<SegmentEntry>,
}

/// One live segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentEntry {
    pub id: u64,
    pub table: TableId,
    pub file: String,
    pub rows: u32,
    pub column_ids: Vec<ColumnId>,
    pub max_seq: u64,
    /// The delete-bitmap file for this segment, if any row is deleted.
    pub deletes: Option<String>,
}

impl ManifestData {
    /// Writes the manifest atomically and durably.
    pub fn write(&self, vfs: &dyn Vfs) -> Result<()> {
        let payload = serde_json::to_vec(self).expect("manifest data serializes");
        assert!(payload.len() <= MAX_PAYLOAD, "manifest over its limit");
        let mut bytes = Vec::with_capacity(HEADER + payload.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        let mut file = vfs.create(MANIFEST_TMP)?;
        file.write_all(&bytes)?;
        file.sync()?;
        drop(file);
        vfs.rename(MANIFEST_TMP, MANIFEST)?;
        vfs.sync_dir()
    }

    /// Reads the manifest; `None` if the directory has none.
    pub fn read(vfs: &dyn Vfs) -> Result<Option<ManifestData>> {
        if !vfs.exists(MANIFEST)? {
            return Ok(None);
        }
        let bytes = vfs.read(MANIFEST)?;
        let bad = |offset: usize, detail: &str| Error::corruption(MANIFEST, offset as u64, detail);
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(bad(0, "not a crmdb manifest (bad magic or too short)"));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != VERSION {
            return Err(bad(8, &format!("unsupported manifest version {version}")));
        }
        let len = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(bytes[16..20].try_into().expect("4 bytes"));
        if len > MAX_PAYLOAD || bytes.len() != HEADER + len {
            return Err(bad(12, "payload length does not match the file"));
        }
        let payload = &bytes[HEADER..];
        if crc32fast::hash(payload) != crc {
            return Err(bad(HEADER, "payload checksum mismatch"));
        }
        serde_json::from_slice(payload)
            .map(Some)
            .map_err(|e| bad(HEADER, &format!("payload does not parse: {e}")))
    }

    /// Every file the manifest refers to.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.segments
            .iter()
            .flat_map(|s| std::iter::once(s.file.as_str()).chain(s.deletes.as_deref()))
    }
}

/// Whether `name` is a file that some manifest may refer to, so that files
/// of this kind that the current one does not name can be removed.
pub fn is_data_file(name: &str) -> bool {
    name == MANIFEST_TMP
        || (name.starts_with("seg-") && name.ends_with(".cseg"))
        || (name.starts_with("del-") && name.ends_with(".del"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::DiskVfs;

    fn sample() -> ManifestData {
        ManifestData {
            wal_lsn: 77,
            next_seq: 5,
            next_file_id: 3,
            next_rowid: 9,
            catalog: Catalog::default(),
            segments: vec![SegmentEntry {
                id: 1,
                table: 0,
                file: "seg-1.cseg".into(),
                rows: 10,
                column_ids: vec![0, 1],
                max_seq: 4,
                deletes: Some("del-1-2.del".into()),
            }],
        }
    }

    #[test]
    fn write_then_read() {
        let dir = tempfile::tempdir().unwrap();
        let vfs = DiskVfs::new(dir.path()).unwrap();
        assert!(ManifestData::read(&vfs).unwrap().is_none());
        sample().write(&vfs).unwrap();
        assert_eq!(ManifestData::read(&vfs).unwrap().unwrap(), sample());
        assert!(!vfs.exists(MANIFEST_TMP).unwrap());
    }

    #[test]
    fn any_flipped_bit_is_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let vfs = DiskVfs::new(dir.path()).unwrap();
        sample().write(&vfs).unwrap();
        let good = std::fs::read(dir.path().join(MANIFEST)).unwrap();
        for bit in 0..good.len() * 8 {
            let mut bad = good.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            std::fs::write(dir.path().join(MANIFEST), &bad).unwrap();
            match ManifestData::read(&vfs) {
                Err(Error::Corruption { .. }) => {}
                other => panic!("bit {bit}: expected corruption, got {other:?}"),
            }
        }
    }
}
