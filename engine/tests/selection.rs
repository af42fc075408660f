//! Bitmap-indexed selection against a plain scan: for random data — NULLs,
//! deletes, updates, rows split between the memtable and several segments
//! (some written before the indexes existed, some before a column was
//! added) — and random predicate trees, the rows `TableView::select`
//! returns are exactly those where the predicate is true row by row.

mod common;

use std::sync::Arc;

use common::test_options;
use crmdb_engine::catalog::{Catalog, ColumnDef, IndexDef, IndexMethod};
use crmdb_engine::index::{CompareOp, Predicate};
use crmdb_engine::sql::ddl::parse_create_tables;
use crmdb_engine::vfs::{SimConfig, SimVfs};
use crmdb_engine::{DataType, Database, Numeric, Value};
use proptest::prelude::*;

const TABLE: &str = "CREATE TABLE seg (id BIGINT PRIMARY KEY, t TEXT, i INTEGER, \
    n NUMERIC(6,2), b BOOLEAN, d DATE, f DOUBLE PRECISION, ts TIMESTAMPTZ, u TEXT)";
/// Columns after `id`, then `late` (added after the first segment).
const COLUMNS: usize = 10;
/// Indexed when the indexes are created: all but `u`.
const INDEXED: &[&str] = &["t", "i", "n", "b", "d", "f", "ts", "late"];

/// A value of column `c` (1..COLUMNS) from a small domain, so that
/// equalities hit; `k` picks it, 0 is NULL.
fn value(c: usize, k: u8) -> Value {
    if k == 0 {
        return Value::Null;
    }
    let k = i64::from(k % 8) - 3;
    match c {
        1 | 8 => Value::Text(["a", "b", "c", "d", "e", "f", "g", "h"][(k + 3) as usize].into()),
        2 | 9 => Value::Integer(k as i32),
        3 => Value::Numeric(Numeric::new(i128::from(k) * 25, 2).unwrap()),
        4 => Value::Boolean(k % 2 == 0),
        5 => Value::Date(k as i32 * 400),
        6 => Value::Double(match k {
            -3 => f64::NAN,
            -2 => -0.0,
            x => x as f64 / 2.0,
        }),
        7 => Value::TimestampTz(k * 86_400_000_000 + 1_000_000_000_000),
        _ => unreachable!(),
    }
}

/// A constant for column `c`: usually one of its domain, sometimes a
/// NUMERIC the column's scale cannot hold exactly or one at another scale.
fn constant(c: usize, k: u8, odd: bool) -> Value {
    match (c, odd, k) {
        (3, true, k) if k % 2 == 0 => {
            Value::Numeric(Numeric::new(i128::from(k) * 7 - 20, 3).unwrap())
        }
        (3, true, k) => Value::Numeric(Numeric::new(i128::from(k % 5) - 2, 0).unwrap()),
        _ => value(c, k),
    }
}

fn row(id: i64, ks: &[u8], with_late: bool) -> Vec<Value> {
    let mut out = vec![Value::BigInt(id)];
    out.extend((1..=8).map(|c| value(c, ks[c - 1])));
    if with_late {
        out.push(value(9, ks[8]));
    }
    out
}

#[derive(Debug, Clone)]
enum Step {
    Insert(i64, Vec<u8>),
    Update(i64, Vec<u8>),
    Delete(i64),
    Checkpoint,
}

fn step() -> impl Strategy<Value = Step> {
    let ks = prop::collection::vec(0u8..9, 9);
    prop_oneof![
        6 => (0i64..60, ks.clone()).prop_map(|(id, ks)| Step::Insert(id, ks)),
        2 => (0i64..60, ks).prop_map(|(id, ks)| Step::Update(id, ks)),
        2 => (0i64..60).prop_map(Step::Delete),
        1 => Just(Step::Checkpoint),
    ]
}

fn predicate() -> impl Strategy<Value = Predicate> {
    let op = prop_oneof![
        Just(CompareOp::Eq),
        Just(CompareOp::Ne),
        Just(CompareOp::Lt),
        Just(CompareOp::Le),
        Just(CompareOp::Gt),
        Just(CompareOp::Ge),
    ];
    let leaf = prop_oneof![
        4 => (1usize..=COLUMNS, op, 0u8..9, any::<bool>()).prop_map(|(column, op, k, odd)| {
            Predicate::Compare { column, op, value: constant(column.min(9), k, odd) }
        }),
        2 => (1usize..=COLUMNS, prop::collection::vec((0u8..9, any::<bool>()), 0..4)).prop_map(
            |(column, ks)| Predicate::In {
                column,
                values: ks.into_iter().map(|(k, odd)| constant(column.min(9), k, odd)).collect(),
            }
        ),
        1 => (1usize..=COLUMNS, any::<bool>())
            .prop_map(|(column, negated)| Predicate::IsNull { column, negated }),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Predicate::And),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Predicate::Or),
            inner.prop_map(|p| Predicate::Not(Box::new(p))),
        ]
    })
}

/// Column 10 is `late`; the generator's column numbers 1..=9 map to the
/// table's positions 1..=9 and `late` is position 9 after `u` at 8.
fn fix_columns(p: Predicate) -> Predicate {
    // Generator columns: 1..=8 as in the table, 9 and 10 both `late`.
    match p {
        Predicate::Compare { column, op, value } => Predicate::Compare {
            column: column.min(9),
            op,
            value,
        },
        Predicate::In { column, values } => Predicate::In {
            column: column.min(9),
            values,
        },
        Predicate::IsNull { column, negated } => Predicate::IsNull {
            column: column.min(9),
            negated,
        },
        Predicate::And(ps) => Predicate::And(ps.into_iter().map(fix_columns).collect()),
        Predicate::Or(ps) => Predicate::Or(ps.into_iter().map(fix_columns).collect()),
        Predicate::Not(p) => Predicate::Not(Box::new(fix_columns(*p))),
    }
}

/// Runs `steps` in three phases: before the indexes exist, after they are
/// created, and after column `late` is added; the last phase's rows stay
/// partly in the memtable.
fn build(phases: [Vec<Step>; 3]) -> Database {
    let vfs = Arc::new(SimVfs::new(SimConfig::default()));
    let db = Database::open_with(vfs, test_options()).unwrap();
    let mut txn = db.begin();
    let def = parse_create_tables(TABLE, &Catalog::clone(txn.catalog()))
        .unwrap()
        .remove(0);
    txn.create_table(def).unwrap();
    txn.commit().unwrap();
    for (phase, steps) in phases.into_iter().enumerate() {
        if phase > 0 {
            let mut txn = db.begin();
            let mut def = (**txn.table("seg").unwrap().def()).clone();
            if phase == 2 {
                let id = def.next_column_id;
                def.next_column_id += 1;
                def.columns.push(ColumnDef {
                    id,
                    name: "late".into(),
                    ty: DataType::Integer,
                    not_null: false,
                    default: None,
                });
            }
            def.indexes.clear();
            for name in INDEXED {
                if let Some(c) = def.columns.iter().find(|c| c.name == *name) {
                    def.indexes.push(IndexDef {
                        name: format!("seg_{name}"),
                        columns: vec![c.id],
                        method: IndexMethod::Bitmap,
                        builtin: false,
                    });
                }
            }
            txn.replace_table(def).unwrap();
            txn.commit().unwrap();
        }
        for s in steps {
            let mut txn = db.begin();
            let late = phase == 2;
            match s {
                Step::Insert(id, ks) => {
                    if txn
                        .table("seg")
                        .unwrap()
                        .get(&[Value::BigInt(id)])
                        .unwrap()
                        .is_none()
                    {
                        txn.insert("seg", row(id, &ks, late)).unwrap();
                    }
                }
                Step::Update(id, ks) => {
                    txn.update("seg", &[Value::BigInt(id)], row(id, &ks, late))
                        .unwrap();
                }
                Step::Delete(id) => {
                    txn.delete("seg", &[Value::BigInt(id)]).unwrap();
                }
                Step::Checkpoint => {
                    drop(txn);
                    db.checkpoint().unwrap();
                    continue;
                }
            }
            txn.commit().unwrap();
        }
        if phase < 2 {
            db.checkpoint().unwrap();
        }
    }
    db
}

/// Rows in id order, printed (NaN is not equal to itself as a `Value`).
fn ids(rows: impl Iterator<Item = Vec<Value>>) -> Vec<String> {
    let mut out: Vec<Vec<Value>> = rows.collect();
    out.sort_by_key(|r| match r[0] {
        Value::BigInt(id) => id,
        _ => unreachable!(),
    });
    out.iter().map(|r| format!("{r:?}")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn indexed_selection_equals_a_plain_scan(
        phases in [
            prop::collection::vec(step(), 0..40),
            prop::collection::vec(step(), 0..40),
            prop::collection::vec(step(), 0..40),
        ],
        predicates in prop::collection::vec(predicate(), 1..12),
    ) {
        let db = build(phases);
        let snapshot = db.snapshot();
        let view = snapshot.table("seg").unwrap();
        for p in predicates {
            let p = fix_columns(p);
            let selection = view.select(&p).unwrap();
            let got = ids(view.selected_rows(&selection).map(|r| r.to_vec()));
            let want = ids(view.rows().filter(|r| p.eval_row(r) == Some(true)).map(|r| r.to_vec()));
            prop_assert_eq!(selection.count(), want.len() as u64);
            prop_assert_eq!(&got, &want, "predicate {:?}", p);
        }
    }
}

#[test]
fn segments_carry_indexes_and_leaves_use_them() {
    let steps: Vec<Step> = (0..50)
        .map(|i| Step::Insert(i, (0..9).map(|c| ((i as u8) + c) % 9).collect()))
        .collect();
    let db = build([Vec::new(), steps, Vec::new()]);
    let snapshot = db.snapshot();
    let view = snapshot.table("seg").unwrap();
    let p = Predicate::And(vec![
        Predicate::Compare {
            column: 1,
            op: CompareOp::Ne,
            value: Value::Text("b".into()),
        },
        Predicate::Compare {
            column: 3,
            op: CompareOp::Ge,
            value: constant(3, 4, false),
        },
        Predicate::Not(Box::new(Predicate::IsNull {
            column: 5,
            negated: false,
        })),
    ]);
    let selection = view.select(&p).unwrap();
    assert!(selection.leaves.indexed >= 3, "{:?}", selection.leaves);
    assert_eq!(selection.leaves.scanned, 0, "{:?}", selection.leaves);
    let want = view.rows().filter(|r| p.eval_row(r) == Some(true)).count();
    assert!(want > 0);
    assert_eq!(selection.count(), want as u64);
    // A NUMERIC constant with more digits than the column's scale is
    // answered by scanning, not by a rounded BSI key.
    let odd = Predicate::Compare {
        column: 3,
        op: CompareOp::Lt,
        value: Value::Numeric(Numeric::new(125, 3).unwrap()),
    };
    let selection = view.select(&odd).unwrap();
    assert_eq!(selection.leaves.scanned, 1);
    let want = view
        .rows()
        .filter(|r| odd.eval_row(r) == Some(true))
        .count();
    assert_eq!(selection.count(), want as u64);
}
