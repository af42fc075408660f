//! Tests of the log's behaviour on a healthy file layer, and of recovery
//! from torn tails and corruption.

use std::sync::Arc;
use std::time::Duration;

use super::files::{self, HEADER_SIZE, file_name};
use super::frame::{self, FRAME_HEADER_SIZE};
use super::*;
use crate::vfs::{DiskVfs, SimConfig, SimVfs, Vfs};

/// A deterministic payload of varying size.
pub(super) fn payload(i: u64) -> Vec<u8> {
    let len = (i * 37 % 301) as usize;
    (0..len).map(|j| (i as usize * 7 + j) as u8).collect()
}

pub(super) type Records = Vec<(Lsn, Vec<u8>)>;

pub(super) fn open_collect(
    vfs: Arc<dyn Vfs>,
    from: Lsn,
    config: WalConfig,
) -> Result<(Wal, Records)> {
    let mut records = Vec::new();
    let wal = Wal::open(vfs, from, config, &mut |lsn, payload| {
        records.push((lsn, payload.to_vec()));
        Ok(())
    })?;
    Ok((wal, records))
}

fn small_files() -> WalConfig {
    WalConfig {
        file_size_limit: 1024,
    }
}

fn sim() -> SimVfs {
    SimVfs::new(SimConfig::default())
}

/// Appends payload(first..first + count), waiting every few records;
/// returns the records with their LSNs.
fn append_range(wal: &Wal, first: u64, count: u64) -> Records {
    let mut out = Vec::new();
    for i in first..first + count {
        let data = payload(i);
        let end = wal.append(&data).unwrap();
        out.push((end - frame::frame_size(data.len()), data));
        if i % 7 == 0 {
            wal.wait_durable(end).unwrap();
        }
    }
    wal.wait_durable(wal.end_lsn()).unwrap();
    out
}

fn round_trip(vfs: Arc<dyn Vfs>) {
    let (wal, replayed) = open_collect(vfs.clone(), 0, small_files()).unwrap();
    assert!(replayed.is_empty());
    let written = append_range(&wal, 0, 400);
    assert_eq!(wal.durable_lsn(), wal.end_lsn());
    let files_before = wal.file_starts();
    assert!(files_before.len() > 10, "{} files", files_before.len());
    let end = wal.end_lsn();
    drop(wal);
    let (wal, replayed) = open_collect(vfs.clone(), 0, small_files()).unwrap();
    assert_eq!(replayed, written);
    assert_eq!(wal.end_lsn(), end);
    assert_eq!(wal.file_starts(), files_before);
    let logs = vfs.list().unwrap();
    assert!(
        logs.iter()
            .all(|name| files::parse_file_name(name).is_some())
    );
    assert_eq!(logs.len(), files_before.len());
}

#[test]
fn round_trip_across_rotations_sim() {
    round_trip(Arc::new(sim()));
}

#[test]
fn round_trip_across_rotations_disk() {
    let dir = tempfile::tempdir().unwrap();
    round_trip(Arc::new(DiskVfs::new(dir.path()).unwrap()));
}

#[test]
fn reopen_continues_at_the_right_lsn() {
    let dir = tempfile::tempdir().unwrap();
    let vfs: Arc<dyn Vfs> = Arc::new(DiskVfs::new(dir.path()).unwrap());
    std::fs::write(dir.path().join("MANIFEST"), b"not ours").unwrap();
    let (wal, _) = open_collect(vfs.clone(), 0, small_files()).unwrap();
    let mut written = append_range(&wal, 0, 30);
    let end = wal.end_lsn();
    drop(wal);
    let (wal, replayed) = open_collect(vfs.clone(), 0, small_files()).unwrap();
    assert_eq!(replayed, written);
    assert_eq!((wal.end_lsn(), wal.durable_lsn()), (end, end));
    written.extend(append_range(&wal, 30, 30));
    assert_eq!(written[30].0, end);
    drop(wal);
    let (_, replayed) = open_collect(vfs.clone(), 0, small_files()).unwrap();
    assert_eq!(replayed, written);
    assert_eq!(
        std::fs::read(dir.path().join("MANIFEST")).unwrap(),
        b"not ours"
    );
}

#[test]
fn replay_from_a_middle_lsn_and_retire() {
    let vfs = Arc::new(sim());
    let (wal, _) = open_collect(vfs.clone(), 0, small_files()).unwrap();
    let written = append_range(&wal, 0, 100);
    let middle = written[60].0;
    let rotated = wal.rotate().unwrap();
    assert_eq!(rotated, wal.end_lsn());
    assert_eq!(
        wal.rotate().unwrap(),
        rotated,
        "an empty file is not rotated"
    );
    assert_eq!(*wal.file_starts().last().unwrap(), rotated);
    wal.retire_before(middle).unwrap();
    let kept = wal.file_starts();
    assert!(kept[0] <= middle && kept[1] > middle, "{kept:?} {middle}");
    drop(wal);
    let (wal, replayed) = open_collect(vfs.clone(), middle, small_files()).unwrap();
    assert_eq!(replayed, written[60..]);
    // Retiring everything before the end keeps the current file.
    wal.retire_before(u64::MAX).unwrap();
    assert_eq!(wal.file_starts(), vec![rotated]);
    drop(wal);
    let (wal, replayed) = open_collect(vfs.clone(), rotated, small_files()).unwrap();
    assert!(replayed.is_empty());
    drop(wal);
    for from in [0, rotated + 1] {
        let err = open_collect(vfs.clone(), from, small_files()).unwrap_err();
        assert!(matches!(err, Error::Corruption { .. }), "{from}: {err}");
    }
}

/// A log of `count` records in one file, all durable; returns the records.
fn one_file_log(vfs: &SimVfs, count: u64) -> Records {
    let (wal, _) = open_collect(Arc::new(vfs.clone()), 0, WalConfig::default()).unwrap();
    let written = append_range(&wal, 1, count);
    assert_eq!(wal.file_starts(), vec![0]);
    written
}

#[test]
fn torn_tail_at_every_cut_of_the_last_record() {
    let base = sim();
    let written = one_file_log(&base, 5);
    let name = file_name(0);
    let full = base.contents(&name).unwrap().len();
    let last = HEADER_SIZE + written[4].0 as usize;
    assert!(full - last > FRAME_HEADER_SIZE);
    for cut in last..full {
        let vfs = base.crash_image(0);
        vfs.truncate(&name, cut as u64).unwrap();
        let shared: Arc<dyn Vfs> = Arc::new(vfs.clone());
        let (wal, replayed) = open_collect(shared.clone(), 0, WalConfig::default()).unwrap();
        assert_eq!(replayed, written[..4], "cut {cut}");
        assert_eq!(vfs.contents(&name).unwrap().len(), last, "cut {cut}");
        assert_eq!(wal.end_lsn(), written[4].0);
        let end = wal.append(b"after the cut").unwrap();
        wal.wait_durable(end).unwrap();
        drop(wal);
        let (_, replayed) = open_collect(shared, 0, WalConfig::default()).unwrap();
        assert_eq!(replayed.len(), 5, "cut {cut}");
        assert_eq!(replayed[4], (written[4].0, b"after the cut".to_vec()));
    }
}

fn expect_corruption(vfs: &SimVfs, file: &str, offset: u64) {
    let err = open_collect(Arc::new(vfs.clone()), 0, WalConfig::default()).unwrap_err();
    let Error::Corruption {
        file: f, offset: o, ..
    } = &err
    else {
        panic!("expected corruption, got {err}");
    };
    assert_eq!((f.as_str(), *o), (file, offset), "{err}");
}

#[test]
fn flipped_bit_in_a_middle_record_is_corruption() {
    let base = sim();
    let written = one_file_log(&base, 6);
    let name = file_name(0);
    let at = (HEADER_SIZE as u64) + written[2].0;
    // Length field, CRC field, LSN field, payload.
    for (byte, bit) in [
        (0, 3),
        (0, 7),
        (3, 7),
        (4, 0),
        (7, 5),
        (8, 0),
        (15, 7),
        (16, 2),
        (20, 6),
    ] {
        let vfs = base.crash_image(0);
        vfs.flip_bit(&name, at + byte, bit);
        expect_corruption(&vfs, &name, at);
        // Nothing was cut or removed: only the flipped bit differs.
        vfs.flip_bit(&name, at + byte, bit);
        assert_eq!(vfs.contents(&name), base.contents(&name));
    }
}

#[test]
fn flipped_bit_in_the_last_record_is_a_torn_tail() {
    let base = sim();
    let written = one_file_log(&base, 6);
    let name = file_name(0);
    let at = HEADER_SIZE as u64 + written[5].0;
    for byte in [0, 4, 8, 16] {
        let vfs = base.crash_image(0);
        vfs.flip_bit(&name, at + byte, 1);
        let (_, replayed) = open_collect(Arc::new(vfs.clone()), 0, WalConfig::default()).unwrap();
        assert_eq!(replayed, written[..5]);
        assert_eq!(vfs.contents(&name).unwrap().len() as u64, at);
    }
}

#[test]
fn damage_before_a_later_file_is_corruption() {
    let base = sim();
    let (wal, _) = open_collect(Arc::new(base.clone()), 0, small_files()).unwrap();
    append_range(&wal, 0, 100);
    // The last file must hold a record for its header damage to count.
    wal.wait_durable(wal.append(b"tail").unwrap()).unwrap();
    let starts = wal.file_starts();
    drop(wal);
    let last_frame_of_first = {
        let first = base.contents(&file_name(starts[0])).unwrap();
        first.len() as u64 - 1
    };
    // The last byte of the first file, then a header byte of a middle file
    // and of the last file: all have valid frames after them.
    let cases = [
        (file_name(starts[0]), last_frame_of_first),
        (file_name(starts[3]), 5),
        (file_name(*starts.last().unwrap()), 20),
    ];
    for (name, byte) in cases {
        let vfs = base.crash_image(0);
        vfs.flip_bit(&name, byte, 0);
        let err = open_collect(Arc::new(vfs), 0, small_files()).unwrap_err();
        assert!(
            matches!(err, Error::Corruption { ref file, .. } if *file == name),
            "{err}"
        );
    }
}

#[test]
fn damage_before_an_empty_later_file_is_corruption() {
    // The last record of a file is followed by a rolled file holding only
    // its header: that file proves the record was synced whole.
    let base = sim();
    let written = one_file_log(&base, 3);
    let (wal, _) = open_collect(Arc::new(base.clone()), 0, WalConfig::default()).unwrap();
    let next = wal.rotate().unwrap();
    assert_eq!(wal.file_starts(), vec![0, next]);
    drop(wal);
    let at = HEADER_SIZE as u64 + written[2].0;
    base.flip_bit(&file_name(0), at + 17, 4);
    expect_corruption(&base, &file_name(0), at);
}

#[test]
fn incomplete_last_file_is_removed() {
    let base = sim();
    let written = one_file_log(&base, 4);
    let end = written[3].0 + frame::frame_size(written[3].1.len());
    // A crash while rolling: the next file exists with part of its header.
    for len in [0, 10, HEADER_SIZE] {
        let vfs = base.crash_image(0);
        let mut file = vfs.create(&file_name(end)).unwrap();
        let header = files::encode_header(end);
        file.write_all(&header[..len]).unwrap();
        if len == HEADER_SIZE {
            file.write_all(&[0xEE; 9]).unwrap();
        }
        let (wal, replayed) = open_collect(Arc::new(vfs.clone()), 0, WalConfig::default()).unwrap();
        assert_eq!(replayed, written);
        assert_eq!(wal.end_lsn(), end);
        let expected = if len == HEADER_SIZE {
            vec![0, end]
        } else {
            vec![0]
        };
        assert_eq!(wal.file_starts(), expected);
        wal.wait_durable(wal.append(b"x").unwrap()).unwrap();
    }
}

#[test]
fn group_commit_shares_syncs() {
    let vfs = Arc::new(SimVfs::new(SimConfig {
        sync_latency: Duration::from_millis(1),
        ..SimConfig::default()
    }));
    let (wal, _) = open_collect(vfs.clone(), 0, WalConfig::default()).unwrap();
    let wal = Arc::new(wal);
    let before = wal.sync_count();
    let threads: Vec<_> = (0..16u64)
        .map(|t| {
            let wal = Arc::clone(&wal);
            std::thread::spawn(move || {
                for i in 0..200u64 {
                    let end = wal.append(format!("{t}:{i}").as_bytes()).unwrap();
                    wal.wait_durable(end).unwrap();
                    assert!(wal.durable_lsn() >= end);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let syncs = wal.sync_count() - before;
    assert!(syncs < 3200 / 4, "{syncs} syncs for 3200 commits");
    drop(wal);
    let (_, replayed) = open_collect(vfs, 0, WalConfig::default()).unwrap();
    assert_eq!(replayed.len(), 3200);
    // Each thread's records appear in the order it appended them.
    for t in 0..16u64 {
        let prefix = format!("{t}:");
        let mine: Vec<&[u8]> = replayed
            .iter()
            .map(|(_, data)| data.as_slice())
            .filter(|data| data.starts_with(prefix.as_bytes()))
            .collect();
        let expected: Vec<Vec<u8>> = (0..200).map(|i| format!("{t}:{i}").into_bytes()).collect();
        assert_eq!(mine, expected);
    }
}

#[test]
fn failed_sync_poisons_the_log() {
    let vfs = sim();
    let (wal, _) = open_collect(Arc::new(vfs.clone()), 0, WalConfig::default()).unwrap();
    let first = wal.append(b"one").unwrap();
    wal.wait_durable(first).unwrap();
    let second = wal.append(b"two").unwrap();
    // The write succeeds, the sync fails.
    vfs.set_crash_after_ops(Some(vfs.ops() + 1));
    assert!(matches!(wal.wait_durable(second), Err(Error::Poisoned(_))));
    vfs.set_crash_after_ops(None);
    assert!(matches!(wal.wait_durable(first), Err(Error::Poisoned(_))));
    assert!(matches!(wal.append(b"three"), Err(Error::Poisoned(_))));
    assert!(matches!(wal.rotate(), Err(Error::Poisoned(_))));
    assert!(matches!(wal.retire_before(first), Err(Error::Poisoned(_))));
    assert_eq!(wal.durable_lsn(), first);
    drop(wal);
    let (wal, replayed) = open_collect(Arc::new(vfs), 0, WalConfig::default()).unwrap();
    assert_eq!(replayed[0].1, b"one");
    wal.wait_durable(wal.append(b"four").unwrap()).unwrap();
}

#[test]
fn limits_and_misuse() {
    let (wal, _) = open_collect(Arc::new(sim()), 0, WalConfig::default()).unwrap();
    let huge = vec![0; MAX_RECORD_SIZE + 1];
    assert!(matches!(wal.append(&huge), Err(Error::Limit(_))));
    assert!(matches!(wal.wait_durable(1), Err(Error::Invalid(_))));
    let end = wal.append(b"").unwrap();
    assert_eq!(end, FRAME_HEADER_SIZE as u64);
    wal.wait_durable(end).unwrap();
    let zero = WalConfig { file_size_limit: 0 };
    assert!(open_collect(Arc::new(sim()), 0, zero).is_err());
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Wal>();
}

#[test]
fn torn_tail_and_corruption_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let vfs: Arc<dyn Vfs> = Arc::new(DiskVfs::new(dir.path()).unwrap());
    let (wal, _) = open_collect(vfs.clone(), 0, WalConfig::default()).unwrap();
    let written = append_range(&wal, 1, 8);
    drop(wal);
    let path = dir.path().join(file_name(0));
    let full = std::fs::read(&path).unwrap();
    let last = HEADER_SIZE + written[7].0 as usize;
    // A torn tail: the last record half written.
    std::fs::write(&path, &full[..last + 10]).unwrap();
    let (wal, replayed) = open_collect(vfs.clone(), 0, WalConfig::default()).unwrap();
    assert_eq!(replayed, written[..7]);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), last as u64);
    wal.wait_durable(wal.append(b"again").unwrap()).unwrap();
    drop(wal);
    // Damage in a middle record.
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = HEADER_SIZE + written[3].0 as usize;
    bytes[middle + 20] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let err = open_collect(vfs, 0, WalConfig::default()).unwrap_err();
    assert!(
        matches!(err, Error::Corruption { offset, .. } if offset == middle as u64),
        "{err}"
    );
}
