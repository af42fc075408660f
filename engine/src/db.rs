//! [`Database`]: opening a data directory, recovery, and the commit path.
//!
//! Commit path: under the writer lock a transaction's ops are checked for
//! conflicts and applied to the latest version, and its record is appended
//! to the log buffer; outside the lock the committer waits until the log is
//! durable up to its record (sharing the fsync with every other committer
//! waiting at the same time); then versions whose records are durable are
//! published to new snapshots, in log order. So nobody ever reads a commit
//! that a crash could still take back.

use std::any::Any;
use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::catalog::TableId;
use crate::deletes;
use crate::error::{Error, Result};
use crate::manifest::{ManifestData, is_data_file};
use crate::record::{CommitRecord, Op};
use crate::segment::Segment;
use crate::snapshot::Snapshot;
use crate::sql::ddl::{CANONICAL_SCHEMA, add_segmentation_indexes, parse_create_tables};
use crate::txn::Transaction;
use crate::version::{Location, SegmentHandle, SegmentRef, TableData, Version};
use crate::vfs::{DiskVfs, Vfs};
use crate::wal::{Lsn, Wal, WalConfig};

/// How a database is run.
#[derive(Debug, Clone)]
pub struct Options {
    /// A checkpoint starts once the memtables hold about this many bytes.
    pub memtable_limit_bytes: usize,
    /// Log files are rolled over past this size.
    pub wal_file_size: u64,
    /// Whether a background thread runs checkpoints when the memtables are
    /// full, and compacts tables whose segments pile up or hold many deleted
    /// rows. Without it, only [`Database::checkpoint`] and
    /// [`Database::compact`] do.
    pub background_checkpoints: bool,
    /// Whether a new data directory gets the canonical CRM schema.
    pub canonical_schema: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            memtable_limit_bytes: 64 << 20,
            wal_file_size: 64 << 20,
            background_checkpoints: true,
            canonical_schema: true,
        }
    }
}

/// An open data directory. Only one `Database` may have a directory open
/// at a time, in any process.
pub struct Database {
    inner: Arc<Inner>,
    background: Option<JoinHandle<()>>,
}

/// What the writer lock protects.
pub(crate) struct WriterState {
    /// The newest version, including commits not yet durable.
    pub latest: Arc<Version>,
    pub next_seq: u64,
    pub next_file_id: u64,
}

pub(crate) struct Inner {
    pub vfs: Arc<dyn Vfs>,
    pub wal: Wal,
    pub options: Options,
    pub writer: Mutex<WriterState>,
    /// Versions whose records are appended but maybe not yet durable, in log
    /// order, each with the log position its durability waits for.
    pending: Mutex<VecDeque<(Lsn, Arc<Version>)>>,
    /// The newest durable version: what new snapshots see.
    pub published: Mutex<Arc<Version>>,
    /// Checkpoints and compactions run one at a time.
    pub maintenance: Mutex<()>,
    next_rowid: AtomicU64,
    background: Mutex<BackgroundState>,
    background_wake: Condvar,
    _lock: Box<dyn Any + Send + Sync>,
}

#[derive(Default)]
struct BackgroundState {
    checkpoint_wanted: bool,
    stop: bool,
}

/// Recovers a poisoned mutex: the data it guards is only ever replaced
/// whole, so a panic elsewhere cannot leave it half-changed.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Database {
    /// Opens (or creates) the data directory at `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        Self::open_with(Arc::new(DiskVfs::new(path.as_ref())?), Options::default())
    }

    /// Opens (or creates) the data directory behind `vfs`: reads the
    /// manifest, maps its segments, replays the log from the manifest's
    /// position, and for a new directory creates the canonical schema.
    pub fn open_with(vfs: Arc<dyn Vfs>, options: Options) -> Result<Database> {
        let lock_guard = vfs.lock()?;
        let manifest = match ManifestData::read(&*vfs)? {
            Some(m) => m,
            None => initial_manifest(&*vfs)?,
        };
        let mut version = load_version(&*vfs, &manifest)?;
        let mut next_seq = manifest.next_seq;
        let mut next_rowid = manifest.next_rowid;
        let wal_config = WalConfig {
            file_size_limit: options.wal_file_size,
        };
        let wal = Wal::open(
            vfs.clone(),
            manifest.wal_lsn,
            wal_config,
            &mut |lsn, payload| {
                let record = CommitRecord::decode(payload).map_err(|e| {
                    Error::corruption("log", lsn, format!("commit record does not decode: {e}"))
                })?;
                if record.seq < next_seq {
                    return Err(Error::corruption(
                        "log",
                        lsn,
                        format!(
                            "commit {} replayed after commit {}",
                            record.seq,
                            next_seq - 1
                        ),
                    ));
                }
                let mut removed = Vec::new();
                for op in &record.ops {
                    version
                        .apply_op(op, record.seq, &mut removed)
                        .map_err(|e| {
                            Error::corruption(
                                "log",
                                lsn,
                                format!("commit {} does not replay: {e}", record.seq),
                            )
                        })?;
                    if let Op::Insert { key, .. } = op
                        && let Some(rowid) = op.table().and_then(|t| rowid_of_key(&version, t, key))
                    {
                        next_rowid = next_rowid.max(rowid + 1);
                    }
                }
                version.finish_batch(removed, record.seq).map_err(|e| {
                    Error::corruption(
                        "log",
                        lsn,
                        format!("commit {} does not replay: {e}", record.seq),
                    )
                })?;
                next_seq = record.seq + 1;
                Ok(())
            },
        )?;
        remove_unreferenced_files(&*vfs, &manifest)?;
        let version = Arc::new(version);
        let inner = Arc::new(Inner {
            vfs,
            wal,
            writer: Mutex::new(WriterState {
                latest: version.clone(),
                next_seq,
                next_file_id: manifest.next_file_id,
            }),
            pending: Mutex::new(VecDeque::new()),
            published: Mutex::new(version),
            maintenance: Mutex::new(()),
            next_rowid: AtomicU64::new(next_rowid),
            background: Mutex::new(BackgroundState::default()),
            background_wake: Condvar::new(),
            options,
            _lock: lock_guard,
        });
        if inner.options.canonical_schema && next_seq == 1 {
            inner.create_canonical_schema()?;
        }
        let background = inner
            .options
            .background_checkpoints
            .then(|| spawn_background(Arc::downgrade(&inner)));
        Ok(Database { inner, background })
    }

    /// A stable view of everything committed and durable so far.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::new(lock(&self.inner.published).clone())
    }

    /// Starts a transaction on a snapshot taken now.
    pub fn begin(&self) -> Transaction {
        Transaction::new(self.inner.clone(), lock(&self.inner.published).clone())
    }

    /// Writes the memtables out as segments and starts a new log file, so
    /// the log before it can be deleted.
    pub fn checkpoint(&self) -> Result<()> {
        self.inner.checkpoint()
    }

    /// Merges the segments of table `name` into one, dropping deleted rows,
    /// and deletes the old files.
    pub fn compact(&self, name: &str) -> Result<()> {
        let id = self
            .snapshot()
            .catalog()
            .table_by_name(name)
            .map(|t| t.id)
            .ok_or_else(|| Error::NotFound(format!("relation \"{name}\" does not exist")))?;
        self.inner.compact(id)
    }

    /// How many fsyncs the log has done: group commit makes this smaller
    /// than the number of commits under concurrency.
    pub fn log_sync_count(&self) -> u64 {
        self.inner.wal.sync_count()
    }

    /// The role named `name`, as committed.
    pub fn role(&self, name: &str) -> Option<crate::catalog::RoleDef> {
        self.snapshot().catalog().role(name).cloned()
    }

    /// Names of the files in the data directory, for tests and tools.
    pub fn files(&self) -> Result<Vec<String>> {
        self.inner.vfs.list()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        {
            let mut state = lock(&self.inner.background);
            state.stop = true;
        }
        self.inner.background_wake.notify_all();
        if let Some(handle) = self.background.take() {
            let _ = handle.join();
        }
    }
}

impl Inner {
    /// A new hidden row id for a table without primary key.
    pub fn allocate_rowid(&self) -> u64 {
        self.next_rowid.fetch_add(1, Ordering::Relaxed)
    }

    pub fn next_rowid(&self) -> u64 {
        self.next_rowid.load(Ordering::Relaxed)
    }

    /// Commits `ops`, read from snapshot `base`. See the module comment.
    pub fn commit(&self, base: &Version, ops: Vec<Op>) -> Result<u64> {
        let (seq, lsn, memtable_bytes) = {
            let mut writer = lock(&self.writer);
            let seq = writer.next_seq;
            let mut working = (*writer.latest).clone();
            let mut own_ddl = Vec::new();
            let mut own_acls = Vec::new();
            let mut removed = Vec::new();
            for op in &ops {
                check_acl_conflict(base, &working, op, &own_acls)?;
                check_conflict(base, &working, op, seq, &own_ddl)?;
                working
                    .apply_op(op, seq, &mut removed)
                    .map_err(|e| match (e, op.table()) {
                        (Error::NotFound(_), Some(table)) => serialization_failure(&working, table),
                        (other, _) => other,
                    })?;
                if let (false, Some(table)) = (
                    matches!(op, Op::Insert { .. } | Op::Delete { .. }),
                    op.table(),
                ) {
                    own_ddl.push(table);
                }
                if let Op::SetAcl { table, .. } = op {
                    own_acls.push(*table);
                }
            }
            working.finish_batch(removed, seq)?;
            let record = CommitRecord { seq, ops };
            let lsn = self.wal.append(&record.encode())?;
            writer.next_seq = seq + 1;
            let memtable_bytes = working
                .tables
                .values()
                .map(|t| t.memtable.approx_bytes())
                .sum::<usize>();
            writer.latest = Arc::new(working);
            lock(&self.pending).push_back((lsn, writer.latest.clone()));
            (seq, lsn, memtable_bytes)
        };
        self.wal.wait_durable(lsn)?;
        self.publish_durable();
        if memtable_bytes > self.options.memtable_limit_bytes {
            lock(&self.background).checkpoint_wanted = true;
            self.background_wake.notify_one();
        }
        Ok(seq)
    }

    /// Publishes the newest version whose record is durable.
    pub fn publish_durable(&self) {
        let durable = self.wal.durable_lsn();
        let mut pending = lock(&self.pending);
        let mut newest = None;
        while pending.front().is_some_and(|(lsn, _)| *lsn <= durable) {
            newest = pending.pop_front().map(|(_, v)| v);
        }
        if let Some(version) = newest {
            // Under the pending lock, so publications happen in log order.
            let mut published = lock(&self.published);
            assert!(
                version.seq >= published.seq,
                "published versions go forward"
            );
            *published = version;
        }
    }

    fn create_canonical_schema(self: &Arc<Self>) -> Result<()> {
        let base = lock(&self.published).clone();
        let mut txn = Transaction::new(self.clone(), base);
        for mut def in parse_create_tables(CANONICAL_SCHEMA, txn.catalog())? {
            add_segmentation_indexes(&mut def);
            txn.create_table(def)?;
        }
        txn.commit().map(|_| ())
    }
}

fn serialization_failure(version: &Version, table: TableId) -> Error {
    let table = version
        .catalog
        .table(table)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| format!("table id {table}"));
    Error::SerializationFailure { table }
}

/// First committer wins for privileges too: a transaction may not set a
/// table's owner and grants if another changed them after `base` (its
/// change would be lost).
fn check_acl_conflict(
    base: &Version,
    working: &Version,
    op: &Op,
    own_acls: &[TableId],
) -> Result<()> {
    if let Op::SetAcl { table, .. } = op
        && !own_acls.contains(table)
        && base.catalog.acl(*table) != working.catalog.acl(*table)
    {
        return Err(serialization_failure(working, *table));
    }
    Ok(())
}

/// First committer wins: an op may not touch a row or table that another
/// transaction changed after `base` was taken.
fn check_conflict(
    base: &Version,
    working: &Version,
    op: &Op,
    seq: u64,
    own_ddl: &[TableId],
) -> Result<()> {
    // Role changes conflict only by name, which applying them checks.
    let Some(table) = op.table() else {
        return Ok(());
    };
    if own_ddl.contains(&table) {
        return Ok(());
    }
    let conflict = || serialization_failure(working, table);
    if let Op::CreateTable(def) = op {
        let name_taken = working.catalog.table_by_name(&def.name).is_some();
        if !name_taken && working.catalog.table(def.id).is_some() {
            return Err(conflict());
        }
        return Ok(());
    }
    let unchanged = match (base.catalog.table(table), working.catalog.table(table)) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
        _ => false,
    };
    if !unchanged {
        return Err(conflict());
    }
    if let Op::Delete { key, .. } = op {
        let data = working.table(table)?;
        let changed_since = |s: u64| s != seq && s > base.seq;
        match data.memtable.get(key) {
            Some(entry) if changed_since(entry.seq) => return Err(conflict()),
            Some(_) => {}
            None => match data.locate(key) {
                Some(Location::Segment { index, .. }) => {
                    if changed_since(data.segments[index].handle.max_seq) {
                        return Err(conflict());
                    }
                }
                Some(Location::Memtable { .. }) => {}
                None => return Err(conflict()),
            },
        }
    }
    Ok(())
}

/// The hidden row id of `key` if `table` has no primary key.
fn rowid_of_key(version: &Version, table: TableId, key: &[u8]) -> Option<u64> {
    let def = version.catalog.table(table)?;
    if !def.primary_key.is_empty() || key.len() != 9 {
        return None;
    }
    let bits = u64::from_be_bytes(key[1..9].try_into().ok()?) ^ (1 << 63);
    Some(bits)
}

/// The manifest of a new, empty data directory, written durably.
fn initial_manifest(vfs: &dyn Vfs) -> Result<ManifestData> {
    let leftovers: Vec<String> = vfs
        .list()?
        .into_iter()
        .filter(|n| n.starts_with("wal-") || n.starts_with("seg-") || n.starts_with("del-"))
        .collect();
    if !leftovers.is_empty() {
        return Err(Error::corruption(
            "MANIFEST",
            0,
            format!(
                "missing, but {} holds data files ({}); refusing to start over",
                vfs.describe(),
                leftovers.join(", ")
            ),
        ));
    }
    let manifest = ManifestData {
        wal_lsn: 0,
        next_seq: 1,
        next_file_id: 1,
        next_rowid: 1,
        catalog: Default::default(),
        segments: Vec::new(),
    };
    manifest.write(vfs)?;
    Ok(manifest)
}

/// The version the manifest describes: its catalog and segments, mapped
/// and verified.
fn load_version(vfs: &dyn Vfs, manifest: &ManifestData) -> Result<Version> {
    let mut tables: BTreeMap<TableId, TableData> = manifest
        .catalog
        .tables()
        .map(|t| (t.id, TableData::new(t)))
        .collect();
    let mut entries: Vec<_> = manifest.segments.iter().collect();
    entries.sort_by_key(|e| e.id);
    for entry in entries {
        let segment = Segment::open(vfs, &entry.file)?;
        if segment.row_count() != entry.rows {
            return Err(Error::corruption(
                entry.file.clone(),
                0,
                format!(
                    "holds {} rows, the manifest says {}",
                    segment.row_count(),
                    entry.rows
                ),
            ));
        }
        let deletes = match &entry.deletes {
            Some(file) => deletes::read(vfs, file, entry.id, entry.rows)?,
            None => Default::default(),
        };
        let data = tables.get_mut(&entry.table).ok_or_else(|| {
            Error::corruption(
                "MANIFEST",
                0,
                format!("segment {} of unknown table {}", entry.file, entry.table),
            )
        })?;
        data.segments.push(SegmentRef {
            handle: Arc::new(SegmentHandle {
                id: entry.id,
                table: entry.table,
                file: entry.file.clone(),
                column_ids: entry.column_ids.clone(),
                max_seq: entry.max_seq,
                segment,
            }),
            deletes: Arc::new(deletes),
            deletes_file: entry.deletes.clone(),
            deletes_dirty: false,
        });
    }
    for (id, data) in tables.iter_mut() {
        let def = manifest
            .catalog
            .table(*id)
            .expect("tables follow the catalog");
        data.rebuild_uniques(def).map_err(|e| {
            Error::corruption(
                "MANIFEST",
                0,
                format!("segments of {} break a UNIQUE constraint: {e}", def.name),
            )
        })?;
    }
    Ok(Version {
        seq: manifest.next_seq.saturating_sub(1),
        catalog: Arc::new(manifest.catalog.clone()),
        tables: tables
            .into_iter()
            .map(|(id, t)| (id, Arc::new(t)))
            .collect(),
    })
}

/// Removes segment and delete-bitmap files the manifest does not name:
/// leftovers of a checkpoint or compaction that crashed, or that finished
/// and replaced them. Open snapshots keep their maps of removed files.
pub(crate) fn remove_unreferenced_files(vfs: &dyn Vfs, manifest: &ManifestData) -> Result<()> {
    let referenced: std::collections::HashSet<&str> = manifest.files().collect();
    let mut removed = false;
    for name in vfs.list()? {
        if is_data_file(&name) && !referenced.contains(name.as_str()) {
            vfs.remove(&name)?;
            removed = true;
        }
    }
    if removed {
        vfs.sync_dir()?;
    }
    Ok(())
}

fn spawn_background(inner: Weak<Inner>) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("crmdb-checkpoint".into())
        .spawn(move || {
            loop {
                let Some(db) = inner.upgrade() else { return };
                {
                    let mut state = lock(&db.background);
                    while !state.checkpoint_wanted && !state.stop {
                        state = db
                            .background_wake
                            .wait_timeout(state, Duration::from_secs(1))
                            .unwrap_or_else(|e| e.into_inner())
                            .0;
                        if Arc::strong_count(&db) == 1 {
                            return;
                        }
                    }
                    if state.stop {
                        return;
                    }
                    state.checkpoint_wanted = false;
                }
                if let Err(e) = db.checkpoint() {
                    tracing::error!("background checkpoint failed: {e}");
                    continue;
                }
                for table in db.tables_needing_compaction() {
                    if let Err(e) = db.compact(table) {
                        tracing::error!("background compaction of table {table} failed: {e}");
                    }
                }
            }
        })
        .expect("spawning the checkpoint thread")
}
