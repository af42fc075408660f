//! Walking a column's NULL bitmap in row order, so that scans test each
//! row for NULL in O(1) instead of searching the bitmap.

use roaring::RoaringBitmap;

/// Answers "is row `pos` NULL?" for increasing `pos`.
pub struct NullCursor<'a> {
    iter: roaring::bitmap::Iter<'a>,
    next: Option<u32>,
}

impl<'a> NullCursor<'a> {
    pub fn new(nulls: &'a RoaringBitmap) -> Self {
        let mut iter = nulls.iter();
        let next = iter.next();
        NullCursor { iter, next }
    }

    /// Whether `pos` is NULL; `pos` must not decrease between calls.
    pub fn is_null(&mut self, pos: u32) -> bool {
        while let Some(n) = self.next {
            if n >= pos {
                return n == pos;
            }
            self.next = self.iter.next();
        }
        false
    }
}
