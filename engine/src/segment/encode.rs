//! Writer side of one column: collects a column's values row by row, then
//! encodes the column block (header, null bitmap, min/max, values, index
//! area) as docs/file-formats.md lays it out.

use std::cmp::Ordering;
use std::collections::HashMap;

use roaring::RoaringBitmap;

use super::format::{COLUMN_HEADER_LEN, encoding, pad, type_bytes};
use super::nulls::NullCursor;
use crate::error::{Error, Result};
use crate::index::{ColumnIndex, IndexBuilder};
use crate::row::encode_value;
use crate::types::{DataType, Numeric, Value};

/// Most distinct values a dictionary-encoded TEXT column holds: codes are
/// at most 2 bytes wide.
pub const MAX_DICT_LEN: usize = 1 << 16;
/// Text bytes of one column, and key bytes of one segment, are addressed by
/// u32 offsets.
pub const MAX_BYTES: usize = u32::MAX as usize;

/// The order min/max follow: SQL order for each type; DOUBLE as PostgreSQL
/// orders it (NaN above everything, -0.0 equal to 0.0); TEXT by bytes (C
/// collation). Both values are non-NULL and of the same type.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    a.sql_cmp(b).unwrap_or_else(|| {
        unreachable!("min/max compares non-NULL values of one type: {a:?} {b:?}")
    })
}

/// The values of one column, gathered before encoding.
enum Data {
    /// One byte per row, 0 or 1.
    Bool(Vec<u8>),
    /// `W` little-endian bytes per row.
    Fixed(Vec<u8>),
    Numeric {
        scales: Vec<u8>,
        mantissas: Vec<i128>,
    },
    /// Offsets (rows + 1) into `bytes`; a NULL row is empty.
    Text { offsets: Vec<u32>, bytes: Vec<u8> },
}

/// Collects one column of a segment being written.
pub struct ColumnBuilder {
    ty: DataType,
    rows: u32,
    nulls: RoaringBitmap,
    /// Min and max of the non-NULL values; for TEXT, row positions instead
    /// (so that sorted text does not clone a string per row).
    min_max: Option<(Value, Value)>,
    text_min_max: Option<(u32, u32)>,
    data: Data,
    /// The column's indexes, when it is indexed.
    index: Option<IndexBuilder>,
}

impl ColumnBuilder {
    /// A builder for a column of type `ty`; `indexed`: also build its
    /// indexes (see `index::ColumnIndex`).
    pub fn new(ty: DataType, indexed: bool) -> Self {
        let data = match ty {
            DataType::Boolean => Data::Bool(Vec::new()),
            DataType::Numeric(_) => Data::Numeric {
                scales: Vec::new(),
                mantissas: Vec::new(),
            },
            DataType::Text => Data::Text {
                offsets: vec![0],
                bytes: Vec::new(),
            },
            _ => Data::Fixed(Vec::new()),
        };
        ColumnBuilder {
            ty,
            rows: 0,
            nulls: RoaringBitmap::new(),
            min_max: None,
            text_min_max: None,
            data,
            index: indexed.then(|| IndexBuilder::new(ty)),
        }
    }

    /// Appends the value of the next row.
    pub fn push(&mut self, value: &Value) -> Result<()> {
        if !value.fits(&self.ty) {
            return Err(Error::Invalid(format!(
                "segment column of type {} cannot hold {value:?}",
                self.ty
            )));
        }
        let pos = self.rows;
        if value.is_null() {
            self.nulls.insert(pos);
        }
        if let Some(index) = &mut self.index {
            index.push(pos, value);
        }
        match (&mut self.data, value) {
            (Data::Bool(out), v) => out.push(u8::from(matches!(v, Value::Boolean(true)))),
            (Data::Fixed(out), v) => match v {
                Value::Integer(x) | Value::Date(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::BigInt(x) | Value::TimestampTz(x) | Value::Timestamp(x) => {
                    out.extend_from_slice(&x.to_le_bytes())
                }
                Value::Double(x) => out.extend_from_slice(&x.to_bits().to_le_bytes()),
                Value::Interval(iv) => out.extend_from_slice(&iv.to_le_bytes()),
                _ => {
                    debug_assert!(v.is_null());
                    let width = match self.ty {
                        DataType::Integer | DataType::Date => 4,
                        DataType::Interval => 16,
                        _ => 8,
                    };
                    out.resize(out.len() + width, 0);
                }
            },
            (Data::Numeric { scales, mantissas }, v) => {
                let (scale, mantissa) = match v {
                    Value::Numeric(n) => (n.scale(), n.mantissa()),
                    _ => (0, 0),
                };
                scales.push(scale);
                mantissas.push(mantissa);
            }
            (Data::Text { offsets, bytes }, v) => {
                if let Value::Text(s) = v {
                    if s.len() > MAX_BYTES - bytes.len() {
                        return Err(Error::Limit(format!(
                            "a segment's text column holds at most {MAX_BYTES} bytes"
                        )));
                    }
                    bytes.extend_from_slice(s.as_bytes());
                    self.text_min_max = Some(match self.text_min_max {
                        None => (pos, pos),
                        Some((lo, hi)) => {
                            let text = |p: u32| text_of(offsets, bytes, p);
                            let cur = s.as_bytes();
                            let lo = if cur < text(lo) { pos } else { lo };
                            let hi = if cur > text(hi) { pos } else { hi };
                            (lo, hi)
                        }
                    });
                }
                offsets.push(u32::try_from(bytes.len()).expect("checked against MAX_BYTES"));
            }
        }
        if !value.is_null() && self.ty != DataType::Text {
            self.min_max = Some(match self.min_max.take() {
                None => (value.clone(), value.clone()),
                Some((lo, hi)) => {
                    let lo = if compare(value, &lo).is_lt() {
                        value.clone()
                    } else {
                        lo
                    };
                    let hi = if compare(value, &hi).is_gt() {
                        value.clone()
                    } else {
                        hi
                    };
                    (lo, hi)
                }
            });
        }
        self.rows += 1;
        Ok(())
    }

    /// Encodes the column block.
    pub fn finish(self) -> Vec<u8> {
        let ColumnBuilder {
            ty,
            rows,
            nulls,
            min_max,
            text_min_max,
            data,
            index,
        } = self;

        let mut nulls_bytes = Vec::with_capacity(nulls.serialized_size());
        nulls
            .serialize_into(&mut nulls_bytes)
            .expect("writing to a Vec cannot fail");

        let min_max = match (&data, text_min_max) {
            (Data::Text { offsets, bytes }, Some((lo, hi))) => {
                let text = |p| String::from_utf8_lossy(text_of(offsets, bytes, p)).into_owned();
                Some((Value::Text(text(lo)), Value::Text(text(hi))))
            }
            _ => min_max,
        };
        let mut min_max_bytes = Vec::new();
        if let Some((lo, hi)) = &min_max {
            encode_value(lo, &mut min_max_bytes);
            encode_value(hi, &mut min_max_bytes);
        }

        let (enc, values) = match data {
            Data::Bool(v) | Data::Fixed(v) => (encoding::FIXED, v),
            Data::Numeric { scales, mantissas } => (
                encoding::NUMERIC,
                encode_numeric(ty, &nulls, &scales, &mantissas),
            ),
            Data::Text { offsets, bytes } => encode_text(rows, &nulls, &offsets, &bytes),
        };

        let index = encode_index_area(&index.map(IndexBuilder::finish).unwrap_or_default());

        let mut out = Vec::with_capacity(
            COLUMN_HEADER_LEN + nulls_bytes.len() + min_max_bytes.len() + values.len() + 32,
        );
        out.extend_from_slice(&type_bytes(&ty));
        out.extend_from_slice(&[enc, 0, 0, 0]);
        out.extend_from_slice(&len_u32(nulls_bytes.len()).to_le_bytes());
        out.extend_from_slice(&len_u32(min_max_bytes.len()).to_le_bytes());
        out.extend_from_slice(&(values.len() as u64).to_le_bytes());
        out.extend_from_slice(&len_u32(index.len()).to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        debug_assert_eq!(out.len(), COLUMN_HEADER_LEN);
        for section in [&nulls_bytes[..], &min_max_bytes, &values, &index] {
            pad(&mut out);
            out.extend_from_slice(section);
        }
        debug_assert_eq!(out.len() % 8, 0);
        out
    }
}

/// The index area: u32 entry count, u32 zero, then per entry u16 kind,
/// u16 zero, u32 length, the bytes and zero padding to a multiple of 8.
fn encode_index_area(index: &ColumnIndex) -> Vec<u8> {
    let entries = index.entries();
    let mut out = Vec::new();
    out.extend_from_slice(&len_u32(entries.len()).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    for (kind, bytes) in entries {
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&[0; 2]);
        out.extend_from_slice(&len_u32(bytes.len()).to_le_bytes());
        out.extend_from_slice(&bytes);
        pad(&mut out);
    }
    out
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).expect("section lengths are bounded by the row limit")
}

fn text_of<'a>(offsets: &[u32], bytes: &'a [u8], pos: u32) -> &'a [u8] {
    let pos = pos as usize;
    &bytes[offsets[pos] as usize..offsets[pos + 1] as usize]
}

/// NUMERIC values: an 8-byte sub-header (mantissa width 8 or 16, scale
/// mode 0 = one scale for the column / 1 = a scale byte per row, the common
/// scale, 5 zero bytes), the per-row scales if any (padded to 8), then the
/// mantissas. NULL rows hold scale 0 and mantissa 0.
fn encode_numeric(
    ty: DataType,
    nulls: &RoaringBitmap,
    scales: &[u8],
    mantissas: &[i128],
) -> Vec<u8> {
    let mut first_scale = None;
    let mut same_scale = true;
    let mut narrow = true;
    let mut cursor = NullCursor::new(nulls);
    for (pos, (&s, &m)) in scales.iter().zip(mantissas).enumerate() {
        if cursor.is_null(pos as u32) {
            continue;
        }
        same_scale &= *first_scale.get_or_insert(s) == s;
        narrow &= i64::try_from(m).is_ok();
    }
    let common = match ty {
        DataType::Numeric(Some(t)) => Some(t.scale),
        _ => same_scale.then_some(first_scale.unwrap_or(0)),
    };
    debug_assert!(common.is_none_or(|c| !same_scale || first_scale.is_none_or(|f| f == c)));
    let width: u8 = if narrow { 8 } else { 16 };
    let mut out = vec![
        width,
        u8::from(common.is_none()),
        common.unwrap_or(0),
        0,
        0,
        0,
        0,
        0,
    ];
    if common.is_none() {
        out.extend_from_slice(scales);
        pad(&mut out);
    }
    out.reserve(mantissas.len() * usize::from(width));
    for &m in mantissas {
        if narrow {
            out.extend_from_slice(&(m as i64).to_le_bytes());
        } else {
            out.extend_from_slice(&m.to_le_bytes());
        }
    }
    debug_assert!(
        mantissas
            .iter()
            .zip(scales)
            .all(|(&m, &s)| Numeric::new(m, s).is_some())
    );
    out
}

/// TEXT values, dictionary-encoded when the column repeats itself (at most
/// rows / 2 and [`MAX_DICT_LEN`] distinct values), plain otherwise.
fn encode_text(rows: u32, nulls: &RoaringBitmap, offsets: &[u32], bytes: &[u8]) -> (u8, Vec<u8>) {
    let limit = (rows as usize / 2).min(MAX_DICT_LEN);
    let mut distinct: HashMap<&[u8], u32> = HashMap::new();
    let mut fits = true;
    let mut cursor = NullCursor::new(nulls);
    for pos in 0..rows {
        if cursor.is_null(pos) {
            continue;
        }
        distinct.entry(text_of(offsets, bytes, pos)).or_insert(0);
        if distinct.len() > limit {
            fits = false;
            break;
        }
    }
    if !fits || distinct.is_empty() {
        let mut out = Vec::with_capacity(offsets.len() * 4 + bytes.len() + 8);
        for o in offsets {
            out.extend_from_slice(&o.to_le_bytes());
        }
        pad(&mut out);
        out.extend_from_slice(bytes);
        return (encoding::TEXT_PLAIN, out);
    }

    let mut dict: Vec<&[u8]> = distinct.keys().copied().collect();
    dict.sort_unstable();
    for (code, entry) in dict.iter().enumerate() {
        distinct.insert(entry, code as u32);
    }
    let width: usize = if dict.len() <= 256 { 1 } else { 2 };
    let dict_bytes: usize = dict.iter().map(|d| d.len()).sum();
    let mut out = Vec::with_capacity(8 + dict.len() * 4 + dict_bytes + rows as usize * width + 16);
    out.extend_from_slice(&len_u32(dict.len()).to_le_bytes());
    out.extend_from_slice(&[width as u8, 0, 0, 0]);
    let mut end = 0u32;
    out.extend_from_slice(&end.to_le_bytes());
    for d in &dict {
        end += len_u32(d.len());
        out.extend_from_slice(&end.to_le_bytes());
    }
    pad(&mut out);
    for d in &dict {
        out.extend_from_slice(d);
    }
    pad(&mut out);
    let mut cursor = NullCursor::new(nulls);
    for pos in 0..rows {
        let code = if cursor.is_null(pos) {
            0
        } else {
            distinct[text_of(offsets, bytes, pos)]
        };
        out.extend_from_slice(&code.to_le_bytes()[..width]);
    }
    (encoding::TEXT_DICT, out)
}
