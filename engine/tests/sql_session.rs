//! The SQL layer through a Session: statements in, PostgreSQL's text
//! rendering out. (The differential suite compares against a real
//! PostgreSQL; these are the fast checks of the basics.)

use std::sync::Arc;

use crmdb_engine::sql::{Output, Session, SqlError, TransactionStatus};
use crmdb_engine::types::format_value;
use crmdb_engine::{Database, Options};

fn session() -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().unwrap();
    let vfs = Arc::new(crmdb_engine::vfs::DiskVfs::new(dir.path()).unwrap());
    let db = Database::open_with(
        vfs,
        Options {
            background_checkpoints: false,
            ..Options::default()
        },
    )
    .unwrap();
    (dir, Session::new(Arc::new(db)))
}

/// Runs every statement of `sql`; returns the last one's rows as text.
fn run(s: &mut Session, sql: &str) -> Result<Vec<Vec<String>>, SqlError> {
    let mut last = Vec::new();
    for stmt in s.parse(sql)? {
        last = match s.execute(&stmt, &[])? {
            Output::Rows { rows, .. } => rows
                .map(|r| {
                    r.map(|r| {
                        r.iter()
                            .map(|v| {
                                format_value(v, s.time_zone()).unwrap_or_else(|| "NULL".into())
                            })
                            .collect()
                    })
                })
                .collect::<Result<_, _>>()?,
            Output::Command { tag } => vec![vec![tag]],
            Output::Empty => vec![],
            Output::CopyIn { .. } => vec![vec!["COPY IN".into()]],
            Output::CopyOut { header, lines, .. } => header
                .into_iter()
                .map(Ok)
                .chain(lines)
                .map(|l| l.map(|l| vec![String::from_utf8(l).expect("UTF-8")]))
                .collect::<Result<_, _>>()?,
        };
    }
    Ok(last)
}

fn one(s: &mut Session, sql: &str) -> String {
    let rows = run(s, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
    rows[0].join("|")
}

fn err(s: &mut Session, sql: &str) -> SqlError {
    run(s, sql).expect_err(sql)
}

#[test]
fn expressions_render_like_postgres() {
    let (_d, mut s) = session();
    assert_eq!(
        one(&mut s, "SELECT 1 + 2, 7 / 2, 7 % 3, -7 / 2"),
        "3|3|1|-3"
    );
    assert_eq!(
        one(&mut s, "SELECT 1.50 + 2, 10::numeric / 4, 1 / 3.0"),
        "3.50|2.5000000000000000|0.33333333333333333333"
    );
    assert_eq!(
        one(&mut s, "SELECT 'a' || 'b' || 1, upper('xY'), length('zoë')"),
        "ab1|XY|3"
    );
    assert_eq!(
        one(
            &mut s,
            "SELECT NULL = 1, NULL IS NULL, 1 IN (1, NULL), 2 IN (1, NULL)"
        ),
        "NULL|t|t|NULL"
    );
    assert_eq!(
        one(
            &mut s,
            "SELECT CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END, coalesce(NULL, 3), nullif(2, 2)"
        ),
        "b|3|NULL"
    );
    assert_eq!(
        one(
            &mut s,
            "SELECT '2024-02-28'::date + 1, date '2024-03-01' - date '2024-02-01'"
        ),
        "2024-02-29|29"
    );
    assert_eq!(
        one(
            &mut s,
            "SELECT 'abc' LIKE 'a%', 'ABC' ILIKE 'a_c', 5 BETWEEN 1 AND 4"
        ),
        "t|t|f"
    );
    assert_eq!(
        one(
            &mut s,
            "SELECT 0.1::float8 + 0.2::float8, round(2.5), round(2.345, 2)"
        ),
        "0.30000000000000004|3|2.35"
    );
    assert_eq!(
        one(
            &mut s,
            "SELECT extract(year FROM timestamptz '2024-05-06 07:08:09+00'), date_trunc('month', timestamptz '2024-05-06 07:08:09+00')"
        ),
        "2024|2024-05-01 00:00:00+00"
    );
}

#[test]
fn errors_carry_postgres_sqlstates() {
    let (_d, mut s) = session();
    assert_eq!(err(&mut s, "SELECT 1/0").code, "22012");
    assert_eq!(err(&mut s, "SELECT 2147483647 + 1").code, "22003");
    assert_eq!(err(&mut s, "SELECT * FROM nope").code, "42P01");
    assert_eq!(err(&mut s, "SELECT nope FROM customers").code, "42703");
    assert_eq!(err(&mut s, "SELECT 'x'::integer").code, "22P02");
    assert_eq!(err(&mut s, "SELECT 1 + 'a'::text").code, "42883");
    assert_eq!(err(&mut s, "SELEC 1").code, "42601");
    assert_eq!(
        err(&mut s, "SELECT id, count(*) FROM customers").code,
        "42803"
    );
}

#[test]
fn dml_queries_and_transactions() {
    let (_d, mut s) = session();
    run(&mut s, "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score NUMERIC(6,2) DEFAULT 1.5, d DATE)").unwrap();
    assert_eq!(
        one(
            &mut s,
            "INSERT INTO t (id, name, d) VALUES (1, 'a', '2024-01-01'), (2, 'b', NULL), (3, 'c', '2023-12-31')"
        ),
        "INSERT 0 3"
    );
    assert_eq!(
        one(
            &mut s,
            "SELECT count(*), sum(score), avg(id), min(d), max(name) FROM t"
        ),
        "3|4.50|2.0000000000000000|2023-12-31|c"
    );
    assert_eq!(
        run(&mut s, "SELECT id FROM t ORDER BY d DESC NULLS LAST, id").unwrap(),
        vec![vec!["1"], vec!["3"], vec!["2"]]
    );
    assert_eq!(
        one(&mut s, "UPDATE t SET score = score * 2 WHERE id >= 2"),
        "UPDATE 2"
    );
    assert_eq!(
        one(&mut s, "SELECT string_agg(score::text, ',') FROM t"),
        "1.50,3.00,3.00"
    );
    assert_eq!(err(&mut s, "INSERT INTO t VALUES (1, 'dup')").code, "23505");
    assert_eq!(err(&mut s, "INSERT INTO t (id) VALUES (9)").code, "23502");
    assert_eq!(
        err(
            &mut s,
            "INSERT INTO t (id, name, score) VALUES (9, 'x', 12345.6)"
        )
        .code,
        "22003"
    );
    run(&mut s, "BEGIN").unwrap();
    assert_eq!(s.transaction_status(), TransactionStatus::InBlock);
    run(&mut s, "DELETE FROM t WHERE id = 1").unwrap();
    assert_eq!(one(&mut s, "SELECT count(*) FROM t"), "2");
    assert_eq!(err(&mut s, "SELECT 1/0").code, "22012");
    assert_eq!(s.transaction_status(), TransactionStatus::Failed);
    assert_eq!(err(&mut s, "SELECT 1").code, "25P02");
    assert_eq!(one(&mut s, "ROLLBACK"), "ROLLBACK");
    assert_eq!(one(&mut s, "SELECT count(*) FROM t"), "3");
    assert_eq!(
        run(
            &mut s,
            "SELECT d, count(*) AS n FROM t GROUP BY d HAVING count(*) >= 1 ORDER BY 1 NULLS FIRST"
        )
        .unwrap(),
        vec![
            vec!["NULL", "1"],
            vec!["2023-12-31", "1"],
            vec!["2024-01-01", "1"]
        ]
    );
    assert_eq!(
        run(
            &mut s,
            "SELECT a.id, b.id FROM t a LEFT JOIN t b ON a.id = b.id + 1 ORDER BY a.id"
        )
        .unwrap(),
        vec![vec!["1", "NULL"], vec!["2", "1"], vec!["3", "2"]]
    );
    assert_eq!(
        run(&mut s, "DELETE FROM t WHERE id < 3 RETURNING id, name").unwrap(),
        vec![vec!["1", "a"], vec!["2", "b"]]
    );
}

#[test]
fn hostile_statements_get_errors_and_the_session_goes_on() {
    let (_d, mut s) = session();
    let deep = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(err(&mut s, &deep).code, "54001");
    let chain = format!("SELECT 1{}", " + 1".repeat(10_000));
    assert_eq!(err(&mut s, &chain).code, "54001");
    let big = format!("SELECT '{}'", "x".repeat(1 << 20));
    assert_eq!(err(&mut s, &big).code, "54000");
    assert_eq!(one(&mut s, "SELECT 1"), "1");
}

#[test]
fn unique_constraints_hold_across_memtable_segments_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        let vfs = Arc::new(crmdb_engine::vfs::DiskVfs::new(dir.path()).unwrap());
        let db = Database::open_with(
            vfs,
            Options {
                background_checkpoints: false,
                ..Options::default()
            },
        )
        .unwrap();
        Arc::new(db)
    };
    let db = open();
    let mut s = Session::new(db.clone());
    let customer = |id: i64, email: &str| {
        format!(
            "INSERT INTO customers (id, first_name, last_name, email, country, lifecycle_stage, created_at, updated_at) \
             VALUES ({id}, 'A', 'B', {email}, 'DE', 'lead', now(), now())"
        )
    };
    run(&mut s, &customer(1, "'a@example.com'")).unwrap();
    run(&mut s, &customer(2, "NULL")).unwrap();
    run(&mut s, &customer(3, "NULL")).unwrap();
    let e = err(&mut s, &customer(4, "'a@example.com'"));
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            "23505",
            "duplicate key value violates unique constraint \"customers_email_key\""
        )
    );
    assert_eq!(
        e.detail.as_deref(),
        Some("Key (email)=(a@example.com) already exists.")
    );
    db.checkpoint().unwrap();
    assert_eq!(
        err(&mut s, &customer(5, "'a@example.com'")).code,
        "23505",
        "held in a segment"
    );
    // Changing the email frees the old value; swapping within a statement works.
    run(
        &mut s,
        "UPDATE customers SET email = 'b@example.com' WHERE id = 1",
    )
    .unwrap();
    run(&mut s, &customer(6, "'a@example.com'")).unwrap();
    assert_eq!(
        err(
            &mut s,
            "UPDATE customers SET email = 'b@example.com' WHERE id = 6"
        )
        .code,
        "23505"
    );
    drop(s);
    drop(db);
    let db = open();
    let mut s = Session::new(db);
    assert_eq!(
        err(&mut s, &customer(7, "'b@example.com'")).code,
        "23505",
        "rebuilt at open"
    );
    run(&mut s, "DELETE FROM customers WHERE id = 1").unwrap();
    run(&mut s, &customer(8, "'b@example.com'")).unwrap();
}

#[test]
fn foreign_keys_restrict_and_cascade() {
    let (_d, mut s) = session();
    let customer = |id: i64| {
        format!(
            "INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) \
             VALUES ({id}, 'A', 'B', 'DE', 'lead', now(), now())"
        )
    };
    let interaction = |id: i64, customer: i64| {
        format!(
            "INSERT INTO interactions (id, customer_id, channel, direction, kind, occurred_at) \
             VALUES ({id}, {customer}, 'email', 'inbound', 'email', now())"
        )
    };
    run(&mut s, &customer(1)).unwrap();
    run(&mut s, &interaction(10, 1)).unwrap();
    let e = err(&mut s, &interaction(11, 2));
    assert_eq!(e.code, "23503");
    assert_eq!(
        e.message,
        "insert or update on table \"interactions\" violates foreign key constraint \"interactions_customer_id_fkey\""
    );
    assert_eq!(
        e.detail.as_deref(),
        Some("Key (customer_id)=(2) is not present in table \"customers\".")
    );
    let e = err(&mut s, "DELETE FROM customers WHERE id = 1");
    assert_eq!(e.code, "23503");
    assert_eq!(
        e.detail.as_deref(),
        Some("Key (id)=(1) is still referenced from table \"interactions\".")
    );
    // An update that keeps the key is not a delete.
    run(&mut s, "UPDATE customers SET city = 'Berlin' WHERE id = 1").unwrap();
    assert_eq!(
        err(&mut s, "UPDATE customers SET id = 5 WHERE id = 1").code,
        "23503"
    );
    // Children first, then the parent, in one transaction.
    run(&mut s, "BEGIN; DELETE FROM interactions WHERE customer_id = 1; DELETE FROM customers WHERE id = 1; COMMIT").unwrap();
    assert_eq!(one(&mut s, "SELECT count(*) FROM customers"), "0");
    // ON DELETE CASCADE, two levels deep.
    run(&mut s, "CREATE TABLE notes (id BIGINT PRIMARY KEY, interaction_id BIGINT REFERENCES interactions (id) ON DELETE CASCADE)").unwrap();
    run(&mut s, "CREATE TABLE tags (id BIGINT PRIMARY KEY, customer_id BIGINT REFERENCES customers ON DELETE CASCADE)").unwrap();
    run(&mut s, &customer(2)).unwrap();
    run(&mut s, "INSERT INTO tags VALUES (1, 2), (2, 2), (3, NULL)").unwrap();
    assert_eq!(
        one(&mut s, "DELETE FROM customers WHERE id = 2"),
        "DELETE 1"
    );
    assert_eq!(one(&mut s, "SELECT count(*) FROM tags"), "1");
}

#[test]
fn statement_timeout_and_cancel_stop_a_running_query() {
    let (_d, mut s) = session();
    run(&mut s, "CREATE TABLE t (id INTEGER PRIMARY KEY)").unwrap();
    let values: Vec<String> = (0..3000).map(|i| format!("({i})")).collect();
    run(
        &mut s,
        &format!("INSERT INTO t VALUES {}", values.join(",")),
    )
    .unwrap();
    let slow = "SELECT count(*) FROM t a JOIN t b ON a.id + b.id < 0";
    run(&mut s, "SET statement_timeout = 20").unwrap();
    let e = err(&mut s, slow);
    assert_eq!(
        (e.code, e.message.as_str()),
        ("57014", "canceling statement due to statement timeout")
    );
    run(&mut s, "SET statement_timeout = 0").unwrap();
    let handle = s.cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(30));
        handle.cancel();
    });
    let e = err(&mut s, slow);
    canceller.join().unwrap();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("57014", "canceling statement due to user request")
    );
    // The session goes on; a stale cancel does not hit the next statement.
    s.cancel_handle().cancel();
    assert_eq!(one(&mut s, "SELECT count(*) FROM t"), "3000");
}

#[test]
fn check_constraints_refuse_false_and_pass_null() {
    let (_d, mut s) = session();
    run(&mut s, "CREATE TABLE deals (id BIGINT PRIMARY KEY, amount NUMERIC(10,2) CHECK (amount >= 0), stage TEXT, CONSTRAINT stage_known CHECK (stage IN ('open', 'won', 'lost')))").unwrap();
    run(
        &mut s,
        "INSERT INTO deals VALUES (1, 10, 'open'), (2, NULL, NULL)",
    )
    .unwrap();
    let e = err(&mut s, "INSERT INTO deals VALUES (3, -1, 'open')");
    assert_eq!(e.code, "23514");
    assert_eq!(
        e.message,
        "new row for relation \"deals\" violates check constraint \"deals_amount_check\""
    );
    assert_eq!(
        e.detail.as_deref(),
        Some("Failing row contains (3, -1.00, open).")
    );
    assert_eq!(
        err(&mut s, "UPDATE deals SET stage = 'maybe' WHERE id = 1").code,
        "23514"
    );
    assert_eq!(one(&mut s, "SELECT count(*) FROM deals"), "2");
    assert_eq!(
        err(&mut s, "CREATE TABLE bad (a INT CHECK (nope > 0))").code,
        "42703"
    );
}

#[test]
fn upserts_with_on_conflict() {
    let (_d, mut s) = session();
    run(&mut s, "CREATE TABLE contacts (id BIGINT PRIMARY KEY, email TEXT UNIQUE, name TEXT, visits INTEGER DEFAULT 0)").unwrap();
    run(
        &mut s,
        "INSERT INTO contacts VALUES (1, 'a@x.io', 'Ann', 1), (2, 'b@x.io', 'Bob', 1)",
    )
    .unwrap();
    // Sync by natural key: update the name, count the visit.
    assert_eq!(
        one(
            &mut s,
            "INSERT INTO contacts VALUES (9, 'a@x.io', 'Anne', 1) ON CONFLICT (email) DO UPDATE SET name = excluded.name, visits = contacts.visits + excluded.visits"
        ),
        "INSERT 0 1"
    );
    assert_eq!(
        one(
            &mut s,
            "SELECT id, name, visits FROM contacts WHERE email = 'a@x.io'"
        ),
        "1|Anne|2"
    );
    assert_eq!(
        one(
            &mut s,
            "INSERT INTO contacts VALUES (2, 'z@x.io', 'Zed'), (3, 'c@x.io', 'Cy') ON CONFLICT DO NOTHING"
        ),
        "INSERT 0 1"
    );
    assert_eq!(one(&mut s, "SELECT count(*) FROM contacts"), "3");
    assert_eq!(
        run(&mut s, "INSERT INTO contacts VALUES (3, 'c@x.io', 'Cyd') ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE contacts.visits > 5 RETURNING name").unwrap(),
        Vec::<Vec<String>>::new()
    );
    assert_eq!(
        run(&mut s, "INSERT INTO contacts VALUES (3, 'c@x.io', 'Cyd') ON CONFLICT ON CONSTRAINT contacts_pkey DO UPDATE SET name = excluded.name RETURNING id, name").unwrap(),
        vec![vec!["3", "Cyd"]]
    );
    assert_eq!(
        err(&mut s, "INSERT INTO contacts VALUES (4, 'd@x.io'), (5, 'd@x.io') ON CONFLICT (email) DO UPDATE SET name = 'x'").code,
        "21000"
    );
    assert_eq!(
        err(
            &mut s,
            "INSERT INTO contacts VALUES (6) ON CONFLICT (name) DO NOTHING"
        )
        .code,
        "42P10"
    );
    assert_eq!(
        one(&mut s, "SELECT count(*) FROM contacts"),
        "3",
        "the failed statement left nothing"
    );
}

#[test]
fn now_is_the_transaction_start_and_clock_timestamp_moves() {
    let (_d, mut s) = session();
    let pause = || std::thread::sleep(std::time::Duration::from_millis(20));
    run(&mut s, "BEGIN").unwrap();
    let first = one(
        &mut s,
        "SELECT now(), current_timestamp, transaction_timestamp()",
    );
    let parts: Vec<&str> = first.split('|').collect();
    assert!(parts.iter().all(|p| *p == parts[0]), "{first}");
    let stmt1 = one(&mut s, "SELECT statement_timestamp()");
    pause();
    assert_eq!(one(&mut s, "SELECT now()"), parts[0]);
    let stmt2 = one(&mut s, "SELECT statement_timestamp()");
    assert_ne!(stmt1, stmt2, "each statement has its own start");
    assert_eq!(
        one(
            &mut s,
            "SELECT statement_timestamp() >= now(), clock_timestamp() > now()"
        ),
        "t|t"
    );
    run(&mut s, "COMMIT").unwrap();
    pause();
    // Outside a block every statement is a transaction of its own.
    assert_ne!(one(&mut s, "SELECT now()"), parts[0]);
    assert_eq!(
        one(
            &mut s,
            "SELECT now() = statement_timestamp(), 'now'::timestamptz = now()"
        ),
        "t|t"
    );
}

#[test]
fn savepoints_undo_and_recover_a_failed_block() {
    let (_d, mut s) = session();
    run(&mut s, "CREATE TABLE sp (id INT PRIMARY KEY)").unwrap();
    assert_eq!(err(&mut s, "SAVEPOINT a").code, "25P01");
    run(
        &mut s,
        "BEGIN; INSERT INTO sp VALUES (1); SAVEPOINT a; INSERT INTO sp VALUES (2)",
    )
    .unwrap();
    run(&mut s, "SAVEPOINT b; INSERT INTO sp VALUES (3)").unwrap();
    run(&mut s, "ROLLBACK TO SAVEPOINT b").unwrap();
    assert_eq!(one(&mut s, "SELECT count(*) FROM sp"), "2");
    // A failed statement fails the block; ROLLBACK TO makes it usable.
    assert_eq!(err(&mut s, "INSERT INTO sp VALUES (1)").code, "23505");
    assert_eq!(err(&mut s, "SELECT 1").code, "25P02");
    assert_eq!(s.transaction_status(), TransactionStatus::Failed);
    run(&mut s, "ROLLBACK TO a").unwrap();
    assert_eq!(one(&mut s, "SELECT count(*) FROM sp"), "1");
    run(&mut s, "RELEASE SAVEPOINT a").unwrap();
    assert_eq!(err(&mut s, "ROLLBACK TO a").code, "3B001");
    assert_eq!(s.transaction_status(), TransactionStatus::Failed);
    run(&mut s, "ROLLBACK").unwrap();
    run(&mut s, "BEGIN; INSERT INTO sp VALUES (5); SAVEPOINT x; INSERT INTO sp VALUES (6); RELEASE x; COMMIT").unwrap();
    assert_eq!(one(&mut s, "SELECT count(*) FROM sp"), "2");
}

/// ORDER BY … LIMIT keeps only the first rows (a selection, then a sort):
/// with many ties, offsets and limits of every size it returns exactly
/// the rows the full sort puts there, and a projection that reads a few
/// columns (a narrow read) sees the same values as one that reads all.
#[test]
fn limited_sorts_keep_exactly_what_the_full_sort_puts_first() {
    let (_dir, mut s) = session();
    run(
        &mut s,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, v TEXT, w TEXT)",
    )
    .unwrap();
    run(
        &mut s,
        "INSERT INTO t SELECT i, (i * 7919) % 13, 'v' || i, 'w' || (i % 5) \
         FROM generate_series(1, 500) AS g(i)",
    )
    .unwrap();
    let full = run(&mut s, "SELECT id, k, v, w FROM t ORDER BY k DESC, w").unwrap();
    for (limit, offset) in [
        (0, 0),
        (1, 0),
        (7, 3),
        (50, 0),
        (50, 460),
        (499, 1),
        (600, 0),
    ] {
        let got = run(
            &mut s,
            &format!("SELECT id, k, v, w FROM t ORDER BY k DESC, w LIMIT {limit} OFFSET {offset}"),
        )
        .unwrap();
        let want: Vec<_> = full.iter().skip(offset).take(limit).cloned().collect();
        assert_eq!(got, want, "LIMIT {limit} OFFSET {offset}");
        let narrow = run(
            &mut s,
            &format!("SELECT v FROM t ORDER BY k DESC, w LIMIT {limit} OFFSET {offset}"),
        )
        .unwrap();
        let want: Vec<_> = want.iter().map(|r| vec![r[2].clone()]).collect();
        assert_eq!(narrow, want, "narrow LIMIT {limit} OFFSET {offset}");
    }
}
