//! Flipped bits on disk are reported as corruption, never returned as data.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use crmdb_engine::vfs::DiskVfs;
use crmdb_engine::{Database, Error};

fn open(dir: &Path) -> crmdb_engine::Result<Database> {
    open_items(Arc::new(DiskVfs::new(dir).unwrap()))
}

fn flip(path: &Path, byte: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[byte] ^= 0x10;
    std::fs::write(path, bytes).unwrap();
}

fn files(dir: &Path, suffix: &str) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

fn fill(db: &Database, commits: i64) {
    for t in 0..commits {
        let mut txn = db.begin();
        for j in 0..10 {
            txn.insert("items", item(t * 100 + j, t, &format!("payload {t}/{j}")))
                .unwrap();
        }
        txn.commit().unwrap();
    }
}

#[test]
fn flipped_bit_in_a_segment_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path()).unwrap();
    fill(&db, 20);
    db.checkpoint().unwrap();
    drop(db);
    let segment = files(dir.path(), ".cseg").pop().expect("a segment");
    let len = std::fs::metadata(&segment).unwrap().len() as usize;
    for byte in [len / 3, len / 2, len - 3] {
        let good = std::fs::read(&segment).unwrap();
        flip(&segment, byte);
        match open(dir.path()) {
            Err(Error::Corruption { file, .. }) => assert!(file.ends_with(".cseg"), "{file}"),
            Err(other) => panic!("byte {byte}: expected corruption, got {other}"),
            Ok(_) => panic!("byte {byte}: a corrupt segment was opened"),
        }
        std::fs::write(&segment, good).unwrap();
    }
    assert_eq!(
        items_state(&open(dir.path()).unwrap().snapshot()).len(),
        200
    );
}

#[test]
fn flipped_bit_in_the_middle_of_the_log_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path()).unwrap();
    fill(&db, 20);
    drop(db);
    let log = files(dir.path(), ".log").pop().expect("a log file");
    let len = std::fs::metadata(&log).unwrap().len() as usize;
    flip(&log, len / 2);
    match open(dir.path()) {
        Err(Error::Corruption { .. }) => {}
        Err(other) => panic!("expected corruption, got {other}"),
        Ok(_) => panic!("a log with a corrupt middle record was replayed"),
    }
}

#[test]
fn flipped_bit_in_the_last_log_record_is_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path()).unwrap();
    fill(&db, 20);
    drop(db);
    let log = files(dir.path(), ".log").pop().expect("a log file");
    let len = std::fs::metadata(&log).unwrap().len() as usize;
    flip(&log, len - 5);
    let db = open(dir.path()).unwrap();
    // The last commit (10 rows) is gone, the others are whole.
    assert_eq!(items_state(&db.snapshot()).len(), 190);
}
