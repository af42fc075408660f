//! Reader side of one column block: decoding values straight from the
//! mapped bytes of a block that validate.rs checked at open.

use std::ops::Range;
use std::sync::OnceLock;

use roaring::RoaringBitmap;

use super::format::u32_at;
use super::nulls::NullCursor;
use super::sorted::SortedRuns;
use crate::index::ColumnIndex;
use crate::types::{DataType, Interval, Numeric, Value};

/// How a column's values are laid out; ranges index the file's bytes.
pub enum Layout {
    /// `width` bytes per row, little-endian.
    Fixed { width: usize, values: Range<usize> },
    Numeric {
        /// `None`: a scale byte per row at this range.
        common_scale: Option<u8>,
        scales: Range<usize>,
        /// 8 or 16.
        width: usize,
        mantissas: Range<usize>,
    },
    Plain {
        offsets: Range<usize>,
        bytes: Range<usize>,
    },
    Dict {
        offsets: Range<usize>,
        bytes: Range<usize>,
        /// 1 or 2.
        width: usize,
        codes: Range<usize>,
    },
}

/// A parsed, verified column block.
pub struct Column {
    pub ty: DataType,
    pub nulls: RoaringBitmap,
    pub min_max: Option<(Value, Value)>,
    pub layout: Layout,
    pub rows: u32,
    /// The column's indexes (empty when it is not indexed).
    pub index: ColumnIndex,
    /// Whether an integer column's values never decrease, worked out on
    /// first use (see sorted.rs).
    pub sorted: OnceLock<Option<SortedRuns>>,
}

impl Column {
    /// Value at `pos` (< rows, checked by the caller).
    pub fn value(&self, buf: &[u8], pos: u32) -> Value {
        if self.nulls.contains(pos) {
            return Value::Null;
        }
        self.raw(buf, pos as usize)
    }

    /// The text at `pos` without copying; `None` for NULL or a non-TEXT
    /// column.
    pub fn text<'a>(&self, buf: &'a [u8], pos: u32) -> Option<&'a str> {
        if self.nulls.contains(pos) {
            return None;
        }
        let pos = pos as usize;
        match &self.layout {
            Layout::Plain { offsets, bytes } => Some(text(buf, offsets, bytes, pos)),
            Layout::Dict {
                offsets,
                bytes,
                width,
                codes,
            } => Some(text(buf, offsets, bytes, code_at(buf, codes, *width, pos))),
            _ => None,
        }
    }

    /// Appends to `out` the integer a bit-sliced index keys each row of
    /// `rows` by (see [`crate::index::bsi_key`]; for INTEGER and BIGINT the
    /// value itself), read straight from the mapped bytes without building
    /// [`Value`]s; false (with `out` partly filled) when a value has no
    /// such key. `rows` must be non-NULL rows.
    pub fn keys(&self, buf: &[u8], rows: &RoaringBitmap, out: &mut Vec<i64>) -> bool {
        debug_assert!(rows.is_disjoint(&self.nulls), "keys of NULLs");
        out.reserve(rows.len() as usize);
        // Where the slots are and how wide (4: i32, 8: i64).
        let slots = match (&self.layout, self.ty) {
            (Layout::Fixed { values, .. }, DataType::Integer | DataType::Date) => Some((values, 4)),
            (Layout::Fixed { values, .. }, DataType::BigInt | DataType::TimestampTz) => {
                Some((values, 8))
            }
            (
                Layout::Numeric {
                    common_scale: Some(scale),
                    width: 8,
                    mantissas,
                    ..
                },
                DataType::Numeric(Some(t)),
            ) if *scale == t.scale => Some((mantissas, 8)),
            _ => None,
        };
        let Some((range, width)) = slots else {
            for pos in rows {
                match crate::index::bsi_key(&self.ty, &self.raw(buf, pos as usize)) {
                    Some(k) => out.push(k),
                    None => return false,
                }
            }
            return true;
        };
        // The positions first, then the slots: a loop of nothing but
        // independent loads keeps many cache misses in flight, which a
        // loop that also steps roaring's iterator does not.
        let positions: Vec<u32> = rows.iter().collect();
        let bytes = &buf[range.clone()];
        let start = out.len();
        out.resize(start + positions.len(), 0);
        let into = &mut out[start..];
        if width == 4 {
            gather(bytes.as_chunks::<4>().0, &positions, into, |b| {
                i64::from(i32::from_le_bytes(b))
            });
        } else {
            gather(
                bytes.as_chunks::<8>().0,
                &positions,
                into,
                i64::from_le_bytes,
            );
        }
        true
    }

    /// The rows holding `x`, if this is an INTEGER or BIGINT column
    /// without NULLs whose values never decrease; None otherwise (or
    /// Some(empty range) when no row holds it).
    pub fn run_of(&self, buf: &[u8], x: i64) -> Option<Range<u32>> {
        let slot = self.integer_slot(buf)?;
        let runs = self.sorted.get_or_init(|| {
            if !self.nulls.is_empty() {
                return None;
            }
            SortedRuns::of(self.rows, &slot)
        });
        Some(runs.as_ref()?.run(x, &slot))
    }

    /// Reads an INTEGER or BIGINT column's value at a position straight
    /// from its slot; None for other columns.
    fn integer_slot<'a>(&self, buf: &'a [u8]) -> Option<impl Fn(u32) -> i64 + 'a> {
        let (values, width) = match (&self.layout, self.ty) {
            (Layout::Fixed { values, .. }, DataType::Integer) => (values, 4),
            (Layout::Fixed { values, .. }, DataType::BigInt) => (values, 8),
            _ => return None,
        };
        let bytes = &buf[values.clone()];
        Some(move |pos: u32| {
            let at = pos as usize * width;
            if width == 4 {
                i64::from(i32::from_le_bytes(
                    bytes[at..at + 4].try_into().expect("4-byte slot"),
                ))
            } else {
                i64::from_le_bytes(bytes[at..at + 8].try_into().expect("8-byte slot"))
            }
        })
    }

    /// The value stored at `pos` ignoring the NULL bitmap.
    fn raw(&self, buf: &[u8], pos: usize) -> Value {
        match &self.layout {
            Layout::Fixed { width, values } => {
                let at = values.start + pos * width;
                fixed_value(self.ty, &buf[at..at + width])
            }
            Layout::Numeric {
                common_scale,
                scales,
                width,
                mantissas,
            } => {
                let scale = common_scale.unwrap_or_else(|| buf[scales.start + pos]);
                let at = mantissas.start + pos * width;
                let m = mantissa(&buf[at..at + width]);
                Value::Numeric(Numeric::new(m, scale).expect("validated at open"))
            }
            Layout::Plain { offsets, bytes } => {
                Value::Text(text(buf, offsets, bytes, pos).to_owned())
            }
            Layout::Dict {
                offsets,
                bytes,
                width,
                codes,
            } => {
                let code = code_at(buf, codes, *width, pos);
                Value::Text(text(buf, offsets, bytes, code).to_owned())
            }
        }
    }

    /// The layout's name, for tests.
    #[cfg(test)]
    pub fn layout_name(&self) -> String {
        match &self.layout {
            Layout::Fixed { width, .. } => format!("fixed {width}"),
            Layout::Numeric {
                common_scale,
                width,
                ..
            } => {
                let scale = if common_scale.is_some() {
                    "common"
                } else {
                    "per-value"
                };
                format!("numeric i{} {scale} scale", width * 8)
            }
            Layout::Plain { .. } => "text plain".into(),
            Layout::Dict { width, .. } => format!("text dictionary u{}", width * 8),
        }
    }

    /// Calls `f(pos, value)` for every row in order.
    pub fn scan(&self, buf: &[u8], f: &mut impl FnMut(u32, Value)) {
        match (&self.layout, self.ty) {
            (Layout::Fixed { values, .. }, DataType::Boolean) => scan_fixed::<1>(
                &buf[values.clone()],
                &self.nulls,
                |b| Value::Boolean(b[0] != 0),
                f,
            ),
            (Layout::Fixed { values, .. }, DataType::Integer) => scan_fixed::<4>(
                &buf[values.clone()],
                &self.nulls,
                |b| Value::Integer(i32::from_le_bytes(b)),
                f,
            ),
            (Layout::Fixed { values, .. }, DataType::Date) => scan_fixed::<4>(
                &buf[values.clone()],
                &self.nulls,
                |b| Value::Date(i32::from_le_bytes(b)),
                f,
            ),
            (Layout::Fixed { values, .. }, DataType::BigInt) => scan_fixed::<8>(
                &buf[values.clone()],
                &self.nulls,
                |b| Value::BigInt(i64::from_le_bytes(b)),
                f,
            ),
            (Layout::Fixed { values, .. }, DataType::TimestampTz) => scan_fixed::<8>(
                &buf[values.clone()],
                &self.nulls,
                |b| Value::TimestampTz(i64::from_le_bytes(b)),
                f,
            ),
            (Layout::Fixed { values, .. }, DataType::Timestamp) => scan_fixed::<8>(
                &buf[values.clone()],
                &self.nulls,
                |b| Value::Timestamp(i64::from_le_bytes(b)),
                f,
            ),
            (Layout::Fixed { values, .. }, DataType::Interval) => scan_fixed::<16>(
                &buf[values.clone()],
                &self.nulls,
                |b| Value::Interval(Interval::from_le_bytes(b)),
                f,
            ),
            (Layout::Fixed { values, .. }, _) => scan_fixed::<8>(
                &buf[values.clone()],
                &self.nulls,
                |b| Value::Double(f64::from_bits(u64::from_le_bytes(b))),
                f,
            ),
            _ => {
                let mut nulls = NullCursor::new(&self.nulls);
                for pos in 0..self.rows {
                    let v = if nulls.is_null(pos) {
                        Value::Null
                    } else {
                        self.raw(buf, pos as usize)
                    };
                    f(pos, v);
                }
            }
        }
    }
}

fn scan_fixed<const W: usize>(
    values: &[u8],
    nulls: &RoaringBitmap,
    decode: impl Fn([u8; W]) -> Value,
    f: &mut impl FnMut(u32, Value),
) {
    let (slots, rest) = values.as_chunks::<W>();
    debug_assert!(rest.is_empty());
    if nulls.is_empty() {
        for (pos, slot) in slots.iter().enumerate() {
            f(pos as u32, decode(*slot));
        }
    } else {
        let mut cursor = NullCursor::new(nulls);
        for (pos, slot) in slots.iter().enumerate() {
            let pos = pos as u32;
            f(
                pos,
                if cursor.is_null(pos) {
                    Value::Null
                } else {
                    decode(*slot)
                },
            );
        }
    }
}

fn fixed_value(ty: DataType, b: &[u8]) -> Value {
    let b4 = || <[u8; 4]>::try_from(b).expect("4-byte slot");
    let b8 = || <[u8; 8]>::try_from(b).expect("8-byte slot");
    match ty {
        DataType::Boolean => Value::Boolean(b[0] != 0),
        DataType::Integer => Value::Integer(i32::from_le_bytes(b4())),
        DataType::Date => Value::Date(i32::from_le_bytes(b4())),
        DataType::BigInt => Value::BigInt(i64::from_le_bytes(b8())),
        DataType::TimestampTz => Value::TimestampTz(i64::from_le_bytes(b8())),
        DataType::Timestamp => Value::Timestamp(i64::from_le_bytes(b8())),
        DataType::Interval => {
            Value::Interval(Interval::from_le_bytes(b.try_into().expect("16-byte slot")))
        }
        DataType::Double => Value::Double(f64::from_bits(u64::from_le_bytes(b8()))),
        DataType::Numeric(_) | DataType::Text => unreachable!("not a fixed-width type"),
    }
}

/// A little-endian i64 or i128 mantissa.
pub fn mantissa(b: &[u8]) -> i128 {
    match b.len() {
        8 => i128::from(i64::from_le_bytes(b.try_into().expect("8 bytes"))),
        _ => i128::from_le_bytes(b.try_into().expect("16 bytes")),
    }
}

pub fn code_at(buf: &[u8], codes: &Range<usize>, width: usize, pos: usize) -> usize {
    let at = codes.start + pos * width;
    match width {
        1 => usize::from(buf[at]),
        _ => usize::from(u16::from_le_bytes([buf[at], buf[at + 1]])),
    }
}

fn text<'a>(buf: &'a [u8], offsets: &Range<usize>, bytes: &Range<usize>, i: usize) -> &'a str {
    let (s, e) = (
        u32_at(buf, offsets, i) as usize,
        u32_at(buf, offsets, i + 1) as usize,
    );
    std::str::from_utf8(&buf[bytes.start + s..bytes.start + e]).expect("validated at open")
}

/// Positions from which a gather is split across threads: below it, a
/// thread's start-up costs more than the loads it takes over.
const PARALLEL_GATHER_MIN: usize = 1 << 16;
/// Most threads one gather uses.
const MAX_GATHER_THREADS: usize = 4;

/// `out[i] = decode(slots[positions[i]])`. The loads miss the cache and
/// each core keeps only so many misses in flight, so a large gather is
/// split across the machine's cores.
fn gather<const W: usize>(
    slots: &[[u8; W]],
    positions: &[u32],
    out: &mut [i64],
    decode: fn([u8; W]) -> i64,
) {
    assert_eq!(positions.len(), out.len(), "one output per position");
    let run = |positions: &[u32], out: &mut [i64]| {
        for (o, &p) in out.iter_mut().zip(positions) {
            *o = decode(slots[p as usize]);
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_GATHER_THREADS)
        .min(positions.len() / PARALLEL_GATHER_MIN)
        .max(1);
    if threads == 1 {
        return run(positions, out);
    }
    let per = positions.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let mut parts = positions.chunks(per).zip(out.chunks_mut(per));
        // The caller's thread takes the first part itself.
        let first = parts.next();
        for (p, o) in parts {
            scope.spawn(move || run(p, o));
        }
        if let Some((p, o)) = first {
            run(p, o);
        }
    });
}
