//! A reader holding a snapshot sees exactly that snapshot while writers
//! insert, delete and update, and checkpoints and compactions replace the
//! files underneath it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::*;
use crmdb_engine::Value;
use crmdb_engine::vfs::DiskVfs;

#[test]
fn a_held_snapshot_never_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(open_items(Arc::new(DiskVfs::new(dir.path()).unwrap())).unwrap());
    let mut txn = db.begin();
    for i in 0..500 {
        txn.insert("items", item(i, 0, &format!("initial {i}")))
            .unwrap();
    }
    txn.commit().unwrap();
    db.checkpoint().unwrap();
    let mut txn = db.begin();
    for i in 500..700 {
        txn.insert("items", item(i, 0, &format!("memtable {i}")))
            .unwrap();
    }
    txn.commit().unwrap();

    let snapshot = db.snapshot();
    let expected = items_state(&snapshot);
    assert_eq!(expected.len(), 700);

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let db = db.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut round = 1i64;
            while !stop.load(Ordering::Relaxed) && round < 400 {
                let mut txn = db.begin();
                txn.insert("items", item(10_000 + round, round, "new"))
                    .unwrap();
                txn.delete("items", &[Value::BigInt(round)]).unwrap();
                txn.update(
                    "items",
                    &[Value::BigInt(round + 300)],
                    item(round + 300, round, "changed"),
                )
                .unwrap();
                txn.commit().unwrap();
                match round % 25 {
                    0 => db.checkpoint().unwrap(),
                    12 => db.compact("items").unwrap(),
                    _ => {}
                }
                round += 1;
            }
            round
        })
    };
    let mut reads = 0;
    while !writer.is_finished() {
        assert_eq!(
            items_state(&snapshot),
            expected,
            "read {reads} saw a change"
        );
        let table = snapshot.table("items").unwrap();
        assert_eq!(
            table.get(&[Value::BigInt(1)]).unwrap().unwrap()[2],
            Value::Text("initial 1".into())
        );
        assert!(table.get(&[Value::BigInt(10_001)]).unwrap().is_none());
        reads += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let rounds = writer.join().unwrap();
    assert_eq!(items_state(&snapshot), expected);
    assert!(reads > 0 && rounds > 1);
    // The latest state has every change the writer made.
    let latest = items_state(&db.snapshot());
    assert_eq!(latest.len(), 700);
    assert!(latest.contains_key(&(10_000 + rounds - 1)));
}
