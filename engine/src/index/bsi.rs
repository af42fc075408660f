//! [`Bsi`]: a bit-sliced index over integer values.
//!
//! Each non-NULL value is stored as `value - base` (base = the minimum), an
//! unsigned offset of `bits` bits; slice `i` is the bitmap of rows whose
//! offset has bit `i` set. Comparisons walk the slices from the top bit
//! down keeping "equal so far" and "less so far" (or "greater so far")
//! bitmaps (O'Neil & Quass, as Pilosa/FeatureBase do), and SUM over a row
//! set is
//! Σ 2^i · |slice_i ∩ rows| + base · |rows|.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

use roaring::RoaringBitmap;

use crate::row::{DecodeError, Reader};

/// At most 1/this of the rows are set apart as outliers.
const OUTLIER_SHARE: u64 = 1024;

/// Up to this many rows still equal, a level is applied row by row.
const FEW_ROWS: u64 = 64;

/// A slice with fewer rows than 1/this of the rows still equal is applied
/// row by row: roaring's set operations cost as much as their larger side.
const SPARSE_SLICE_RATIO: u64 = 64;

/// A bit-sliced index of one column of one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Bsi {
    base: i64,
    /// Rows with a (non-NULL) value.
    exists: RoaringBitmap,
    slices: Vec<RoaringBitmap>,
    /// The largest offset: no row has a bit that would put it above.
    max_offset: u64,
    /// Every row's offset but the outliers' is below 2^bulk_bits …
    bulk_bits: usize,
    /// … the outliers being the few rows (see [`OUTLIER_SHARE`]) with a
    /// higher bit set: a lifetime value of millions among hundreds. A
    /// walk then skips the high slices for all but them.
    outliers: RoaringBitmap,
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
        Bsi::with_derived(base, exists, slices, Some(max_offset))
    }

    /// A BSI of these slices, with what is derived from them computed.
    fn with_derived(
        base: i64,
        exists: RoaringBitmap,
        slices: Vec<RoaringBitmap>,
        max_offset: Option<u64>,
    ) -> Bsi {
        let mut bsi = Bsi {
            base,
            exists,
            bulk_bits: slices.len(),
            slices,
            max_offset: 0,
            outliers: RoaringBitmap::new(),
        };
        bsi.max_offset = max_offset
            .or_else(|| bsi.extreme_offset(&bsi.exists, Ordering::Greater))
            .unwrap_or(0);
        // The high slices hold the outliers while they are few.
        let limit = bsi.exists.len() / OUTLIER_SHARE;
        let mut outliers = RoaringBitmap::new();
        for (i, slice) in bsi.slices.iter().enumerate().rev() {
            outliers |= slice;
            if outliers.len() > limit {
                break;
            }
            bsi.bulk_bits = i;
            bsi.outliers.clone_from(&outliers);
        }
        bsi
    }

    /// Rows with a value (not NULL).
    pub fn exists(&self) -> &RoaringBitmap {
        &self.exists
    }

    /// The rows of `within` among the outliers (few) and the others.
    fn split_outliers(&self, within: &RoaringBitmap) -> (RoaringBitmap, RoaringBitmap) {
        let odd =
            RoaringBitmap::from_sorted_iter(self.outliers.iter().filter(|r| within.contains(*r)))
                .expect("a bitmap iterates in order");
        let mut bulk = within.clone();
        remove_each(&mut bulk, &odd);
        (odd, bulk)
    }

    /// [`Self::walk`] over the rows of `within`, the outliers apart: when
    /// `x` is below 2^bulk_bits they are all above it and the other rows
    /// walk only the low slices; otherwise the other rows are all below
    /// and only the outliers walk.
    fn walk_within(
        &self,
        x: u64,
        within: &RoaringBitmap,
        side: Side,
    ) -> (RoaringBitmap, RoaringBitmap) {
        let (all, h) = (self.slices.len(), self.bulk_bits);
        if h == all {
            return self.walk(x, within.clone(), side, 0..all);
        }
        let (odd, bulk) = self.split_outliers(within);
        if x >> h == 0 {
            let (mut collected, eq) = self.walk(x, bulk, side, 0..h);
            if side == Side::Above {
                collected |= odd;
            }
            (collected, eq)
        } else {
            let (mut collected, eq) = self.walk(x, odd, side, 0..all);
            if side == Side::Below {
                collected |= bulk;
            }
            (collected, eq)
        }
    }

    /// The rows of `within` (all with a value) whose value lies between
    /// `lo` and `hi`, both included (None: unbounded). Both bounds are
    /// walked at once: the levels where they agree once for all rows,
    /// then the rows that took the lower bound's branch against it and
    /// those that took the upper's against that.
    pub fn range_within(
        &self,
        lo: Option<i64>,
        hi: Option<i64>,
        within: &RoaringBitmap,
    ) -> RoaringBitmap {
        debug_assert!(within.is_subset(&self.exists), "rows without a value");
        let a = match lo {
            Some(l) if l > self.base => offset(l, self.base),
            _ => 0,
        };
        let b = match hi {
            Some(h) if h < self.base => return RoaringBitmap::new(),
            Some(h) => offset(h, self.base).min(self.max_offset),
            None => self.max_offset,
        };
        let to_value = |o: u64| (i128::from(self.base) + i128::from(o)) as i64;
        match (a, b) {
            _ if a > b => RoaringBitmap::new(),
            _ if a == b => self.compare_within(Ordering::Equal, false, to_value(a), within),
            (0, b) if b == self.max_offset => within.clone(),
            (0, b) => self.compare_within(Ordering::Less, true, to_value(b), within),
            (a, b) if b == self.max_offset => {
                self.compare_within(Ordering::Greater, true, to_value(a), within)
            }
            (a, b) => {
                let (all, h) = (self.slices.len(), self.bulk_bits);
                if h == all {
                    return self.walk_range(a, b, within.clone(), all);
                }
                let (odd, bulk) = self.split_outliers(within);
                match (a >> h, b >> h) {
                    // Every outlier is above the range.
                    (_, 0) => self.walk_range(a, b, bulk, h),
                    // Every other row is below it.
                    (1.., _) => self.walk_range(a, b, odd, all),
                    // The other rows from a up, the outliers up to b.
                    (0, 1..) => {
                        let (mut rows, eq) = self.walk(a, bulk, Side::Above, 0..h);
                        rows |= eq;
                        let (below, eq) = self.walk(b, odd, Side::Below, 0..all);
                        rows | below | eq
                    }
                }
            }
        }
    }

    /// The rows of `rows`, whose offsets are below 2^top, between the
    /// offsets `a` < `b` (both included).
    fn walk_range(&self, a: u64, b: u64, rows: RoaringBitmap, top: usize) -> RoaringBitmap {
        debug_assert!(a < b && b.checked_shr(top as u32).unwrap_or(0) == 0);
        // The highest bit where the bounds differ: a has 0 there, b has 1.
        let d = 63 - (a ^ b).leading_zeros() as usize;
        let (_, eq) = self.walk(a, rows, Side::Neither, d + 1..top);
        let upper = &eq & &self.slices[d];
        let lower = eq - &self.slices[d];
        let (mut inside, eq_a) = self.walk(a, lower, Side::Above, 0..d);
        let (below_b, eq_b) = self.walk(b, upper, Side::Below, 0..d);
        inside |= eq_a;
        inside |= below_b;
        inside |= eq_b;
        inside
    }

    /// Walks the slices from the top for an offset `x` that fits them:
    /// returns the rows of `eq` equal to `x` and, as `side` asks, those
    /// below or above it. Only one side is collected; the rows leaving
    /// "equal" for the other are dropped, which costs nothing. Only the
    /// `levels` are walked: the rows agree with `x` on the bits above.
    ///
    /// A level no row can differ on (given the largest offset) is skipped;
    /// a sparse slice, or a level with few rows left, is applied row by
    /// row, since roaring's set operations cost as much as their larger
    /// side.
    fn walk(
        &self,
        x: u64,
        mut eq: RoaringBitmap,
        side: Side,
        levels: Range<usize>,
    ) -> (RoaringBitmap, RoaringBitmap) {
        let mut collected = Collector::default();
        for i in levels.rev() {
            if eq.is_empty() {
                break;
            }
            let slice = &self.slices[i];
            let bit = x >> i & 1 == 1;
            // The rows still equal share x's bits above i; with bit i set
            // they would exceed every value.
            if ((x >> i >> 1 << 1) | 1) << i > self.max_offset {
                if bit {
                    // All of them fall below x.
                    let below = std::mem::take(&mut eq);
                    if side == Side::Below {
                        collected.add(below);
                    }
                }
                continue;
            }
            // Rows with a 0 where x has a 1 fall below x; rows with a 1
            // where x has a 0 rise above it.
            let keeps = if bit { Side::Below } else { Side::Above };
            let n = eq.len();
            if n <= FEW_ROWS || slice.len() * SPARSE_SLICE_RATIO < n {
                let hits: RoaringBitmap = if n <= FEW_ROWS {
                    eq.iter().filter(|r| slice.contains(*r)).collect()
                } else {
                    slice.iter().filter(|r| eq.contains(*r)).collect()
                };
                if bit {
                    let mut misses = std::mem::replace(&mut eq, hits);
                    if side == keeps {
                        remove_each(&mut misses, &eq);
                        collected.add(misses);
                    }
                } else {
                    remove_each(&mut eq, &hits);
                    if side == keeps {
                        collected.add(hits);
                    }
                }
                continue;
            }
            match (bit, side == keeps) {
                (true, true) => {
                    collected.add(&eq - slice);
                    eq &= slice;
                }
                (false, true) => {
                    collected.add(&eq & slice);
                    eq -= slice;
                }
                (true, false) => eq &= slice,
                (false, false) => eq -= slice,
            }
        }
        (collected.finish(), eq)
    }

    /// The rows whose value compares to `x` as `want` says (`Less`: v < x,
    /// `Equal`: v = x, `Greater`: v > x); `or_equal` widens Less and
    /// Greater to <= and >=.
    pub fn compare(&self, want: Ordering, or_equal: bool, x: i64) -> RoaringBitmap {
        self.compare_within(want, or_equal, x, &self.exists)
    }

    /// [`Self::compare`] among the rows of `within`, which must all have a
    /// value (be in [`Self::exists`]): the work shrinks with `within`,
    /// which is what makes a range after a selective equality cheap.
    ///
    /// The walk collects the rows on one side of `x` as they leave
    /// "equal" (merging them into all collected so far) and gets the other
    /// side by subtraction: with `x` in the top quarter of the values,
    /// where few rows lie above it if values spread evenly
    /// (`occurred_at >= ` a recent date), it collects the rows above;
    /// otherwise those below, which measured faster for ranges in the body
    /// of the values.
    pub fn compare_within(
        &self,
        want: Ordering,
        or_equal: bool,
        x: i64,
        within: &RoaringBitmap,
    ) -> RoaringBitmap {
        debug_assert!(within.is_subset(&self.exists), "rows without a value");
        // x below every value, or above every one.
        if x < self.base {
            return match want {
                Ordering::Greater => within.clone(),
                _ => RoaringBitmap::new(),
            };
        }
        let x = offset(x, self.base);
        if x > self.max_offset {
            return match want {
                Ordering::Less => within.clone(),
                _ => RoaringBitmap::new(),
            };
        }
        let m = self.max_offset;
        let side = match want {
            Ordering::Equal => Side::Neither,
            _ if x > m - m / 4 => Side::Above,
            _ => Side::Below,
        };
        let (collected, eq) = self.walk_within(x, within, side);
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
            (_, _, true) => within - &collected,
            (_, _, false) => within - &collected - &eq,
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
        let o = self.extreme_offset(&(&self.exists & rows), which)?;
        Some((i128::from(self.base) + i128::from(o)) as i64)
    }

    /// The rows of `rows` (all with a value) holding the `k` smallest
    /// (`Less`) or largest (`Greater`) values, and every other row tied
    /// with the last of them: whatever breaks the ties, the first `k` rows
    /// in that order are among these. All of `rows` if they are at most k.
    pub fn first(&self, rows: &RoaringBitmap, k: u64, which: Ordering) -> RoaringBitmap {
        debug_assert!(rows.is_subset(&self.exists), "rows without a value");
        if k == 0 {
            return RoaringBitmap::new();
        }
        if rows.len() <= k {
            return rows.clone();
        }
        // `taken` are rows of the answer with a value strictly before the
        // boundary; `tied` rows agree with it on the slices walked so far.
        let mut taken = RoaringBitmap::new();
        let mut tied = rows.clone();
        for slice in self.slices.iter().rev() {
            let preferred = if which == Ordering::Less {
                &tied - slice
            } else {
                &tied & slice
            };
            let n = taken.len() + preferred.len();
            if n > k {
                tied = preferred;
            } else {
                tied -= &preferred;
                taken |= preferred;
                if n == k {
                    return taken;
                }
            }
        }
        taken | tied
    }

    /// The smallest or largest offset among `rows` (all with a value).
    fn extreme_offset(&self, rows: &RoaringBitmap, which: Ordering) -> Option<u64> {
        if rows.is_empty() {
            return None;
        }
        let mut candidates = Cow::Borrowed(rows);
        let mut value = 0u64;
        for (i, slice) in self.slices.iter().enumerate().rev() {
            let (preferred, bit) = if which == Ordering::Less {
                (&*candidates - slice, 0)
            } else {
                (&*candidates & slice, 1)
            };
            if preferred.is_empty() {
                value |= (1 - bit) << i;
            } else {
                value |= bit << i;
                candidates = Cow::Owned(preferred);
            }
        }
        Some(value)
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
        Ok(Bsi::with_derived(base, exists, slices, None))
    }
}

/// Which rows a walk collects besides those equal to the bound.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Below,
    Neither,
    Above,
}

/// The rows a walk collects: large pieces merged as they come, small
/// ones (a merge costs as much as the larger side) gathered for one merge
/// at the end.
#[derive(Default)]
struct Collector {
    rows: RoaringBitmap,
    pending: Vec<u32>,
}

impl Collector {
    fn add(&mut self, piece: RoaringBitmap) {
        if piece.len() * SPARSE_SLICE_RATIO < self.rows.len() {
            self.pending.extend(&piece);
        } else {
            self.rows |= piece;
        }
    }

    fn finish(mut self) -> RoaringBitmap {
        self.pending.sort_unstable();
        self.rows |= RoaringBitmap::from_sorted_iter(self.pending)
            .expect("sorted rows, each collected once");
        self.rows
    }
}

/// `from - few`, one row at a time: cheap when `few` is tiny next to `from`.
fn remove_each(from: &mut RoaringBitmap, few: &RoaringBitmap) {
    for r in few {
        from.remove(r);
    }
}

/// `v - base` as an unsigned offset (v >= base).
fn offset(v: i64, base: i64) -> u64 {
    (i128::from(v) - i128::from(base)) as u64
}
