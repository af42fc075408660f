//! [`Segment`]: an open, verified, read-only segment file.
//!
//! Opening checks every byte of the file: the header, the trailer and the
//! footer's CRC, each block's CRC, the zero padding between blocks, and
//! then the layout of every block (see column.rs). After that the segment
//! is trusted and its accessors decode straight from the mapped bytes.

use std::ops::Range;

use roaring::RoaringBitmap;

use super::column::Column;
use super::format::{
    ALIGN, Cursor, DIR_ENTRY_LEN, FORMAT_VERSION, HEADER_LEN, MAGIC, TRAILER_LEN, TRAILER_MAGIC,
    block_kind, u32_at,
};
use super::{MAX_COLUMNS, MAX_SEGMENT_ROWS};
use crate::error::{Error, Result};
use crate::index::ColumnIndex;
use crate::row::Row;
use crate::types::{DataType, Value};
use crate::vfs::{FileBytes, Vfs};

/// An open, verified, read-only segment. `Send + Sync`; callers share it
/// behind an `Arc`. The mapped bytes stay valid while it lives, even if the
/// file is removed meanwhile.
pub struct Segment {
    name: String,
    bytes: FileBytes,
    rows: u32,
    types: Vec<DataType>,
    columns: Vec<Column>,
    key_offsets: Range<usize>,
    key_bytes: Range<usize>,
}

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segment")
            .field("name", &self.name)
            .field("rows", &self.rows)
            .field("types", &self.types)
            .finish_non_exhaustive()
    }
}

impl Segment {
    /// Maps `name` and verifies it whole; anything that does not check out
    /// is [`Error::Corruption`] naming the file, the offset and the check.
    pub fn open(vfs: &dyn Vfs, name: &str) -> Result<Segment> {
        let bytes = vfs.map(name)?;
        let buf: &[u8] = &bytes;
        let len = buf.len();
        let min = HEADER_LEN + DIR_ENTRY_LEN + TRAILER_LEN;
        if len < min || !len.is_multiple_of(ALIGN) {
            return Err(Error::corruption(
                name,
                len as u64,
                format!("file length {len} is not a multiple of {ALIGN} of at least {min} bytes"),
            ));
        }

        let mut header = Cursor::new(buf, name, 0..HEADER_LEN, "header");
        if header.array::<8>()? != MAGIC {
            return Err(header.error_at(0, "bad magic, not a segment file"));
        }
        let version = header.u32()?;
        if version != FORMAT_VERSION {
            return Err(header.error_at(
                8,
                format!("format version {version}, expected {FORMAT_VERSION}"),
            ));
        }
        header.zeros(4)?;

        // The trailer locates the footer; its crc covers the footer and
        // itself, so nothing it says is used before the crc matches.
        let trailer_start = len - TRAILER_LEN;
        let mut t = Cursor::new(buf, name, trailer_start..len, "trailer");
        let footer_offset = t.u64()?;
        let footer_len = t.u32()? as usize;
        let rows = t.u32()?;
        let column_count = t.u32()? as usize;
        let crc = t.u32()?;
        if t.array::<8>()? != TRAILER_MAGIC {
            return Err(t.error_at(
                len - 8,
                "bad trailer magic, the file is truncated or not a segment",
            ));
        }
        let footer_start = trailer_start
            .checked_sub(footer_len)
            .filter(|&s| s as u64 == footer_offset && s >= HEADER_LEN)
            .ok_or_else(|| {
                t.error_at(
                    trailer_start,
                    "footer offset and length do not meet the trailer",
                )
            })?;
        let actual = crc32fast::hash(&buf[footer_start..trailer_start + 20]);
        if actual != crc {
            return Err(t.error_at(
                trailer_start + 20,
                format!("footer crc {actual:#010x}, expected {crc:#010x}"),
            ));
        }
        if rows > MAX_SEGMENT_ROWS || column_count > MAX_COLUMNS {
            return Err(t.error_at(
                trailer_start,
                format!("{rows} rows or {column_count} columns exceed the limits"),
            ));
        }
        if footer_len != (column_count + 1) * DIR_ENTRY_LEN {
            return Err(t.error_at(
                trailer_start,
                "footer length does not match the column count",
            ));
        }

        // The directory: blocks follow each other, each 8-byte aligned,
        // with zero padding between them, from the header to the footer.
        let mut dir = Cursor::new(buf, name, footer_start..trailer_start, "footer");
        let mut gaps = Cursor::new(buf, name, HEADER_LEN..footer_start, "padding");
        let mut blocks = Vec::with_capacity(column_count + 1);
        for i in 0..=column_count {
            let at = dir.pos();
            let offset = dir.u64()?;
            let length = dir.u64()?;
            let crc = dir.u32()?;
            let kind = dir.u32()?;
            let expected_kind = if i < column_count {
                block_kind::COLUMN
            } else {
                block_kind::KEYS
            };
            gaps.pad()?;
            if kind != expected_kind
                || offset != gaps.pos() as u64
                || length > gaps.remaining() as u64
            {
                return Err(
                    dir.error_at(at, format!("block {i} is misplaced or of the wrong kind"))
                );
            }
            let block = gaps.take(length as usize)?;
            let actual = crc32fast::hash(&buf[block.clone()]);
            if actual != crc {
                return Err(Error::corruption(
                    name,
                    offset,
                    format!("block {i} crc {actual:#010x}, expected {crc:#010x}"),
                ));
            }
            blocks.push(block);
        }
        gaps.pad()?;
        gaps.finish()?;
        dir.finish()?;

        let keys = blocks.pop().expect("the key block is always there");
        let mut columns = Vec::with_capacity(column_count);
        for (i, block) in blocks.into_iter().enumerate() {
            columns.push(Column::parse(
                buf,
                name,
                &format!("column {i}"),
                block,
                rows,
            )?);
        }
        let (key_offsets, key_bytes) = parse_keys(buf, name, keys, rows)?;
        let types = columns.iter().map(|c| c.ty).collect();
        Ok(Segment {
            name: name.to_owned(),
            bytes,
            rows,
            types,
            columns,
            key_offsets,
            key_bytes,
        })
    }

    /// The file name the segment was opened from.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn row_count(&self) -> u32 {
        self.rows
    }

    pub fn column_types(&self) -> &[DataType] {
        &self.types
    }

    /// Value of column `col` at row position `pos`. Panics if either is out
    /// of range: that is a bug in the caller, not in the file.
    pub fn value(&self, col: usize, pos: u32) -> Value {
        assert!(
            pos < self.rows,
            "row {pos} of {} in {}",
            self.rows,
            self.name
        );
        self.columns[col].value(&self.bytes, pos)
    }

    /// The bit-sliced-index keys of column `col` at the non-NULL rows
    /// `rows` (for INTEGER and BIGINT, their values), appended to `out`;
    /// false when a value has none (see `Column::keys`). Panics on
    /// positions out of range, like [`Self::value`].
    pub fn keys(&self, col: usize, rows: &RoaringBitmap, out: &mut Vec<i64>) -> bool {
        if let Some(max) = rows.max() {
            assert!(
                max < self.rows,
                "row {max} of {} in {}",
                self.rows,
                self.name
            );
        }
        self.columns[col].keys(&self.bytes, rows, out)
    }

    /// The whole row at `pos`.
    pub fn row(&self, pos: u32) -> Row {
        assert!(
            pos < self.rows,
            "row {pos} of {} in {}",
            self.rows,
            self.name
        );
        self.columns
            .iter()
            .map(|c| c.value(&self.bytes, pos))
            .collect()
    }

    /// The TEXT value of column `col` at `pos` without copying it; `None`
    /// for NULL or when the column is not TEXT.
    pub fn text(&self, col: usize, pos: u32) -> Option<&str> {
        assert!(
            pos < self.rows,
            "row {pos} of {} in {}",
            self.rows,
            self.name
        );
        self.columns[col].text(&self.bytes, pos)
    }

    /// Key bytes of row `pos`.
    pub fn key(&self, pos: u32) -> &[u8] {
        assert!(
            pos < self.rows,
            "row {pos} of {} in {}",
            self.rows,
            self.name
        );
        let start = u32_at(&self.bytes, &self.key_offsets, pos as usize) as usize;
        let end = u32_at(&self.bytes, &self.key_offsets, pos as usize + 1) as usize;
        &self.bytes[self.key_bytes.start + start..self.key_bytes.start + end]
    }

    /// Position of the row whose key is `key`, by binary search.
    pub fn find_key(&self, key: &[u8]) -> Option<u32> {
        // A key past either end is answered by one comparison: rows
        // inserted with growing keys (a serial id) are past every older
        // segment's last key.
        let last = self.rows.checked_sub(1)?;
        if key > self.key(last) || key < self.key(0) {
            return None;
        }
        let (mut lo, mut hi) = (0u32, self.rows);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.key(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The positions of the rows whose column `col` holds `x`, when `col`
    /// is an INTEGER or BIGINT column in order through the segment (see
    /// sorted.rs; the first call per column reads it whole); None when it
    /// is not.
    pub fn run_of(&self, col: usize, x: i64) -> Option<Range<u32>> {
        self.columns[col].run_of(&self.bytes, x)
    }

    /// Positions of the rows whose column `col` is NULL.
    pub fn nulls(&self, col: usize) -> &RoaringBitmap {
        &self.columns[col].nulls
    }

    /// The indexes of column `col` (empty when it is not indexed).
    pub fn column_index(&self, col: usize) -> &ColumnIndex {
        &self.columns[col].index
    }

    /// Min and max of the non-NULL values of column `col` (None when all
    /// are NULL), in the order documented in docs/file-formats.md.
    pub fn min_max(&self, col: usize) -> Option<(Value, Value)> {
        self.columns[col].min_max.clone()
    }

    /// How column `col` is laid out, for tests.
    #[cfg(test)]
    pub(super) fn layout_name(&self, col: usize) -> String {
        self.columns[col].layout_name()
    }

    /// Calls `f(pos, value)` for every row of column `col`, in order.
    /// Fixed-width columns decode straight from the mapped bytes, and only
    /// TEXT allocates per value.
    pub fn scan_column(&self, col: usize, mut f: impl FnMut(u32, Value)) {
        self.columns[col].scan(&self.bytes, &mut f);
    }
}

/// The key block: u32 offsets (rows + 1) from 0, non-decreasing; padding;
/// the key bytes, each key strictly greater than the one before.
fn parse_keys(
    buf: &[u8],
    name: &str,
    block: Range<usize>,
    rows: u32,
) -> Result<(Range<usize>, Range<usize>)> {
    let mut c = Cursor::new(buf, name, block, "key block");
    let n = rows as usize;
    let offsets = c.take((n + 1) * 4)?;
    c.pad()?;
    let bytes = c.take(c.remaining())?;
    let mut prev: Option<&[u8]> = None;
    let mut start = 0usize;
    if u32_at(buf, &offsets, 0) != 0 {
        return Err(c.error_at(offsets.start, "first key offset is not 0"));
    }
    for i in 0..n {
        let end = u32_at(buf, &offsets, i + 1) as usize;
        if end < start || end > bytes.len() || (i + 1 == n && end != bytes.len()) {
            return Err(c.error_at(
                offsets.start + (i + 1) * 4,
                format!("key offset {} is out of bounds", i + 1),
            ));
        }
        let key = &buf[bytes.start + start..bytes.start + end];
        if prev.is_some_and(|p| p >= key) {
            return Err(c.error_at(
                bytes.start + start,
                format!("key {i} does not sort after the key before it"),
            ));
        }
        prev = Some(key);
        start = end;
    }
    if n == 0 && !bytes.is_empty() {
        return Err(c.error_at(bytes.start, "key bytes in a segment without rows"));
    }
    Ok((offsets, bytes))
}
