//! [`Selection`]: the rows of a table in a version where a [`Predicate`]
//! is true — per segment a bitmap of positions (from the segment's indexes,
//! deleted rows removed), and the memtable's matching rows, tested one by
//! one. Where a row lives never changes whether it is selected.

use std::sync::Arc;

use roaring::RoaringBitmap;

use crate::catalog::{TableDef, TableId};
use crate::error::{Error, Result};
use crate::index::{LeafCounts, Predicate, SegmentView};
use crate::memtable::Key;
use crate::row::Row;
use crate::version::{TableData, Version, column_map, remap_row};

/// The matching rows of one table of one version.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Per segment of the table (in the version's order), the live
    /// positions that match.
    pub segments: Vec<RoaringBitmap>,
    /// Memtable rows that match, in key order.
    pub memtable: Vec<(Key, Row)>,
    /// How the predicate's leaves were answered, over all segments.
    pub leaves: LeafCounts,
}

impl Selection {
    /// Evaluates `predicate` over `data`, the rows of `def`.
    pub fn evaluate(def: &TableDef, data: &TableData, predicate: &Predicate) -> Result<Selection> {
        if predicate.nodes() > crate::index::MAX_PREDICATE_NODES {
            return Err(Error::Limit(format!(
                "a predicate has at most {} nodes",
                crate::index::MAX_PREDICATE_NODES
            )));
        }
        let current = def.column_ids();
        let mut out = Selection::default();
        for seg in &data.segments {
            let map: Vec<Option<usize>> = if seg.handle.column_ids == current {
                (0..current.len()).map(Some).collect()
            } else {
                column_map(&seg.handle.column_ids, &current)
            };
            let view = SegmentView {
                segment: &seg.handle.segment,
                map: &map,
            };
            let mut rows = view.evaluate(predicate, &mut out.leaves);
            rows -= &*seg.deletes;
            out.segments.push(rows);
        }
        out.memtable = data
            .memtable
            .rows()
            .filter(|(_, row)| predicate.eval_row(row) == Some(true))
            .map(|(k, r)| (k.clone(), r.clone()))
            .collect();
        Ok(out)
    }

    /// Number of matching rows.
    pub fn count(&self) -> u64 {
        self.segments.iter().map(RoaringBitmap::len).sum::<u64>() + self.memtable.len() as u64
    }

    /// The matching rows with their keys: segment rows oldest segment
    /// first, then the memtable's.
    pub fn into_rows(self, version: Arc<Version>, table: TableId) -> Result<SelectedRows> {
        let def = version.table_def(table)?;
        let current = def.column_ids();
        let data = version.table(table)?;
        if data.segments.len() != self.segments.len() {
            return Err(Error::Invalid(
                "a selection read with another version than it was made from".into(),
            ));
        }
        let maps = data
            .segments
            .iter()
            .map(|s| {
                (s.handle.column_ids != current).then(|| column_map(&s.handle.column_ids, &current))
            })
            .collect();
        Ok(SelectedRows {
            table,
            maps,
            segments: self.segments.into_iter().enumerate().collect(),
            current: None,
            memtable: self.memtable.into_iter(),
            version,
        })
    }
}

/// An owned iterator over a [`Selection`]'s rows (with keys).
pub struct SelectedRows {
    version: Arc<Version>,
    table: TableId,
    /// Per segment, how to lay its rows out as the current columns.
    maps: Vec<Option<Vec<Option<usize>>>>,
    segments: std::collections::VecDeque<(usize, RoaringBitmap)>,
    current: Option<(usize, roaring::bitmap::IntoIter)>,
    memtable: std::vec::IntoIter<(Key, Row)>,
}

impl Iterator for SelectedRows {
    type Item = (Key, Row);

    fn next(&mut self) -> Option<(Key, Row)> {
        loop {
            if let Some((index, positions)) = &mut self.current {
                if let Some(pos) = positions.next() {
                    let data = self.version.table(self.table).expect("checked at creation");
                    let segment = &data.segments[*index].handle.segment;
                    let row = segment.row(pos);
                    let row = match &self.maps[*index] {
                        Some(map) => remap_row(&row, map),
                        None => row,
                    };
                    return Some((Key::from(segment.key(pos)), row));
                }
                self.current = None;
            }
            match self.segments.pop_front() {
                Some((index, bitmap)) => self.current = Some((index, bitmap.into_iter())),
                None => return self.memtable.next(),
            }
        }
    }
}
