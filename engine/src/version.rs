//! A version of the whole database: the catalog, and per table its live
//! segments (with their delete bitmaps) and its memtable.
//!
//! Versions are values. Each commit derives a new one from the latest by
//! applying the transaction's ops; everything inside is shared through `Arc`
//! or persistent maps, so deriving and holding versions is cheap. A reader's
//! snapshot is just a version it keeps: nothing it holds ever changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use roaring::RoaringBitmap;

use crate::catalog::{Catalog, ColumnId, TableDef, TableId};
use crate::error::{Error, Result};
use crate::foreign_key::{self, Removed};
use crate::memtable::{Entry, Key, Memtable};
use crate::record::Op;
use crate::row::Row;
use crate::segment::Segment;
use crate::types::Value;
use crate::unique::{self, UniqueIndex};

/// An open segment file and what the manifest says of it.
pub struct SegmentHandle {
    pub id: u64,
    pub table: TableId,
    pub file: String,
    /// The table's column ids when the segment was written, in segment order.
    pub column_ids: Vec<ColumnId>,
    /// The highest commit sequence number whose rows it holds.
    pub max_seq: u64,
    pub segment: Segment,
}

/// A live segment in a version, with the rows deleted from it so far.
#[derive(Clone)]
pub struct SegmentRef {
    pub handle: Arc<SegmentHandle>,
    pub deletes: Arc<RoaringBitmap>,
    /// The file holding `deletes` as of the last checkpoint, if any.
    pub deletes_file: Option<String>,
    /// Whether `deletes` changed since it was last written.
    pub deletes_dirty: bool,
}

impl SegmentRef {
    /// Rows of the segment not deleted.
    pub fn live_rows(&self) -> u64 {
        u64::from(self.handle.segment.row_count()) - self.deletes.len()
    }
}

/// The data of one table.
#[derive(Clone, Default)]
pub struct TableData {
    /// Oldest first.
    pub segments: Vec<SegmentRef>,
    pub memtable: Memtable,
    /// One index per UNIQUE constraint of the table, in definition order.
    pub uniques: Vec<UniqueIndex>,
}

/// Where the live copy of a key is.
pub enum Location {
    /// In the memtable, written by commit `seq`.
    Memtable { seq: u64, row: Row },
    /// At row `pos` of segment `index` (an index into `TableData::segments`).
    Segment { index: usize, pos: u32 },
}

impl TableData {
    /// The data of a new, empty table.
    pub fn new(def: &TableDef) -> TableData {
        TableData {
            uniques: vec![UniqueIndex::default(); def.uniques.len()],
            ..TableData::default()
        }
    }

    /// The live copy of `key`, if there is one. A key has at most one.
    pub fn locate(&self, key: &[u8]) -> Option<Location> {
        if let Some(entry) = self.memtable.get(key) {
            // A tombstone means the key was deleted; whatever copy a segment
            // still holds is marked in its delete bitmap.
            return entry.row.as_ref().map(|row| Location::Memtable {
                seq: entry.seq,
                row: row.clone(),
            });
        }
        for (index, seg) in self.segments.iter().enumerate().rev() {
            if let Some(pos) = seg.handle.segment.find_key(key)
                && !seg.deletes.contains(pos)
            {
                return Some(Location::Segment { index, pos });
            }
        }
        None
    }

    /// The row at `location`, laid out as `def`'s current columns.
    pub fn row_at(&self, location: &Location, def: &TableDef) -> Row {
        match location {
            Location::Memtable { row, .. } => row.clone(),
            Location::Segment { index, pos } => {
                let seg = &self.segments[*index];
                let row = seg.handle.segment.row(*pos);
                if seg.handle.column_ids == def.column_ids() {
                    row
                } else {
                    remap_row(&row, &column_map(&seg.handle.column_ids, &def.column_ids()))
                }
            }
        }
    }

    /// Every live row with its key, as `def`'s current columns.
    pub fn rows<'a>(&'a self, def: &'a TableDef) -> impl Iterator<Item = (Key, Row)> + 'a {
        let current = def.column_ids();
        let segments = self.segments.iter().flat_map(move |seg| {
            let current = current.clone();
            (0..seg.handle.segment.row_count())
                .filter(move |pos| !seg.deletes.contains(*pos))
                .map(move |pos| {
                    let row = seg.handle.segment.row(pos);
                    let row = if seg.handle.column_ids == current {
                        row
                    } else {
                        remap_row(&row, &column_map(&seg.handle.column_ids, &current))
                    };
                    (Key::from(seg.handle.segment.key(pos)), row)
                })
        });
        segments.chain(self.memtable.rows().map(|(k, r)| (k.clone(), r.clone())))
    }

    /// Rebuilds the UNIQUE indexes from the rows.
    pub fn rebuild_uniques(&mut self, def: &TableDef) -> Result<()> {
        let uniques = crate::unique::build(def, self.rows(def))?;
        self.uniques = uniques;
        Ok(())
    }

    /// Rows not deleted, in segments and memtable.
    pub fn live_rows(&self) -> u64 {
        self.segments.iter().map(SegmentRef::live_rows).sum::<u64>()
            + self.memtable.live_rows() as u64
    }
}

/// The state of the database after some commit.
#[derive(Clone, Default)]
pub struct Version {
    /// Sequence number of the last commit included.
    pub seq: u64,
    pub catalog: Arc<Catalog>,
    pub tables: BTreeMap<TableId, Arc<TableData>>,
}

impl Version {
    /// The definition of table `id`.
    pub fn table_def(&self, id: TableId) -> Result<&Arc<TableDef>> {
        self.catalog
            .table(id)
            .ok_or_else(|| Error::NotFound(format!("table id {id} does not exist")))
    }

    /// The data of table `id`.
    pub fn table(&self, id: TableId) -> Result<&TableData> {
        self.tables
            .get(&id)
            .map(|t| t.as_ref())
            .ok_or_else(|| Error::NotFound(format!("table id {id} does not exist")))
    }

    fn table_mut(&mut self, id: TableId) -> Result<&mut TableData> {
        self.tables
            .get_mut(&id)
            .map(Arc::make_mut)
            .ok_or_else(|| Error::NotFound(format!("table id {id} does not exist")))
    }

    fn def(&self, id: TableId) -> Result<&Arc<TableDef>> {
        self.catalog
            .table(id)
            .ok_or_else(|| Error::NotFound(format!("table id {id} does not exist")))
    }

    /// Applies one op as commit `seq`; parent rows it removes are added to
    /// `removed` for [`Self::finish_batch`]. This is the only way data changes:
    /// a transaction applies its ops to its private version as it runs, the
    /// commit applies them again to the latest version, and recovery to the
    /// version the manifest describes. An error leaves `self` unusable for
    /// the caller's purpose; callers apply to a copy.
    pub fn apply_op(&mut self, op: &Op, seq: u64, removed: &mut Vec<Removed>) -> Result<()> {
        match op {
            Op::Insert { table, key, row } => {
                let def = self.def(*table)?.clone();
                let data = self.table_mut(*table)?;
                if data.locate(key).is_some() {
                    return Err(duplicate_key(&def, row));
                }
                unique::check(&def, &data.uniques, row, key)?;
                if !def.foreign_keys.is_empty() {
                    foreign_key::check_parents(self, &def, row)?;
                }
                let data = self.table_mut(*table)?;
                unique::add(&def, &mut data.uniques, row, key);
                data.memtable.put(
                    key.clone(),
                    Entry {
                        seq,
                        row: Some(row.clone()),
                    },
                );
            }
            Op::Delete { table, key } => {
                let def = self.def(*table)?.clone();
                let data = self.table_mut(*table)?;
                let location = data.locate(key).ok_or_else(|| {
                    Error::NotFound(format!(
                        "row to delete from table id {table} does not exist"
                    ))
                })?;
                if !def.uniques.is_empty() {
                    let old = data.row_at(&location, &def);
                    unique::remove(&def, &mut data.uniques, &old, key);
                }
                let referenced = foreign_key::is_referenced(self, *table);
                let data = self.table_mut(*table)?;
                if referenced {
                    removed.push(Removed {
                        table: *table,
                        key: key.clone(),
                        row: data.row_at(&location, &def),
                    });
                }
                match location {
                    Location::Memtable { .. } => {}
                    Location::Segment { index, pos } => {
                        let seg = &mut data.segments[index];
                        Arc::make_mut(&mut seg.deletes).insert(pos);
                        seg.deletes_dirty = true;
                    }
                }
                data.memtable.put(key.clone(), Entry { seq, row: None });
            }
            Op::CreateTable(def) => {
                Arc::make_mut(&mut self.catalog).create_table(def.clone())?;
                self.tables.insert(def.id, Arc::new(TableData::new(def)));
            }
            Op::ReplaceTable(def) => {
                let old = self.def(def.id)?.clone();
                Arc::make_mut(&mut self.catalog).replace_table(def.clone())?;
                let map = column_map(&old.column_ids(), &def.column_ids());
                if map.iter().enumerate().any(|(i, m)| *m != Some(i))
                    || old.columns.len() != def.columns.len()
                {
                    let data = self.table_mut(def.id)?;
                    data.memtable.map_rows(|row| remap_row(row, &map));
                }
                if old.uniques != def.uniques || old.columns != def.columns {
                    self.table_mut(def.id)?.rebuild_uniques(def)?;
                }
            }
            Op::DropTable(table) => {
                Arc::make_mut(&mut self.catalog).drop_table(*table)?;
                self.tables.remove(table);
            }
            Op::Truncate(table) => {
                let def = self.def(*table)?.clone();
                self.tables.insert(*table, Arc::new(TableData::new(&def)));
            }
            Op::CreateRole(role) | Op::AlterRole(role) => {
                let replace = matches!(op, Op::AlterRole(_));
                Arc::make_mut(&mut self.catalog).put_role(role.clone(), replace)?;
            }
            Op::DropRole(name) => {
                Arc::make_mut(&mut self.catalog).drop_role(name)?;
            }
            Op::SetAcl { table, acl } => {
                Arc::make_mut(&mut self.catalog).set_acl(*table, acl.clone())?;
            }
            Op::RenameRole { from, to } => {
                Arc::make_mut(&mut self.catalog).rename_role(from, to)?;
            }
        }
        self.seq = self.seq.max(seq);
        Ok(())
    }

    /// Ends a batch of ops: parent rows removed by it must not be
    /// referenced any more, or their referencing rows go too (CASCADE).
    pub fn finish_batch(&mut self, mut removed: Vec<Removed>, seq: u64) -> Result<()> {
        while let Some(r) = removed.pop() {
            for (table, key) in foreign_key::check_removed(self, &r)? {
                // Rows reached through two paths may be gone already.
                if self.table(table)?.locate(&key).is_some() {
                    self.apply_op(&Op::Delete { table, key }, seq, &mut removed)?;
                }
            }
        }
        Ok(())
    }

    /// Applies a batch of ops as commit `seq`, with [`Self::finish_batch`].
    pub fn apply_batch(&mut self, ops: &[Op], seq: u64) -> Result<()> {
        let mut removed = Vec::new();
        for op in ops {
            self.apply_op(op, seq, &mut removed)?;
        }
        self.finish_batch(removed, seq)
    }
}

/// For each column of `to`, its position in `from`, if `from` has it.
pub fn column_map(from: &[ColumnId], to: &[ColumnId]) -> Vec<Option<usize>> {
    to.iter()
        .map(|id| from.iter().position(|f| f == id))
        .collect()
}

/// A row laid out as `map` says; missing columns are NULL.
pub fn remap_row(row: &[Value], map: &[Option<usize>]) -> Row {
    map.iter()
        .map(|m| m.and_then(|i| row.get(i).cloned()).unwrap_or(Value::Null))
        .collect()
}

/// The error PostgreSQL gives for a duplicate primary key.
fn duplicate_key(def: &TableDef, row: &[Value]) -> Error {
    let constraint = def
        .primary_key_name
        .clone()
        .unwrap_or_else(|| format!("{}_pkey", def.name));
    unique::duplicate_key(def, &constraint, &def.primary_key, row)
}
