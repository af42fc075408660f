//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use crmdb_engine::catalog::Catalog;
use crmdb_engine::sql::ddl::parse_create_tables;
use crmdb_engine::sql::{Output, Session};
use crmdb_engine::vfs::Vfs;
use crmdb_engine::{Database, Options, Snapshot, Value};

/// The test table: `items (id BIGINT PRIMARY KEY, txn BIGINT NOT NULL, payload TEXT)`.
pub const ITEMS: &str =
    "CREATE TABLE items (id BIGINT PRIMARY KEY, txn BIGINT NOT NULL, payload TEXT)";

/// Options for tests: no background thread, no canonical schema.
pub fn test_options() -> Options {
    Options {
        background_checkpoints: false,
        canonical_schema: false,
        ..Options::default()
    }
}

/// Opens `vfs` with [`test_options`], creating the items table if missing.
pub fn open_items(vfs: Arc<dyn Vfs>) -> crmdb_engine::Result<Database> {
    let db = Database::open_with(vfs, test_options())?;
    if db.snapshot().catalog().table_by_name("items").is_none() {
        create_items(&db)?;
    }
    Ok(db)
}

pub fn create_items(db: &Database) -> crmdb_engine::Result<()> {
    let mut txn = db.begin();
    let def = parse_create_tables(ITEMS, &Catalog::clone(txn.catalog()))?.remove(0);
    txn.create_table(def)?;
    txn.commit().map(|_| ())
}

pub fn item(id: i64, txn: i64, payload: &str) -> Vec<Value> {
    vec![
        Value::BigInt(id),
        Value::BigInt(txn),
        Value::Text(payload.into()),
    ]
}

/// The items table as a map id -> (txn, payload).
pub type State = BTreeMap<i64, (i64, String)>;

pub fn items_state(snapshot: &Snapshot) -> State {
    snapshot
        .table("items")
        .expect("items exists")
        .rows()
        .map(|row| match &row[..] {
            [Value::BigInt(id), Value::BigInt(txn), Value::Text(p)] => (*id, (*txn, p.clone())),
            other => panic!("unexpected row {other:?}"),
        })
        .collect()
}

/// A SQL session on a fresh database (no canonical schema) in a
/// temporary directory.
pub fn sql_session() -> (tempfile::TempDir, crmdb_engine::sql::Session) {
    let dir = tempfile::tempdir().expect("temp dir");
    let vfs = Arc::new(crmdb_engine::vfs::DiskVfs::new(dir.path()).expect("vfs"));
    let db = Database::open_with(vfs, test_options()).expect("open");
    (dir, crmdb_engine::sql::Session::new(Arc::new(db)))
}

/// Runs `sql` (one or more statements) and gives the last result's rows,
/// each as its Debug form; panics on any error.
pub fn run_sql(s: &mut Session, sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    for stmt in s.parse(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}")) {
        let output = s
            .execute(&stmt, &[])
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        if let Output::Rows { rows, .. } = output {
            out = rows
                .map(|r| format!("{:?}", r.unwrap_or_else(|e| panic!("{sql}: {e:?}"))))
                .collect();
        }
    }
    out
}
