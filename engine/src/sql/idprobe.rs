//! EXISTS for a few outer ids, looked up one by one: `NOT EXISTS (SELECT 1
//! FROM interactions i WHERE i.customer_id = c.id AND …)` asked for the
//! 2,000 customers a segment left, rather than building the set of every
//! customer with such an interaction ([`super::idset::IdSet`], which reads
//! the key of every selected row of the table).
//!
//! It needs each segment of the subquery's table to hold the key column
//! in order (see `segment::sorted`): the rows of one id are then one run of
//! positions, found by binary search, and the subquery's indexed
//! conditions are tested on those rows alone. Memtable rows are few and
//! unordered; their matching keys are collected once. A table with a
//! segment out of order is not probed.

use std::collections::HashSet;

use super::error::{SqlError, SqlResult};
use super::executor::ExecContext;
use super::idset::{KeyedScan, integer};
use super::index_plan;
use super::plan::Plan;
use crate::index::Predicate;
use crate::types::Value;
use crate::version::{SegmentRef, column_map};

/// Lookups that cost about as much as building the whole set: one per
/// this many rows of the table. A lookup (a binary search per segment and
/// a test of each row of the run) takes about 1.8 µs; a build walks the
/// indexes and reads the key of every selected row (10 ms for 10M
/// interactions: 4,882 lookups).
const ROWS_PER_LOOKUP: u64 = 2048;
/// Lookups allowed however small the table.
const MIN_LOOKUPS: u64 = 16;

/// One table's rows under an indexable predicate, looked up by an integer
/// column that every segment holds in order.
pub struct IdProbe {
    segments: Vec<Probed>,
    predicate: Predicate,
    /// The keys of the memtable's matching rows.
    memtable: HashSet<i64>,
    /// The table columns the predicate reads …
    columns: Vec<usize>,
    /// … and the width of a row that holds them.
    width: usize,
    /// Rows of the table's segments.
    rows: u64,
}

struct Probed {
    segment: SegmentRef,
    /// Segment column of each table column (None: added since, NULL here).
    map: Vec<Option<usize>>,
    /// The segment column of the key; None when the segment predates it
    /// (every key NULL: no row matches).
    key: Option<usize>,
}

impl IdProbe {
    /// The lookup for the rows of `scan` (an index scan or a whole-table
    /// scan) by its column `column`; None when `scan` is anything else, the
    /// column is not INTEGER or BIGINT, or a segment does not hold it in
    /// order. The first call for a segment reads its key column whole.
    pub fn of_column(scan: &Plan, column: usize, ctx: &ExecContext) -> SqlResult<Option<IdProbe>> {
        let Some(KeyedScan { table, index, def }) = KeyedScan::of(scan, column, ctx)? else {
            return Ok(None);
        };
        let predicate = index_plan::predicate(table, index, ctx)?;
        let data = ctx.version.table(table)?;
        let current = def.column_ids();
        let mut segments = Vec::with_capacity(data.segments.len());
        let mut rows = 0;
        for seg in &data.segments {
            ctx.interrupt.check()?;
            let map = column_map(&seg.handle.column_ids, &current);
            let key = map[column];
            if let Some(k) = key
                && seg.handle.segment.run_of(k, 0).is_none()
            {
                return Ok(None);
            }
            rows += u64::from(seg.handle.segment.row_count());
            segments.push(Probed {
                segment: seg.clone(),
                map,
                key,
            });
        }
        let mut memtable = HashSet::new();
        for (_, row) in data.memtable.rows() {
            if predicate.eval_row(row) == Some(true)
                && let Some(x) = integer(row.get(column).unwrap_or(&Value::Null))?
            {
                memtable.insert(x);
            }
        }
        let columns = predicate.columns();
        let width = columns.iter().max().map_or(0, |&c| c + 1);
        Ok(Some(IdProbe {
            segments,
            predicate,
            memtable,
            columns,
            width,
            rows,
        }))
    }

    /// How many lookups to make before building the whole set is cheaper.
    pub fn budget(&self) -> u64 {
        (self.rows / ROWS_PER_LOOKUP).max(MIN_LOOKUPS)
    }

    /// EXISTS for the rows whose key is `key`: NULL matches nothing.
    pub fn exists(&self, key: &Value) -> SqlResult<bool> {
        let Some(x) = integer(key)? else {
            return Ok(false);
        };
        // The rows of one key are a handful: each is read (only the
        // predicate's columns) and tested, which costs less than bitmap
        // algebra over them. Unread columns stay NULL.
        let mut row = vec![Value::Null; self.width];
        for p in &self.segments {
            let Some(k) = p.key else { continue };
            let segment = &p.segment.handle.segment;
            let run = segment
                .run_of(k, x)
                .ok_or_else(|| SqlError::internal("a probed column is no longer in order"))?;
            for pos in run {
                if p.segment.deletes.contains(pos) {
                    continue;
                }
                for &c in &self.columns {
                    row[c] = match p.map[c] {
                        Some(sc) => segment.value(sc, pos),
                        None => Value::Null,
                    };
                }
                if self.predicate.eval_row(&row) == Some(true) {
                    return Ok(true);
                }
            }
        }
        Ok(self.memtable.contains(&x))
    }
}
