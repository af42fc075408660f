//! Crash tests: a workload of appends, waits, rotations and retirement is
//! stopped at every mutating file operation in turn, power is lost in
//! several ways, and the log is reopened. Whatever was acknowledged must
//! come back, and nothing that was not appended, in order.

use std::sync::Arc;

use super::tests::{Records, open_collect, payload};
use super::*;
use crate::vfs::{SimConfig, SimVfs, Vfs};

const RECORDS: u64 = 60;
const SEEDS: u64 = 16;

fn config() -> WalConfig {
    WalConfig {
        file_size_limit: 700,
    }
}

/// What the workload did before it stopped.
#[derive(Debug, Default)]
struct Trace {
    /// Records whose append returned, with their LSNs, in order.
    appended: Records,
    /// Everything before this LSN was acknowledged durable.
    acked: Lsn,
    /// Replay start: the log before it may have been retired.
    checkpoint: Lsn,
    /// Whether the workload ran to the end without a failure.
    finished: bool,
}

/// Runs the workload until the first error (the simulated crash).
fn workload(vfs: Arc<dyn Vfs>, trace: &mut Trace) -> Result<()> {
    let (wal, replayed) = open_collect(vfs, 0, config())?;
    assert!(replayed.is_empty());
    for i in 0..RECORDS {
        let data = payload(i);
        let end = wal.append(&data)?;
        trace
            .appended
            .push((end - frame::frame_size(data.len()), data));
        if i % 3 == 2 {
            wal.wait_durable(end)?;
            trace.acked = end;
        }
        if i == 25 {
            let start = wal.rotate()?;
            trace.acked = start;
            // A checkpoint at the rotation point lets older files go; from
            // the call on, replay must start there.
            trace.checkpoint = start;
        }
        if i == 40 {
            wal.retire_before(trace.checkpoint)?;
        }
    }
    let end = wal.end_lsn();
    wal.wait_durable(end)?;
    trace.acked = end;
    trace.finished = true;
    Ok(())
}

/// Reopens a crash image and checks it against the trace.
fn check(image: &SimVfs, trace: &Trace, what: &str) {
    let vfs: Arc<dyn Vfs> = Arc::new(image.clone());
    let (wal, replayed) = match open_collect(vfs.clone(), trace.checkpoint, config()) {
        Ok(opened) => opened,
        Err(error) => panic!("{what}: reopen failed: {error}"),
    };
    let expected: Vec<_> = trace
        .appended
        .iter()
        .filter(|(lsn, _)| *lsn >= trace.checkpoint)
        .collect();
    assert!(
        replayed.len() <= expected.len(),
        "{what}: more records than appended"
    );
    for (got, want) in replayed.iter().zip(&expected) {
        assert_eq!(got, *want, "{what}: replay is not a prefix of the appends");
    }
    let acked = expected
        .iter()
        .filter(|(lsn, data)| lsn + frame::frame_size(data.len()) <= trace.acked)
        .count();
    assert!(
        replayed.len() >= acked,
        "{what}: {} records replayed, {acked} acknowledged",
        replayed.len()
    );
    // The recovered log takes appends and keeps them.
    let end = wal.append(b"after recovery").unwrap();
    wal.wait_durable(end).unwrap();
    drop(wal);
    let (_, again) = open_collect(vfs, trace.checkpoint, config()).unwrap();
    assert_eq!(again.len(), replayed.len() + 1, "{what}");
    assert_eq!(again[..replayed.len()], replayed[..], "{what}");
}

#[test]
fn crash_at_every_operation() {
    // A clean run counts the operations.
    let clean = SimVfs::new(SimConfig::default());
    let mut trace = Trace::default();
    workload(Arc::new(clean.clone()), &mut trace).unwrap();
    assert!(trace.finished);
    let total = clean.ops();
    assert!(total > 40, "{total} operations");
    for seed in 0..SEEDS {
        check(
            &clean.crash_image(seed),
            &trace,
            &format!("clean, seed {seed}"),
        );
    }

    for budget in 0..=total {
        let vfs = SimVfs::new(SimConfig {
            crash_after_ops: Some(budget),
            seed: budget,
            ..SimConfig::default()
        });
        let mut trace = Trace::default();
        let result = workload(Arc::new(vfs.clone()), &mut trace);
        assert_eq!(
            result.is_err(),
            budget < total,
            "budget {budget}: {result:?}"
        );
        if let Err(error) = result {
            assert!(
                vfs.crashed(),
                "budget {budget}: failed without a crash: {error}"
            );
            assert!(
                matches!(error, Error::Io { .. } | Error::Poisoned(_)),
                "budget {budget}: {error}"
            );
        }
        for seed in 0..SEEDS {
            check(
                &vfs.crash_image(seed),
                &trace,
                &format!("budget {budget}, seed {seed}"),
            );
        }
    }
}

#[test]
fn crash_during_concurrent_commits() {
    // Threads race to commit; power fails part-way. Each thread's
    // acknowledged records must survive.
    for budget in [5, 17, 40, 90] {
        let vfs = SimVfs::new(SimConfig {
            crash_after_ops: Some(budget),
            ..SimConfig::default()
        });
        let (wal, _) = open_collect(Arc::new(vfs.clone()), 0, config()).unwrap();
        let wal = Arc::new(wal);
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let wal = Arc::clone(&wal);
                std::thread::spawn(move || {
                    let mut acked = Vec::new();
                    for i in 0..50u64 {
                        let data = format!("{t}:{i}").into_bytes();
                        let Ok(end) = wal.append(&data) else { break };
                        if wal.wait_durable(end).is_err() {
                            break;
                        }
                        acked.push(data);
                    }
                    acked
                })
            })
            .collect();
        let acked: Vec<Vec<u8>> = threads
            .into_iter()
            .flat_map(|thread| thread.join().unwrap())
            .collect();
        for seed in 0..SEEDS {
            let image: Arc<dyn Vfs> = Arc::new(vfs.crash_image(seed));
            let (_, replayed) = open_collect(image, 0, config()).unwrap();
            let replayed: Vec<Vec<u8>> = replayed.into_iter().map(|(_, data)| data).collect();
            for data in &acked {
                assert!(
                    replayed.contains(data),
                    "budget {budget} seed {seed}: lost ack"
                );
            }
        }
    }
}
