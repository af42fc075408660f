//! The embedded API: transactions, constraints, persistence, checkpoints,
//! compaction and the directory lock, on a real directory.

mod common;

use std::sync::Arc;

use common::*;
use crmdb_engine::vfs::DiskVfs;
use crmdb_engine::{ConstraintError, Database, Error, Value};

fn disk(dir: &tempfile::TempDir) -> Arc<DiskVfs> {
    Arc::new(DiskVfs::new(dir.path()).unwrap())
}

#[test]
fn new_directory_has_the_canonical_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let snapshot = db.snapshot();
    let names: Vec<_> = snapshot
        .catalog()
        .tables()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(names, ["customers", "interactions", "transactions"]);
    drop(db);
    // Reopening does not create it twice.
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.snapshot().catalog().tables().count(), 3);
}

#[test]
fn second_open_of_a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _db = Database::open(dir.path()).unwrap();
    match Database::open(dir.path()) {
        Err(Error::Locked(_)) => {}
        other => panic!("expected Locked, got {:?}", other.err()),
    }
}

#[test]
fn rows_survive_reopen_from_log_and_from_segments() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_items(disk(&dir)).unwrap();
    let mut txn = db.begin();
    for i in 0..100 {
        txn.insert("items", item(i, 1, &format!("row {i}")))
            .unwrap();
    }
    txn.commit().unwrap();
    let before = items_state(&db.snapshot());
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    assert_eq!(items_state(&db.snapshot()), before, "replayed from the log");
    db.checkpoint().unwrap();
    let mut txn = db.begin();
    txn.delete("items", &[Value::BigInt(5)]).unwrap();
    txn.update("items", &[Value::BigInt(6)], item(6, 2, "changed"))
        .unwrap();
    txn.commit().unwrap();
    let after = items_state(&db.snapshot());
    assert_eq!(after.len(), 99);
    assert_eq!(after[&6], (2, "changed".into()));
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    assert_eq!(items_state(&db.snapshot()), after, "segment plus log");
    db.checkpoint().unwrap();
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    assert_eq!(
        items_state(&db.snapshot()),
        after,
        "segments and delete bitmaps"
    );
    let got = db
        .snapshot()
        .table("items")
        .unwrap()
        .get(&[Value::BigInt(7)])
        .unwrap();
    assert_eq!(got.unwrap()[2], Value::Text("row 7".into()));
}

#[test]
fn a_transaction_sees_its_own_writes_and_others_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_items(disk(&dir)).unwrap();
    let mut txn = db.begin();
    txn.insert("items", item(1, 1, "mine")).unwrap();
    assert_eq!(txn.table("items").unwrap().row_count(), 1);
    assert_eq!(db.snapshot().table("items").unwrap().row_count(), 0);
    let other = db.begin();
    txn.commit().unwrap();
    assert_eq!(
        other.table("items").unwrap().row_count(),
        0,
        "snapshot is stable"
    );
    assert_eq!(db.snapshot().table("items").unwrap().row_count(), 1);
}

#[test]
fn constraints_are_enforced_and_a_failed_op_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_items(disk(&dir)).unwrap();
    let mut txn = db.begin();
    txn.insert("items", item(1, 1, "a")).unwrap();
    let dup = txn.insert("items", item(1, 2, "b")).unwrap_err();
    assert!(
        matches!(dup, Error::Constraint(ConstraintError::Unique { .. })),
        "{dup}"
    );
    assert_eq!(
        dup.to_string(),
        "duplicate key value violates unique constraint \"items_pkey\""
    );
    let null = txn
        .insert("items", vec![Value::BigInt(2), Value::Null, Value::Null])
        .unwrap_err();
    assert!(
        matches!(null, Error::Constraint(ConstraintError::NotNull { .. })),
        "{null}"
    );
    let ty = txn
        .insert(
            "items",
            vec![Value::Integer(2), Value::BigInt(1), Value::Null],
        )
        .unwrap_err();
    assert!(
        matches!(ty, Error::Constraint(ConstraintError::Type { .. })),
        "{ty}"
    );
    assert_eq!(txn.table("items").unwrap().row_count(), 1);
    txn.commit().unwrap();
    // A duplicate of a row already in a segment is caught too.
    db.checkpoint().unwrap();
    let mut txn = db.begin();
    assert!(txn.insert("items", item(1, 3, "c")).is_err());
}

#[test]
fn concurrent_changes_to_one_row_fail_the_later_commit() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_items(disk(&dir)).unwrap();
    let mut txn = db.begin();
    txn.insert("items", item(1, 1, "a")).unwrap();
    txn.commit().unwrap();
    let mut a = db.begin();
    let mut b = db.begin();
    a.update("items", &[Value::BigInt(1)], item(1, 2, "from a"))
        .unwrap();
    b.delete("items", &[Value::BigInt(1)]).unwrap();
    a.commit().unwrap();
    match b.commit() {
        Err(Error::SerializationFailure { table }) => assert_eq!(table, "items"),
        other => panic!("expected a serialization failure, got {other:?}"),
    }
    // Concurrent inserts of one key: the second is a duplicate.
    let mut a = db.begin();
    let mut b = db.begin();
    a.insert("items", item(9, 1, "a")).unwrap();
    b.insert("items", item(9, 1, "b")).unwrap();
    a.commit().unwrap();
    assert!(matches!(
        b.commit(),
        Err(Error::Constraint(ConstraintError::Unique { .. }))
    ));
}

#[test]
fn savepoints_undo_part_of_a_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_items(disk(&dir)).unwrap();
    let mut txn = db.begin();
    txn.insert("items", item(1, 1, "kept")).unwrap();
    let sp = txn.savepoint();
    txn.insert("items", item(2, 1, "undone")).unwrap();
    txn.rollback_to(sp);
    txn.commit().unwrap();
    let state = items_state(&db.snapshot());
    assert_eq!(state.keys().copied().collect::<Vec<_>>(), [1]);
}

#[test]
fn compaction_drops_deleted_rows_and_old_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_items(disk(&dir)).unwrap();
    for batch in 0..3 {
        let mut txn = db.begin();
        for i in 0..50 {
            txn.insert("items", item(batch * 100 + i, batch, "secret-payload"))
                .unwrap();
        }
        txn.commit().unwrap();
        db.checkpoint().unwrap();
    }
    let segments = |db: &Database| {
        db.files()
            .unwrap()
            .iter()
            .filter(|f| f.ends_with(".cseg"))
            .count()
    };
    assert_eq!(segments(&db), 3);
    let mut txn = db.begin();
    txn.delete("items", &[Value::BigInt(101)]).unwrap();
    txn.update("items", &[Value::BigInt(102)], item(102, 9, "kept"))
        .unwrap();
    txn.commit().unwrap();
    let expected = items_state(&db.snapshot());
    let held = db.snapshot();
    db.compact("items").unwrap();
    assert_eq!(segments(&db), 1);
    assert_eq!(items_state(&db.snapshot()), expected);
    assert_eq!(
        items_state(&held),
        expected,
        "an old snapshot still reads removed files"
    );
    drop(held);
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    assert_eq!(items_state(&db.snapshot()), expected);
    assert!(!db.files().unwrap().iter().any(|f| f.ends_with(".del")));
}

#[test]
fn tables_without_primary_key_and_altered_tables() {
    use crmdb_engine::DataType;
    use crmdb_engine::catalog::ColumnDef;
    let dir = tempfile::tempdir().unwrap();
    let db = open_items(disk(&dir)).unwrap();
    let mut txn = db.begin();
    let def = crmdb_engine::sql::ddl::parse_create_tables(
        "CREATE TABLE notes (body TEXT)",
        txn.catalog(),
    )
    .unwrap()
    .remove(0);
    txn.create_table(def).unwrap();
    txn.insert("notes", vec![Value::Text("same".into())])
        .unwrap();
    txn.insert("notes", vec![Value::Text("same".into())])
        .unwrap();
    txn.insert("items", item(1, 1, "before alter")).unwrap();
    txn.commit().unwrap();
    db.checkpoint().unwrap();
    // ALTER TABLE items ADD COLUMN score INTEGER, DROP COLUMN payload.
    let mut txn = db.begin();
    let mut def = (**txn.catalog().table_by_name("items").unwrap()).clone();
    def.columns.retain(|c| c.name != "payload");
    def.columns.push(ColumnDef {
        id: def.next_column_id,
        name: "score".into(),
        ty: DataType::Integer,
        not_null: false,
        default: None,
    });
    def.next_column_id += 1;
    txn.replace_table(def).unwrap();
    txn.insert(
        "items",
        vec![Value::BigInt(2), Value::BigInt(2), Value::Integer(7)],
    )
    .unwrap();
    txn.commit().unwrap();
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    let snapshot = db.snapshot();
    assert_eq!(snapshot.table("notes").unwrap().row_count(), 2);
    let rows: Vec<_> = snapshot
        .table("items")
        .unwrap()
        .rows()
        .map(|r| r.to_vec())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec![Value::BigInt(1), Value::BigInt(1), Value::Null],
            vec![Value::BigInt(2), Value::BigInt(2), Value::Integer(7)],
        ]
    );
    // Hidden row ids are not reused after a restart.
    let mut txn = db.begin();
    txn.insert("notes", vec![Value::Text("third".into())])
        .unwrap();
    txn.commit().unwrap();
    assert_eq!(db.snapshot().table("notes").unwrap().row_count(), 3);
}

#[test]
fn roles_are_logged_and_checkpointed_with_the_catalog() {
    use crmdb_engine::catalog::RoleDef;
    let dir = tempfile::tempdir().unwrap();
    let db = open_items(disk(&dir)).unwrap();
    let alice = RoleDef {
        name: "alice".into(),
        superuser: false,
        login: true,
        password: Some("SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy".into()),
        create_role: false,
        oid: 0,
    };
    let mut txn = db.begin();
    txn.create_role(alice.clone()).unwrap();
    // Applying the role hands out its OID.
    let alice = RoleDef {
        oid: crmdb_engine::catalog::FIRST_ROLE_OID,
        ..alice
    };
    assert!(txn.create_role(alice.clone()).is_err(), "duplicate role");
    txn.commit().unwrap();
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    assert_eq!(
        db.role("alice"),
        Some(alice.clone()),
        "replayed from the log"
    );
    db.checkpoint().unwrap();
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    assert_eq!(
        db.role("alice"),
        Some(alice.clone()),
        "read from the manifest"
    );
    let mut txn = db.begin();
    txn.alter_role(RoleDef {
        superuser: true,
        ..alice
    })
    .unwrap();
    txn.drop_role("alice").unwrap();
    assert!(txn.drop_role("alice").is_err());
    txn.commit().unwrap();
    assert_eq!(db.role("alice"), None);
}

#[test]
fn privileges_are_logged_checkpointed_and_follow_role_renames() {
    use crmdb_engine::catalog::{Privileges, RoleDef, TableAcl};
    let dir = tempfile::tempdir().unwrap();
    let db = open_items(disk(&dir)).unwrap();
    let role = |name: &str, superuser: bool| RoleDef {
        name: name.into(),
        superuser,
        login: true,
        password: None,
        create_role: false,
        oid: 0,
    };
    let items = db.snapshot().catalog().table_by_name("items").unwrap().id;
    let mut txn = db.begin();
    txn.create_role(role("root", true)).unwrap();
    txn.create_role(role("bob", false)).unwrap();
    let acl = TableAcl {
        owner: "root".into(),
        grants: [(
            "bob".to_owned(),
            Privileges::SELECT.union(Privileges::INSERT),
        )]
        .into(),
    };
    txn.set_acl(items, acl.clone()).unwrap();
    let unknown = TableAcl {
        owner: "nobody".into(),
        grants: Default::default(),
    };
    assert!(txn.set_acl(items, unknown).is_err(), "owner must exist");
    txn.commit().unwrap();
    let check = |db: &Database, grantee: &str, how: &str| {
        let snapshot = db.snapshot();
        let catalog = snapshot.catalog();
        assert_eq!(catalog.role("root").unwrap().oid, 10, "{how}");
        assert!(
            catalog.has_privileges(grantee, items, Privileges::INSERT),
            "{how}"
        );
        assert!(
            !catalog.has_privileges(grantee, items, Privileges::DELETE),
            "{how}"
        );
        assert!(
            catalog.has_privileges("root", items, Privileges::ALL),
            "{how}"
        );
        assert_eq!(catalog.table_owner(items), Some("root"), "{how}");
    };
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    check(&db, "bob", "replayed from the log");
    let bob_oid = db.role("bob").unwrap().oid;
    let mut txn = db.begin();
    assert!(txn.drop_role("bob").is_err(), "bob holds privileges");
    txn.rename_role("bob", "robert").unwrap();
    txn.commit().unwrap();
    check(&db, "robert", "renamed");
    assert_eq!(
        db.role("robert").unwrap().oid,
        bob_oid,
        "renaming keeps the OID"
    );
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    check(&db, "robert", "rename replayed from the log");
    db.checkpoint().unwrap();
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    check(&db, "robert", "read from the manifest");
    // Concurrent grants on one table: the second committer fails.
    let current = db.snapshot().catalog().acl(items).cloned().unwrap();
    let mut a = db.begin();
    let mut b = db.begin();
    let revoked = TableAcl {
        grants: Default::default(),
        ..current.clone()
    };
    a.set_acl(items, revoked).unwrap();
    let mut widened = current;
    widened.grants.insert("robert".into(), Privileges::ALL);
    b.set_acl(items, widened).unwrap();
    a.commit().unwrap();
    assert!(matches!(
        b.commit(),
        Err(crmdb_engine::Error::SerializationFailure { .. })
    ));
    assert!(
        !db.snapshot()
            .catalog()
            .has_privileges("robert", items, Privileges::SELECT)
    );
}

#[test]
fn the_background_thread_checkpoints_and_compacts() {
    let dir = tempfile::tempdir().unwrap();
    let options = crmdb_engine::Options {
        memtable_limit_bytes: 16 << 10,
        canonical_schema: false,
        ..crmdb_engine::Options::default()
    };
    let db = Database::open_with(disk(&dir), options).unwrap();
    create_items(&db).unwrap();
    let segments = |db: &Database| {
        db.files()
            .unwrap()
            .iter()
            .filter(|f| f.ends_with(".cseg"))
            .count()
    };
    let mut max_seen = 0;
    for t in 0..400 {
        let mut txn = db.begin();
        for j in 0..5 {
            txn.insert(
                "items",
                item(t * 10 + j, t, "some payload to fill the memtable"),
            )
            .unwrap();
        }
        txn.commit().unwrap();
        max_seen = max_seen.max(segments(&db));
    }
    assert!(max_seen > 0, "checkpoints wrote segments");
    // Compaction keeps the segment count bounded; give the thread time.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while segments(&db) > crmdb_engine::COMPACT_AFTER_SEGMENTS + 1
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        segments(&db) <= crmdb_engine::COMPACT_AFTER_SEGMENTS + 1,
        "{} segments",
        segments(&db)
    );
    assert_eq!(items_state(&db.snapshot()).len(), 2000);
    drop(db);
    let db = open_items(disk(&dir)).unwrap();
    assert_eq!(items_state(&db.snapshot()).len(), 2000);
}
