//! [`Bsi`]: a bit-sliced index over integer values.
//!
//! Each non-NULL value is stored as `value - base` (base = the minimum), an
//! unsigned offset of `bits` bits; slice `i` is the bitmap of rows whose
//! offset has bit `i` set. Comparisons walk the slices from the top bit
//! down keeping "equal so far" and "less so far" (or "greater so far")
//! bitmaps (O'Neil & Quass, as Pilosa/FeatureBase do), and SUM over a row
//! set is
//! Σ 2^i · |slice_i ∩ rows| + base · |rows|.

use std::cmp::Ordering;

use roaring::RoaringBitmap;

use crate::row::{DecodeError, Reader};

/// A bit-sliced index of one column of one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Bsi {
    base: i64,
    /// Rows with a (non-NULL) value.
    exists: RoaringBitmap,
    slices: Vec<RoaringBitmap>,
}

impl Bsi {
    /// Builds from `(position, value)` pairs of the non-NULL rows.
    pub fn build(values: impl Iterator<Item = (u32, i64)> + Clone) -> Bsi {
        let base = values.clone().map(|(_, v)| v).min().unwrap_or(0);
        let max_offset = values
            .clone()
            .map(|(_, v)| offset(v, base))
            .max()
            .unwrap_or(0);
        let bits = (64 - max_offset.leading_zeros()) as usize;
        let mut slices = vec![RoaringBitmap::new(); bits];
        let mut exists = RoaringBitmap::new();
        for (pos, v) in values {
            exists.insert(pos);
            let o = offset(v, base);
            for (i, slice) in slices.iter_mut().enumerate() {
                if o >> i & 1 == 1 {
                    slice.insert(pos);
                }
            }
        }
        Bsi {
            base,
            exists,
            slices,
        }
    }

    /// Rows with a value (not NULL).
    pub fn exists(&self) -> &RoaringBitmap {
        &self.exists
    }

    /// Walks the slices from the top for an offset `x` that fits them:
    /// returns the rows of `within` equal to `x` and, as `side` asks, those
    /// below or above it. Only one side is collected; the rows leaving
    /// "equal" for the other are dropped, which costs nothing.
    fn walk(&self, x: u64, within: &RoaringBitmap, side: Side) -> (RoaringBitmap, RoaringBitmap) {
        let mut collected = RoaringBitmap::new();
        let mut eq = &self.exists & within;
        for (i, slice) in self.slices.iter().enumerate().rev() {
            if eq.is_empty() {
                break;
            }
            match (x >> i & 1 == 1, side) {
                // Rows with a 0 where x has a 1 fall below x.
                (true, Side::Below) => {
                    collected |= &eq - slice;
                    eq &= slice;
                }
                // Rows with a 1 where x has a 0 rise above x.
                (false, Side::Above) => {
                    collected |= &eq & slice;
                    eq -= slice;
                }
                (true, _) => eq &= slice,
                (false, _) => eq -= slice,
            }
        }
        (collected, eq)
    }

    /// The rows whose value compares to `x` as `want` says (`Less`: v < x,
    /// `Equal`: v = x, `Greater`: v > x); `or_equal` widens Less and
    /// Greater to <= and >=.
    pub fn compare(&self, want: Ordering, or_equal: bool, x: i64) -> RoaringBitmap {
        self.compare_within(want, or_equal, x, &self.exists)
    }

    /// [`Self::compare`] among the rows of `within` only: the work shrinks
    /// with `within`, which is what makes a range after a selective
    /// equality cheap.
    pub fn compare_within(
        &self,
        want: Ordering,
        or_equal: bool,
        x: i64,
        within: &RoaringBitmap,
    ) -> RoaringBitmap {
        self.compare_within_up_to(want, or_equal, x, within, None)
    }

    /// [`Self::compare_within`] knowing the largest value, `max`. The walk
    /// collects the rows on one side of `x` as they leave "equal" (merging
    /// them into all collected so far) and gets the other side by
    /// subtraction: with `x` in the top quarter of the values, where few
    /// rows lie above it if values spread evenly (`occurred_at >=` a
    /// recent date), it collects the rows above; otherwise those below,
    /// which measured faster for ranges in the body of the values.
    pub fn compare_within_up_to(
        &self,
        want: Ordering,
        or_equal: bool,
        x: i64,
        within: &RoaringBitmap,
        max: Option<i64>,
    ) -> RoaringBitmap {
        let bits = self.slices.len();
        let top = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        let present = || &self.exists & within;
        // x below every value, or above every representable one.
        if x < self.base {
            return match want {
                Ordering::Greater => present(),
                _ => RoaringBitmap::new(),
            };
        }
        if offset(x, self.base) > top {
            return match want {
                Ordering::Less => present(),
                _ => RoaringBitmap::new(),
            };
        }
        let x = offset(x, self.base);
        let in_top_quarter = max
            .filter(|&m| m >= self.base)
            .map(|m| offset(m, self.base))
            .is_some_and(|m| x > m - m / 4);
        let side = match want {
            Ordering::Equal => Side::Neither,
            _ if in_top_quarter => Side::Above,
            _ => Side::Below,
        };
        let (collected, eq) = self.walk(x, within, side);
        match (want, side, or_equal) {
            (Ordering::Equal, _, _) => eq,
            (Ordering::Less, Side::Below, false) | (Ordering::Greater, Side::Above, false) => {
                collected
            }
            (Ordering::Less, Side::Below, true) | (Ordering::Greater, Side::Above, true) => {
                collected | eq
            }
            // The other side: what was not collected, with or without the
            // equal rows.
            (_, _, true) => present() - &collected,
            (_, _, false) => present() - &collected - &eq,
        }
    }

    /// Sum of the values of `rows` (NULLs ignored), exactly.
    pub fn sum(&self, rows: &RoaringBitmap) -> i128 {
        let count = self.exists.intersection_len(rows);
        let mut sum = i128::from(self.base) * i128::from(count);
        for (i, slice) in self.slices.iter().enumerate() {
            sum += (1i128 << i) * i128::from(slice.intersection_len(rows));
        }
        sum
    }

    /// Number of non-NULL values among `rows`.
    pub fn count(&self, rows: &RoaringBitmap) -> u64 {
        self.exists.intersection_len(rows)
    }

    /// The smallest (`Less`) or largest (`Greater`) value among `rows`.
    pub fn extreme(&self, rows: &RoaringBitmap, which: Ordering) -> Option<i64> {
        let mut candidates = &self.exists & rows;
        if candidates.is_empty() {
            return None;
        }
        let mut value = 0u64;
        for (i, slice) in self.slices.iter().enumerate().rev() {
            let (preferred, bit) = if which == Ordering::Less {
                (&candidates - slice, 0)
            } else {
                (&candidates & slice, 1)
            };
            if preferred.is_empty() {
                value |= (1 - bit) << i;
            } else {
                value |= bit << i;
                candidates = preferred;
            }
        }
        Some((i128::from(self.base) + i128::from(value)) as i64)
    }

    /// Serialized form: i64 base, u8 slice count, then the existence bitmap
    /// and each slice as u32 length + portable roaring bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.base.to_le_bytes());
        out.push(self.slices.len() as u8);
        for b in std::iter::once(&self.exists).chain(&self.slices) {
            out.extend_from_slice(&(b.serialized_size() as u32).to_le_bytes());
            b.serialize_into(&mut *out)
                .expect("writing to a Vec cannot fail");
        }
    }

    /// Parses what [`Self::encode`] wrote; every length is checked.
    pub fn decode(bytes: &[u8]) -> Result<Bsi, DecodeError> {
        let mut r = Reader::new(bytes);
        let base = r.i64()?;
        let bits = r.u8()? as usize;
        if bits > 64 {
            return Err(r.error("more than 64 slices"));
        }
        let bitmap = |r: &mut Reader| {
            RoaringBitmap::deserialize_from(r.len_prefixed()?)
                .map_err(|e| r.error(format!("bad bitmap: {e}")))
        };
        let exists = bitmap(&mut r)?;
        let slices = (0..bits)
            .map(|_| bitmap(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        if slices.iter().any(|s| !s.is_subset(&exists)) {
            return Err(r.error("a slice names rows without a value"));
        }
        if !r.is_empty() {
            return Err(r.error("trailing bytes"));
        }
        Ok(Bsi {
            base,
            exists,
            slices,
        })
    }
}

/// Which rows a walk collects besides those equal to the bound.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Below,
    Neither,
    Above,
}

/// `v - base` as an unsigned offset (v >= base).
fn offset(v: i64, base: i64) -> u64 {
    (i128::from(v) - i128::from(base)) as u64
}
