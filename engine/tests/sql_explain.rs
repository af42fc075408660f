//! EXPLAIN and EXPLAIN ANALYZE through a Session: the plan's lines name
//! the index behind each indexed predicate and the residual filter,
//! aggregates answered from bitmaps say that no row is read, ANALYZE adds
//! what each operator did, and EXPLAIN of INSERT/UPDATE/DELETE runs them
//! only with ANALYZE.

mod common;

use std::sync::Arc;

use common::test_options;
use crmdb_engine::sql::{Output, Session};
use crmdb_engine::vfs::{SimConfig, SimVfs};
use crmdb_engine::{Database, Value};

fn setup() -> (Arc<Database>, Session) {
    let vfs = Arc::new(SimVfs::new(SimConfig::default()));
    let db = Arc::new(Database::open_with(vfs, test_options()).unwrap());
    let mut s = Session::new(db.clone());
    for sql in [
        "CREATE TABLE customers (id BIGINT PRIMARY KEY, country TEXT, city TEXT, \
         email_opt_in BOOLEAN, lifetime_value NUMERIC(12,2), score INTEGER)",
        "CREATE INDEX customers_country_idx ON customers USING bitmap (country)",
        "CREATE INDEX ON customers USING bitmap (email_opt_in)",
        "CREATE INDEX ON customers USING bitmap (lifetime_value)",
        "CREATE INDEX ON customers USING bitmap (score)",
    ] {
        run(&mut s, sql).unwrap();
    }
    let rows: Vec<String> = (1..=40)
        .map(|i| {
            format!(
                "({i}, '{}', {}, {}, {}, {})",
                ["DE", "AT", "FR", "CH"][i % 4],
                if i % 5 == 0 {
                    "NULL".into()
                } else {
                    format!("'c{}'", i % 3)
                },
                i % 2 == 0,
                if i % 7 == 0 {
                    "NULL".into()
                } else {
                    format!("{}.25", i * 100)
                },
                i % 9,
            )
        })
        .collect();
    run(
        &mut s,
        &format!("INSERT INTO customers VALUES {}", rows[..30].join(", ")),
    )
    .unwrap();
    db.checkpoint().unwrap();
    run(
        &mut s,
        &format!("INSERT INTO customers VALUES {}", rows[30..].join(", ")),
    )
    .unwrap();
    (db, s)
}

/// The rows of `sql`'s last statement as text, or its SQLSTATE.
fn run(s: &mut Session, sql: &str) -> Result<Vec<Vec<String>>, String> {
    let mut out = Vec::new();
    for stmt in s.parse(sql).map_err(|e| e.code.to_string())? {
        out = match s
            .execute(&stmt, &[])
            .map_err(|e| format!("{}: {}", e.code, e.message))?
        {
            Output::Rows { rows, columns, .. } => {
                let mut lines = vec![columns.iter().map(|c| c.name.clone()).collect()];
                for r in rows {
                    let r = r.map_err(|e| e.code.to_string())?;
                    lines.push(
                        r.iter()
                            .map(|v| match v {
                                Value::Null => "NULL".into(),
                                Value::Text(t) => t.clone(),
                                other => format!("{other:?}"),
                            })
                            .collect(),
                    );
                }
                lines
            }
            _ => Vec::new(),
        };
    }
    Ok(out)
}

fn plan(s: &mut Session, sql: &str) -> String {
    let rows = run(s, sql).unwrap();
    assert_eq!(rows[0], vec!["QUERY PLAN".to_string()]);
    rows[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect::<Vec<_>>()
        .join("\n")
}

fn lines(s: &mut Session, sql: &str) -> Vec<String> {
    plan(s, sql).lines().map(str::to_owned).collect()
}

/// The rows of a query as text (Debug of each value), sorted.
fn answer(s: &mut Session, sql: &str) -> Vec<String> {
    let mut rows: Vec<String> = run(s, sql).unwrap()[1..]
        .iter()
        .map(|r| r.join(" | "))
        .collect();
    rows.sort();
    rows
}

const SEGMENT_QUERY: &str = "SELECT * FROM customers WHERE country IN ('DE', 'AT') \
    AND city IS NULL AND NOT email_opt_in";

#[test]
fn explain_names_the_index_of_each_predicate_and_the_residual_filter() {
    let (_db, mut s) = setup();
    assert_eq!(
        lines(&mut s, &format!("EXPLAIN {SEGMENT_QUERY}")),
        [
            "Bitmap Heap Scan on customers",
            "  Filter: (city IS NULL)",
            "  ->  BitmapAnd",
            "        ->  Bitmap Index Scan on customers_country_idx",
            "              Index Cond: (country = ANY ('{DE,AT}'))",
            "        ->  Bitmap Index Scan on customers_email_opt_in_idx",
            "              Index Cond: (NOT email_opt_in)",
        ]
    );
    // OR and NOT over several columns nest; constants show as PostgreSQL
    // prints them.
    assert_eq!(
        lines(
            &mut s,
            "EXPLAIN SELECT id FROM customers WHERE score > 3 \
             AND NOT (country = 'DE' OR lifetime_value BETWEEN 10 AND 500.5) ORDER BY id"
        ),
        [
            "Sort",
            "  Sort Key: id",
            "  ->  Bitmap Heap Scan on customers",
            "        ->  BitmapAnd",
            "              ->  Bitmap Index Scan on customers_score_idx",
            "                    Index Cond: (score > 3)",
            "              ->  BitmapNot",
            "                    ->  BitmapOr",
            "                          ->  Bitmap Index Scan on customers_country_idx",
            "                                Index Cond: (country = 'DE')",
            "                          ->  Bitmap Index Scan on customers_lifetime_value_idx",
            "                                Index Cond: ((lifetime_value >= 10) AND (lifetime_value <= 500.5))",
        ]
    );
    // Without bitmap scans the same query reads every row.
    run(&mut s, "SET enable_bitmapscan = off").unwrap();
    assert_eq!(
        lines(&mut s, &format!("EXPLAIN {SEGMENT_QUERY}")),
        [
            "Seq Scan on customers",
            "  Filter: ((country = ANY ('{DE,AT}')) AND (NOT email_opt_in) AND (city IS NULL))",
        ]
    );
}

#[test]
fn explain_analyze_runs_the_query_and_counts_rows_per_operator() {
    let (_db, mut s) = setup();
    let want = answer(&mut s, SEGMENT_QUERY).len();
    assert!(want > 0);
    let got = lines(&mut s, &format!("EXPLAIN ANALYZE {SEGMENT_QUERY}"));
    let head = &got[0];
    assert!(
        head.starts_with("Bitmap Heap Scan on customers  (actual time=")
            && head.ends_with(&format!(" rows={want} loops=1)")),
        "{got:#?}"
    );
    let scanned = answer(
        &mut s,
        "SELECT id FROM customers WHERE country IN ('DE', 'AT') AND NOT email_opt_in",
    )
    .len();
    assert!(
        got.contains(&format!("  Rows Removed by Filter: {}", scanned - want)),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|l| l.starts_with("  Segments: 1, Index Leaves: 2 by index, 0 by column scan")),
        "{got:#?}"
    );
    assert!(
        got[got.len() - 2].starts_with("Planning Time: "),
        "{got:#?}"
    );
    assert!(
        got[got.len() - 1].starts_with("Execution Time: "),
        "{got:#?}"
    );
    // TIMING off drops the times, SUMMARY off the totals.
    let got = lines(
        &mut s,
        &format!("EXPLAIN (ANALYZE, TIMING off, SUMMARY off) {SEGMENT_QUERY}"),
    );
    assert_eq!(
        got[0],
        format!("Bitmap Heap Scan on customers  (actual rows={want} loops=1)")
    );
    assert!(!got.iter().any(|l| l.contains("Time")), "{got:#?}");
    // A LIMIT stops its input early: each operator counts what it gave.
    let got = lines(
        &mut s,
        "EXPLAIN (ANALYZE, TIMING off, SUMMARY off) SELECT id FROM customers \
         WHERE city = 'c1' LIMIT 2",
    );
    assert_eq!(
        got,
        [
            "Limit  (actual rows=2 loops=1)",
            "  ->  Seq Scan on customers  (actual rows=2 loops=1)",
            "        Filter: (city = 'c1')",
            // Rows 2 and 3 come before the second c1.
            "        Rows Removed by Filter: 2",
            // Only `id` and `city` are decoded: the projection reads no more.
            "        Narrow Read: only the columns used decoded",
        ]
    );
}

#[test]
fn aggregates_over_indexed_filters_come_from_bitmaps_and_equal_a_scan() {
    let (db, mut s) = setup();
    let queries = [
        "SELECT count(*) FROM customers WHERE country IN ('DE', 'AT') AND (score > 3 OR lifetime_value < 500)",
        "SELECT count(*), count(lifetime_value), count(city), sum(lifetime_value), avg(lifetime_value), \
         min(lifetime_value), max(lifetime_value), sum(score), avg(score), min(score), max(score), \
         min(country), max(country) FROM customers WHERE score BETWEEN 2 AND 6",
        "SELECT sum(score), avg(lifetime_value), min(country), max(score) FROM customers WHERE score > 100",
        "SELECT country, count(*), sum(lifetime_value), avg(score), min(lifetime_value), max(country) \
         FROM customers WHERE score <> 4 GROUP BY country",
        "SELECT email_opt_in, count(*), sum(score) FROM customers GROUP BY email_opt_in",
    ];
    // Rows in the memtable, in a segment, and deleted from a segment.
    run(&mut s, "DELETE FROM customers WHERE id IN (3, 4, 35)").unwrap();
    run(
        &mut s,
        "UPDATE customers SET score = 5, country = 'DE' WHERE id IN (6, 36)",
    )
    .unwrap();
    for q in queries {
        let plan = lines(&mut s, &format!("EXPLAIN {q}"));
        assert!(
            plan[0].starts_with("Bitmap Aggregate on customers"),
            "{plan:#?}"
        );
        assert!(
            plan.contains(
                &"  Segment Rows Read: none (value bitmaps and bit-sliced indexes)".to_owned()
            ),
            "{plan:#?}"
        );
        let analyzed = lines(&mut s, &format!("EXPLAIN ANALYZE {q}"));
        assert!(
            analyzed.contains(&"  Segments: 1, Column Reads Without Index: 0".to_owned()),
            "{analyzed:#?}"
        );
        let indexed = answer(&mut s, q);
        run(&mut s, "SET enable_bitmapscan = off").unwrap();
        let plan = lines(&mut s, &format!("EXPLAIN {q}"));
        assert!(!plan.iter().any(|l| l.contains("Bitmap")), "{plan:#?}");
        assert_eq!(indexed, answer(&mut s, q), "{q}");
        run(&mut s, "SET enable_bitmapscan = on").unwrap();
        // After a checkpoint the memtable rows live in a second segment.
    }
    db.checkpoint().unwrap();
    for q in queries {
        let indexed = answer(&mut s, q);
        run(&mut s, "SET enable_bitmapscan = off").unwrap();
        assert_eq!(indexed, answer(&mut s, q), "{q}");
        run(&mut s, "SET enable_bitmapscan TO DEFAULT").unwrap();
    }
    // An aggregate bitmaps cannot answer reads rows.
    let plan = lines(
        &mut s,
        "EXPLAIN SELECT sum(score) FROM customers WHERE city = 'c1'",
    );
    assert_eq!(
        plan,
        [
            "Aggregate",
            "  ->  Seq Scan on customers",
            "        Filter: (city = 'c1')"
        ]
    );
}

#[test]
fn explain_of_dml_runs_it_only_with_analyze() {
    let (_db, mut s) = setup();
    let count = |s: &mut Session| answer(s, "SELECT count(*) FROM customers");
    let before = count(&mut s);
    assert_eq!(
        lines(&mut s, "EXPLAIN DELETE FROM customers WHERE score = 3"),
        [
            "Delete on customers",
            "  ->  Seq Scan on customers",
            "        Filter: (score = 3)",
        ]
    );
    assert_eq!(count(&mut s), before);
    let deleted = answer(&mut s, "SELECT id FROM customers WHERE score = 3").len();
    let got = lines(
        &mut s,
        "EXPLAIN (ANALYZE, TIMING off, SUMMARY off) DELETE FROM customers WHERE score = 3",
    );
    assert_eq!(
        got,
        [
            "Delete on customers  (actual rows=0 loops=1)".to_owned(),
            format!("  ->  Seq Scan on customers  (actual rows={deleted} loops=1)"),
            "        Filter: (score = 3)".to_owned(),
            format!("        Rows Removed by Filter: {}", 40 - deleted),
        ]
    );
    assert_eq!(
        answer(&mut s, "SELECT id FROM customers WHERE score = 3").len(),
        0
    );
    assert_eq!(
        lines(&mut s, "EXPLAIN INSERT INTO customers (id) VALUES (1000)"),
        ["Insert on customers", "  ->  Result"]
    );
    assert_eq!(
        answer(&mut s, "SELECT id FROM customers WHERE id = 1000").len(),
        0
    );
    let got = lines(
        &mut s,
        "EXPLAIN (ANALYZE, TIMING off, SUMMARY off) INSERT INTO customers \
         SELECT id + 100, country, city, email_opt_in, lifetime_value, score FROM customers WHERE country = 'DE'",
    );
    let de = answer(
        &mut s,
        "SELECT id FROM customers WHERE country = 'DE' AND id < 100",
    )
    .len();
    assert_eq!(got[0], "Insert on customers  (actual rows=0 loops=1)");
    assert_eq!(
        got[1],
        format!("  ->  Bitmap Heap Scan on customers  (actual rows={de} loops=1)")
    );
    assert_eq!(
        answer(&mut s, "SELECT id FROM customers WHERE id > 100").len(),
        de
    );
    assert_eq!(
        lines(
            &mut s,
            "EXPLAIN UPDATE customers SET score = 1 WHERE id = 3"
        ),
        [
            "Update on customers",
            "  ->  Seq Scan on customers",
            "        Filter: (id = 3)",
        ]
    );
}

#[test]
fn explain_options_and_errors_are_postgresqls() {
    let (_db, mut s) = setup();
    let err = |s: &mut Session, sql: &str| run(s, sql).unwrap_err()[..5].to_owned();
    assert_eq!(err(&mut s, "EXPLAIN (FOO) SELECT 1"), "42601");
    assert_eq!(err(&mut s, "EXPLAIN (TIMING) SELECT 1"), "22023");
    assert_eq!(err(&mut s, "EXPLAIN (ANALYZE maybe) SELECT 1"), "22023");
    assert_eq!(err(&mut s, "EXPLAIN (FORMAT JSON) SELECT 1"), "0A000");
    assert_eq!(err(&mut s, "EXPLAIN CREATE TABLE x (a int)"), "42601");
    assert_eq!(err(&mut s, "EXPLAIN SELECT * FROM nope"), "42P01");
    assert_eq!(
        lines(&mut s, "EXPLAIN (ANALYZE false, COSTS off) SELECT 1"),
        ["Result"]
    );
    assert_eq!(
        lines(
            &mut s,
            "EXPLAIN VERBOSE SELECT id, score + 1 FROM customers WHERE id = 7"
        ),
        [
            "Seq Scan on customers",
            "  Output: id, (score + 1)",
            "  Filter: (id = 7)",
        ]
    );
    // A statement with parameters describes as one text column.
    let stmt = s
        .parse("EXPLAIN SELECT id FROM customers WHERE country = $1")
        .unwrap()
        .remove(0);
    let d = s.describe(&stmt, &[]).unwrap();
    assert_eq!(d.params, [crmdb_engine::DataType::Text]);
    let columns = d.columns.unwrap();
    assert_eq!(columns.len(), 1);
    assert_eq!(columns[0].name, "QUERY PLAN");
    let out = s.execute(&stmt, &[Value::Text("DE".into())]).unwrap();
    let Output::Rows { rows, command, .. } = out else {
        panic!("rows expected");
    };
    assert_eq!(command, "EXPLAIN");
    let text: Vec<String> = rows
        .map(|r| match &r.unwrap()[0] {
            Value::Text(t) => t.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(text[2], "        Index Cond: (country = $1)");
}
