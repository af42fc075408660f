//! Reading a version: a [`Snapshot`] of the database and a [`TableView`] of
//! one table in it.
//!
//! A snapshot holds its version (and through it the mapped segments) for as
//! long as it lives. Nothing the writer does afterwards — commits,
//! checkpoints, compactions — changes what it reads.

use std::sync::Arc;

use crate::catalog::{Catalog, TableDef};
use crate::error::{Error, Result};
use crate::memtable::Key;
use crate::row::{Row, encode_key};
use crate::types::Value;
use crate::version::{Location, SegmentRef, TableData, Version, column_map, remap_row};

/// A stable, read-only view of the whole database.
#[derive(Clone)]
pub struct Snapshot {
    version: Arc<Version>,
}

impl Snapshot {
    pub(crate) fn new(version: Arc<Version>) -> Self {
        Snapshot { version }
    }

    /// Sequence number of the last commit it includes.
    pub fn seq(&self) -> u64 {
        self.version.seq
    }

    /// The catalog as of the snapshot.
    pub fn catalog(&self) -> &Catalog {
        &self.version.catalog
    }

    /// The table named `name`.
    pub fn table(&self, name: &str) -> Result<TableView<'_>> {
        TableView::of(&self.version, name)
    }
}

/// One table of a version.
pub struct TableView<'a> {
    def: &'a Arc<TableDef>,
    data: &'a TableData,
}

impl<'a> TableView<'a> {
    pub(crate) fn of(version: &'a Version, name: &str) -> Result<TableView<'a>> {
        let def = version
            .catalog
            .table_by_name(name)
            .ok_or_else(|| Error::NotFound(format!("relation \"{name}\" does not exist")))?;
        Ok(TableView {
            def,
            data: version.table(def.id)?,
        })
    }

    /// The table's definition.
    pub fn def(&self) -> &'a Arc<TableDef> {
        self.def
    }

    /// Number of rows.
    pub fn row_count(&self) -> u64 {
        self.data.live_rows()
    }

    /// Number of segments holding the table's rows.
    pub fn segment_count(&self) -> usize {
        self.data.segments.len()
    }

    /// Bytes of the value bitmaps and bit-sliced indexes in the index areas
    /// of the table's segments (entry payloads, as stored).
    pub fn index_bytes(&self) -> u64 {
        self.data
            .segments
            .iter()
            .flat_map(|seg| {
                let segment = &seg.handle.segment;
                (0..segment.column_types().len()).map(move |c| segment.column_index(c))
            })
            .flat_map(|index| index.entries())
            .map(|(_, bytes)| bytes.len() as u64)
            .sum()
    }

    /// The row whose primary key has `key` values, in key column order.
    pub fn get(&self, key: &[Value]) -> Result<Option<Row>> {
        let key = primary_key_of_values(self.def, key)?;
        Ok(self.get_by_key(&key))
    }

    /// The row with encoded key `key`.
    pub fn get_by_key(&self, key: &[u8]) -> Option<Row> {
        match self.data.locate(key)? {
            Location::Memtable { row, .. } => Some(row),
            Location::Segment { index, pos } => {
                Some(self.segment_row(&self.data.segments[index], pos))
            }
        }
    }

    /// Every row with its key: segment rows oldest segment first, then the
    /// memtable, each in key order.
    pub fn scan(&self) -> impl Iterator<Item = (Key, Row)> + '_ {
        self.data.rows(self.def)
    }

    /// The rows where `predicate` is true, by the segments' indexes and a
    /// test of each memtable row.
    pub fn select(
        &self,
        predicate: &crate::index::Predicate,
    ) -> Result<crate::selection::Selection> {
        crate::selection::Selection::evaluate(self.def, self.data, predicate)
    }

    /// The rows of `selection` (made by [`Self::select`] on this view).
    pub fn selected_rows<'s>(
        &'s self,
        selection: &'s crate::selection::Selection,
    ) -> impl Iterator<Item = Row> + 's {
        let segments =
            self.data
                .segments
                .iter()
                .zip(&selection.segments)
                .flat_map(move |(seg, positions)| {
                    positions.iter().map(move |pos| self.segment_row(seg, pos))
                });
        segments.chain(selection.memtable.iter().map(|(_, r)| r.clone()))
    }

    /// Every row, without keys.
    pub fn rows(&self) -> impl Iterator<Item = Row> + '_ {
        self.scan().map(|(_, row)| row)
    }

    fn segment_row(&self, seg: &SegmentRef, pos: u32) -> Row {
        let row = seg.handle.segment.row(pos);
        match self.segment_column_map(seg) {
            Some(map) => remap_row(&row, &map),
            None => row,
        }
    }

    /// How to lay out a segment's rows as the table's current columns, or
    /// None when the segment already has them.
    fn segment_column_map(&self, seg: &SegmentRef) -> Option<Vec<Option<usize>>> {
        let current = self.def.column_ids();
        (seg.handle.column_ids != current).then(|| column_map(&seg.handle.column_ids, &current))
    }
}

/// An owned cursor over a table's rows (with keys) in a version: what
/// [`TableView::scan`] yields, but holding the version itself, so that it
/// can outlive the borrow that made it (a result streamed to a client).
pub struct TableCursor {
    version: Arc<Version>,
    table: crate::catalog::TableId,
    current: Vec<crate::catalog::ColumnId>,
    segment: usize,
    map: Option<Vec<Option<usize>>>,
    pos: u32,
    memtable: std::vec::IntoIter<(Key, Row)>,
}

impl TableCursor {
    /// A cursor over table `table` of `version`.
    pub fn new(version: Arc<Version>, table: crate::catalog::TableId) -> Result<TableCursor> {
        let def = version.table_def(table)?;
        let current = def.column_ids();
        let data = version.table(table)?;
        // The memtable is bounded by the checkpoint threshold: take its rows
        // now rather than hold a borrow of the map.
        let memtable: Vec<(Key, Row)> = data
            .memtable
            .rows()
            .map(|(k, r)| (k.clone(), r.clone()))
            .collect();
        let mut cursor = TableCursor {
            table,
            current,
            segment: 0,
            map: None,
            pos: 0,
            memtable: memtable.into_iter(),
            version,
        };
        cursor.enter_segment();
        Ok(cursor)
    }

    fn enter_segment(&mut self) {
        let data = self.version.table(self.table).expect("checked at creation");
        if let Some(seg) = data.segments.get(self.segment) {
            self.map = (seg.handle.column_ids != self.current)
                .then(|| column_map(&seg.handle.column_ids, &self.current));
            self.pos = 0;
        }
    }
}

impl Iterator for TableCursor {
    type Item = (Key, Row);

    fn next(&mut self) -> Option<(Key, Row)> {
        loop {
            let data = self.version.table(self.table).expect("checked at creation");
            let Some(seg) = data.segments.get(self.segment) else {
                return self.memtable.next();
            };
            let segment = &seg.handle.segment;
            if self.pos >= segment.row_count() {
                self.segment += 1;
                self.enter_segment();
                continue;
            }
            let pos = self.pos;
            self.pos += 1;
            if seg.deletes.contains(pos) {
                continue;
            }
            let row = segment.row(pos);
            let row = match &self.map {
                Some(map) => remap_row(&row, map),
                None => row,
            };
            return Some((Key::from(segment.key(pos)), row));
        }
    }
}

/// The encoded primary key of `values` given in key column order.
pub fn primary_key_of_values(def: &TableDef, values: &[Value]) -> Result<Key> {
    if def.primary_key.is_empty() {
        return Err(Error::Invalid(format!(
            "table \"{}\" has no primary key",
            def.name
        )));
    }
    if values.len() != def.primary_key.len() {
        return Err(Error::Invalid(format!(
            "primary key of \"{}\" has {} columns, {} values given",
            def.name,
            def.primary_key.len(),
            values.len()
        )));
    }
    let refs: Vec<&Value> = values.iter().collect();
    let mut out = Vec::new();
    encode_key(&refs, &mut out);
    Ok(Key::from(out))
}

/// The encoded primary key of a full row of `def`.
pub fn primary_key_of_row(def: &TableDef, row: &[Value]) -> Key {
    let refs: Vec<&Value> = def
        .primary_key_positions()
        .into_iter()
        .map(|p| &row[p])
        .collect();
    let mut out = Vec::new();
    encode_key(&refs, &mut out);
    Key::from(out)
}

/// The key of a row of a table without primary key: its hidden row id.
pub fn rowid_key(rowid: u64) -> Key {
    let mut out = Vec::new();
    encode_key(&[&Value::BigInt(rowid as i64)], &mut out);
    Key::from(out)
}
