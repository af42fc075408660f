//! [`ValueBitmaps`]: one bitmap of row positions per distinct value.

use std::cmp::Ordering;

use roaring::RoaringBitmap;

use crate::row::{DecodeError, Reader, encode_value};
use crate::types::Value;

/// Columns with more distinct values than this get no value bitmaps: a
/// range over them would union too many bitmaps to beat a scan.
pub const MAX_DISTINCT_VALUES: usize = 4096;

/// The positions of every non-NULL value of a column, by value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueBitmaps {
    /// Distinct values in ascending SQL order.
    values: Vec<Value>,
    bitmaps: Vec<RoaringBitmap>,
}

/// SQL order of two non-NULL values of one column type.
fn order(a: &Value, b: &Value) -> Ordering {
    a.sql_cmp(b).unwrap_or(Ordering::Equal)
}

impl ValueBitmaps {
    /// Builds from `(position, value)` pairs in any order; NULLs are
    /// skipped (the segment's null bitmap has them). None if the column has
    /// more than [`MAX_DISTINCT_VALUES`] distinct values.
    pub fn build(values: impl Iterator<Item = (u32, Value)>) -> Option<ValueBitmaps> {
        Self::from_groups(
            values
                .filter(|(_, v)| !v.is_null())
                .map(|(p, v)| (v, RoaringBitmap::from_iter([p]))),
        )
    }

    /// Builds from (value, rows) groups in any order, merging groups of
    /// equal values (1.5 and 1.50). None if there are more than
    /// [`MAX_DISTINCT_VALUES`] distinct values.
    pub fn from_groups(
        groups: impl Iterator<Item = (Value, RoaringBitmap)>,
    ) -> Option<ValueBitmaps> {
        let mut groups: Vec<(Value, RoaringBitmap)> = groups.collect();
        groups.sort_by(|(a, _), (b, _)| order(a, b));
        let mut out = ValueBitmaps {
            values: Vec::new(),
            bitmaps: Vec::new(),
        };
        for (v, b) in groups {
            debug_assert!(!v.is_null());
            match out.values.last() {
                Some(last) if order(last, &v) == Ordering::Equal => {
                    *out.bitmaps.last_mut().expect("parallel vectors") |= b;
                }
                _ => {
                    if out.values.len() == MAX_DISTINCT_VALUES {
                        return None;
                    }
                    out.values.push(v);
                    out.bitmaps.push(b);
                }
            }
        }
        Some(out)
    }

    /// Number of distinct values.
    pub fn distinct(&self) -> usize {
        self.values.len()
    }

    /// The distinct values with their row counts, in order (for GROUP BY).
    pub fn groups(&self) -> impl Iterator<Item = (&Value, &RoaringBitmap)> {
        self.values.iter().zip(&self.bitmaps)
    }

    /// Rows equal to `v`.
    pub fn eq(&self, v: &Value) -> RoaringBitmap {
        match self.values.binary_search_by(|x| order(x, v)) {
            Ok(i) => self.bitmaps[i].clone(),
            Err(_) => RoaringBitmap::new(),
        }
    }

    /// Rows of `within` equal to `v`.
    pub fn eq_within(&self, v: &Value, within: &RoaringBitmap) -> RoaringBitmap {
        match self.values.binary_search_by(|x| order(x, v)) {
            Ok(i) => &self.bitmaps[i] & within,
            Err(_) => RoaringBitmap::new(),
        }
    }

    /// Rows whose value lies between `lo` and `hi` (each bound optional,
    /// inclusive or not).
    pub fn range(&self, lo: Option<(&Value, bool)>, hi: Option<(&Value, bool)>) -> RoaringBitmap {
        let start = match lo {
            None => 0,
            Some((v, inclusive)) => self.values.partition_point(|x| {
                let o = order(x, v);
                o == Ordering::Less || (!inclusive && o == Ordering::Equal)
            }),
        };
        let end = match hi {
            None => self.values.len(),
            Some((v, inclusive)) => self.values.partition_point(|x| {
                let o = order(x, v);
                o == Ordering::Less || (inclusive && o == Ordering::Equal)
            }),
        };
        let mut out = RoaringBitmap::new();
        for b in self.bitmaps.get(start..end.max(start)).unwrap_or(&[]) {
            out |= b;
        }
        out
    }

    /// Serialized form: u32 count, then per value its row encoding, a u32
    /// length and the bitmap in roaring's portable serialization.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.values.len() as u32).to_le_bytes());
        for (v, b) in self.values.iter().zip(&self.bitmaps) {
            encode_value(v, out);
            out.extend_from_slice(&(b.serialized_size() as u32).to_le_bytes());
            b.serialize_into(&mut *out)
                .expect("writing to a Vec cannot fail");
        }
    }

    /// Parses what [`Self::encode`] wrote; every length is checked.
    pub fn decode(bytes: &[u8]) -> Result<ValueBitmaps, DecodeError> {
        let mut r = Reader::new(bytes);
        let n = r.u32()? as usize;
        if n > MAX_DISTINCT_VALUES {
            return Err(r.error("too many distinct values"));
        }
        let mut out = ValueBitmaps {
            values: Vec::with_capacity(n),
            bitmaps: Vec::with_capacity(n),
        };
        for _ in 0..n {
            let v = r.value()?;
            if v.is_null()
                || out
                    .values
                    .last()
                    .is_some_and(|last| order(last, &v) != Ordering::Less)
            {
                return Err(r.error("values out of order"));
            }
            let bitmap = RoaringBitmap::deserialize_from(r.len_prefixed()?)
                .map_err(|e| r.error(format!("bad bitmap: {e}")))?;
            out.values.push(v);
            out.bitmaps.push(bitmap);
        }
        if !r.is_empty() {
            return Err(r.error("trailing bytes"));
        }
        Ok(out)
    }
}
