//! End-to-end crash test: a child process commits from several threads
//! (with background checkpoints) and prints each acknowledged commit; the
//! parent SIGKILLs it at a random moment, reopens the directory, and checks
//! that every acknowledged commit is there and no commit is partly there.
//!
//! The child is this same test binary, re-run with an environment variable
//! that makes the test act as the child.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use crmdb_engine::vfs::DiskVfs;
use crmdb_engine::{Database, Options};
use rand::{Rng, SeedableRng};

const CHILD_DIR: &str = "CRMDB_KILL_TEST_DIR";
const CHILD_ROUND: &str = "CRMDB_KILL_TEST_ROUND";
const ROUNDS: u64 = 24;
const THREADS: i64 = 4;
/// Rows per commit: all or none of them must survive.
const ROWS_PER_COMMIT: i64 = 3;

fn commit_id(round: i64, thread: i64, n: i64) -> i64 {
    (round * 100 + thread) * 1_000_000 + n
}

/// Runs in the child: commit until killed.
fn child(dir: &str, round: i64) {
    let vfs = Arc::new(DiskVfs::new(dir).unwrap());
    let options = Options {
        memtable_limit_bytes: 256 << 10,
        canonical_schema: false,
        ..Options::default()
    };
    let db = Database::open_with(vfs, options).unwrap();
    if db.snapshot().catalog().table_by_name("items").is_none() {
        create_items(&db).unwrap();
    }
    let db = Arc::new(db);
    let stdout = Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let workers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let db = db.clone();
            let stdout = stdout.clone();
            std::thread::spawn(move || {
                for n in 0.. {
                    let id = commit_id(round, thread, n);
                    let mut txn = db.begin();
                    for r in 0..ROWS_PER_COMMIT {
                        txn.insert("items", item(id * 10 + r, id, "payload payload payload"))
                            .unwrap();
                    }
                    txn.commit().unwrap();
                    let mut out = stdout.lock().unwrap();
                    writeln!(out, "ack {id}").unwrap();
                    out.flush().unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}

#[test]
fn sigkill_during_commits_loses_no_acknowledged_commit() {
    if let (Ok(dir), Ok(round)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_ROUND)) {
        child(&dir, round.parse().unwrap());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rngs::SmallRng::seed_from_u64(0x6b696c6c);
    let mut acknowledged = Vec::new();
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "sigkill_during_commits_loses_no_acknowledged_commit",
                "--nocapture",
            ])
            .env(CHILD_DIR, dir.path())
            .env(CHILD_ROUND, round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("ack ").map(|id| id.parse::<i64>().unwrap()))
                .collect::<Vec<_>>()
        });
        // Wait for the child to start committing, then kill it a random
        // while later.
        let started = Instant::now();
        std::thread::sleep(Duration::from_millis(rng.random_range(30..400)));
        child.kill().unwrap();
        child.wait().unwrap();
        let acks = reader.join().unwrap();
        assert!(started.elapsed() < Duration::from_secs(30));
        acknowledged.extend(acks);

        let db = open_items(Arc::new(DiskVfs::new(dir.path()).unwrap())).unwrap();
        let state = items_state(&db.snapshot());
        let mut per_commit: BTreeMap<i64, i64> = BTreeMap::new();
        for (id, (commit, _)) in &state {
            assert_eq!(id / 10, *commit, "row {id} carries its commit id");
            *per_commit.entry(*commit).or_default() += 1;
        }
        for (commit, rows) in &per_commit {
            assert_eq!(
                *rows, ROWS_PER_COMMIT,
                "round {round}: commit {commit} is partial"
            );
        }
        for id in &acknowledged {
            assert!(
                per_commit.contains_key(id),
                "round {round}: acknowledged commit {id} lost"
            );
        }
        assert!(
            state.len() as i64 >= acknowledged.len() as i64 * ROWS_PER_COMMIT,
            "round {round}: fewer rows than acknowledged"
        );
        drop(db);
    }
    assert!(
        acknowledged.len() > 100,
        "children committed only {} times",
        acknowledged.len()
    );
}
