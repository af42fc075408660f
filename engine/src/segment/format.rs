//! The segment file's constants, type tags, and a bounds-checked cursor for
//! reading its bytes. Every byte is documented in docs/file-formats.md.

use std::ops::Range;

use crate::error::{Error, Result};
use crate::types::{DataType, NumericTypmod};

/// First 8 bytes of every segment file.
pub const MAGIC: [u8; 8] = *b"CRMDBSEG";
/// Last 8 bytes of every segment file: a truncated file does not end with it.
pub const TRAILER_MAGIC: [u8; 8] = *b"CRMDBEND";
/// Bumped on any change a version-1 reader would misread.
pub const FORMAT_VERSION: u32 = 1;

/// Magic, u32 version, u32 reserved (zero).
pub const HEADER_LEN: usize = 16;
/// u64 footer offset, u32 footer length, u32 rows, u32 columns, u32 crc,
/// trailer magic.
pub const TRAILER_LEN: usize = 32;
/// u64 offset, u64 length, u32 crc32, u32 block kind.
pub const DIR_ENTRY_LEN: usize = 24;
/// Fixed header at the start of every column block.
pub const COLUMN_HEADER_LEN: usize = 32;
/// Blocks and the sections inside them start at multiples of this.
pub const ALIGN: usize = 8;

/// Most index entries a column's index area may hold.
pub const MAX_INDEX_ENTRIES: u32 = 64;

/// What a directory entry points at.
pub mod block_kind {
    pub const COLUMN: u32 = 1;
    pub const KEYS: u32 = 2;
}

/// How a column block lays out its values.
pub mod encoding {
    /// One fixed-width little-endian slot per row (BOOLEAN, INTEGER, DATE,
    /// BIGINT, TIMESTAMPTZ, DOUBLE).
    pub const FIXED: u8 = 1;
    /// NUMERIC: sub-header, optional per-row scales, fixed-width mantissas.
    pub const NUMERIC: u8 = 2;
    /// TEXT: u32 offsets (rows + 1) and the concatenated bytes.
    pub const TEXT_PLAIN: u8 = 3;
    /// TEXT: sorted dictionary and one fixed-width code per row.
    pub const TEXT_DICT: u8 = 4;
}

/// The type byte of a column block.
mod type_tag {
    pub const BOOLEAN: u8 = 1;
    pub const INTEGER: u8 = 2;
    pub const BIGINT: u8 = 3;
    pub const DOUBLE: u8 = 4;
    pub const NUMERIC: u8 = 5;
    pub const TEXT: u8 = 6;
    pub const DATE: u8 = 7;
    pub const TIMESTAMPTZ: u8 = 8;
    pub const TIMESTAMP: u8 = 9;
    pub const INTERVAL: u8 = 10;
}

/// The 4 type bytes of a column block: tag, has-typmod, precision, scale.
pub fn type_bytes(ty: &DataType) -> [u8; 4] {
    let tag = match ty {
        DataType::Boolean => type_tag::BOOLEAN,
        DataType::Integer => type_tag::INTEGER,
        DataType::BigInt => type_tag::BIGINT,
        DataType::Double => type_tag::DOUBLE,
        DataType::Numeric(_) => type_tag::NUMERIC,
        DataType::Text => type_tag::TEXT,
        DataType::Date => type_tag::DATE,
        DataType::TimestampTz => type_tag::TIMESTAMPTZ,
        DataType::Timestamp => type_tag::TIMESTAMP,
        DataType::Interval => type_tag::INTERVAL,
    };
    match ty {
        DataType::Numeric(Some(t)) => [tag, 1, t.precision, t.scale],
        _ => [tag, 0, 0, 0],
    }
}

/// The inverse of [`type_bytes`]; `None` for anything it never writes.
pub fn type_from_bytes(b: [u8; 4]) -> Option<DataType> {
    let simple = |ty: DataType| (b[1..] == [0, 0, 0]).then_some(ty);
    match b[0] {
        type_tag::BOOLEAN => simple(DataType::Boolean),
        type_tag::INTEGER => simple(DataType::Integer),
        type_tag::BIGINT => simple(DataType::BigInt),
        type_tag::DOUBLE => simple(DataType::Double),
        type_tag::TEXT => simple(DataType::Text),
        type_tag::DATE => simple(DataType::Date),
        type_tag::TIMESTAMPTZ => simple(DataType::TimestampTz),
        type_tag::TIMESTAMP => simple(DataType::Timestamp),
        type_tag::INTERVAL => simple(DataType::Interval),
        type_tag::NUMERIC => match b[1] {
            0 => simple(DataType::Numeric(None)),
            1 => {
                let (precision, scale) = (b[2], b[3]);
                let valid = (1..=crate::types::NUMERIC_MAX_PRECISION).contains(&precision)
                    && scale <= precision;
                valid.then_some(DataType::Numeric(Some(NumericTypmod { precision, scale })))
            }
            _ => None,
        },
        _ => None,
    }
}

/// `n` rounded up to [`ALIGN`].
pub fn align(n: usize) -> usize {
    n.next_multiple_of(ALIGN)
}

/// Appends zeros to `out` up to the next multiple of [`ALIGN`].
pub fn pad(out: &mut Vec<u8>) {
    out.resize(align(out.len()), 0);
}

/// A bounds-checked reader over `buf[pos..end]` of the file `file` whose
/// failures are corruption reports with absolute file offsets. Ranges it
/// hands out index the whole file's bytes.
pub struct Cursor<'a> {
    buf: &'a [u8],
    file: &'a str,
    pos: usize,
    end: usize,
    /// What is being read, for messages ("column 3", "footer").
    what: &'a str,
}

impl<'a> Cursor<'a> {
    /// A cursor over `range` of `buf`; the caller has checked the range.
    pub fn new(buf: &'a [u8], file: &'a str, range: Range<usize>, what: &'a str) -> Self {
        assert!(range.start <= range.end && range.end <= buf.len());
        Cursor {
            buf,
            file,
            pos: range.start,
            end: range.end,
            what,
        }
    }

    /// The whole file's bytes.
    pub fn buf(&self) -> &'a [u8] {
        self.buf
    }

    /// Absolute offset of the next byte.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.end - self.pos
    }

    /// A corruption report at the cursor's position.
    pub fn error(&self, detail: impl std::fmt::Display) -> Error {
        self.error_at(self.pos, detail)
    }

    /// A corruption report at absolute offset `at`.
    pub fn error_at(&self, at: usize, detail: impl std::fmt::Display) -> Error {
        Error::corruption(self.file, at as u64, format!("{}: {detail}", self.what))
    }

    /// The next `n` bytes as an absolute range.
    pub fn take(&mut self, n: usize) -> Result<Range<usize>> {
        if n > self.remaining() {
            return Err(self.error(format!("needs {n} bytes, {} left", self.remaining())));
        }
        let start = self.pos;
        self.pos += n;
        Ok(start..self.pos)
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let range = self.take(n)?;
        Ok(&self.buf[range])
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// Reads `n` bytes that must all be zero (reserved fields, padding).
    pub fn zeros(&mut self, n: usize) -> Result<()> {
        let at = self.pos;
        if self.bytes(n)?.iter().any(|&b| b != 0) {
            return Err(self.error_at(at, "reserved or padding bytes are not zero"));
        }
        Ok(())
    }

    /// Skips zero padding up to the next multiple of [`ALIGN`].
    pub fn pad(&mut self) -> Result<()> {
        self.zeros(align(self.pos) - self.pos)
    }

    /// A u32 length field that must be at most `limit`.
    pub fn len_u32(&mut self, limit: usize) -> Result<usize> {
        let at = self.pos;
        let n = self.u32()? as usize;
        if n > limit {
            return Err(self.error_at(at, format!("length {n} exceeds {limit}")));
        }
        Ok(n)
    }

    /// Fails unless every byte was consumed.
    pub fn finish(&self) -> Result<()> {
        if self.remaining() != 0 {
            return Err(self.error(format!("{} unexpected trailing bytes", self.remaining())));
        }
        Ok(())
    }
}

/// Start of each section (null bitmap, min/max, values, index area) of a
/// column block whose section lengths are given, and the block's length;
/// `None` if the lengths overflow.
pub fn section_starts(lens: [usize; 4]) -> Option<([usize; 4], usize)> {
    let mut starts = [0; 4];
    let mut at = COLUMN_HEADER_LEN;
    for (start, len) in starts.iter_mut().zip(lens) {
        *start = at.checked_next_multiple_of(ALIGN)?;
        at = start.checked_add(len)?;
    }
    Some((starts, at))
}

/// Reads the little-endian u32 at index `i` of the u32 array at `range`.
/// The caller guarantees the array holds more than `i` entries.
pub fn u32_at(buf: &[u8], range: &Range<usize>, i: usize) -> u32 {
    let at = range.start + i * 4;
    debug_assert!(at + 4 <= range.end);
    let mut b = [0; 4];
    b.copy_from_slice(&buf[at..at + 4]);
    u32::from_le_bytes(b)
}
