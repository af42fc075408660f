//! Compaction: a table's segments are merged into as few as possible, the
//! rows their delete bitmaps mark are dropped for good, and the old files are
//! deleted. This is also what makes an erased customer's bytes leave the
//! data directory.
//!
//! It starts with a checkpoint, so that the manifest it writes covers the
//! whole log; like a checkpoint it holds the writer lock while it runs.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use crate::catalog::{ColumnId, TableDef, TableId};
use crate::db::{Inner, lock, remove_unreferenced_files};
use crate::error::Result;
use crate::row::Row;
use crate::segment::MAX_SEGMENT_ROWS;
use crate::version::{SegmentRef, TableData, column_map, remap_row};

use crate::checkpoint::manifest_of;

/// A table with more segments than this is compacted by the background thread.
pub const COMPACT_AFTER_SEGMENTS: usize = 8;
/// A table whose segments have at least this share of deleted rows too.
pub const COMPACT_AFTER_DELETED_FRACTION: f64 = 0.25;

/// Whether a segment of the table was written before one of its indexes
/// was created: compaction rewrites it with the index.
fn lacks_indexes(def: &TableDef, data: &TableData) -> bool {
    let wanted: Vec<ColumnId> = def
        .columns
        .iter()
        .zip(def.indexed_columns())
        .filter(|(_, indexed)| *indexed)
        .map(|(c, _)| c.id)
        .collect();
    data.segments.iter().any(|s| {
        wanted.iter().any(|id| {
            s.handle
                .column_ids
                .iter()
                .position(|c| c == id)
                .is_some_and(|pos| !s.handle.segment.column_index(pos).declared)
        })
    })
}

impl Inner {
    /// Tables whose segments are numerous or hold many deleted rows.
    pub fn tables_needing_compaction(&self) -> Vec<TableId> {
        let version = lock(&self.published).clone();
        version
            .tables
            .iter()
            .filter(|(id, data)| {
                let missing_index = version
                    .catalog
                    .table(**id)
                    .is_some_and(|def| lacks_indexes(def, data));
                let rows: u64 = data
                    .segments
                    .iter()
                    .map(|s| u64::from(s.handle.segment.row_count()))
                    .sum();
                let deleted: u64 = data.segments.iter().map(|s| s.deletes.len()).sum();
                missing_index
                    || data.segments.len() > COMPACT_AFTER_SEGMENTS
                    || (rows > 0 && deleted as f64 >= rows as f64 * COMPACT_AFTER_DELETED_FRACTION)
            })
            .map(|(id, _)| *id)
            .collect()
    }

    /// Compacts table `table` (see the module comment).
    pub fn compact(&self, table: TableId) -> Result<()> {
        let _maintenance = lock(&self.maintenance);
        let mut writer = lock(&self.writer);
        let checkpointed = self.checkpoint_locked(&mut writer)?;
        let mut version = (*writer.latest).clone();
        let Some(def) = version.catalog.table(table).cloned() else {
            return Ok(());
        };
        let data = Arc::make_mut(
            version
                .tables
                .get_mut(&table)
                .expect("tables follow the catalog"),
        );
        let worth_it = data.segments.len() > 1
            || data.segments.iter().any(|s| !s.deletes.is_empty())
            || lacks_indexes(&def, data);
        if !worth_it {
            drop(writer);
            self.wal.retire_before(checkpointed.wal_lsn)?;
            return remove_unreferenced_files(&*self.vfs, &checkpointed);
        }
        let old = std::mem::take(&mut data.segments);
        let max_seq = old.iter().map(|s| s.handle.max_seq).max().unwrap_or(0);
        let current = def.column_ids();
        let mut rows = MergedRows::new(&old, &current).peekable();
        while rows.peek().is_some() {
            let mut chunk = rows.by_ref().take(MAX_SEGMENT_ROWS as usize);
            let seg = self.write_segment_file(&mut writer, &def, max_seq, &mut chunk)?;
            data.segments.push(seg);
        }
        self.vfs.sync_dir()?;
        let manifest = manifest_of(&version, self.wal.end_lsn(), &writer, self.next_rowid());
        manifest.write(&*self.vfs)?;
        let version = Arc::new(version);
        writer.latest = version.clone();
        *lock(&self.published) = version;
        drop(writer);
        self.wal.retire_before(manifest.wal_lsn)?;
        remove_unreferenced_files(&*self.vfs, &manifest)
    }
}

/// The live rows of several segments, in key order (each segment is sorted
/// by key and a key lives in at most one of them), laid out as the table's
/// current columns.
struct MergedRows<'a> {
    segments: &'a [SegmentRef],
    maps: Vec<Option<Vec<Option<usize>>>>,
    next: Vec<u32>,
    heap: BinaryHeap<Reverse<(&'a [u8], usize)>>,
}

impl<'a> MergedRows<'a> {
    fn new(segments: &'a [SegmentRef], current: &[u32]) -> Self {
        let maps = segments
            .iter()
            .map(|s| {
                (s.handle.column_ids != current).then(|| column_map(&s.handle.column_ids, current))
            })
            .collect();
        let mut merged = MergedRows {
            segments,
            maps,
            next: vec![0; segments.len()],
            heap: BinaryHeap::new(),
        };
        for i in 0..segments.len() {
            merged.push_next(i);
        }
        merged
    }

    /// Queues segment `i`'s next live row.
    fn push_next(&mut self, i: usize) {
        let seg = &self.segments[i];
        let segment = &seg.handle.segment;
        while self.next[i] < segment.row_count() {
            let pos = self.next[i];
            self.next[i] += 1;
            if !seg.deletes.contains(pos) {
                self.heap.push(Reverse((segment.key(pos), i)));
                return;
            }
        }
    }
}

impl Iterator for MergedRows<'_> {
    type Item = (Vec<u8>, Row);

    fn next(&mut self) -> Option<Self::Item> {
        let Reverse((key, i)) = self.heap.pop()?;
        let pos = self.next[i] - 1;
        let row = self.segments[i].handle.segment.row(pos);
        let row = match &self.maps[i] {
            Some(map) => remap_row(&row, map),
            None => row,
        };
        self.push_next(i);
        Some((key.to_vec(), row))
    }
}
