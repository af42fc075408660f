//! Per-segment column indexes for segmentation queries.
//!
//! - [`ValueBitmaps`]: for a low-cardinality column, one roaring bitmap of
//!   row positions per distinct value; `=`, `IN` and ranges are unions of a
//!   few bitmaps.
//! - [`Bsi`]: a bit-sliced index for integer-like columns (BIGINT, INTEGER,
//!   DATE, TIMESTAMPTZ, NUMERIC at a fixed scale): one bitmap per bit of
//!   `value - base`, plus an existence bitmap of non-NULL rows; range
//!   predicates are O(bits) bitmap operations and SUM over any row set is a
//!   sum of popcounts.
//!
//! Row positions are the segment's dense u32 ordinals, so the bitmaps stay
//! small and fast (see LESSONS: never raw 64-bit ids in roaring).

mod bsi;
mod column;
mod evaluate;
mod predicate;
mod values;

pub use bsi::Bsi;
pub use column::{ColumnIndex, IndexBuilder, bsi_key, bsi_scale, entry_kind};
pub use evaluate::{LeafCounts, SegmentView};
pub use predicate::{CompareOp, MAX_PREDICATE_NODES, Predicate};
pub use values::{MAX_DISTINCT_VALUES, ValueBitmaps};

#[cfg(test)]
mod tests;
