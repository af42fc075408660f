//! Indexed plans against plain scans, at the SQL level: for random data —
//! NULLs, updates, deletes, rows split between the memtable and several
//! segments (some written before the indexes existed, some merged by
//! compaction) — and random WHERE trees (=, <>, <, <=, >, >=, IN, NOT IN,
//! IS [NOT] NULL, BETWEEN, bare booleans, AND/OR/NOT over indexed and
//! unindexed columns), every query answers exactly what it answers with
//! `enable_bitmapscan = off`, where no index is used: row listings (the
//! first rows by an indexed column under LIMIT among them), counts,
//! sum/avg/min/max and GROUP BY.
//!
//! engine/tests/selection.rs checks the bitmap selection itself against
//! row-by-row evaluation; this checks the plans built on it (pushing
//! conjuncts down, residual filters, aggregates from bitmaps).

mod common;

use std::sync::Arc;

use common::{run_sql as run, test_options};
use crmdb_engine::Database;
use crmdb_engine::sql::Session;
use crmdb_engine::vfs::{SimConfig, SimVfs};
use proptest::prelude::*;

const COLUMNS: &[&str] = &["t", "i", "n", "b", "d", "ts", "big", "u", "x"];
/// Indexed once the indexes are created: all but `u` and `x`.
const INDEXED: &[&str] = &["t", "i", "n", "b", "d", "ts", "big"];

/// Column `c`'s `k`-th value of a small domain (so that equalities hit)
/// as SQL; k = 0 is NULL.
fn value(c: usize, k: u8) -> String {
    if k == 0 {
        return "NULL".into();
    }
    let k = usize::from(k - 1) % 8;
    let s = k as i64 - 3;
    match COLUMNS[c] {
        "t" | "u" => format!("'{}'", ["a", "b", "c", "d", "e", "f", "g", "h"][k]),
        "i" | "x" => s.to_string(),
        "n" => format!("{:.2}", s as f64 * 0.25),
        "b" => (k % 2 == 0).to_string(),
        "d" => format!(
            "DATE '{}'",
            [
                "1999-05-01",
                "2000-01-01",
                "2000-02-29",
                "2001-03-04",
                "2005-12-31",
                "2010-07-07",
                "2020-01-01",
                "2024-02-29"
            ][k]
        ),
        "ts" => format!("'2024-01-0{} 0{}:00:00+00'::timestamptz", k + 1, k),
        "big" => (s * 1_000_000_000_007).to_string(),
        _ => unreachable!(),
    }
}

/// A constant for column `c`: usually one of its values, sometimes one
/// the column's scale or domain cannot hold (0.125 for a NUMERIC(6,2)).
fn constant(c: usize, k: u8, odd: bool) -> String {
    match (COLUMNS[c], odd) {
        ("n", true) => format!("{}.125", i64::from(k) - 4),
        ("i" | "x", true) => format!("{}", i64::from(k) * 3 - 12),
        _ => value(c, k.max(1)),
    }
}

#[derive(Debug, Clone)]
enum Step {
    Insert(i64, Vec<u8>),
    Update(i64, Vec<u8>),
    Delete(i64),
    Checkpoint,
    Compact,
}

fn step() -> impl Strategy<Value = Step> {
    let ks = prop::collection::vec(0u8..9, COLUMNS.len());
    prop_oneof![
        8 => (0i64..50, ks.clone()).prop_map(|(id, ks)| Step::Insert(id, ks)),
        2 => (0i64..50, ks).prop_map(|(id, ks)| Step::Update(id, ks)),
        2 => (0i64..50).prop_map(Step::Delete),
        1 => Just(Step::Checkpoint),
        1 => Just(Step::Compact),
    ]
}

fn predicate() -> impl Strategy<Value = String> {
    let c = 0..COLUMNS.len();
    let op = prop::sample::select(vec!["=", "<>", "<", "<=", ">", ">="]);
    let leaf = prop_oneof![
        4 => (c.clone(), op, 0u8..9, any::<bool>())
            .prop_map(|(c, op, k, odd)| format!("{} {op} {}", COLUMNS[c], constant(c, k, odd))),
        2 => (c.clone(), any::<bool>(), prop::collection::vec((0u8..9, any::<bool>()), 1..4)).prop_map(
            |(c, not, ks)| {
                let list: Vec<String> = ks
                    .iter()
                    .map(|(k, odd)| if *k == 0 { "NULL".into() } else { constant(c, *k, *odd) })
                    .collect();
                let not = if not { "NOT " } else { "" };
                format!("{} {not}IN ({})", COLUMNS[c], list.join(", "))
            }
        ),
        1 => (c.clone(), any::<bool>())
            .prop_map(|(c, not)| format!("{} IS {}NULL", COLUMNS[c], if not { "NOT " } else { "" })),
        1 => (c, any::<bool>(), 1u8..9, 1u8..9).prop_map(|(c, not, a, b)| {
            let not = if not { "NOT " } else { "" };
            format!("{} {not}BETWEEN {} AND {}", COLUMNS[c], constant(c, a, false), constant(c, b, false))
        }),
        1 => prop::sample::select(vec!["b", "NOT b", "b IS TRUE", "b IS NOT FALSE", "b = false"])
            .prop_map(str::to_owned),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} AND {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} OR {b})")),
            inner.prop_map(|p| format!("NOT ({p})")),
        ]
    })
}

/// The queries asked of each predicate `p`.
fn queries(p: &str) -> [String; 8] {
    [
        format!("SELECT id, t, n FROM seg WHERE {p} ORDER BY id"),
        format!("SELECT id, n FROM seg WHERE {p} ORDER BY n DESC NULLS LAST, id LIMIT 5"),
        format!("SELECT id, i FROM seg WHERE {p} ORDER BY i NULLS FIRST, id LIMIT 3"),
        format!("SELECT id, ts FROM seg WHERE {p} ORDER BY ts DESC, id LIMIT 4 OFFSET 1"),
        format!("SELECT id, big FROM seg WHERE {p} ORDER BY big, id DESC LIMIT 6"),
        format!(
            "SELECT count(*), count(n), sum(i), avg(n), sum(big), avg(i), min(d), max(ts), \
             min(n), max(big), min(t), max(t), count(u) FROM seg WHERE {p}"
        ),
        format!("SELECT t, count(*), sum(n), max(i), avg(big) FROM seg WHERE {p} GROUP BY t"),
        format!("SELECT b, count(*), min(ts), sum(i) FROM seg WHERE {p} GROUP BY b"),
    ]
}

/// Runs `phases`: the first before the indexes exist, the rest after;
/// the last phase's rows stay partly in the memtable.
fn build(phases: [Vec<Step>; 2]) -> (Arc<Database>, Session) {
    let vfs = Arc::new(SimVfs::new(SimConfig::default()));
    let db = Arc::new(Database::open_with(vfs, test_options()).unwrap());
    let mut s = Session::new(db.clone());
    run(
        &mut s,
        "CREATE TABLE seg (id BIGINT PRIMARY KEY, t TEXT, i INTEGER, n NUMERIC(6,2), b BOOLEAN, \
         d DATE, ts TIMESTAMPTZ, big BIGINT, u TEXT, x INTEGER)",
    );
    for (phase, steps) in phases.into_iter().enumerate() {
        if phase == 1 {
            for c in INDEXED {
                run(&mut s, &format!("CREATE INDEX ON seg USING bitmap ({c})"));
            }
        }
        for step in steps {
            match step {
                Step::Insert(id, ks) => {
                    let values: Vec<String> =
                        ks.iter().enumerate().map(|(c, k)| value(c, *k)).collect();
                    run(
                        &mut s,
                        &format!(
                            "INSERT INTO seg VALUES ({id}, {}) ON CONFLICT DO NOTHING",
                            values.join(", ")
                        ),
                    );
                }
                Step::Update(id, ks) => {
                    let sets: Vec<String> = ks
                        .iter()
                        .enumerate()
                        .map(|(c, k)| format!("{} = {}", COLUMNS[c], value(c, *k)))
                        .collect();
                    run(
                        &mut s,
                        &format!("UPDATE seg SET {} WHERE id = {id}", sets.join(", ")),
                    );
                }
                Step::Delete(id) => {
                    run(&mut s, &format!("DELETE FROM seg WHERE id = {id}"));
                }
                Step::Checkpoint => db.checkpoint().unwrap(),
                Step::Compact => {
                    db.checkpoint().unwrap();
                    db.compact("seg").unwrap();
                }
            }
        }
        if phase == 0 {
            db.checkpoint().unwrap();
        }
    }
    (db, s)
}

/// Whether the plan of `sql` uses a bitmap index.
fn uses_bitmaps(s: &mut Session, sql: &str) -> bool {
    run(s, &format!("EXPLAIN {sql}"))
        .iter()
        .any(|l| l.contains("Bitmap"))
}

fn sorted(mut rows: Vec<String>) -> Vec<String> {
    rows.sort();
    rows
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn indexed_plans_answer_what_plain_scans_answer(
        phases in [
            prop::collection::vec(step(), 0..30),
            prop::collection::vec(step(), 0..50),
        ],
        predicates in prop::collection::vec(predicate(), 1..6),
    ) {
        let (_db, mut s) = build(phases);
        for p in &predicates {
            for q in queries(p) {
                let indexed = sorted(run(&mut s, &q));
                run(&mut s, "SET enable_bitmapscan = off");
                let scanned = sorted(run(&mut s, &q));
                run(&mut s, "SET enable_bitmapscan = on");
                prop_assert_eq!(&indexed, &scanned, "{}", q);
            }
        }
    }
}

/// The property above is only worth something if indexed plans are
/// taken: these shapes take them.
#[test]
fn the_compared_plans_use_the_bitmaps() {
    let steps: Vec<Step> = (0..40)
        .map(|i| {
            Step::Insert(
                i,
                (0..COLUMNS.len())
                    .map(|c| ((i as usize + c) % 9) as u8)
                    .collect(),
            )
        })
        .chain([
            Step::Checkpoint,
            Step::Delete(3),
            Step::Update(4, vec![1; COLUMNS.len()]),
        ])
        .collect();
    let (_db, mut s) = build([Vec::new(), steps]);
    for p in [
        "t IN ('a', 'b') AND NOT (i > 2 OR n IS NULL)",
        "d BETWEEN DATE '2000-01-01' AND DATE '2010-01-01' AND b",
    ] {
        for q in queries(p) {
            assert!(uses_bitmaps(&mut s, &q), "{q}");
        }
    }
    // The listings under LIMIT cut their rows with the sort column's
    // bit-sliced index before decoding them.
    for q in &queries("b")[1..5] {
        let analyzed = run(&mut s, &format!("EXPLAIN ANALYZE {q}"));
        assert!(
            analyzed.iter().any(|l| l.contains("Top-N Cut")),
            "{q}: {analyzed:#?}"
        );
    }
    run(&mut s, "SET enable_bitmapscan = off");
    assert!(!uses_bitmaps(&mut s, &queries("t = 'a'")[5]));
}
