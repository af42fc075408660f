//! psql 15's meta-commands against `crmdb serve`, compared with what
//! PostgreSQL 15 prints for the same schema (engine/schema/crm-schema.sql).
//!
//! tests/psql_catalog/*.out are PostgreSQL 15's output for a cluster made
//! with `initdb --locale=C -E UTF8 -U crmdb` and a database `crmdb` (so the
//! owner is named like crmdb's superuser). For `\l` the expectation is that
//! output restricted to the one database crmdb has (no postgres,
//! template0, template1). tests/psql_catalog/*.sql are the statements psql
//! sends for each command, captured with `psql -E`.

mod support;

use std::process::Command;

use support::TestServer;

const USER: &str = "crmdb";
const PASSWORD: &str = "catalog secret";

fn psql_available() -> bool {
    Command::new("psql").arg("--version").output().is_ok()
}

fn meta(server: &TestServer, command: &str) -> String {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-p", &server.addr.port().to_string()])
        .args(["-U", USER, "-d", "crmdb", "-X", "-c", command])
        .env("PGPASSWORD", PASSWORD)
        .env("PGCONNECT_TIMEOUT", "10")
        .output()
        .expect("run psql");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "{command}: {stderr}"
    );
    String::from_utf8(out.stdout).expect("utf8")
}

fn expected(name: &str) -> String {
    let path = format!(
        "{}/tests/psql_catalog/{name}.out",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).expect("expected output")
}

#[test]
fn psql_meta_commands_print_what_postgresql_prints() {
    if !psql_available() {
        eprintln!("psql is not installed; skipping");
        return;
    }
    let server = TestServer::start_as(USER, PASSWORD);
    for (command, file) in [
        ("\\dt", "dt"),
        ("\\d customers", "d_customers"),
        ("\\di", "di"),
        ("\\l", "l"),
        ("\\du", "du"),
        ("\\dn", "dn"),
    ] {
        assert_eq!(meta(&server, command), expected(file), "psql {command}");
    }
}

#[test]
fn psql_describes_other_tables_and_patterns() {
    if !psql_available() {
        return;
    }
    let server = TestServer::start_as(USER, PASSWORD);
    let out = meta(&server, "\\d interactions");
    assert!(out.contains("Table \"public.interactions\""), "{out}");
    assert!(
        out.contains("\"interactions_pkey\" PRIMARY KEY, btree (id)"),
        "{out}"
    );
    assert!(out.contains("Foreign-key constraints:\n    \"interactions_customer_id_fkey\" FOREIGN KEY (customer_id) REFERENCES customers(id)"), "{out}");
    let out = meta(&server, "\\dt cust*");
    assert!(
        out.contains(" public | customers | table | crmdb\n(1 row)"),
        "{out}"
    );
}

#[tokio::test]
async fn drivers_queries_work() {
    let server = TestServer::start_as(USER, PASSWORD);
    let client = server.try_connect(USER, PASSWORD).await.expect("connect");
    // A parameter of a type given by a cast.
    let row = client.query_one("SELECT $1::int4", &[&7i32]).await.unwrap();
    assert_eq!(row.get::<_, i32>(0), 7);
    let rows = client
        .query(
            "SELECT table_name FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY 1",
            &[],
        )
        .await
        .unwrap();
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(names, ["customers", "interactions", "transactions"]);
    let row = client
        .query_one(
            "SELECT data_type, numeric_precision, numeric_scale, is_nullable \
             FROM information_schema.columns \
             WHERE table_name = 'customers' AND column_name = $1",
            &[&"lifetime_value"],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "numeric");
    assert_eq!(row.get::<_, i32>(1), 12);
    assert_eq!(row.get::<_, i32>(2), 2);
    assert_eq!(row.get::<_, String>(3), "NO");
    let row = client
        .query_one(
            "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod), t.typname \
             FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
             WHERE a.attrelid = 'customers'::regclass AND a.attname = 'created_at'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "timestamp with time zone");
    assert_eq!(row.get::<_, String>(1), "timestamptz");
    let row = client
        .query_one(
            "SELECT current_database(), current_user, current_schema(), \
             pg_size_pretty(10485760::bigint), version() LIKE 'PostgreSQL 15%', \
             (SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace = 2200)",
            &[],
        )
        .await;
    // Aggregates inside subqueries are not supported; the rest is.
    assert!(row.is_err());
    let row = client
        .query_one(
            "SELECT current_database(), current_user, current_schema(), \
             pg_size_pretty(10485760::bigint), version() LIKE 'PostgreSQL 15%', \
             EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "crmdb");
    assert_eq!(row.get::<_, String>(1), USER);
    assert_eq!(row.get::<_, String>(2), "public");
    assert_eq!(row.get::<_, String>(3), "10 MB");
    assert!(row.get::<_, bool>(4));
    assert!(row.get::<_, bool>(5));
}
