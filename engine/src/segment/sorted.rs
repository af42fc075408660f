//! Integer columns whose values never decrease through a segment.
//!
//! Rows are stored in primary-key order, and a child table's foreign key
//! often follows it: interactions imported customer by customer keep
//! `customer_id` in order. Then the rows holding one value are one run of
//! positions, found by two binary searches — what a btree on the column
//! would give, without one. Whether a column is in order is worked out on
//! first use (one pass over its slots) and kept with the open segment,
//! together with every [`SAMPLE`]-th value, so that a search reads the
//! mapped column only within one block of rows.

use std::ops::Range;

/// Rows between two kept samples: a search reads at most log2 of this
/// many slots from the map (8 for 256).
const SAMPLE: u32 = 256;

/// Rows of a run read one after another before the end is searched for.
const STEP_ROWS: u32 = 32;

/// The samples of a column found to be in order.
#[derive(Debug)]
pub struct SortedRuns {
    /// The value at row `i * SAMPLE`, for every such row.
    samples: Vec<i64>,
    rows: u32,
}

impl SortedRuns {
    /// The runs of the column whose value at row `pos` is `value(pos)`, for
    /// `rows` rows, if the values never decrease; None otherwise.
    pub fn of(rows: u32, value: impl Fn(u32) -> i64) -> Option<SortedRuns> {
        let mut samples = Vec::with_capacity(rows.div_ceil(SAMPLE) as usize);
        let mut prev = i64::MIN;
        for pos in 0..rows {
            let v = value(pos);
            if v < prev {
                return None;
            }
            if pos % SAMPLE == 0 {
                samples.push(v);
            }
            prev = v;
        }
        Some(SortedRuns { samples, rows })
    }

    /// The positions holding `x` (empty where it would be, if none does).
    /// `value` must be the function the runs were made from.
    pub fn run(&self, x: i64, value: impl Fn(u32) -> i64) -> Range<u32> {
        let start = self.first_not(|v| v < x, &value);
        // A run is mostly short: step along it (the next slots share a
        // cache line), then search if it goes on.
        let mut end = start;
        while end < self.rows && end - start < STEP_ROWS && value(end) == x {
            end += 1;
        }
        if end - start == STEP_ROWS {
            end = self.first_not(|v| v <= x, &value);
        }
        debug_assert!(start <= end && end <= self.rows);
        start..end
    }

    /// The first position whose value fails `before` (`rows` if none), for
    /// a `before` that holds for a prefix of the values and then fails.
    fn first_not(&self, before: impl Fn(i64) -> bool, value: impl Fn(u32) -> i64) -> u32 {
        // Samples before `b` hold, so the answer is past sample b - 1 and
        // at most at sample b.
        let b = self.samples.partition_point(|&v| before(v)) as u32;
        if b == 0 {
            return 0;
        }
        let (mut lo, mut hi) = ((b - 1) * SAMPLE + 1, (b * SAMPLE).min(self.rows));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if before(value(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_the_positions_of_each_value() {
        // Runs of every length around the sample size, gaps between them.
        let mut values = Vec::new();
        for (i, len) in [1u32, 3, 255, 256, 257, 600, 1, 2, 512].iter().enumerate() {
            values.extend(std::iter::repeat_n(i as i64 * 2 - 5, *len as usize));
        }
        let rows = values.len() as u32;
        let at = |p: u32| values[p as usize];
        let runs = SortedRuns::of(rows, at).expect("in order");
        for x in -8..20 {
            let expected: Vec<u32> = (0..rows).filter(|&p| at(p) == x).collect();
            let run = runs.run(x, at);
            assert_eq!(run.clone().collect::<Vec<_>>(), expected, "{x}");
            // An absent value's empty run sits where it would go.
            assert!(run.start == 0 || at(run.start - 1) < x, "{x}");
            assert!(run.end == rows || at(run.end) > x, "{x}");
        }
        assert_eq!(runs.run(i64::MIN, at), 0..0);
        assert_eq!(runs.run(i64::MAX, at), rows..rows);
    }

    #[test]
    fn columns_out_of_order_have_no_runs() {
        let values = [1i64, 2, 2, 1];
        assert!(SortedRuns::of(4, |p| values[p as usize]).is_none());
        let empty = SortedRuns::of(0, |_| unreachable!()).expect("no rows");
        assert_eq!(empty.run(7, |_| unreachable!()), 0..0);
    }
}
