//! Parsing and validating a column block once, at open.
//!
//! Validation is complete (every length, offset, code, scale, UTF-8 string,
//! NULL slot and padding byte), so that the accessors in column.rs cannot
//! fail or read out of bounds on a segment that opened.

use std::ops::Range;

use roaring::RoaringBitmap;

use super::column::{Column, Layout, code_at, mantissa};
use super::encode::MAX_DICT_LEN;
use super::format::{COLUMN_HEADER_LEN, Cursor, MAX_INDEX_ENTRIES, encoding, section_starts};
use super::format::{type_from_bytes, u32_at};
use super::nulls::NullCursor;
use crate::error::Result;
use crate::index::ColumnIndex;
use crate::row::Reader;
use crate::types::{DataType, NUMERIC_MAX_PRECISION, Numeric, Value};

impl Column {
    /// Parses and validates the column block at `block` of `buf`.
    pub fn parse(
        buf: &[u8],
        file: &str,
        what: &str,
        block: Range<usize>,
        rows: u32,
    ) -> Result<Column> {
        let mut c = Cursor::new(buf, file, block.clone(), what);
        let at = c.pos();
        let ty =
            type_from_bytes(c.array()?).ok_or_else(|| c.error_at(at, "unknown column type"))?;
        let at = c.pos();
        let enc = c.u8()?;
        c.zeros(3)?;
        let nulls_len = c.len_u32(block.len())?;
        let min_max_len = c.len_u32(block.len())?;
        let values_len = usize::try_from(c.u64()?).unwrap_or(usize::MAX);
        let index_len = c.len_u32(block.len())?;
        c.zeros(4)?;
        debug_assert_eq!(c.pos() - block.start, COLUMN_HEADER_LEN);
        let lens = [nulls_len, min_max_len, values_len, index_len];
        let (starts, len) =
            section_starts(lens).ok_or_else(|| c.error("section lengths overflow"))?;
        if len != block.len() {
            return Err(c.error(format!(
                "sections span {len} bytes, block has {}",
                block.len()
            )));
        }
        let section = |i: usize| block.start + starts[i]..block.start + starts[i] + lens[i];
        let sub = |i: usize| Cursor::new(buf, file, section(i), what);
        // Padding between sections must be zero too: no bit goes unchecked.
        let mut gaps = Cursor::new(buf, file, c.pos()..block.end, what);
        for len in lens {
            gaps.pad()?;
            gaps.take(len)?;
        }

        let nulls = parse_nulls(&sub(0), &buf[section(0)], rows)?;
        let min_max = parse_min_max(&sub(1), &buf[section(1)], ty, &nulls, rows)?;
        let mut v = sub(2);
        let layout = match (enc, ty) {
            (encoding::FIXED, DataType::Boolean) => fixed(&mut v, rows, 1)?,
            (encoding::FIXED, DataType::Integer | DataType::Date) => fixed(&mut v, rows, 4)?,
            (
                encoding::FIXED,
                DataType::BigInt | DataType::TimestampTz | DataType::Timestamp | DataType::Double,
            ) => fixed(&mut v, rows, 8)?,
            (encoding::FIXED, DataType::Interval) => fixed(&mut v, rows, 16)?,
            (encoding::NUMERIC, DataType::Numeric(_)) => numeric(&mut v, rows, ty)?,
            (encoding::TEXT_PLAIN, DataType::Text) => plain(&mut v, rows)?,
            (encoding::TEXT_DICT, DataType::Text) => dict(&mut v, rows)?,
            _ => return Err(c.error_at(at, format!("encoding {enc} is not valid for {ty}"))),
        };
        v.finish()?;
        let index = parse_index(&mut sub(3), &ty, rows, &nulls)?;
        let column = Column {
            ty,
            nulls,
            min_max,
            layout,
            rows,
            index,
            sorted: std::sync::OnceLock::new(),
        };
        column.validate_values(buf, &sub(2), rows)?;
        Ok(column)
    }

    /// Checks every stored value: NULL slots hold zeros, booleans are 0 or
    /// 1, NUMERICs are in range and fit the column, texts are UTF-8 and
    /// dictionaries sorted.
    fn validate_values(&self, buf: &[u8], c: &Cursor, rows: u32) -> Result<()> {
        if let Layout::Dict { offsets, bytes, .. } = &self.layout {
            let entries = offsets.len() / 4 - 1;
            let mut prev: Option<&[u8]> = None;
            for i in 0..entries {
                let (s, e) = (
                    u32_at(buf, offsets, i) as usize,
                    u32_at(buf, offsets, i + 1) as usize,
                );
                let entry = &buf[bytes.start + s..bytes.start + e];
                if prev.is_some_and(|p| p >= entry) {
                    return Err(c.error(format!("dictionary entry {i} is out of order")));
                }
                if std::str::from_utf8(entry).is_err() {
                    return Err(c.error(format!("dictionary entry {i} is not UTF-8")));
                }
                prev = Some(entry);
            }
        }
        let mut nulls = NullCursor::new(&self.nulls);
        for pos in 0..rows {
            let p = pos as usize;
            let null = nulls.is_null(pos);
            let ok = match &self.layout {
                Layout::Fixed { width, values } => {
                    let slot = &buf[values.start + p * width..values.start + (p + 1) * width];
                    let bool_ok = self.ty != DataType::Boolean || slot[0] <= 1;
                    bool_ok && (!null || slot.iter().all(|&b| b == 0))
                }
                Layout::Numeric {
                    common_scale,
                    scales,
                    width,
                    mantissas,
                } => {
                    let scale = common_scale.unwrap_or_else(|| buf[scales.start + p]);
                    let at = mantissas.start + p * width;
                    let m = mantissa(&buf[at..at + width]);
                    if null {
                        m == 0 && (common_scale.is_some() || scale == 0)
                    } else {
                        Numeric::new(m, scale).is_some_and(|n| Value::Numeric(n).fits(&self.ty))
                    }
                }
                Layout::Plain { offsets, bytes } => {
                    let (s, e) = (
                        u32_at(buf, offsets, p) as usize,
                        u32_at(buf, offsets, p + 1) as usize,
                    );
                    if null {
                        s == e
                    } else {
                        std::str::from_utf8(&buf[bytes.start + s..bytes.start + e]).is_ok()
                    }
                }
                Layout::Dict {
                    offsets,
                    width,
                    codes,
                    ..
                } => {
                    let code = code_at(buf, codes, *width, p);
                    if null {
                        code == 0
                    } else {
                        code < offsets.len() / 4 - 1
                    }
                }
            };
            if !ok {
                return Err(c.error(format!("row {pos} holds an invalid value")));
            }
        }
        Ok(())
    }
}

fn parse_nulls(c: &Cursor, bytes: &[u8], rows: u32) -> Result<RoaringBitmap> {
    let mut reader = bytes;
    let nulls = RoaringBitmap::deserialize_from(&mut reader)
        .map_err(|e| c.error(format!("null bitmap does not decode: {e}")))?;
    if !reader.is_empty() {
        return Err(c.error("null bitmap is followed by stray bytes"));
    }
    if nulls.max().is_some_and(|m| m >= rows) {
        return Err(c.error("null bitmap names a row past the end"));
    }
    Ok(nulls)
}

fn parse_min_max(
    c: &Cursor,
    bytes: &[u8],
    ty: DataType,
    nulls: &RoaringBitmap,
    rows: u32,
) -> Result<Option<(Value, Value)>> {
    let all_null = nulls.len() == u64::from(rows);
    if bytes.is_empty() {
        return match all_null {
            true => Ok(None),
            false => Err(c.error("min/max missing for a column with values")),
        };
    }
    if all_null {
        return Err(c.error("min/max present for a column of NULLs"));
    }
    let mut r = Reader::new(bytes);
    let lo = r.value().map_err(|e| c.error(format!("min: {e}")))?;
    let hi = r.value().map_err(|e| c.error(format!("max: {e}")))?;
    if !r.is_empty() || lo.is_null() || hi.is_null() || !lo.fits(&ty) || !hi.fits(&ty) {
        return Err(c.error("min/max are not two values of the column's type"));
    }
    Ok(Some((lo, hi)))
}

/// The index area: u32 entry count, u32 zero, then per entry u16 kind,
/// u16 zero, u32 length, the bytes, zero padding to 8. Known kinds are
/// decoded and checked against the null bitmap; unknown ones skipped.
fn parse_index(
    c: &mut Cursor,
    ty: &DataType,
    rows: u32,
    nulls: &RoaringBitmap,
) -> Result<ColumnIndex> {
    let count = c.u32()?;
    c.zeros(4)?;
    if count > MAX_INDEX_ENTRIES {
        return Err(c.error(format!("{count} index entries exceed {MAX_INDEX_ENTRIES}")));
    }
    let mut index = ColumnIndex::default();
    for _ in 0..count {
        let at = c.pos();
        let kind = c.u16()?;
        c.zeros(2)?;
        let len = c.len_u32(c.remaining())?;
        let bytes = c.bytes(len)?;
        index
            .add_entry(kind, bytes)
            .map_err(|e| c.error_at(at, format!("index entry of kind {kind}: {e}")))?;
        c.pad()?;
    }
    index
        .check(ty, rows, nulls)
        .map_err(|e| c.error(format!("index area: {e}")))?;
    c.finish()?;
    Ok(index)
}

fn fixed(c: &mut Cursor, rows: u32, width: usize) -> Result<Layout> {
    let values = c.take(rows as usize * width)?;
    Ok(Layout::Fixed { width, values })
}

fn numeric(c: &mut Cursor, rows: u32, ty: DataType) -> Result<Layout> {
    let at = c.pos();
    let [width, mode, common] = c.array::<3>()?;
    c.zeros(5)?;
    let typmod_scale = match ty {
        DataType::Numeric(Some(t)) => Some(t.scale),
        _ => None,
    };
    let bad = ![8, 16].contains(&width)
        || mode > 1
        || (mode == 1 && (common != 0 || typmod_scale.is_some()))
        || common > NUMERIC_MAX_PRECISION
        || typmod_scale.is_some_and(|s| s != common);
    if bad {
        return Err(c.error_at(at, "bad numeric sub-header"));
    }
    let (common_scale, scales) = if mode == 0 {
        (Some(common), c.pos()..c.pos())
    } else {
        let scales = c.take(rows as usize)?;
        c.pad()?;
        (None, scales)
    };
    let width = usize::from(width);
    let mantissas = c.take(rows as usize * width)?;
    Ok(Layout::Numeric {
        common_scale,
        scales,
        width,
        mantissas,
    })
}

/// u32 offsets array of `n + 1` entries starting at 0, non-decreasing, then
/// padding, then exactly the bytes the last offset names.
fn offsets_and_bytes(c: &mut Cursor, n: usize) -> Result<(Range<usize>, Range<usize>)> {
    let offsets = c.take((n + 1) * 4)?;
    c.pad()?;
    let mut prev = 0;
    for i in 0..=n {
        let o = u32_at(c.buf(), &offsets, i);
        if (i == 0 && o != 0) || o < prev {
            return Err(c.error_at(offsets.start + i * 4, "offsets are not increasing from 0"));
        }
        prev = o;
    }
    let bytes = c.take(prev as usize)?;
    Ok((offsets, bytes))
}

fn plain(c: &mut Cursor, rows: u32) -> Result<Layout> {
    let (offsets, bytes) = offsets_and_bytes(c, rows as usize)?;
    Ok(Layout::Plain { offsets, bytes })
}

fn dict(c: &mut Cursor, rows: u32) -> Result<Layout> {
    let at = c.pos();
    let entries = c.len_u32(MAX_DICT_LEN)?;
    let width = usize::from(c.u8()?);
    c.zeros(3)?;
    let expected = if entries <= 256 { 1 } else { 2 };
    if entries == 0 || width != expected {
        return Err(c.error_at(at, "bad dictionary header"));
    }
    let (offsets, bytes) = offsets_and_bytes(c, entries)?;
    c.pad()?;
    let codes = c.take(rows as usize * width)?;
    Ok(Layout::Dict {
        offsets,
        bytes,
        width,
        codes,
    })
}
