//! [`SimVfs`]: an in-memory file layer that models what a disk keeps after
//! power loss, for crash tests.
//!
//! Files are inodes holding all their bytes and the length of the prefix an
//! fsync made durable. The directory is a map from name to inode in two
//! versions: the durable one (as of the last `sync_dir`) and the current one,
//! with the log of namespace operations between them. [`SimVfs::crash_image`]
//! builds what a disk could show after power loss from these; a crash point
//! ([`SimConfig::crash_after_ops`]) makes every mutating operation after a
//! budget fail, as if the machine had stopped there.
//!
//! Reads (`read`, `map`, `list`, `exists`) never fail on the crash point: a
//! test inspects the stopped image through them.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::{FileBytes, Vfs, WritableFile};
use crate::error::{Error, Result};

/// Limit on the sector size, so a misconfigured test cannot tear megabytes.
const SECTOR_SIZE_MAX: usize = 1 << 20;

/// How a [`SimVfs`] misbehaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Mutating operations (create, write_all, sync, truncate, rename,
    /// remove, sync_dir) allowed before the simulated crash; None = never
    /// crash. The operation that would exceed the budget and all after it
    /// fail with an Io error ("simulated crash"), and nothing of it takes
    /// effect.
    pub crash_after_ops: Option<u64>,
    /// Seed of every random choice, so that a failing case is reproducible.
    pub seed: u64,
    /// Sector size used when tearing unsynced writes.
    pub sector_size: usize,
    /// How long each file sync takes (slept outside the lock), so that
    /// group commit can be observed; zero by default.
    pub sync_latency: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            crash_after_ops: None,
            seed: 0,
            sector_size: 512,
            sync_latency: Duration::ZERO,
        }
    }
}

/// SplitMix64: a tiny seeded generator, so the simulation needs no
/// dependency outside tests and every run is reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..=max` (the slight modulo bias does not matter here).
    fn up_to(&mut self, max: usize) -> usize {
        let span = max as u64 + 1;
        if span == 0 {
            return self.next_u64() as usize;
        }
        (self.next_u64() % span) as usize
    }

    fn fill(&mut self, out: &mut [u8]) {
        for b in out {
            *b = self.next_u64() as u8;
        }
    }
}

type InodeId = u64;

/// A file's bytes, of which the first `synced` are durable.
#[derive(Debug, Clone, Default)]
struct Inode {
    data: Vec<u8>,
    synced: usize,
}

/// A change of the namespace not yet made durable by `sync_dir`.
#[derive(Debug, Clone)]
enum NsOp {
    Link { name: String, inode: InodeId },
    Rename { from: String, to: String },
    Remove { name: String },
}

type Namespace = BTreeMap<String, InodeId>;

fn apply_ns(ns: &mut Namespace, op: &NsOp) {
    match op {
        NsOp::Link { name, inode } => {
            ns.insert(name.clone(), *inode);
        }
        NsOp::Rename { from, to } => {
            // Replaying the log from the durable namespace reproduces the
            // current one, where `from` existed when the rename happened.
            if let Some(inode) = ns.remove(from) {
                ns.insert(to.clone(), inode);
            } else {
                debug_assert!(false, "rename of missing {from} in namespace log");
            }
        }
        NsOp::Remove { name } => {
            let removed = ns.remove(name);
            debug_assert!(removed.is_some(), "remove of missing {name}");
        }
    }
}

#[derive(Debug)]
struct State {
    config: SimConfig,
    ops: u64,
    crashed: bool,
    locked: bool,
    next_inode: InodeId,
    inodes: HashMap<InodeId, Inode>,
    durable: Namespace,
    current: Namespace,
    pending: Vec<NsOp>,
}

impl State {
    fn new(config: SimConfig) -> State {
        assert!(config.sector_size > 0 && config.sector_size <= SECTOR_SIZE_MAX);
        State {
            config,
            ops: 0,
            crashed: false,
            locked: false,
            next_inode: 0,
            inodes: HashMap::new(),
            durable: Namespace::new(),
            current: Namespace::new(),
            pending: Vec::new(),
        }
    }

    /// Counts one mutating operation, or refuses it past the crash point.
    fn op(&mut self, name: &str) -> Result<()> {
        if let Some(budget) = self.config.crash_after_ops
            && self.ops >= budget
        {
            self.crashed = true;
            return Err(Error::io(
                sim_path(name),
                io::Error::other("simulated crash"),
            ));
        }
        self.ops += 1;
        Ok(())
    }

    fn lookup(&self, name: &str) -> Result<InodeId> {
        self.current
            .get(name)
            .copied()
            .ok_or_else(|| not_found(name))
    }

    fn inode(&mut self, id: InodeId) -> &mut Inode {
        // Inodes are never freed while the SimVfs lives: an open handle or a
        // name in the durable namespace may still refer to a removed file.
        self.inodes
            .get_mut(&id)
            .expect("inode of a live handle or name")
    }

    fn log(&mut self, op: NsOp) {
        apply_ns(&mut self.current, &op);
        self.pending.push(op);
    }
}

fn sim_path(name: &str) -> PathBuf {
    PathBuf::from(format!("sim:{name}"))
}

fn not_found(name: &str) -> Error {
    Error::io(
        sim_path(name),
        io::Error::new(io::ErrorKind::NotFound, "no such file"),
    )
}

/// The simulated directory. Clones share the same files.
#[derive(Clone)]
pub struct SimVfs {
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for SimVfs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        write!(
            f,
            "SimVfs({} files, {} ops)",
            state.current.len(),
            state.ops
        )
    }
}

impl SimVfs {
    pub fn new(config: SimConfig) -> Self {
        SimVfs {
            state: Arc::new(Mutex::new(State::new(config))),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves consistent
        // state behind: every method mutates it only after all checks.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Mutating operations performed so far (the crash-point counter).
    pub fn ops(&self) -> u64 {
        self.state().ops
    }

    /// Whether the crash point has been reached (an operation was refused).
    pub fn crashed(&self) -> bool {
        self.state().crashed
    }

    /// Sets a new crash point (counted from the start, like `ops`) and
    /// clears the crashed flag.
    pub fn set_crash_after_ops(&self, ops: Option<u64>) {
        let mut state = self.state();
        state.config.crash_after_ops = ops;
        state.crashed = false;
    }

    /// Power loss now: a new, healthy SimVfs (with `crash_after_ops: None`)
    /// holding only what a disk could hold: for each file, its synced
    /// bytes, plus a random prefix of its unsynced bytes in which the last
    /// partial sector may be torn (random garbage or zeros); namespace
    /// changes not made durable by `sync_dir` are kept as a random prefix of
    /// their sequence, as a journaling file system commits metadata in order.
    pub fn crash_image(&self, seed: u64) -> SimVfs {
        let state = self.state();
        // Both seeds count, so a test can vary either.
        let mut rng = Rng::new(seed ^ state.config.seed.rotate_left(32));
        let kept_ops = rng.up_to(state.pending.len());
        let mut names = state.durable.clone();
        for op in &state.pending[..kept_ops] {
            apply_ns(&mut names, op);
        }
        let mut config = state.config.clone();
        config.crash_after_ops = None;
        let mut image = State::new(config);
        for (name, id) in names {
            let inode = &state.inodes[&id];
            let data = crash_bytes(inode, state.config.sector_size, &mut rng);
            let synced = data.len();
            let new_id = image.next_inode;
            image.next_inode += 1;
            image.inodes.insert(new_id, Inode { data, synced });
            image.durable.insert(name.clone(), new_id);
            image.current.insert(name, new_id);
        }
        SimVfs {
            state: Arc::new(Mutex::new(image)),
        }
    }

    /// Flips one bit of a file's content (durable and current), for
    /// corruption tests. Panics if the file or byte does not exist.
    pub fn flip_bit(&self, name: &str, byte: u64, bit: u8) {
        assert!(bit < 8);
        let mut state = self.state();
        let id = state.lookup(name).expect("flip_bit on an existing file");
        let inode = state.inode(id);
        let byte = usize::try_from(byte).expect("byte offset fits usize");
        assert!(byte < inode.data.len(), "flip_bit past the end of {name}");
        inode.data[byte] ^= 1 << bit;
    }

    /// The current content of a file, for tests.
    pub fn contents(&self, name: &str) -> Option<Vec<u8>> {
        let state = self.state();
        let id = state.current.get(name)?;
        Some(state.inodes[id].data.clone())
    }
}

/// What power loss leaves of one file: its synced bytes and a random
/// prefix of the rest whose last partial sector may be torn.
fn crash_bytes(inode: &Inode, sector_size: usize, rng: &mut Rng) -> Vec<u8> {
    assert!(inode.synced <= inode.data.len());
    let unsynced = inode.data.len() - inode.synced;
    // Favour the extremes, where bugs hide: nothing or everything survives.
    let kept = match rng.up_to(3) {
        0 => 0,
        1 => unsynced,
        _ => rng.up_to(unsynced),
    };
    let end = inode.synced + kept;
    let mut data = inode.data[..end].to_vec();
    // The sector the cut falls in may hold anything at the moment power
    // went; bytes before the synced length are safe.
    let sector_start = (end / sector_size * sector_size).max(inode.synced);
    if sector_start < end {
        match rng.up_to(2) {
            0 => {}
            1 => data[sector_start..end].iter_mut().for_each(|b| *b = 0),
            _ => rng.fill(&mut data[sector_start..end]),
        }
    }
    data
}

/// A handle appending to one inode; it keeps writing to the inode even if
/// its name is removed or replaced, as on POSIX.
struct SimFile {
    state: Arc<Mutex<State>>,
    name: String,
    inode: InodeId,
}

impl SimFile {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl WritableFile for SimFile {
    fn write_all(&mut self, buf: &[u8]) -> Result<()> {
        let mut state = self.state();
        state.op(&self.name)?;
        state.inode(self.inode).data.extend_from_slice(buf);
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        let latency = self.state().config.sync_latency;
        if !latency.is_zero() {
            std::thread::sleep(latency);
        }
        let mut state = self.state();
        state.op(&self.name)?;
        let inode = state.inode(self.inode);
        inode.synced = inode.data.len();
        Ok(())
    }

    fn len(&self) -> u64 {
        let mut state = self.state();
        state.inode(self.inode).data.len() as u64
    }
}

/// Holds the simulated directory lock until dropped.
struct SimLock {
    state: Arc<Mutex<State>>,
}

impl Drop for SimLock {
    fn drop(&mut self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        debug_assert!(state.locked);
        state.locked = false;
    }
}

impl Vfs for SimVfs {
    fn create(&self, name: &str) -> Result<Box<dyn WritableFile>> {
        assert!(!name.contains('/'), "data directory is flat: {name}");
        let mut state = self.state();
        state.op(name)?;
        // A new inode replaces the old name: until the directory is synced
        // a crash may bring the old file back, contents and all.
        let inode = state.next_inode;
        state.next_inode += 1;
        state.inodes.insert(inode, Inode::default());
        state.log(NsOp::Link {
            name: name.to_owned(),
            inode,
        });
        Ok(Box::new(SimFile {
            state: Arc::clone(&self.state),
            name: name.to_owned(),
            inode,
        }))
    }

    fn open_append(&self, name: &str) -> Result<Box<dyn WritableFile>> {
        let state = self.state();
        let inode = state.lookup(name)?;
        Ok(Box::new(SimFile {
            state: Arc::clone(&self.state),
            name: name.to_owned(),
            inode,
        }))
    }

    fn read(&self, name: &str) -> Result<Vec<u8>> {
        let state = self.state();
        let id = state.lookup(name)?;
        Ok(state.inodes[&id].data.clone())
    }

    fn map(&self, name: &str) -> Result<FileBytes> {
        Ok(FileBytes::Memory(Arc::from(self.read(name)?)))
    }

    fn truncate(&self, name: &str, len: u64) -> Result<()> {
        let mut state = self.state();
        let id = state.lookup(name)?;
        let len = usize::try_from(len)
            .map_err(|_| Error::io(sim_path(name), io::Error::other("length too large")))?;
        state.op(name)?;
        // Durable at once, like set_len + fsync: the whole new content.
        let inode = state.inode(id);
        inode.data.resize(len, 0);
        inode.synced = len;
        Ok(())
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        assert!(!to.contains('/'), "data directory is flat: {to}");
        let mut state = self.state();
        state.lookup(from)?;
        state.op(from)?;
        state.log(NsOp::Rename {
            from: from.to_owned(),
            to: to.to_owned(),
        });
        Ok(())
    }

    fn remove(&self, name: &str) -> Result<()> {
        let mut state = self.state();
        state.lookup(name)?;
        state.op(name)?;
        state.log(NsOp::Remove {
            name: name.to_owned(),
        });
        Ok(())
    }

    fn sync_dir(&self) -> Result<()> {
        let mut state = self.state();
        state.op(".")?;
        state.durable = state.current.clone();
        state.pending.clear();
        Ok(())
    }

    fn list(&self) -> Result<Vec<String>> {
        // BTreeMap keys come sorted.
        Ok(self.state().current.keys().cloned().collect())
    }

    fn exists(&self, name: &str) -> Result<bool> {
        Ok(self.state().current.contains_key(name))
    }

    fn lock(&self) -> Result<Box<dyn Any + Send + Sync>> {
        let mut state = self.state();
        if state.locked {
            return Err(Error::Locked(PathBuf::from("sim")));
        }
        state.locked = true;
        Ok(Box::new(SimLock {
            state: Arc::clone(&self.state),
        }))
    }

    fn describe(&self) -> String {
        "sim".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim() -> SimVfs {
        SimVfs::new(SimConfig::default())
    }

    fn write(vfs: &SimVfs, name: &str, bytes: &[u8], sync: bool) -> Box<dyn WritableFile> {
        let mut file = vfs.create(name).unwrap();
        file.write_all(bytes).unwrap();
        if sync {
            file.sync().unwrap();
        }
        file
    }

    #[test]
    fn synced_data_survives_crash() {
        let vfs = sim();
        let synced: Vec<u8> = (0..2000u32).map(|i| i as u8).collect();
        let mut file = write(&vfs, "a", &synced, true);
        vfs.sync_dir().unwrap();
        file.write_all(&[7; 3000]).unwrap();
        for seed in 0..200 {
            let image = vfs.crash_image(seed);
            let bytes = image.contents("a").unwrap();
            assert_eq!(&bytes[..synced.len()], &synced[..]);
            assert!(bytes.len() <= synced.len() + 3000);
            assert_eq!(image.ops(), 0);
            assert!(!image.crashed());
        }
    }

    #[test]
    fn unsynced_data_may_be_lost_or_torn() {
        let vfs = sim();
        let mut file = write(&vfs, "a", &[1; 100], true);
        vfs.sync_dir().unwrap();
        let tail = [0x5a_u8; 4000];
        file.write_all(&tail).unwrap();
        let (mut lost, mut whole, mut torn) = (false, false, false);
        for seed in 0..500 {
            let bytes = vfs.crash_image(seed).contents("a").unwrap();
            let kept = &bytes[100..];
            whole |= kept.len() == tail.len() && kept == tail;
            lost |= kept.len() < tail.len();
            // Only the sector holding the cut may differ from what was
            // written; earlier sectors are the written bytes.
            let cut_sector = bytes.len() / 512 * 512;
            let intact = cut_sector.max(100) - 100;
            assert!(kept[..intact].iter().all(|&b| b == 0x5a), "seed {seed}");
            torn |= kept[intact..].iter().any(|&b| b != 0x5a);
        }
        assert!(
            lost && whole && torn,
            "lost {lost} whole {whole} torn {torn}"
        );
    }

    #[test]
    fn unsynced_create_may_vanish_and_truncate_is_durable() {
        let vfs = sim();
        write(&vfs, "a", &[1; 10], true);
        vfs.sync_dir().unwrap();
        write(&vfs, "b", &[2; 10], true);
        vfs.truncate("a", 4).unwrap();
        let mut seen_b = [false, false];
        for seed in 0..100 {
            let image = vfs.crash_image(seed);
            assert_eq!(image.contents("a").unwrap(), vec![1; 4]);
            seen_b[usize::from(image.exists("b").unwrap())] = true;
        }
        assert_eq!(seen_b, [true, true]);
    }

    #[test]
    fn unsynced_rename_is_atomic() {
        let vfs = sim();
        write(&vfs, "target", b"old", true);
        write(&vfs, "tmp", b"new", true);
        write(&vfs, "a", b"a", true);
        vfs.sync_dir().unwrap();
        vfs.rename("tmp", "target").unwrap();
        vfs.rename("a", "b").unwrap();
        let (mut old, mut new) = (false, false);
        for seed in 0..200 {
            let image = vfs.crash_image(seed);
            match image.contents("target").unwrap().as_slice() {
                b"old" => {
                    old = true;
                    assert!(image.exists("tmp").unwrap());
                }
                b"new" => {
                    new = true;
                    assert!(!image.exists("tmp").unwrap());
                }
                other => panic!("target holds {other:?}"),
            }
            // Old name or new name, never neither nor both.
            assert!(image.exists("a").unwrap() != image.exists("b").unwrap());
        }
        assert!(old && new);
    }

    #[test]
    fn crash_after_ops_stops_everything() {
        let vfs = SimVfs::new(SimConfig {
            crash_after_ops: Some(3),
            ..SimConfig::default()
        });
        let mut file = vfs.create("a").unwrap();
        file.write_all(b"abc").unwrap();
        file.sync().unwrap();
        assert_eq!(vfs.ops(), 3);
        assert!(!vfs.crashed());
        assert!(matches!(file.write_all(b"d"), Err(Error::Io { .. })));
        assert!(vfs.crashed());
        assert!(file.sync().is_err());
        assert!(vfs.create("b").is_err());
        assert!(vfs.rename("a", "c").is_err());
        assert!(vfs.remove("a").is_err());
        assert!(vfs.truncate("a", 0).is_err());
        assert!(vfs.sync_dir().is_err());
        assert_eq!(vfs.ops(), 3);
        assert_eq!(vfs.contents("a").unwrap(), b"abc");
        assert_eq!(vfs.list().unwrap(), vec!["a".to_owned()]);
        vfs.set_crash_after_ops(None);
        file.write_all(b"d").unwrap();
        assert_eq!(vfs.contents("a").unwrap(), b"abcd");
    }

    #[test]
    fn lock_is_exclusive_until_dropped() {
        let vfs = sim();
        let guard = vfs.lock().unwrap();
        assert!(matches!(vfs.clone().lock(), Err(Error::Locked(_))));
        drop(guard);
        let _again = vfs.lock().unwrap();
    }

    #[test]
    fn flip_bit_and_map() {
        let vfs = sim();
        write(&vfs, "a", &[0; 4], true);
        vfs.flip_bit("a", 2, 3);
        assert_eq!(&*vfs.map("a").unwrap(), &[0, 0, 8, 0]);
        assert!(vfs.read("missing").is_err());
    }
}
