//! CREATE INDEX and DROP INDEX through a Session: the catalog records
//! them, segments written afterwards carry them, compaction builds them
//! for segments written before, and the errors are PostgreSQL's.

use std::sync::Arc;

use crmdb_engine::index::{CompareOp, Predicate};
use crmdb_engine::sql::{Output, Session};
use crmdb_engine::{Database, Options, Value};

fn setup() -> (tempfile::TempDir, Arc<Database>, Session) {
    let dir = tempfile::tempdir().unwrap();
    let vfs = Arc::new(crmdb_engine::vfs::DiskVfs::new(dir.path()).unwrap());
    let db = Arc::new(
        Database::open_with(
            vfs,
            Options {
                background_checkpoints: false,
                ..Options::default()
            },
        )
        .unwrap(),
    );
    let s = Session::new(db.clone());
    (dir, db, s)
}

fn exec(s: &mut Session, sql: &str) -> Result<String, String> {
    let mut tag = String::new();
    for stmt in s.parse(sql).map_err(|e| e.code.to_string())? {
        match s.execute(&stmt, &[]).map_err(|e| e.code.to_string())? {
            Output::Command { tag: t } => tag = t,
            Output::Rows { rows, .. } => {
                tag = format!("{} rows", rows.count());
            }
            _ => {}
        }
    }
    Ok(tag)
}

/// How many leaves of `city = 'x'` a selection answered by index / by scan.
fn leaves(db: &Database) -> (u64, u64) {
    let snapshot = db.snapshot();
    let view = snapshot.table("t").unwrap();
    let p = Predicate::Compare {
        column: 1,
        op: CompareOp::Eq,
        value: Value::Text("x".into()),
    };
    let sel = view.select(&p).unwrap();
    (sel.leaves.indexed, sel.leaves.scanned)
}

#[test]
fn create_index_is_built_for_old_segments_by_compaction() {
    let (_dir, db, mut s) = setup();
    exec(
        &mut s,
        "CREATE TABLE t (id int PRIMARY KEY, city text, n int)",
    )
    .unwrap();
    let values: Vec<String> = (1..=100)
        .map(|g| format!("({g}, '{}', {g})", if g % 3 == 0 { "x" } else { "y" }))
        .collect();
    exec(
        &mut s,
        &format!("INSERT INTO t VALUES {}", values.join(", ")),
    )
    .unwrap();
    db.checkpoint().unwrap();
    assert_eq!(leaves(&db), (0, 1), "no index yet: the column is scanned");
    assert_eq!(
        exec(&mut s, "CREATE INDEX t_city ON t USING bitmap (city)"),
        Ok("CREATE INDEX".into())
    );
    assert_eq!(leaves(&db), (0, 1), "the old segment predates the index");
    db.compact("t").unwrap();
    assert_eq!(leaves(&db), (1, 0), "compaction rebuilt it with the index");
    // Plain CREATE INDEX (btree) is accepted and named like PostgreSQL's.
    assert_eq!(
        exec(&mut s, "CREATE INDEX ON t (n)"),
        Ok("CREATE INDEX".into())
    );
    assert_eq!(
        exec(&mut s, "SELECT 1 FROM pg_class WHERE relname = 't_n_idx'"),
        Ok("1 rows".into())
    );
    assert_eq!(
        exec(&mut s, "SELECT 1 FROM pg_class WHERE relname = 't_city'"),
        Ok("1 rows".into())
    );
    // Errors: PostgreSQL's SQLSTATEs.
    assert_eq!(
        exec(&mut s, "CREATE INDEX t_city ON t (n)"),
        Err("42P07".into())
    );
    assert_eq!(
        exec(&mut s, "CREATE INDEX IF NOT EXISTS t_city ON t (n)"),
        Ok("CREATE INDEX".into())
    );
    assert_eq!(
        exec(&mut s, "CREATE INDEX i ON t (nope)"),
        Err("42703".into())
    );
    assert_eq!(
        exec(&mut s, "CREATE INDEX i ON nope (n)"),
        Err("42P01".into())
    );
    assert_eq!(
        exec(&mut s, "CREATE INDEX i ON t USING gist (n)"),
        Err("42704".into())
    );
    assert_eq!(exec(&mut s, "DROP INDEX t_pkey"), Err("2BP01".into()));
    assert_eq!(exec(&mut s, "DROP INDEX nope"), Err("42704".into()));
    assert_eq!(
        exec(&mut s, "DROP INDEX IF EXISTS nope"),
        Ok("DROP INDEX".into())
    );
    assert_eq!(exec(&mut s, "DROP INDEX t_city"), Ok("DROP INDEX".into()));
    assert_eq!(
        exec(&mut s, "SELECT 1 FROM pg_class WHERE relname = 't_city'"),
        Ok("0 rows".into())
    );
    // Segments written after the drop carry no index for the column.
    exec(&mut s, "INSERT INTO t VALUES (1000, 'x', 0)").unwrap();
    db.compact("t").unwrap();
    assert_eq!(leaves(&db), (0, 1));
}

#[test]
fn canonical_segmentation_columns_are_indexed_but_not_listed() {
    let (_dir, db, mut s) = setup();
    assert_eq!(
        exec(&mut s, "SELECT 1 FROM pg_class WHERE relkind = 'i'"),
        Ok("4 rows".into()),
        "the primary keys and the email key, as PostgreSQL lists them"
    );
    let snapshot = db.snapshot();
    let customers = snapshot.table("customers").unwrap();
    let indexed = customers.def().indexed_columns();
    let country = customers.def().column_index("country").unwrap();
    assert!(indexed[country]);
    assert!(!indexed[customers.def().column_index("email").unwrap()]);
}
