//! Delete-bitmap files: the rows deleted from one segment, as of a
//! checkpoint. Segments are immutable; a delete marks the row's position in
//! its segment's bitmap, and each checkpoint writes the bitmaps that changed
//! as new files (never modifying an old one), named in the manifest.
//!
//! Layout (little-endian):
//!
//! ```text
//! 0   8  magic "CRMDBDEL"
//! 8   4  format version (1)
//! 12  8  segment id
//! 20  4  bitmap length N
//! 24  4  CRC32 of bytes 0..24 and the bitmap
//! 28  N  the bitmap, in the portable roaring serialization
//! ```

use roaring::RoaringBitmap;

use crate::error::{Error, Result};
use crate::vfs::Vfs;

const MAGIC: &[u8; 8] = b"CRMDBDEL";
const VERSION: u32 = 1;
const HEADER: usize = 28;

/// Writes and syncs the delete bitmap of segment `segment_id` as `name`.
pub fn write(vfs: &dyn Vfs, name: &str, segment_id: u64, deletes: &RoaringBitmap) -> Result<()> {
    let mut bitmap = Vec::with_capacity(deletes.serialized_size());
    deletes
        .serialize_into(&mut bitmap)
        .expect("serializing into a Vec cannot fail");
    let mut bytes = Vec::with_capacity(HEADER + bitmap.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&segment_id.to_le_bytes());
    bytes.extend_from_slice(&(bitmap.len() as u32).to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&bytes);
    crc.update(&bitmap);
    bytes.extend_from_slice(&crc.finalize().to_le_bytes());
    bytes.extend_from_slice(&bitmap);
    let mut file = vfs.create(name)?;
    file.write_all(&bytes)?;
    file.sync()
}

/// Reads the delete bitmap `name`, which must belong to segment
/// `segment_id` and name only positions below `rows`.
pub fn read(vfs: &dyn Vfs, name: &str, segment_id: u64, rows: u32) -> Result<RoaringBitmap> {
    let bytes = vfs.read(name)?;
    let bad = |offset: usize, detail: &str| Error::corruption(name, offset as u64, detail);
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err(bad(0, "not a delete-bitmap file (bad magic or too short)"));
    }
    let field = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    if field(8) != VERSION {
        return Err(bad(8, "unsupported delete-bitmap version"));
    }
    let len = field(20) as usize;
    if bytes.len() != HEADER + len {
        return Err(bad(20, "bitmap length does not match the file"));
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&bytes[..24]);
    crc.update(&bytes[HEADER..]);
    if crc.finalize() != field(24) {
        return Err(bad(24, "checksum mismatch"));
    }
    let owner = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    if owner != segment_id {
        return Err(bad(
            12,
            &format!("belongs to segment {owner}, not {segment_id}"),
        ));
    }
    let bitmap = RoaringBitmap::deserialize_from(&bytes[HEADER..])
        .map_err(|e| bad(HEADER, &format!("bitmap does not parse: {e}")))?;
    if bitmap.max().is_some_and(|m| m >= rows) {
        return Err(bad(HEADER, "bitmap names rows past the segment's end"));
    }
    Ok(bitmap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::DiskVfs;

    #[test]
    fn round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let vfs = DiskVfs::new(dir.path()).unwrap();
        let bitmap: RoaringBitmap = [1u32, 5, 99].into_iter().collect();
        write(&vfs, "del-1.del", 7, &bitmap).unwrap();
        assert_eq!(read(&vfs, "del-1.del", 7, 100).unwrap(), bitmap);
        assert!(read(&vfs, "del-1.del", 8, 100).is_err());
        assert!(read(&vfs, "del-1.del", 7, 50).is_err());
        let good = std::fs::read(dir.path().join("del-1.del")).unwrap();
        for bit in 0..good.len() * 8 {
            let mut bad = good.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            std::fs::write(dir.path().join("del-1.del"), &bad).unwrap();
            assert!(matches!(
                read(&vfs, "del-1.del", 7, 100),
                Err(Error::Corruption { .. })
            ));
        }
    }
}
