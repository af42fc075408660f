//! [`write_segment`]: turns sorted rows into a segment file.
//!
//! The whole segment is gathered in memory column by column (it is bounded
//! by [`MAX_SEGMENT_ROWS`]), then written block by block: header, one block
//! per column, the key block, the footer's directory and the trailer.

use super::encode::{ColumnBuilder, MAX_BYTES};
use super::format::{
    ALIGN, DIR_ENTRY_LEN, FORMAT_VERSION, HEADER_LEN, MAGIC, TRAILER_MAGIC, block_kind, pad,
};
use super::{MAX_COLUMNS, MAX_SEGMENT_ROWS, SegmentInfo};
use crate::error::{Error, Result};
use crate::row::Row;
use crate::types::DataType;
use crate::vfs::{Vfs, WritableFile};

/// Writes a segment file `name` holding `rows`, sorted by strictly
/// increasing key (the byte-comparable encoding of `row::encode_key`), each
/// with one value per entry of `columns` that fits its type. Column `i`
/// gets its indexes built when `indexed[i]` is true (missing entries are
/// false).
///
/// Writes through `vfs.create` and ends with `sync()` of the file; the
/// caller syncs the directory, and removes the file if this fails midway.
/// Unsorted keys, rows of the wrong width and values that do not fit are
/// [`Error::Invalid`]; more than [`MAX_SEGMENT_ROWS`] rows, more than
/// [`MAX_COLUMNS`] columns, or more than 4 GiB of text in one column or of
/// keys is [`Error::Limit`].
pub fn write_segment(
    vfs: &dyn Vfs,
    name: &str,
    columns: &[DataType],
    indexed: &[bool],
    rows: &mut dyn Iterator<Item = (Vec<u8>, Row)>,
) -> Result<SegmentInfo> {
    if columns.len() > MAX_COLUMNS {
        return Err(Error::Limit(format!(
            "a segment holds at most {MAX_COLUMNS} columns, got {}",
            columns.len()
        )));
    }
    let mut builders: Vec<ColumnBuilder> = columns
        .iter()
        .enumerate()
        .map(|(i, &ty)| ColumnBuilder::new(ty, indexed.get(i).copied().unwrap_or(false)))
        .collect();
    let mut keys = KeyBuilder::default();
    let mut count: u32 = 0;
    for (key, row) in rows {
        if count == MAX_SEGMENT_ROWS {
            return Err(Error::Limit(format!(
                "a segment holds at most {MAX_SEGMENT_ROWS} rows"
            )));
        }
        if row.len() != columns.len() {
            return Err(Error::Invalid(format!(
                "segment row {count} has {} values for {} columns",
                row.len(),
                columns.len()
            )));
        }
        keys.push(&key, count)?;
        for (builder, value) in builders.iter_mut().zip(row.iter()) {
            builder.push(value)?;
        }
        count += 1;
    }

    let mut out = Output {
        file: vfs.create(name)?,
        offset: 0,
        directory: Vec::with_capacity((columns.len() + 1) * DIR_ENTRY_LEN),
    };
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(&MAGIC);
    header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    header.extend_from_slice(&[0; 4]);
    out.write(&header)?;
    for builder in builders {
        out.block(&builder.finish(), block_kind::COLUMN)?;
    }
    out.block(&keys.finish(), block_kind::KEYS)?;

    // Footer: the directory, then the fixed-size trailer whose crc covers
    // both (everything but its own crc and the magic).
    out.align()?;
    let footer_offset = out.offset;
    let mut tail = std::mem::take(&mut out.directory);
    let footer_len = u32::try_from(tail.len()).expect("bounded by MAX_COLUMNS");
    tail.extend_from_slice(&footer_offset.to_le_bytes());
    tail.extend_from_slice(&footer_len.to_le_bytes());
    tail.extend_from_slice(&count.to_le_bytes());
    let column_count = u32::try_from(columns.len()).expect("bounded by MAX_COLUMNS");
    tail.extend_from_slice(&column_count.to_le_bytes());
    let crc = crc32fast::hash(&tail);
    tail.extend_from_slice(&crc.to_le_bytes());
    tail.extend_from_slice(&TRAILER_MAGIC);
    out.write(&tail)?;
    out.file.sync()?;
    debug_assert_eq!(out.offset, out.file.len());
    tracing::debug!(
        segment = name,
        rows = count,
        bytes = out.offset,
        "wrote segment"
    );
    Ok(SegmentInfo {
        rows: count,
        bytes: out.offset,
    })
}

/// The file being written and the directory of the blocks written so far.
struct Output {
    file: Box<dyn WritableFile>,
    offset: u64,
    directory: Vec<u8>,
}

impl Output {
    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.file.write_all(bytes)?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// Zero padding up to the next multiple of [`ALIGN`].
    fn align(&mut self) -> Result<()> {
        let pad = self.offset.next_multiple_of(ALIGN as u64) - self.offset;
        self.write(&[0; ALIGN][..pad as usize])
    }

    fn block(&mut self, bytes: &[u8], kind: u32) -> Result<()> {
        self.align()?;
        self.directory.extend_from_slice(&self.offset.to_le_bytes());
        self.directory
            .extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.directory
            .extend_from_slice(&crc32fast::hash(bytes).to_le_bytes());
        self.directory.extend_from_slice(&kind.to_le_bytes());
        self.write(bytes)
    }
}

/// The key block: u32 offsets (rows + 1), padding to 8, the key bytes.
#[derive(Default)]
struct KeyBuilder {
    offsets: Vec<u32>,
    bytes: Vec<u8>,
    last: Option<(usize, usize)>,
}

impl KeyBuilder {
    fn push(&mut self, key: &[u8], pos: u32) -> Result<()> {
        if let Some((start, end)) = self.last
            && self.bytes[start..end] >= *key
        {
            return Err(Error::Invalid(format!(
                "segment keys must strictly increase; row {pos} does not"
            )));
        }
        if key.len() > MAX_BYTES - self.bytes.len() {
            return Err(Error::Limit(format!(
                "a segment holds at most {MAX_BYTES} bytes of keys"
            )));
        }
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(key);
        self.offsets
            .push(u32::try_from(self.bytes.len()).expect("checked against MAX_BYTES"));
        self.last = Some((start, self.bytes.len()));
        Ok(())
    }

    fn finish(self) -> Vec<u8> {
        let offsets = if self.offsets.is_empty() {
            vec![0]
        } else {
            self.offsets
        };
        let mut out = Vec::with_capacity(offsets.len() * 4 + ALIGN + self.bytes.len());
        for o in &offsets {
            out.extend_from_slice(&o.to_le_bytes());
        }
        pad(&mut out);
        out.extend_from_slice(&self.bytes);
        out
    }
}
