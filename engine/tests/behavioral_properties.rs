//! Behavioral segments against a plain evaluation: `[NOT] EXISTS
//! (SELECT 1 FROM ev e WHERE e.cid = c.id AND <indexed predicate>)` over
//! random events — NULLs, updates, deletes, a column added midway, rows
//! split between the memtable and several segments, compacted or not —
//! answers what the same subquery answers run once per outer row (its
//! correlation written `(e.cid = c.id) IS TRUE`, which nothing
//! decorrelates).
//!
//! The events' `cid` mostly follows their `id` (events inserted customer
//! by customer), so their segments hold `cid` in order and EXISTS looks
//! each customer up in them (sql/idprobe.rs), switching to the whole id
//! set after its budget of lookups (16 here, fewer than the customers);
//! a quarter of the cases scatter some events' `cid`, which takes the id
//! set (sql/idset.rs) from the start.

mod common;

use std::sync::Arc;

use common::{run_sql as run, test_options};
use crmdb_engine::Database;
use crmdb_engine::sql::Session;
use crmdb_engine::vfs::{SimConfig, SimVfs};
use proptest::prelude::*;

/// Customers 0..CUSTOMERS; events have ids 0..EVENTS.
const CUSTOMERS: i64 = 40;
const EVENTS: i64 = 160;

#[derive(Debug, Clone)]
enum Step {
    /// An event: its id, whether its customer is scattered (else id / 4),
    /// and its k, n, m values (0: NULL).
    Insert(i64, bool, u8, u8, u8),
    Update(i64, u8, u8),
    Delete(i64),
    Checkpoint,
    Compact,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        10 => (0..EVENTS, prop::bool::weighted(0.1), 0u8..5, 0u8..6, 0u8..4)
            .prop_map(|(id, s, k, n, m)| Step::Insert(id, s, k, n, m)),
        2 => (0..EVENTS, 0u8..5, 0u8..6).prop_map(|(id, k, n)| Step::Update(id, k, n)),
        2 => (0..EVENTS).prop_map(Step::Delete),
        1 => Just(Step::Checkpoint),
        1 => Just(Step::Compact),
    ]
}

fn sql_value(k: u8, text: bool) -> String {
    match (k, text) {
        (0, _) => "NULL".into(),
        (k, true) => format!("'{}'", ["a", "b", "c", "d"][usize::from(k - 1) % 4]),
        (k, false) => (i64::from(k) - 2).to_string(),
    }
}

/// A predicate over an event's k, n and m (m is NULL in the segments
/// written before it was added).
fn predicate() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (1u8..5).prop_map(|k| format!("e.k = {}", sql_value(k, true))),
        (1u8..5, 1u8..5).prop_map(|(a, b)| format!(
            "e.k IN ({}, {})",
            sql_value(a, true),
            sql_value(b, true)
        )),
        (prop::sample::select(vec!["=", "<>", "<", ">="]), 1u8..6)
            .prop_map(|(op, n)| format!("e.n {op} {}", sql_value(n, false))),
        (1u8..6, 1u8..6).prop_map(|(a, b)| format!(
            "e.n BETWEEN {} AND {}",
            sql_value(a, false),
            sql_value(b, false)
        )),
        prop::sample::select(vec![
            "e.n IS NULL",
            "e.k IS NOT NULL",
            "e.m = 1",
            "e.m IS NULL"
        ])
        .prop_map(str::to_owned),
    ];
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} AND {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} OR {b})")),
            inner.prop_map(|p| format!("NOT ({p})")),
        ]
    })
}

/// The customers and the events of `phases` (their customers scattered as
/// the steps say if `scatter`, else in event order); `m` is added between
/// the phases, the last phase's rows stay partly in the memtable.
fn build(phases: [Vec<Step>; 2], scatter: bool) -> (Arc<Database>, Session) {
    let vfs = Arc::new(SimVfs::new(SimConfig::default()));
    let db = Arc::new(Database::open_with(vfs, test_options()).unwrap());
    let mut s = Session::new(db.clone());
    run(
        &mut s,
        "CREATE TABLE cust (id BIGINT PRIMARY KEY, g INTEGER); \
         CREATE TABLE ev (id BIGINT PRIMARY KEY, cid BIGINT, k TEXT, n INTEGER); \
         CREATE INDEX ON ev USING bitmap (cid); CREATE INDEX ON ev USING bitmap (k); \
         CREATE INDEX ON ev USING bitmap (n)",
    );
    run(
        &mut s,
        &format!("INSERT INTO cust SELECT g, g % 3 FROM generate_series(0, {CUSTOMERS} - 1) g"),
    );
    for (phase, steps) in phases.into_iter().enumerate() {
        if phase == 1 {
            run(&mut s, "ALTER TABLE ev ADD COLUMN m INTEGER");
            run(&mut s, "CREATE INDEX ON ev USING bitmap (m)");
        }
        for step in steps {
            match step {
                Step::Insert(id, scattered, k, n, m) => {
                    let cid = if scatter && scattered {
                        (id * 7) % CUSTOMERS
                    } else {
                        id / 4
                    };
                    let m = if phase == 1 {
                        format!(", {}", sql_value(m, false))
                    } else {
                        String::new()
                    };
                    run(
                        &mut s,
                        &format!(
                            "INSERT INTO ev VALUES ({id}, {cid}, {}, {}{m}) ON CONFLICT DO NOTHING",
                            sql_value(k, true),
                            sql_value(n, false)
                        ),
                    );
                }
                Step::Update(id, k, n) => {
                    run(
                        &mut s,
                        &format!(
                            "UPDATE ev SET k = {}, n = {} WHERE id = {id}",
                            sql_value(k, true),
                            sql_value(n, false)
                        ),
                    );
                }
                Step::Delete(id) => {
                    run(&mut s, &format!("DELETE FROM ev WHERE id = {id}"));
                }
                Step::Checkpoint => db.checkpoint().unwrap(),
                Step::Compact => {
                    db.checkpoint().unwrap();
                    db.compact("ev").unwrap();
                }
            }
        }
        if phase == 0 {
            db.checkpoint().unwrap();
        }
    }
    (db, s)
}

/// The queries asked of each predicate, decorrelated and per row.
fn queries(p: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for not in ["", "NOT "] {
        for outer in ["true", "c.g = 1"] {
            let q = |correlation: &str| {
                format!(
                    "SELECT c.id FROM cust c WHERE {outer} AND {not}EXISTS \
                     (SELECT 1 FROM ev e WHERE {correlation} AND {p}) ORDER BY c.id"
                )
            };
            out.push((q("e.cid = c.id"), q("(e.cid = c.id) IS TRUE")));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn exists_by_lookup_or_id_set_answers_what_a_per_row_subquery_answers(
        phases in [
            prop::collection::vec(step(), 0..80),
            prop::collection::vec(step(), 0..80),
        ],
        scatter in prop::bool::weighted(0.25),
        predicates in prop::collection::vec(predicate(), 1..4),
    ) {
        let (_db, mut s) = build(phases, scatter);
        for p in &predicates {
            for (decorrelated, per_row) in queries(p) {
                let expected = run(&mut s, &per_row);
                prop_assert_eq!(run(&mut s, &decorrelated), expected, "{}", decorrelated);
            }
        }
    }
}

/// EXPLAIN ANALYZE says how each subquery ran: lookups while the events'
/// segments hold `cid` in order, the id set once they do not, and the id
/// set for an uncorrelated IN.
#[test]
fn explain_analyze_tells_lookups_from_id_sets() {
    let inserts = |scattered: bool| -> Vec<Step> {
        (0..EVENTS)
            .map(|id| Step::Insert(id, scattered && id % 5 == 0, 1, 2, 1))
            .chain([Step::Checkpoint])
            .collect()
    };
    let explain = |s: &mut Session| -> String {
        run(
            s,
            "EXPLAIN ANALYZE SELECT c.id FROM cust c WHERE c.id IN (SELECT cid FROM ev) \
             AND NOT EXISTS (SELECT 1 FROM ev e WHERE e.cid = c.id AND e.k = 'a')",
        )
        .join("\n")
    };
    let (_db, mut s) = build([Vec::new(), inserts(false)], false);
    let plan = explain(&mut s);
    assert!(plan.contains("Key Lookups: per outer row"), "{plan}");
    assert!(plan.contains("Id Set: 40 keys, built once"), "{plan}");
    let (_db, mut s) = build([Vec::new(), inserts(true)], true);
    let plan = explain(&mut s);
    assert!(!plan.contains("Key Lookups"), "{plan}");
    assert_eq!(
        plan.matches("Id Set: 40 keys, built once").count(),
        2,
        "{plan}"
    );
}
