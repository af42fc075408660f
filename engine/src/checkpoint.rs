//! Checkpoint: the memtables become segments, changed delete bitmaps are
//! written, the log rolls to a new file, and a new manifest says that
//! recovery starts there. Then the older log files and any file the
//! manifest no longer names are deleted.
//!
//! It holds the writer lock throughout, so commits wait while it runs;
//! readers never do. Order matters for crash safety: every new file is
//! synced, and the directory too, before the manifest that names them is
//! written; the old log is retired only after that manifest is durable.

use std::sync::Arc;

use crate::catalog::TableDef;
use crate::db::{Inner, WriterState, lock, remove_unreferenced_files};
use crate::deletes;
use crate::error::Result;
use crate::manifest::{ManifestData, SegmentEntry};
use crate::row::Row;
use crate::segment::{MAX_SEGMENT_ROWS, Segment, write_segment};
use crate::version::{SegmentHandle, SegmentRef, Version};

impl Inner {
    /// Runs a checkpoint (see the module comment).
    pub fn checkpoint(&self) -> Result<()> {
        let _maintenance = lock(&self.maintenance);
        let mut writer = lock(&self.writer);
        let manifest = self.checkpoint_locked(&mut writer)?;
        drop(writer);
        self.wal.retire_before(manifest.wal_lsn)?;
        remove_unreferenced_files(&*self.vfs, &manifest)
    }

    /// The checkpoint itself, for callers that hold the writer lock.
    pub(crate) fn checkpoint_locked(&self, writer: &mut WriterState) -> Result<ManifestData> {
        // Everything appended becomes durable and visible first, so that the
        // segments hold only acknowledged commits.
        self.wal.wait_durable(self.wal.end_lsn())?;
        self.publish_durable();
        let mut version = (*writer.latest).clone();
        let table_ids: Vec<_> = version.tables.keys().copied().collect();
        for id in table_ids {
            let def = version
                .catalog
                .table(id)
                .expect("tables follow the catalog")
                .clone();
            let data = Arc::make_mut(version.tables.get_mut(&id).expect("listed above"));
            let memtable = std::mem::take(&mut data.memtable);
            let max_seq = memtable.entries().map(|(_, e)| e.seq).max().unwrap_or(0);
            let mut rows = memtable
                .rows()
                .map(|(k, r)| (k.to_vec(), r.clone()))
                .peekable();
            while rows.peek().is_some() {
                let mut chunk = rows.by_ref().take(MAX_SEGMENT_ROWS as usize);
                let seg = self.write_segment_file(writer, &def, max_seq, &mut chunk)?;
                data.segments.push(seg);
            }
            for seg in data.segments.iter_mut().filter(|s| s.deletes_dirty) {
                let name = format!("del-{:016}-{:016}.del", seg.handle.id, writer.next_file_id);
                writer.next_file_id += 1;
                deletes::write(&*self.vfs, &name, seg.handle.id, &seg.deletes)?;
                seg.deletes_file = Some(name);
                seg.deletes_dirty = false;
            }
        }
        self.vfs.sync_dir()?;
        let wal_lsn = self.wal.rotate()?;
        let manifest = manifest_of(&version, wal_lsn, writer, self.next_rowid());
        manifest.write(&*self.vfs)?;
        // The new version holds the same rows as the latest, only placed in
        // segments: publishing it changes nothing a reader can see.
        let version = Arc::new(version);
        writer.latest = version.clone();
        *lock(&self.published) = version;
        Ok(manifest)
    }

    /// Writes one segment of `def`'s rows, synced, and opens it.
    pub(crate) fn write_segment_file(
        &self,
        writer: &mut WriterState,
        def: &TableDef,
        max_seq: u64,
        rows: &mut dyn Iterator<Item = (Vec<u8>, Row)>,
    ) -> Result<SegmentRef> {
        let id = writer.next_file_id;
        writer.next_file_id += 1;
        let file = format!("seg-{id:016}.cseg");
        write_segment(
            &*self.vfs,
            &file,
            &def.column_types(),
            &def.indexed_columns(),
            rows,
        )?;
        let segment = Segment::open(&*self.vfs, &file)?;
        Ok(SegmentRef {
            handle: Arc::new(SegmentHandle {
                id,
                table: def.id,
                file,
                column_ids: def.column_ids(),
                max_seq,
                segment,
            }),
            deletes: Default::default(),
            deletes_file: None,
            deletes_dirty: false,
        })
    }
}

/// The manifest describing `version`, whose memtables must be empty or
/// covered by the log from `wal_lsn`.
pub(crate) fn manifest_of(
    version: &Version,
    wal_lsn: u64,
    writer: &WriterState,
    next_rowid: u64,
) -> ManifestData {
    let segments = version
        .tables
        .values()
        .flat_map(|t| t.segments.iter())
        .map(|s| {
            debug_assert!(
                !s.deletes_dirty,
                "delete bitmaps are written before the manifest"
            );
            SegmentEntry {
                id: s.handle.id,
                table: s.handle.table,
                file: s.handle.file.clone(),
                rows: s.handle.segment.row_count(),
                column_ids: s.handle.column_ids.clone(),
                max_seq: s.handle.max_seq,
                deletes: if s.deletes.is_empty() {
                    None
                } else {
                    s.deletes_file.clone()
                },
            }
        })
        .collect();
    ManifestData {
        wal_lsn,
        next_seq: writer.next_seq,
        next_file_id: writer.next_file_id,
        next_rowid,
        catalog: (*version.catalog).clone(),
        segments,
    }
}
