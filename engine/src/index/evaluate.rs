//! Evaluating a [`Predicate`] over one segment as bitmap algebra.
//!
//! Every node evaluates to two disjoint bitmaps of row positions: the rows
//! where it is true and the rows where it is unknown (SQL NULL); the rest
//! are false. With them NOT is `false ↔ true` with unknown kept, AND and
//! OR follow Kleene's tables, and `NOT (a = 'x')` excludes the rows where
//! `a` is NULL, as PostgreSQL does. A leaf reads the column's value
//! bitmaps or bit-sliced index when the segment has them and the constant
//! maps onto them exactly; otherwise it scans that one column.

use roaring::RoaringBitmap;

use super::column::{ColumnIndex, bsi_key};
use super::predicate::{CompareOp, Predicate, compare, in_list};
use crate::segment::Segment;
use crate::types::{DataType, Value};

/// Rows where a predicate is true and rows where it is unknown.
struct Truth {
    yes: RoaringBitmap,
    unknown: RoaringBitmap,
}

/// One segment as a predicate sees it: `map[c]` is the segment column
/// holding table column `c`, or None when the segment predates it (its
/// values are then NULL).
pub struct SegmentView<'a> {
    pub segment: &'a Segment,
    pub map: &'a [Option<usize>],
}

/// How a leaf of a predicate was answered in a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LeafCounts {
    /// By value bitmaps or a bit-sliced index.
    pub indexed: u64,
    /// By scanning the column.
    pub scanned: u64,
}

impl SegmentView<'_> {
    /// The positions where `predicate` is true (deleted rows included: the
    /// caller removes them).
    pub fn evaluate(&self, predicate: &Predicate, counts: &mut LeafCounts) -> RoaringBitmap {
        let mut all = RoaringBitmap::new();
        all.insert_range(0..self.segment.row_count());
        self.truth(predicate, &all, counts).yes
    }

    fn truth(&self, p: &Predicate, all: &RoaringBitmap, counts: &mut LeafCounts) -> Truth {
        match p {
            Predicate::And(ps) | Predicate::Or(ps) => {
                let and = matches!(p, Predicate::And(_));
                let mut yes = if and {
                    all.clone()
                } else {
                    RoaringBitmap::new()
                };
                let mut no = if and {
                    RoaringBitmap::new()
                } else {
                    all.clone()
                };
                for child in ps {
                    let t = self.truth(child, all, counts);
                    let child_no = &(all - &t.yes) - &t.unknown;
                    if and {
                        yes &= &t.yes;
                        no |= child_no;
                    } else {
                        yes |= &t.yes;
                        no &= child_no;
                    }
                }
                let unknown = &(all - &yes) - &no;
                Truth { yes, unknown }
            }
            Predicate::Not(inner) => {
                let t = self.truth(inner, all, counts);
                Truth {
                    yes: &(all - &t.yes) - &t.unknown,
                    unknown: t.unknown,
                }
            }
            Predicate::IsNull { column, negated } => {
                counts.indexed += 1;
                let nulls = self.nulls(*column, all);
                let yes = if *negated { all - &nulls } else { nulls };
                Truth {
                    yes,
                    unknown: RoaringBitmap::new(),
                }
            }
            Predicate::Compare { column, op, value } => {
                if value.is_null() {
                    return all_unknown(all);
                }
                self.leaf(*column, all, counts, |index, ty, present| {
                    compare_index(index, ty, present, *op, value)
                })
                .unwrap_or_else(|| self.scan(*column, all, counts, |v| compare(v, *op, value)))
            }
            Predicate::In { column, values } => {
                let has_null = values.iter().any(Value::is_null);
                let indexed = self.leaf(*column, all, counts, |index, ty, present| {
                    let mut yes = RoaringBitmap::new();
                    for v in values.iter().filter(|v| !v.is_null()) {
                        yes |= compare_index(index, ty, present, CompareOp::Eq, v)?;
                    }
                    Some(yes)
                });
                match indexed {
                    // Non-NULL rows that match nothing are unknown when the
                    // list holds a NULL.
                    Some(mut t) if has_null => {
                        t.unknown = all - &t.yes;
                        t
                    }
                    Some(t) => t,
                    None => self.scan(*column, all, counts, |v| in_list(v, values)),
                }
            }
        }
    }

    /// NULL rows of table column `column`.
    fn nulls(&self, column: usize, all: &RoaringBitmap) -> RoaringBitmap {
        match self.map.get(column).copied().flatten() {
            Some(c) => self.segment.nulls(c).clone(),
            None => all.clone(),
        }
    }

    /// A comparison leaf answered by `by_index(index, type, non-NULL rows)`
    /// (true rows), its unknown rows being the NULLs; None when the
    /// segment has no index that answers it.
    fn leaf(
        &self,
        column: usize,
        all: &RoaringBitmap,
        counts: &mut LeafCounts,
        by_index: impl FnOnce(&ColumnIndex, &DataType, &RoaringBitmap) -> Option<RoaringBitmap>,
    ) -> Option<Truth> {
        let Some(c) = self.map.get(column).copied().flatten() else {
            counts.indexed += 1;
            return Some(all_unknown(all));
        };
        let index = self.segment.column_index(c);
        if index.is_empty() {
            return None;
        }
        let nulls = self.segment.nulls(c);
        let present = all - nulls;
        let yes = by_index(index, &self.segment.column_types()[c], &present)?;
        counts.indexed += 1;
        Some(Truth {
            yes,
            unknown: nulls.clone(),
        })
    }

    /// A leaf answered by reading the column: `f` gives each value's truth.
    fn scan(
        &self,
        column: usize,
        all: &RoaringBitmap,
        counts: &mut LeafCounts,
        f: impl Fn(&Value) -> Option<bool>,
    ) -> Truth {
        counts.scanned += 1;
        let Some(c) = self.map.get(column).copied().flatten() else {
            return all_unknown(all);
        };
        let mut t = Truth {
            yes: RoaringBitmap::new(),
            unknown: RoaringBitmap::new(),
        };
        self.segment.scan_column(c, |pos, v| match f(&v) {
            Some(true) => {
                t.yes.insert(pos);
            }
            None => {
                t.unknown.insert(pos);
            }
            Some(false) => {}
        });
        t
    }
}

fn all_unknown(all: &RoaringBitmap) -> Truth {
    Truth {
        yes: RoaringBitmap::new(),
        unknown: all.clone(),
    }
}

/// The non-NULL rows where `column op value` holds, from the column's
/// indexes; None when they cannot answer it exactly.
fn compare_index(
    index: &ColumnIndex,
    ty: &DataType,
    present: &RoaringBitmap,
    op: CompareOp,
    value: &Value,
) -> Option<RoaringBitmap> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    if let Some(bsi) = &index.bsi {
        let k = bsi_key(ty, value)?;
        return Some(match op {
            CompareOp::Eq => bsi.compare(Equal, false, k),
            CompareOp::Ne => present - bsi.compare(Equal, false, k),
            CompareOp::Lt => bsi.compare(Less, false, k),
            CompareOp::Le => bsi.compare(Less, true, k),
            CompareOp::Gt => bsi.compare(Greater, false, k),
            CompareOp::Ge => bsi.compare(Greater, true, k),
        });
    }
    let values = index.values.as_ref()?;
    // The bitmaps are ordered by sql_cmp, which only orders values of
    // comparable types.
    match values.groups().next() {
        None => return Some(RoaringBitmap::new()),
        Some((sample, _)) => sample.sql_cmp(value)?,
    };
    Some(match op {
        CompareOp::Eq => values.eq(value),
        CompareOp::Ne => present - values.eq(value),
        CompareOp::Lt => values.range(None, Some((value, false))),
        CompareOp::Le => values.range(None, Some((value, true))),
        CompareOp::Gt => values.range(Some((value, false)), None),
        CompareOp::Ge => values.range(Some((value, true)), None),
    })
}
