//! Segments: immutable, columnar, checksummed files holding a sorted run of
//! a table's rows.
//!
//! A segment is written once by [`write_segment`] from rows sorted by their
//! primary key, synced, and afterwards only read, through a read-only map,
//! by [`Segment`]. Each column is a block of fixed-width little-endian
//! values (or offsets and bytes, or a dictionary, for TEXT) with its NULL
//! bitmap and min/max; a key block holds the sorted primary keys; a footer
//! directs to every block with its CRC32. docs/file-formats.md documents
//! every byte.
//!
//! Opening verifies the whole file, so that a segment that opens is trusted:
//! its accessors never fail, and a bit flipped or a byte lost on disk is an
//! [`crate::Error::Corruption`] at open, never a panic or a wrong answer.

mod column;
mod encode;
mod format;
mod nulls;
mod reader;
mod sorted;
mod validate;
mod writer;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_corruption;

pub use reader::Segment;
pub use writer::write_segment;

/// Most rows one segment holds: row positions are dense u32s, and a
/// segment is built in memory before it is written.
pub const MAX_SEGMENT_ROWS: u32 = 1 << 24;
/// Most columns one segment holds (PostgreSQL's limit for a table).
pub const MAX_COLUMNS: usize = 1600;

/// What the manifest records about a segment just written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentInfo {
    /// Rows in the segment.
    pub rows: u32,
    /// Length of the file in bytes.
    pub bytes: u64,
}
