//! Roles and privileges end to end through `crmdb serve`: CREATE / ALTER /
//! DROP ROLE, logins with the passwords they set, GRANT / REVOKE, and the
//! checks on every kind of statement, with PostgreSQL's messages and
//! SQLSTATEs.

mod support;

use support::{TestServer, sqlstate};

async fn denied(client: &tokio_postgres::Client, sql: &str) -> String {
    let e = client
        .batch_execute(sql)
        .await
        .expect_err(&format!("{sql} should be refused"));
    assert_eq!(sqlstate(&e), "42501", "{sql}: {e}");
    e.as_db_error()
        .map(|d| d.message().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn roles_are_created_altered_and_dropped_with_sql() {
    let server = TestServer::start(&[]);
    let admin = server.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE alice WITH LOGIN PASSWORD 'alice pw'; CREATE USER bob PASSWORD 'bob pw'",
        )
        .await
        .unwrap();
    // The password is stored as a SCRAM verifier only.
    let stored: String = admin
        .query_one(
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'alice'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(stored.starts_with("SCRAM-SHA-256$4096:"), "{stored}");
    assert!(!stored.contains("alice pw"));
    // Both can log in (CREATE USER implies LOGIN); a wrong password cannot.
    let alice = server.try_connect("alice", "alice pw").await.unwrap();
    server.try_connect("bob", "bob pw").await.unwrap();
    assert_eq!(
        sqlstate(&server.try_connect("alice", "nope").await.unwrap_err()),
        "28P01"
    );
    let row = alice
        .query_one("SELECT current_user, session_user", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "alice");
    assert_eq!(row.get::<_, String>(1), "alice");

    // Duplicates, missing roles, reserved names.
    let e = admin.batch_execute("CREATE ROLE alice").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42710", "{e}");
    let e = admin.batch_execute("DROP ROLE nobody").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42704", "{e}");
    admin
        .batch_execute("DROP ROLE IF EXISTS nobody")
        .await
        .unwrap();
    let e = admin
        .batch_execute("ALTER ROLE nobody LOGIN")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42704", "{e}");
    let e = admin
        .batch_execute("CREATE ROLE pg_mine")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42939", "{e}");

    // Only superusers and CREATEROLE roles manage roles.
    assert_eq!(
        denied(&alice, "CREATE ROLE carol").await,
        "permission denied to create role"
    );
    denied(&alice, "DROP ROLE bob").await;
    denied(&alice, "ALTER ROLE bob NOLOGIN").await;
    denied(&alice, "ALTER ROLE alice SUPERUSER").await;
    // … but a role may change its own password.
    alice
        .batch_execute("ALTER ROLE alice WITH PASSWORD 'new pw'")
        .await
        .unwrap();
    server.try_connect("alice", "new pw").await.unwrap();
    assert!(server.try_connect("alice", "alice pw").await.is_err());

    // A verifier given as the password (psql's \password) is kept as is.
    let verifier = crmdb_engine::scram::Verifier::new("from psql").to_pg_string();
    admin
        .batch_execute(&format!("ALTER USER bob PASSWORD '{verifier}'"))
        .await
        .unwrap();
    let stored: String = admin
        .query_one(
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'bob'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, verifier);
    server.try_connect("bob", "from psql").await.unwrap();

    // NOLOGIN, RENAME, CREATEROLE, DROP.
    admin.batch_execute("ALTER ROLE bob NOLOGIN").await.unwrap();
    assert!(server.try_connect("bob", "from psql").await.is_err());
    admin
        .batch_execute("ALTER ROLE bob LOGIN; ALTER ROLE bob RENAME TO robert")
        .await
        .unwrap();
    server.try_connect("robert", "from psql").await.unwrap();
    admin
        .batch_execute("ALTER ROLE alice CREATEROLE")
        .await
        .unwrap();
    alice
        .batch_execute("CREATE ROLE carol LOGIN PASSWORD 'c'; DROP ROLE carol")
        .await
        .unwrap();
    assert_eq!(
        denied(&alice, "CREATE ROLE boss SUPERUSER").await,
        "must be superuser to create superusers"
    );
    let e = admin.batch_execute("DROP ROLE tester").await.unwrap_err();
    assert_eq!(sqlstate(&e), "55006", "{e}");
    admin.batch_execute("DROP ROLE robert").await.unwrap();
    let names: Vec<String> = admin
        .query("SELECT rolname FROM pg_roles ORDER BY oid", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["tester", "alice"]);
}

#[tokio::test]
async fn roles_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = TestServer::start_in(&data, &[]);
    let admin = server.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE reader LOGIN PASSWORD 'r'; \
             GRANT SELECT ON customers, interactions TO reader",
        )
        .await
        .unwrap();
    drop(admin);
    assert!(server.terminate_keep().success());
    let server = TestServer::start_in(&data, &[]);
    let reader = server.try_connect("reader", "r").await.unwrap();
    reader.query("SELECT * FROM customers", &[]).await.unwrap();
    reader
        .query("SELECT * FROM interactions", &[])
        .await
        .unwrap();
    assert_eq!(
        denied(&reader, "SELECT * FROM transactions").await,
        "permission denied for table transactions"
    );
}

#[tokio::test]
async fn privileges_are_enforced_on_every_kind_of_statement() {
    let server = TestServer::start(&[]);
    let admin = server.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE clerk LOGIN PASSWORD 'pw'; \
             CREATE TABLE items (id int PRIMARY KEY, body text); INSERT INTO items VALUES (1, 'A'), (2, 'B')",
        )
        .await
        .unwrap();
    let clerk = server.try_connect("clerk", "pw").await.unwrap();
    for (client, expected) in [(&clerk, "off"), (&admin, "on")] {
        let row = client.query_one("SHOW is_superuser", &[]).await.unwrap();
        assert_eq!(row.get::<_, String>(0), expected);
    }
    for sql in [
        "SELECT * FROM items",
        "SELECT 1 FROM interactions JOIN items ON true",
        "INSERT INTO items (id, body) VALUES (3, 'C')",
        "UPDATE items SET body = 'Z'",
        "DELETE FROM items",
        "TRUNCATE items",
        "DROP TABLE items",
        "CREATE INDEX ON items (body)",
        "CREATE TABLE mine (a int)",
        "GRANT SELECT ON items TO clerk",
    ] {
        denied(&clerk, sql).await;
    }
    assert_eq!(
        denied(&clerk, "SELECT * FROM items").await,
        "permission denied for table items"
    );
    // COPY: TO needs SELECT, FROM needs INSERT (last: the driver's
    // connection does not recover from a COPY FROM refused at Execute).
    for sql in [
        "COPY items TO STDOUT",
        "COPY (SELECT * FROM items) TO STDOUT",
    ] {
        let e = clerk.copy_out(sql).await.err().expect("refused");
        assert_eq!(sqlstate(&e), "42501", "{sql}: {e}");
    }
    let copier = server.try_connect("clerk", "pw").await.unwrap();
    let e = copier
        .copy_in::<_, bytes::Bytes>("COPY items FROM STDIN")
        .await
        .err()
        .expect("refused");
    assert_eq!(sqlstate(&e), "42501", "{e}");
    drop(copier);

    // INSERT alone: no reading back, no INSERT … SELECT from other tables.
    admin
        .batch_execute("GRANT INSERT ON items TO clerk")
        .await
        .unwrap();
    clerk
        .batch_execute("INSERT INTO items (id, body) VALUES (3, 'C')")
        .await
        .unwrap();
    denied(
        &clerk,
        "INSERT INTO items (id, body) VALUES (4, 'D') RETURNING id",
    )
    .await;
    assert_eq!(
        denied(
            &clerk,
            "INSERT INTO items (id, body) SELECT id + 100, 'T' FROM transactions"
        )
        .await,
        "permission denied for table transactions"
    );
    // UPDATE without SELECT: only without WHERE and RETURNING.
    admin
        .batch_execute("GRANT UPDATE ON items TO clerk")
        .await
        .unwrap();
    clerk
        .batch_execute("UPDATE items SET body = 'Same'")
        .await
        .unwrap();
    denied(&clerk, "UPDATE items SET body = 'X' WHERE id = 1").await;
    denied(&clerk, "UPDATE items SET body = 'X' RETURNING id").await;
    // A SET expression that reads the row needs SELECT, as in PostgreSQL.
    denied(&clerk, "UPDATE items SET body = body || 'X'").await;
    denied(&clerk, "DELETE FROM items WHERE id = 1").await;
    // ALL, then REVOKE.
    admin
        .batch_execute("GRANT ALL PRIVILEGES ON TABLE items TO clerk")
        .await
        .unwrap();
    clerk
        .batch_execute("UPDATE items SET body = 'X' WHERE id = 1; DELETE FROM items WHERE id = 3")
        .await
        .unwrap();
    let n = clerk
        .query("SELECT id FROM items", &[])
        .await
        .unwrap()
        .len();
    assert_eq!(n, 2);
    admin
        .batch_execute("REVOKE SELECT, DELETE ON items FROM clerk")
        .await
        .unwrap();
    denied(&clerk, "SELECT * FROM items").await;
    clerk
        .batch_execute("INSERT INTO items (id, body) VALUES (5, 'E')")
        .await
        .unwrap();
    // ALL TABLES IN SCHEMA public, and PUBLIC as grantee.
    admin
        .batch_execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC")
        .await
        .unwrap();
    clerk
        .query("SELECT * FROM transactions", &[])
        .await
        .unwrap();
    let acl: String = admin
        .query_one("SELECT relacl FROM pg_class WHERE relname = 'items'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(acl, "{tester=arwdDxt/tester,clerk=awDxt/tester,=r/tester}");
    admin
        .batch_execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM clerk, PUBLIC")
        .await
        .unwrap();
    denied(&clerk, "SELECT * FROM transactions").await;
    // A role that holds privileges cannot be dropped.
    admin
        .batch_execute("GRANT SELECT ON items TO clerk")
        .await
        .unwrap();
    let e = admin.batch_execute("DROP ROLE clerk").await.unwrap_err();
    assert_eq!(sqlstate(&e), "2BP01", "{e}");
    assert_eq!(
        e.as_db_error().and_then(|d| d.detail()),
        Some("privileges for table items")
    );
    // Errors for unknown grantees and tables.
    let e = admin
        .batch_execute("GRANT SELECT ON items TO nobody")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42704", "{e}");
    let e = admin
        .batch_execute("GRANT SELECT ON nothing TO clerk")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P01", "{e}");
}

#[tokio::test]
async fn a_superuser_owns_what_it_creates_and_extended_protocol_works() {
    let server = TestServer::start(&[]);
    let admin = server.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE boss SUPERUSER LOGIN PASSWORD 'b'; CREATE ROLE clerk LOGIN PASSWORD 'c'",
        )
        .await
        .unwrap();
    let boss = server.try_connect("boss", "b").await.unwrap();
    boss.batch_execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
        .await
        .unwrap();
    let owner: String = admin
        .query_one(
            "SELECT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.relname = 'notes'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owner, "boss");
    // Role statements through the extended protocol (prepared, no rows).
    let stmt = admin
        .prepare("GRANT SELECT ON notes TO clerk")
        .await
        .unwrap();
    admin.execute(&stmt, &[]).await.unwrap();
    let clerk = server.try_connect("clerk", "c").await.unwrap();
    clerk
        .query("SELECT * FROM notes WHERE id = $1", &[&1i32])
        .await
        .unwrap();
    // Demoted, boss still owns notes, and may grant on it.
    admin
        .batch_execute("ALTER ROLE boss NOSUPERUSER")
        .await
        .unwrap();
    let boss = server.try_connect("boss", "b").await.unwrap();
    boss.batch_execute("REVOKE SELECT ON notes FROM clerk; INSERT INTO notes VALUES (1, 'x')")
        .await
        .unwrap();
    denied(&clerk, "SELECT * FROM notes").await;
    denied(&boss, "SELECT * FROM customers").await;
}

#[tokio::test]
async fn has_table_privilege_answers_from_the_grants() {
    let server = TestServer::start(&[]);
    let admin = server.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE clerk LOGIN PASSWORD 'pw'; CREATE TABLE items (id int PRIMARY KEY); \
             GRANT SELECT, UPDATE ON items TO clerk",
        )
        .await
        .unwrap();
    let clerk = server.try_connect("clerk", "pw").await.unwrap();
    let bools = |row: tokio_postgres::Row| -> Vec<Option<bool>> {
        (0..row.len()).map(|i| row.get(i)).collect()
    };
    let row = clerk
        .query_one(
            "SELECT has_table_privilege('items', 'SELECT'), has_table_privilege('items', 'INSERT'), \
             has_table_privilege('items', 'insert, update'), \
             has_table_privilege('items', 'SELECT WITH GRANT OPTION'), \
             has_table_privilege('pg_catalog.pg_class', 'SELECT'), \
             has_table_privilege('customers', 'select'), has_any_column_privilege('items', 'UPDATE'), \
             has_column_privilege('items', 'id', 'DELETE')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        bools(row),
        [true, false, true, false, true, false, true, false].map(Some)
    );
    // Another role's privileges, and the owner's grant options.
    let row = admin
        .query_one(
            "SELECT has_table_privilege('clerk', 'items', 'UPDATE'), \
             has_table_privilege('clerk', 'public.items', 'DELETE'), \
             has_table_privilege('items', 'DELETE WITH GRANT OPTION')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(bools(row), [true, false, true].map(Some));
    // By OID over pg_class: only the granted table of schema public;
    // an OID that is no table gives NULL.
    let rows = clerk
        .query(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 2200 \
             AND has_table_privilege(oid, 'SELECT') ORDER BY relname",
            &[],
        )
        .await
        .unwrap();
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(names, ["items"]);
    let row = clerk
        .query_one("SELECT has_table_privilege(1, 'SELECT')", &[])
        .await
        .unwrap();
    assert_eq!(bools(row), [None]);
    // A REVOKE shows at once.
    admin
        .batch_execute("REVOKE SELECT ON items FROM clerk")
        .await
        .unwrap();
    let row = clerk
        .query_one("SELECT has_table_privilege('items', 'SELECT')", &[])
        .await
        .unwrap();
    assert_eq!(bools(row), [Some(false)]);
    // PostgreSQL's errors.
    for (sql, code) in [
        ("SELECT has_table_privilege('items', 'fly')", "22023"),
        ("SELECT has_table_privilege('nope', 'SELECT')", "42P01"),
        (
            "SELECT has_table_privilege('ghost', 'items', 'SELECT')",
            "42704",
        ),
    ] {
        let e = clerk.query(sql, &[]).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
}
