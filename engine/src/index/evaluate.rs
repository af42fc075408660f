//! Evaluating a [`Predicate`] over one segment as bitmap algebra.
//!
//! Every node evaluates to two disjoint bitmaps of row positions: the rows
//! where it is true and the rows where it is unknown (SQL NULL); the rest
//! are false. With them NOT is `false ↔ true` with unknown kept, AND and
//! OR follow Kleene's tables, and `NOT (a = 'x')` excludes the rows where
//! `a` is NULL, as PostgreSQL does. A leaf reads the column's value
//! bitmaps or bit-sliced index when the segment has them and the constant
//! maps onto them exactly; otherwise it scans that one column.

use std::borrow::Cow;

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
        // A run container makes roaring's subtractions and unions with it
        // element by element; plain containers are word-wise.
        all.remove_run_compression();
        self.truth(predicate, &all, counts).yes
    }

    /// The truth of `p` over the rows of `domain` (both results are subsets
    /// of it; the rest of the segment is not looked at). AND evaluates each
    /// child only over the rows no earlier child made false, OR only over
    /// the rows no earlier child made true, cheapest children first: so a
    /// range over a bit-sliced index after a selective equality touches the
    /// few rows left, not the segment.
    fn truth(&self, p: &Predicate, domain: &RoaringBitmap, counts: &mut LeafCounts) -> Truth {
        match p {
            Predicate::And(ps) => {
                let mut acc: Option<Truth> = None;
                for child in self.conjuncts(ps) {
                    let t = match &acc {
                        None => self.conjunct(&child, domain, counts),
                        Some(a) if a.yes.is_empty() && a.unknown.is_empty() => break,
                        Some(a) if a.unknown.is_empty() => self.conjunct(&child, &a.yes, counts),
                        Some(a) => self.conjunct(&child, &(&a.yes | &a.unknown), counts),
                    };
                    acc = Some(match acc {
                        None => t,
                        Some(a) => and(a, t),
                    });
                }
                acc.unwrap_or_else(|| Truth {
                    yes: domain.clone(),
                    unknown: RoaringBitmap::new(),
                })
            }
            Predicate::Or(ps) => {
                let mut yes = RoaringBitmap::new();
                let mut unknown = RoaringBitmap::new();
                for child in self.by_cost(ps) {
                    let pending = if yes.is_empty() {
                        Cow::Borrowed(domain)
                    } else {
                        Cow::Owned(domain - &yes)
                    };
                    if pending.is_empty() {
                        break;
                    }
                    let t = self.truth(child, &pending, counts);
                    // u∨true = true, u∨false = u, false∨u = u.
                    unknown -= &t.yes;
                    unknown |= t.unknown;
                    yes |= t.yes;
                }
                Truth { yes, unknown }
            }
            Predicate::Not(inner) => {
                let t = self.truth(inner, domain, counts);
                Truth {
                    yes: &(domain - &t.yes) - &t.unknown,
                    unknown: t.unknown,
                }
            }
            Predicate::IsNull { column, negated } => {
                counts.indexed += 1;
                let nulls = self.nulls(*column, domain);
                let yes = if *negated { domain - &nulls } else { nulls };
                Truth {
                    yes,
                    unknown: RoaringBitmap::new(),
                }
            }
            Predicate::Compare { column, op, value } => {
                if value.is_null() {
                    return all_unknown(domain);
                }
                self.leaf(*column, domain, counts, |index, present| {
                    compare_index(index, present, *op, value)
                })
                .unwrap_or_else(|| self.scan(*column, domain, counts, |v| compare(v, *op, value)))
            }
            Predicate::In { column, values } => {
                let has_null = values.iter().any(Value::is_null);
                let indexed = self.leaf(*column, domain, counts, |index, present| {
                    let mut yes = RoaringBitmap::new();
                    for v in values.iter().filter(|v| !v.is_null()) {
                        yes |= compare_index(index, present, CompareOp::Eq, v)?;
                    }
                    Some(yes)
                });
                match indexed {
                    // Non-NULL rows that match nothing are unknown when the
                    // list holds a NULL.
                    Some(mut t) if has_null => {
                        t.unknown = domain - &t.yes;
                        t
                    }
                    Some(t) => t,
                    None => self.scan(*column, domain, counts, |v| in_list(v, values)),
                }
            }
        }
    }

    /// The children of an AND, cheapest first, with a lower and an upper
    /// bound on one column that has a bit-sliced index here paired into
    /// one range.
    fn conjuncts<'p>(&self, ps: &'p [Predicate]) -> Vec<Conjunct<'p>> {
        let mut out: Vec<Conjunct> = Vec::with_capacity(ps.len());
        // Bounds still without a partner: (column, is_lower, the bound,
        // where it is in `out`).
        let mut single: Vec<(usize, bool, &Predicate, usize)> = Vec::new();
        for p in ps {
            if let Some((column, is_lower)) = bound(p).filter(|(c, _)| self.has_bsi(*c)) {
                if let Some(i) = single
                    .iter()
                    .position(|&(c, lower, _, _)| c == column && lower != is_lower)
                {
                    let (_, _, other, at) = single.swap_remove(i);
                    let (lower, upper) = if is_lower { (p, other) } else { (other, p) };
                    out[at] = Conjunct::Range {
                        column,
                        lower,
                        upper,
                    };
                    continue;
                }
                single.push((column, is_lower, p, out.len()));
            }
            out.push(Conjunct::One(p));
        }
        out.sort_by_key(|c| match c {
            Conjunct::One(p) => self.cost(p),
            Conjunct::Range { column, .. } => self.column_cost(*column),
        });
        out
    }

    /// Whether table column `column` has a bit-sliced index here.
    fn has_bsi(&self, column: usize) -> bool {
        self.map
            .get(column)
            .copied()
            .flatten()
            .is_some_and(|c| self.segment.column_index(c).bsi.is_some())
    }

    /// The truth of one child of an AND.
    fn conjunct(&self, c: &Conjunct, domain: &RoaringBitmap, counts: &mut LeafCounts) -> Truth {
        let (column, lower, upper) = match *c {
            Conjunct::One(p) => return self.truth(p, domain, counts),
            Conjunct::Range {
                column,
                lower,
                upper,
            } => (column, lower, upper),
        };
        let walked = self.leaf(column, domain, counts, |index, present| {
            let bsi = index.bsi.as_ref()?;
            let lo = inclusive_key(present.ty, lower)?;
            let hi = inclusive_key(present.ty, upper)?;
            Some(match (lo, hi) {
                (Some(lo), Some(hi)) => bsi.range_within(Some(lo), Some(hi), &present.rows),
                // A strict bound past the end of the integers.
                _ => RoaringBitmap::new(),
            })
        });
        match walked {
            Some(t) => {
                // Two leaves answered by one walk.
                counts.indexed += 1;
                t
            }
            None => {
                let t = self.truth(lower, domain, counts);
                let alive = &t.yes | &t.unknown;
                let u = self.truth(upper, &alive, counts);
                and(t, u)
            }
        }
    }

    /// The children of an AND or OR, cheapest to evaluate first (the order
    /// changes the work, never the result).
    fn by_cost<'p>(&self, ps: &'p [Predicate]) -> Vec<&'p Predicate> {
        let mut out: Vec<&Predicate> = ps.iter().collect();
        out.sort_by_key(|p| self.cost(p));
        out
    }

    /// 0: a null bitmap; 1: value bitmaps; 2: a bit-sliced index; 3: a
    /// column scan.
    fn cost(&self, p: &Predicate) -> u8 {
        match p {
            Predicate::And(ps) | Predicate::Or(ps) => {
                ps.iter().map(|c| self.cost(c)).max().unwrap_or(0)
            }
            Predicate::Not(inner) => self.cost(inner),
            Predicate::IsNull { .. } => 0,
            Predicate::Compare { column, .. } | Predicate::In { column, .. } => {
                self.column_cost(*column)
            }
        }
    }

    /// The cost of a comparison on table column `column`, as [`Self::cost`].
    fn column_cost(&self, column: usize) -> u8 {
        match self.map.get(column).copied().flatten() {
            None => 0,
            Some(c) => {
                let index = self.segment.column_index(c);
                if index.values.is_some() {
                    1
                } else if index.bsi.is_some() {
                    2
                } else {
                    3
                }
            }
        }
    }

    /// NULL rows of table column `column` among `domain`.
    fn nulls(&self, column: usize, domain: &RoaringBitmap) -> RoaringBitmap {
        match self.map.get(column).copied().flatten() {
            Some(c) => self.segment.nulls(c) & domain,
            None => domain.clone(),
        }
    }

    /// A comparison leaf answered by `by_index(index, non-NULL rows of the
    /// domain)` (true rows among them), its unknown rows being the NULLs;
    /// None when the segment has no index that answers it.
    fn leaf(
        &self,
        column: usize,
        domain: &RoaringBitmap,
        counts: &mut LeafCounts,
        by_index: impl FnOnce(&ColumnIndex, &Present) -> Option<RoaringBitmap>,
    ) -> Option<Truth> {
        let Some(c) = self.map.get(column).copied().flatten() else {
            counts.indexed += 1;
            return Some(all_unknown(domain));
        };
        let index = self.segment.column_index(c);
        if index.is_empty() {
            return None;
        }
        let nulls = self.segment.nulls(c);
        let rows = if nulls.is_empty() {
            Cow::Borrowed(domain)
        } else {
            Cow::Owned(domain - nulls)
        };
        let ty = &self.segment.column_types()[c];
        let present = Present {
            everything: rows.len() == u64::from(self.segment.row_count()),
            rows,
            ty,
        };
        let yes = by_index(index, &present)?;
        counts.indexed += 1;
        Some(Truth {
            yes,
            unknown: if nulls.is_empty() {
                RoaringBitmap::new()
            } else {
                nulls & domain
            },
        })
    }

    /// A leaf answered by reading the column at the rows of `domain`: `f`
    /// gives each value's truth.
    fn scan(
        &self,
        column: usize,
        domain: &RoaringBitmap,
        counts: &mut LeafCounts,
        f: impl Fn(&Value) -> Option<bool>,
    ) -> Truth {
        counts.scanned += 1;
        let Some(c) = self.map.get(column).copied().flatten() else {
            return all_unknown(domain);
        };
        let mut t = Truth {
            yes: RoaringBitmap::new(),
            unknown: RoaringBitmap::new(),
        };
        let mut test = |pos: u32, v: &Value| match f(v) {
            Some(true) => {
                t.yes.insert(pos);
            }
            None => {
                t.unknown.insert(pos);
            }
            Some(false) => {}
        };
        // A few rows are read one by one; most of the segment, in one pass.
        if domain.len() < u64::from(self.segment.row_count() / 8) {
            for pos in domain {
                test(pos, &self.segment.value(c, pos));
            }
        } else {
            self.segment.scan_column(c, |pos, v| {
                if domain.contains(pos) {
                    test(pos, &v);
                }
            });
        }
        t
    }
}

fn all_unknown(all: &RoaringBitmap) -> Truth {
    Truth {
        yes: RoaringBitmap::new(),
        unknown: all.clone(),
    }
}

/// The rows of `t.yes ∧ u.yes` and where the AND is unknown, for `u`
/// evaluated over the rows `t` left alive (true or unknown).
fn and(t: Truth, u: Truth) -> Truth {
    if t.unknown.is_empty() {
        // u's rows are all within t.yes.
        return u;
    }
    // true∧u = u, u∧u = u, u∧true = u; anything∧false = false.
    let unknown = (&t.unknown & &(&u.yes | &u.unknown)) | (&t.yes & &u.unknown);
    Truth {
        yes: u.yes - &t.unknown,
        unknown,
    }
}

/// A child of an AND as evaluated: a predicate, or a lower and an upper
/// bound on one column that a bit-sliced index answers in one walk.
enum Conjunct<'p> {
    One(&'p Predicate),
    Range {
        column: usize,
        lower: &'p Predicate,
        upper: &'p Predicate,
    },
}

/// `Some((column, is_lower))` for a comparison `column >|>=|<|<= value`
/// with a non-NULL value.
fn bound(p: &Predicate) -> Option<(usize, bool)> {
    match p {
        Predicate::Compare { column, op, value } if !value.is_null() => match op {
            CompareOp::Gt | CompareOp::Ge => Some((*column, true)),
            CompareOp::Lt | CompareOp::Le => Some((*column, false)),
            CompareOp::Eq | CompareOp::Ne => None,
        },
        _ => None,
    }
}

/// The BSI key a bound includes: `x` for >= and <=, `x + 1` for >, `x - 1`
/// for < (keys are integers); `Some(None)` when no key is past a strict
/// bound, None when the value has no key (or `p` is not a bound).
fn inclusive_key(ty: &DataType, p: &Predicate) -> Option<Option<i64>> {
    let Predicate::Compare { op, value, .. } = p else {
        return None;
    };
    let k = bsi_key(ty, value)?;
    Some(match op {
        CompareOp::Ge | CompareOp::Le => Some(k),
        CompareOp::Gt => k.checked_add(1),
        CompareOp::Lt => k.checked_sub(1),
        CompareOp::Eq | CompareOp::Ne => return None,
    })
}

/// The non-NULL rows of a leaf's domain in one segment column.
struct Present<'a> {
    rows: Cow<'a, RoaringBitmap>,
    /// Whether `rows` is every row of the segment (nothing to intersect).
    everything: bool,
    ty: &'a DataType,
}

impl Present<'_> {
    /// `b` restricted to these rows.
    fn restrict(&self, b: RoaringBitmap) -> RoaringBitmap {
        if self.everything { b } else { b & &*self.rows }
    }
}

/// The rows of `present` (non-NULL rows of the domain) where `column op
/// value` holds, from the column's indexes; None when they cannot answer
/// it exactly.
fn compare_index(
    index: &ColumnIndex,
    present: &Present,
    op: CompareOp,
    value: &Value,
) -> Option<RoaringBitmap> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    if let Some(bsi) = &index.bsi {
        let k = bsi_key(present.ty, value)?;
        let rows = &*present.rows;
        let compare = |want, or_equal| bsi.compare_within(want, or_equal, k, rows);
        let yes = match op {
            CompareOp::Eq => compare(Equal, false),
            CompareOp::Ne => rows - compare(Equal, false),
            CompareOp::Lt => compare(Less, false),
            CompareOp::Le => compare(Less, true),
            CompareOp::Gt => compare(Greater, false),
            CompareOp::Ge => compare(Greater, true),
        };
        return Some(yes);
    }
    let values = index.values.as_ref()?;
    // The bitmaps are ordered by sql_cmp, which only orders values of
    // comparable types.
    match values.groups().next() {
        None => return Some(RoaringBitmap::new()),
        Some((sample, _)) => sample.sql_cmp(value)?,
    };
    let yes = match op {
        CompareOp::Eq if present.everything => values.eq(value),
        CompareOp::Eq => values.eq_within(value, &present.rows),
        CompareOp::Ne => &*present.rows - values.eq_within(value, &present.rows),
        CompareOp::Lt => present.restrict(values.range(None, Some((value, false)))),
        CompareOp::Le => present.restrict(values.range(None, Some((value, true)))),
        CompareOp::Gt => present.restrict(values.range(Some((value, false)), None)),
        CompareOp::Ge => present.restrict(values.range(Some((value, true)), None)),
    };
    Some(yes)
}
