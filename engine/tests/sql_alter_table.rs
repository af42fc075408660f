//! ALTER TABLE through a Session, across everything that touches disk:
//! the log replayed at reopen, checkpoints that write segments with the
//! new column set, and compaction that rewrites segments written before.
//! (The differential suite checks the SQL results against PostgreSQL.)

use std::path::Path;
use std::sync::Arc;

use crmdb_engine::sql::{Output, Session};
use crmdb_engine::types::format_value;
use crmdb_engine::{Database, Options};

fn open(dir: &Path) -> (Arc<Database>, Session) {
    let vfs = Arc::new(crmdb_engine::vfs::DiskVfs::new(dir).unwrap());
    let db = Arc::new(
        Database::open_with(
            vfs,
            Options {
                background_checkpoints: false,
                canonical_schema: false,
                ..Options::default()
            },
        )
        .unwrap(),
    );
    let s = Session::new(db.clone());
    (db, s)
}

/// Runs `sql`; the last statement's rows joined as `a|b` lines, or its tag,
/// or the error's SQLSTATE.
fn run(s: &mut Session, sql: &str) -> String {
    let mut last = String::new();
    let stmts = match s.parse(sql) {
        Ok(stmts) => stmts,
        Err(e) => return e.code.to_string(),
    };
    for stmt in stmts {
        last = match s.execute(&stmt, &[]) {
            Err(e) => return e.code.to_string(),
            Ok(Output::Command { tag }) => tag,
            Ok(Output::Rows { rows, .. }) => rows
                .map(|r| {
                    r.unwrap()
                        .iter()
                        .map(|v| format_value(v, s.time_zone()).unwrap_or_else(|| "NULL".into()))
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Ok(_) => String::new(),
        };
    }
    last
}

/// What the altered table must read as, wherever its rows live.
fn assert_altered(s: &mut Session, when: &str) {
    assert_eq!(
        run(
            s,
            "SELECT tier, count(*) FROM t GROUP BY tier ORDER BY tier"
        ),
        "basic|60\ngold|1",
        "{when}"
    );
    assert_eq!(
        run(s, "SELECT * FROM t WHERE id IN (1, 55, 61) ORDER BY id"),
        "1|y|basic|NULL\n55|y|basic|NULL\n61|new|gold|NULL",
        "{when}"
    );
    // `n` was dropped and added again: a new column, whose values are
    // not the old column's.
    assert_eq!(run(s, "SELECT count(n) FROM t"), "0", "{when}");
    assert_eq!(
        run(s, "SELECT count(*) FROM t WHERE town = 'x'"),
        "20",
        "{when}"
    );
    assert_eq!(
        run(s, "SELECT count(*) FROM t WHERE tier = 'basic'"),
        "60",
        "{when}"
    );
    assert_eq!(run(s, "SELECT city FROM t"), "42703", "{when}");
}

#[test]
fn altered_columns_survive_reopen_checkpoint_and_compaction() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (db, mut s) = open(dir.path());
        run(
            &mut s,
            "CREATE TABLE t (id int PRIMARY KEY, city text, n int)",
        );
        let rows: Vec<String> = (1..=60)
            .map(|i| format!("({i}, '{}', {i})", if i % 3 == 0 { "x" } else { "y" }))
            .collect();
        run(
            &mut s,
            &format!("INSERT INTO t VALUES {}", rows[..50].join(", ")),
        );
        db.checkpoint().unwrap();
        // Ten rows stay in the memtable, fifty are in a segment that
        // knows nothing of what follows.
        run(
            &mut s,
            &format!("INSERT INTO t VALUES {}", rows[50..].join(", ")),
        );
        assert_eq!(
            run(&mut s, "ALTER TABLE t ADD COLUMN tier text DEFAULT 'basic'"),
            "ALTER TABLE"
        );
        run(&mut s, "ALTER TABLE t DROP COLUMN n");
        run(&mut s, "ALTER TABLE t RENAME COLUMN city TO town");
        run(&mut s, "ALTER TABLE t ADD COLUMN n int");
        run(&mut s, "CREATE INDEX t_tier ON t USING bitmap (tier)");
        run(
            &mut s,
            "INSERT INTO t (id, town, tier) VALUES (61, 'new', 'gold')",
        );
        assert_altered(&mut s, "before reopening");
    }
    {
        let (db, mut s) = open(dir.path());
        assert_altered(&mut s, "after replaying the log");
        db.checkpoint().unwrap();
        assert_altered(&mut s, "after a checkpoint");
        db.compact("t").unwrap();
        assert_altered(&mut s, "after compaction");
    }
    let (_db, mut s) = open(dir.path());
    assert_altered(&mut s, "after reopening the compacted table");
}

#[test]
fn a_failed_or_rolled_back_alter_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (db, mut s) = open(dir.path());
    run(&mut s, "CREATE TABLE t (id int PRIMARY KEY, city text)");
    run(&mut s, "INSERT INTO t VALUES (1, 'a'), (2, NULL)");
    db.checkpoint().unwrap();
    let before = run(&mut s, "SELECT * FROM t ORDER BY id");
    // Errors part-way through a multi-action ALTER leave no trace.
    assert_eq!(
        run(
            &mut s,
            "ALTER TABLE t ADD COLUMN ok int DEFAULT 1, ADD COLUMN bad int NOT NULL"
        ),
        "23502"
    );
    assert_eq!(
        run(&mut s, "ALTER TABLE t ALTER COLUMN city SET NOT NULL"),
        "23502"
    );
    assert_eq!(
        run(
            &mut s,
            "ALTER TABLE t ADD COLUMN c int DEFAULT 0 CHECK (c > 0)"
        ),
        "23514"
    );
    assert_eq!(
        run(&mut s, "ALTER TABLE t ALTER COLUMN city TYPE int"),
        "0A000"
    );
    assert_eq!(run(&mut s, "ALTER TABLE t DROP COLUMN id"), "0A000");
    run(
        &mut s,
        "BEGIN; ALTER TABLE t ADD COLUMN x int DEFAULT 7; ALTER TABLE t RENAME TO u; ROLLBACK",
    );
    assert_eq!(run(&mut s, "SELECT * FROM t ORDER BY id"), before);
    assert_eq!(run(&mut s, "SELECT * FROM u"), "42P01");
    // A renamed table keeps its rows, constraints and indexes.
    run(&mut s, "CREATE INDEX t_city ON t (city)");
    assert_eq!(run(&mut s, "ALTER TABLE t RENAME TO u"), "ALTER TABLE");
    assert_eq!(run(&mut s, "INSERT INTO u VALUES (1, 'dup')"), "23505");
    assert_eq!(run(&mut s, "SELECT count(*) FROM u WHERE city = 'a'"), "1");
    drop(s);
    drop(db);
    let (_db, mut s) = open(dir.path());
    assert_eq!(run(&mut s, "SELECT * FROM u ORDER BY id"), before);
}
