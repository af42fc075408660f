//! Behavioral segments as sets of ids: the build side of a semi-join whose
//! rows are an index scan of one table, keyed by one integer column
//! (`c.id IN (SELECT customer_id FROM transactions WHERE …)`,
//! `NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id
//! AND …)`).
//!
//! The scan's rows are selected by the segments' bitmaps
//! ([`index_plan::select`]) and only the key column is read at the selected
//! positions, into a bit per value: a plain bit array over the values'
//! span when that span is small next to their number (customer ids are
//! dense), a roaring treemap otherwise. Probing is a bit test. Compared
//! with [`super::semijoin::SemiJoinTable`], no row is materialised and no
//! key is hashed.

use std::borrow::Cow;
use std::sync::Arc;

use roaring::RoaringTreemap;

use super::error::{SqlError, SqlResult};
use super::executor::ExecContext;
use super::expr::Expr;
use super::index_plan;
use super::plan::Plan;
use crate::catalog::{TableDef, TableId};
use crate::types::{DataType, Value};
use crate::version::column_map;

/// The values of an integer column among some rows.
#[derive(Debug, Default)]
pub struct IdSet {
    /// The non-NULL values read from segments, when dense enough.
    dense: Option<DenseIds>,
    /// The other non-NULL values, as their two's-complement bits.
    ids: RoaringTreemap,
    /// Whether a row had NULL in the column.
    has_null: bool,
    /// Whether there was any row at all.
    any_row: bool,
}

impl IdSet {
    /// The set of `plan`'s only column, for a plan `[DISTINCT] SELECT col
    /// FROM t [WHERE <indexed conjuncts>]`; None for any other plan.
    pub fn of_projection(plan: &Plan, ctx: &ExecContext) -> SqlResult<Option<IdSet>> {
        let mut p = plan;
        if let Plan::Distinct { input } = p {
            p = input;
        }
        match p {
            Plan::Project { input, exprs } => match exprs.as_slice() {
                [super::expr::Expr::Column(c)] => Self::of_column(input, *c, ctx),
                _ => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// The values of column `column` of the rows of `scan`, an index scan
    /// or a whole-table scan; None when `scan` is something else or the
    /// column is not BIGINT or INTEGER.
    pub fn of_column(scan: &Plan, column: usize, ctx: &ExecContext) -> SqlResult<Option<IdSet>> {
        let Some(KeyedScan { table, index, def }) = KeyedScan::of(scan, column, ctx)? else {
            return Ok(None);
        };
        let selection = index_plan::select(table, index, ctx)?;
        let data = ctx.version.table(table)?;
        let current = def.column_ids();
        let mut set = IdSet::default();
        let mut ids: Vec<i64> = Vec::new();
        for (seg, rows) in data.segments.iter().zip(&selection.segments) {
            ctx.interrupt.check()?;
            if rows.is_empty() {
                continue;
            }
            set.any_row = true;
            let Some(sc) = column_map(&seg.handle.column_ids, &current)[column] else {
                set.has_null = true;
                continue;
            };
            let segment = &seg.handle.segment;
            let nulls = segment.nulls(sc);
            let present = if nulls.is_disjoint(rows) {
                Cow::Borrowed(rows)
            } else {
                set.has_null = true;
                Cow::Owned(rows - nulls)
            };
            // The values straight from the column block; the column is
            // INTEGER or BIGINT, so every value is its own key.
            if !segment.keys(sc, &present, &mut ids) {
                return Err(SqlError::internal("an integer column without integers"));
            }
        }
        match DenseIds::of(&ids) {
            Some(dense) => set.dense = Some(dense),
            None => {
                // Sorted and appended at once: one treemap insert per value
                // is several times slower.
                let mut sorted: Vec<u64> = ids.iter().map(|&x| x as u64).collect();
                sorted.sort_unstable();
                sorted.dedup();
                set.ids = RoaringTreemap::from_sorted_iter(sorted)
                    .map_err(|_| SqlError::internal("id set values out of order"))?;
            }
        }
        for (_, row) in &selection.memtable {
            set.any_row = true;
            set.add(row.get(column).unwrap_or(&Value::Null))?;
        }
        Ok(Some(set))
    }

    /// How many distinct non-NULL values it holds (for EXPLAIN ANALYZE).
    pub fn len(&self) -> u64 {
        let Some(dense) = &self.dense else {
            return self.ids.len();
        };
        let bits: u64 = dense.words.iter().map(|w| u64::from(w.count_ones())).sum();
        // Memtable values go to the treemap and may repeat dense ones.
        bits + self
            .ids
            .iter()
            .filter(|&x| !dense.contains(x as i64))
            .count() as u64
    }

    fn add(&mut self, v: &Value) -> SqlResult<()> {
        match integer(v)? {
            Some(x) => {
                self.ids.insert(x as u64);
            }
            None => self.has_null = true,
        }
        Ok(())
    }

    fn has(&self, x: i64) -> bool {
        self.dense.as_ref().is_some_and(|d| d.contains(x)) || self.ids.contains(x as u64)
    }

    /// EXISTS for the rows whose key is `key`: NULL matches nothing.
    pub fn exists(&self, key: &Value) -> SqlResult<bool> {
        Ok(integer(key)?.is_some_and(|x| self.has(x)))
    }

    /// `x IN (the values)`: TRUE if one equals `x`, else NULL if `x` or
    /// one of them is NULL, else FALSE (also for no rows at all).
    pub fn contains(&self, x: &Value) -> SqlResult<Value> {
        if !self.any_row {
            return Ok(Value::Boolean(false));
        }
        Ok(match integer(x)? {
            None => Value::Null,
            Some(x) if self.has(x) => Value::Boolean(true),
            Some(_) if self.has_null => Value::Null,
            Some(_) => Value::Boolean(false),
        })
    }
}

/// An index scan or a whole-table scan keyed by an integer column: what
/// an id set or an id lookup reads.
pub(super) struct KeyedScan<'p> {
    pub table: TableId,
    /// The index scan's predicate; None for the whole table.
    pub index: Option<&'p Expr>,
    pub def: Arc<TableDef>,
}

impl<'p> KeyedScan<'p> {
    /// `scan` keyed by its column `column`; None when `scan` is neither
    /// kind of scan or the column is not BIGINT or INTEGER.
    pub fn of(scan: &'p Plan, column: usize, ctx: &ExecContext) -> SqlResult<Option<Self>> {
        let (table, index) = match scan {
            Plan::IndexScan { table, index } => (*table, Some(index)),
            Plan::Scan { table } => (*table, None),
            _ => return Ok(None),
        };
        let def = ctx.version.table_def(table)?.clone();
        let integer = matches!(
            def.columns.get(column).map(|c| c.ty),
            Some(DataType::BigInt | DataType::Integer)
        );
        Ok(integer.then_some(KeyedScan { table, index, def }))
    }
}

/// A set of integers as one bit per value of their span.
#[derive(Debug)]
struct DenseIds {
    min: i64,
    /// Bit `x - min` is set for each member `x`.
    words: Vec<u64>,
}

impl DenseIds {
    /// The bit array of `values`, if their span needs no more bits than
    /// 64 per value (so no more memory than the values themselves), with
    /// some slack for small sets; None if it would be sparser.
    fn of(values: &[i64]) -> Option<DenseIds> {
        let (&first, rest) = values.split_first()?;
        let (min, max) = rest
            .iter()
            .fold((first, first), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let span = u64::try_from(i128::from(max) - i128::from(min) + 1).ok()?;
        let limit = 64 * (values.len() as u64).max(1 << 12);
        if span > limit {
            return None;
        }
        let mut words = vec![0u64; span.div_ceil(64) as usize];
        for &x in values {
            let bit = x.wrapping_sub(min) as u64;
            words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        Some(DenseIds { min, words })
    }

    fn contains(&self, x: i64) -> bool {
        let Some(bit) = u64::try_from(i128::from(x) - i128::from(self.min)).ok() else {
            return false;
        };
        self.words
            .get((bit / 64) as usize)
            .is_some_and(|w| w >> (bit % 64) & 1 == 1)
    }
}

/// An integer value as i64; None for NULL. The binder gives both sides of
/// the comparison one integer type, so anything else is a planning error.
pub(super) fn integer(v: &Value) -> SqlResult<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::BigInt(x) => Ok(Some(*x)),
        Value::Integer(x) => Ok(Some(i64::from(*x))),
        other => Err(SqlError::internal(format!(
            "an id set probed with a non-integer value {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(values: &[Value]) -> IdSet {
        let mut s = IdSet::default();
        for v in values {
            s.any_row = true;
            s.add(v).unwrap();
        }
        s
    }

    #[test]
    fn in_follows_sql_null_rules() {
        let t = set(&[Value::BigInt(1), Value::BigInt(-5), Value::Integer(7)]);
        assert_eq!(
            t.contains(&Value::BigInt(-5)).unwrap(),
            Value::Boolean(true)
        );
        assert_eq!(
            t.contains(&Value::Integer(7)).unwrap(),
            Value::Boolean(true)
        );
        assert_eq!(
            t.contains(&Value::BigInt(2)).unwrap(),
            Value::Boolean(false)
        );
        assert_eq!(t.contains(&Value::Null).unwrap(), Value::Null);
        let with_null = set(&[Value::BigInt(1), Value::Null]);
        assert_eq!(with_null.contains(&Value::BigInt(2)).unwrap(), Value::Null);
        assert_eq!(
            with_null.contains(&Value::BigInt(1)).unwrap(),
            Value::Boolean(true)
        );
        // No rows: FALSE, even for NULL.
        let empty = IdSet::default();
        assert_eq!(empty.contains(&Value::Null).unwrap(), Value::Boolean(false));
    }

    #[test]
    fn exists_matches_no_null_key() {
        let t = set(&[Value::BigInt(3), Value::Null]);
        assert!(t.exists(&Value::BigInt(3)).unwrap());
        assert!(!t.exists(&Value::BigInt(4)).unwrap());
        assert!(!t.exists(&Value::Null).unwrap());
        assert!(t.exists(&Value::Text("3".into())).is_err());
    }

    #[test]
    fn len_counts_each_value_once() {
        let mut s = IdSet {
            dense: DenseIds::of(&[3, 5, 5, 9]),
            ..IdSet::default()
        };
        assert_eq!(s.len(), 3);
        for v in [Value::BigInt(5), Value::BigInt(70_000), Value::Null] {
            s.add(&v).unwrap();
        }
        assert_eq!(s.len(), 4);
        assert_eq!(set(&[Value::Integer(-1), Value::Integer(-1)]).len(), 1);
    }

    #[test]
    fn dense_ids_hold_exactly_their_values() {
        let values = [5, 7, 7, 64, 65, 200, -3, 4_000];
        let dense = DenseIds::of(&values).expect("a small span is dense");
        for x in -70..4_100 {
            assert_eq!(dense.contains(x), values.contains(&x), "{x}");
        }
        assert!(!dense.contains(i64::MIN) && !dense.contains(i64::MAX));
        // Extreme values span more than any bit array may: the treemap.
        assert!(DenseIds::of(&[i64::MIN, i64::MAX]).is_none());
        assert!(DenseIds::of(&[]).is_none());
        let wide = [0, 64 * 4_096 + 1];
        assert!(DenseIds::of(&wide).is_none());
    }
}
