//! End-to-end tests of `crmdb serve` through real clients: tokio-postgres
//! and psql.

mod support;

use std::error::Error as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use rust_decimal::Decimal;
use support::{PASSWORD, TestServer, USER, count, sqlstate};
use tokio_postgres::SimpleQueryMessage;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

const INSERT_CUSTOMERS: &str = "INSERT INTO customers \
    (id, first_name, last_name, email, country, lifecycle_stage, birth_date, lifetime_value, created_at, updated_at) VALUES \
    (1, 'Ada', 'Lovelace', 'ada@example.com', 'GB', 'customer', '1815-12-10', 1234.50, '2024-01-02 03:04:05+00', '2024-01-02 03:04:05+00'), \
    (2, 'Alan', 'Turing', 'alan@example.com', 'GB', 'lead', NULL, 0, '2024-02-03 04:05:06+00', '2024-02-03 04:05:06+00'), \
    (3, 'Grace', 'Hopper', 'grace@example.com', 'US', 'customer', '1906-12-09', 99.99, '2024-03-04 05:06:07+00', '2024-03-04 05:06:07+00')";

/// Rows of a simple query's first result set, as text.
fn rows(messages: &[SimpleQueryMessage]) -> Vec<Vec<Option<String>>> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
            }
            _ => None,
        })
        .collect()
}

fn command_tags(messages: &[SimpleQueryMessage]) -> Vec<u64> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn scram_login_and_failures_are_28p01() {
    let mut server = TestServer::start(&[]);
    let client = server.connect().await;
    let row = client.query_one("SELECT 1::int4", &[]).await.unwrap();
    assert_eq!(row.get::<_, i32>(0), 1);

    let wrong = server.try_connect(USER, "wrong").await.unwrap_err();
    assert_eq!(sqlstate(&wrong), "28P01");
    let db = wrong.as_db_error().unwrap();
    assert_eq!(
        db.message(),
        format!("password authentication failed for user \"{USER}\"")
    );
    assert_eq!(db.severity(), "FATAL");

    let unknown = server.try_connect("mallory", PASSWORD).await.unwrap_err();
    assert_eq!(sqlstate(&unknown), "28P01");
    assert_eq!(
        unknown.as_db_error().unwrap().message(),
        "password authentication failed for user \"mallory\""
    );

    // The superuser lives in the catalog as a SCRAM verifier: the
    // password is in no file of the data directory.
    drop(client);
    let status = server.terminate_keep();
    assert_eq!(status.code(), Some(0));
    for entry in std::fs::read_dir(&server.data_dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "{} holds the password",
            path.display()
        );
    }
}

#[tokio::test]
async fn simple_queries_over_the_crm_schema() {
    let server = TestServer::start(&[]);
    let client = server.connect().await;
    client.batch_execute(INSERT_CUSTOMERS).await.unwrap();

    let got = client
        .simple_query(
            "SELECT id, first_name, email_opt_in, birth_date, lifetime_value, created_at \
             FROM customers ORDER BY id",
        )
        .await
        .unwrap();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows(&got),
        vec![
            vec![
                s("1"),
                s("Ada"),
                s("f"),
                s("1815-12-10"),
                s("1234.50"),
                s("2024-01-02 03:04:05+00")
            ],
            vec![
                s("2"),
                s("Alan"),
                s("f"),
                None,
                s("0.00"),
                s("2024-02-03 04:05:06+00")
            ],
            vec![
                s("3"),
                s("Grace"),
                s("f"),
                s("1906-12-09"),
                s("99.99"),
                s("2024-03-04 05:06:07+00")
            ],
        ]
    );
    assert_eq!(command_tags(&got), vec![3]);

    // Several statements in one query: each answers in turn.
    let got = client
        .simple_query("SELECT count(*) FROM customers; UPDATE customers SET city = 'London' WHERE country = 'GB'; SELECT 'x'")
        .await
        .unwrap();
    assert_eq!(command_tags(&got), vec![1, 2, 1]);
    assert_eq!(rows(&got)[0], vec![s("3")]);
    assert_eq!(rows(&got)[1], vec![s("x")]);

    // The first error stops the rest of the string and, the string being
    // one implicit transaction, undoes what ran before it.
    let err = client
        .batch_execute(
            "UPDATE customers SET city = 'a'; SELECT 1/0; UPDATE customers SET city = 'b'",
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "22012");
    let got = client
        .simple_query("SELECT DISTINCT city FROM customers ORDER BY city")
        .await
        .unwrap();
    assert_eq!(rows(&got), vec![vec![s("London")], vec![None]]);

    // Empty queries.
    for q in ["", "  ", ";"] {
        let got = client.simple_query(q).await.unwrap();
        assert!(rows(&got).is_empty(), "{q:?}");
    }
    client.batch_execute("").await.unwrap();
}

/// DATE in binary: days since 2000-01-01 (tokio-postgres has no std type).
#[derive(Debug, PartialEq, Clone, Copy)]
struct PgDate(i32);

impl ToSql for PgDate {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&self.0.to_be_bytes());
        Ok(IsNull::No)
    }
    fn accepts(ty: &Type) -> bool {
        *ty == Type::DATE
    }
    to_sql_checked!();
}

impl<'a> FromSql<'a> for PgDate {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(PgDate(i32::from_be_bytes(raw.try_into()?)))
    }
    fn accepts(ty: &Type) -> bool {
        *ty == Type::DATE
    }
}

#[tokio::test]
async fn prepared_statements_with_every_type_in_binary_and_text() {
    let server = TestServer::start(&[]);
    let mut client = server.connect().await;
    let ts = std::time::UNIX_EPOCH + Duration::from_micros(1_704_164_645_123_456);
    let amount: Decimal = "-12345.6789".parse().unwrap();
    let stmt = client
        .prepare(
            "SELECT $1::int4, $2::int8, $3::bool, $4::float8, $5::text, $6::date, $7::timestamptz, $8::numeric",
        )
        .await
        .unwrap();
    let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(
        types,
        vec![
            Type::INT4,
            Type::INT8,
            Type::BOOL,
            Type::FLOAT8,
            Type::TEXT,
            Type::DATE,
            Type::TIMESTAMPTZ,
            Type::NUMERIC
        ]
    );
    // Statement reuse with different values; results come back binary.
    for (i, day) in [(1i32, 9131), (-7, -1)] {
        let row = client
            .query_one(
                &stmt,
                &[
                    &i,
                    &(i64::from(i) << 40),
                    &(i > 0),
                    &(f64::from(i) / 4.0),
                    &format!("héllo {i}"),
                    &PgDate(day),
                    &ts,
                    &amount,
                ],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, i32>(0), i);
        assert_eq!(row.get::<_, i64>(1), i64::from(i) << 40);
        assert_eq!(row.get::<_, bool>(2), i > 0);
        assert_eq!(row.get::<_, f64>(3), f64::from(i) / 4.0);
        assert_eq!(row.get::<_, String>(4), format!("héllo {i}"));
        assert_eq!(row.get::<_, PgDate>(5), PgDate(day));
        assert_eq!(row.get::<_, std::time::SystemTime>(6), ts);
        assert_eq!(row.get::<_, Decimal>(7), amount);
    }
    // NULLs both ways.
    let row = client
        .query_one(
            "SELECT $1::int8, $2::text",
            &[&None::<i64>, &None::<String>],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Option<i64>>(0), None);
    assert_eq!(row.get::<_, Option<String>>(1), None);

    // Parameter types inferred by the server, against real columns.
    client.batch_execute(INSERT_CUSTOMERS).await.unwrap();
    let by_id = client
        .prepare("SELECT first_name, lifetime_value, birth_date FROM customers WHERE id = $1")
        .await
        .unwrap();
    assert_eq!(by_id.params(), &[Type::INT8]);
    let row = client.query_one(&by_id, &[&3i64]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "Grace");
    assert_eq!(
        row.get::<_, Decimal>(1),
        "99.99".parse::<Decimal>().unwrap()
    );
    assert_eq!(row.get::<_, PgDate>(2).0, -33_991); // 1906-12-09
    let insert = client
        .prepare("INSERT INTO transactions (id, customer_id, product, category, quantity, amount, currency, status, occurred_at) VALUES ($1, $2, $3, 'books', $4, $5, 'EUR', 'paid', $6)")
        .await
        .unwrap();
    for id in 1..=5i64 {
        let n = client
            .execute(
                &insert,
                &[
                    &id,
                    &1i64,
                    &format!("book {id}"),
                    &(id as i32),
                    &Decimal::new(1999 * id, 2),
                    &ts,
                ],
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
    // The same values read through the text format.
    let got = client
        .simple_query("SELECT sum(amount)::text, max(occurred_at) FROM transactions")
        .await
        .unwrap();
    assert_eq!(
        rows(&got),
        vec![vec![
            Some("299.85".to_owned()),
            Some("2024-01-02 03:04:05.123456+00".to_owned())
        ]]
    );

    // A portal read a few rows at a time (Execute with a row limit).
    let txn = client.transaction().await.unwrap();
    let all = txn
        .prepare("SELECT id FROM transactions ORDER BY id")
        .await
        .unwrap();
    let portal = txn.bind(&all, &[]).await.unwrap();
    let mut seen = Vec::new();
    loop {
        let batch = txn.query_portal(&portal, 2).await.unwrap();
        if batch.is_empty() {
            break;
        }
        assert!(batch.len() <= 2);
        seen.extend(batch.iter().map(|r| r.get::<_, i64>(0)));
        // Another statement in between does not disturb the portal.
        let one = txn.query_one("SELECT 1::int4", &[]).await.unwrap();
        assert_eq!(one.get::<_, i32>(0), 1);
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    txn.rollback().await.unwrap();
}

#[tokio::test]
async fn transactions_commit_rollback_and_failed_blocks() {
    let server = TestServer::start(&[]);
    let mut client = server.connect().await;
    client.batch_execute(INSERT_CUSTOMERS).await.unwrap();

    let txn = client.transaction().await.unwrap();
    txn.execute("DELETE FROM customers WHERE id = $1", &[&3i64])
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let txn = client.transaction().await.unwrap();
    txn.execute("DELETE FROM customers", &[]).await.unwrap();
    txn.rollback().await.unwrap();
    let n = count(&client, "customers").await;
    assert_eq!(n, 2);

    // An error inside a block: everything is refused until ROLLBACK.
    client.batch_execute("BEGIN").await.unwrap();
    client
        .batch_execute("UPDATE customers SET city = 'x'")
        .await
        .unwrap();
    let err = client.batch_execute("SELECT 1/0").await.unwrap_err();
    assert_eq!(sqlstate(&err), "22012");
    let err = client.batch_execute("SELECT 1").await.unwrap_err();
    assert_eq!(sqlstate(&err), "25P02");
    let err = client.query("SELECT 1::int4", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&err), "25P02");
    client.batch_execute("ROLLBACK").await.unwrap();
    let got = client
        .simple_query("SELECT count(*) FROM customers WHERE city = 'x'")
        .await
        .unwrap();
    assert_eq!(rows(&got), vec![vec![Some("0".to_owned())]]);

    // Transaction control through the extended protocol, as pgjdbc sends
    // it: prepared, described (no parameters, no rows) and executed.
    let begin = client.prepare("BEGIN").await.unwrap();
    assert!(begin.params().is_empty() && begin.columns().is_empty());
    client.execute(&begin, &[]).await.unwrap();
    client
        .execute("DELETE FROM customers WHERE id = $1", &[&1i64])
        .await
        .unwrap();
    client.execute("SAVEPOINT s", &[]).await.unwrap();
    client.execute("DELETE FROM customers", &[]).await.unwrap();
    client
        .execute("ROLLBACK TO SAVEPOINT s", &[])
        .await
        .unwrap();
    client.execute("COMMIT", &[]).await.unwrap();
    let n = count(&client, "customers").await;
    assert_eq!(n, 1);
}

#[tokio::test]
async fn errors_carry_sqlstate_and_leave_the_connection_usable() {
    let server = TestServer::start(&[]);
    let client = server.connect().await;
    client.batch_execute(INSERT_CUSTOMERS).await.unwrap();
    let cases = [
        ("SELECT * FROM nope", "42P01"),
        ("SELECT nope FROM customers", "42703"),
        ("SELECT 1/0", "22012"),
        (
            "INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) \
             VALUES (1, 'a', 'b', 'c', 'lead', now(), now())",
            "23505",
        ),
        ("SELEC 1", "42601"),
    ];
    for (sql, code) in cases {
        // Simple protocol.
        let e = client.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
        assert!(!e.as_db_error().unwrap().message().is_empty());
        // Extended protocol (the error may come at Parse or Execute).
        let e = client.query(sql, &[]).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql} (extended)");
        let one: i32 = client
            .query_one("SELECT 1::int4", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(one, 1);
    }
    // The syntax error points into the query.
    let e = client.batch_execute("SELECT (1").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42601");
    let e = client
        .query_one("SELECT 'not a number'::int4", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
    let got = client.simple_query("SELECT 2").await.unwrap();
    assert_eq!(rows(&got), vec![vec![Some("2".to_owned())]]);
    let _ = e.source();
}

fn psql(server: &TestServer, args: &[&str]) -> std::process::Output {
    server.psql(&[&["-A", "-t"], args].concat())
}

#[test]
fn psql_runs_queries_and_stops_on_error() {
    let server = TestServer::start(&[]);
    let out = psql(&server, &["-c", "SELECT 1"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1");

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.sql");
    std::fs::write(
        &script,
        format!(
            "{INSERT_CUSTOMERS};\n\
             SELECT count(*) FROM customers;\n\
             SELECT 1/0;\n\
             SELECT 'not reached';\n"
        ),
    )
    .unwrap();
    let out = psql(
        &server,
        &["-v", "ON_ERROR_STOP=1", "-f", script.to_str().unwrap()],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stdout.contains('3'), "{stdout}");
    assert!(!stdout.contains("not reached"), "{stdout}");
    assert!(stderr.contains("division by zero"), "{stderr}");

    // psql's \d-free meta commands that only query work too.
    let out = psql(
        &server,
        &["-c", "SELECT first_name FROM customers WHERE id = 2"],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Alan");
}

/// Reads until the server closes the connection; what it sent.
fn read_until_closed(s: &mut TcpStream) -> Vec<u8> {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return all,
            Err(e) => panic!("server did not close the connection: {e}"),
        }
    }
}

fn startup_packet(user: &str) -> Vec<u8> {
    let mut body = 196_608u32.to_be_bytes().to_vec();
    for (k, v) in [("user", user), ("database", "crmdb")] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut packet = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    packet.extend(body);
    packet
}

#[tokio::test]
async fn hostile_input_is_refused_and_the_server_carries_on() {
    let server = TestServer::start(&[]);
    let addr = server.addr;

    // Random bytes.
    let mut s = TcpStream::connect(addr).unwrap();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let junk: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let _ = s.write_all(&junk);
    read_until_closed(&mut s);

    // A truncated message: the length promises more than is sent.
    let mut s = TcpStream::connect(addr).unwrap();
    let packet = startup_packet(USER);
    s.write_all(&packet[..packet.len() / 2]).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    read_until_closed(&mut s);

    // A 2 GB length prefix after the startup packet: refused at once with
    // a protocol error, without waiting for (or buffering) the body.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&startup_packet(USER)).unwrap();
    let mut sasl = [0u8; 5];
    s.read_exact(&mut sasl).unwrap();
    assert_eq!(sasl[0], b'R', "SASL request first");
    s.write_all(&[b'p', 0x7f, 0xff, 0xff, 0xf0]).unwrap();
    s.write_all(&[b'x'; 1024]).unwrap();
    let reply = read_until_closed(&mut s);
    let text = String::from_utf8_lossy(&reply);
    assert!(text.contains("08P01"), "{text}");

    // A huge startup packet.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&[0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0]).unwrap();
    read_until_closed(&mut s);

    // A normal client still works.
    let client = server.connect().await;
    let got = client.simple_query("SELECT 42").await.unwrap();
    assert_eq!(rows(&got), vec![vec![Some("42".to_owned())]]);
}

#[tokio::test]
async fn too_many_clients_get_53300() {
    let server = TestServer::start(&["--max-connections", "2"]);
    let a = server.connect().await;
    let b = server.connect().await;
    let e = server.try_connect(USER, PASSWORD).await.unwrap_err();
    assert_eq!(sqlstate(&e), "53300");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "sorry, too many clients already"
    );
    drop(a);
    // The slot frees once the server notices the disconnect.
    let mut ok = None;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Ok(c) = server.try_connect(USER, PASSWORD).await {
            ok = Some(c);
            break;
        }
    }
    let c = ok.expect("a slot frees after a disconnect");
    c.simple_query("SELECT 1").await.unwrap();
    b.simple_query("SELECT 1").await.unwrap();
}

#[tokio::test]
async fn sigterm_shuts_down_cleanly_and_data_survives() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = TestServer::start_in(&data, &[]);
    let client = server.connect().await;
    client.batch_execute(INSERT_CUSTOMERS).await.unwrap();
    let status = server.terminate();
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(client.simple_query("SELECT 1").await.is_err());

    let server = TestServer::start_in(&data, &[]);
    let client = server.connect().await;
    let got = client
        .simple_query("SELECT count(*), min(first_name) FROM customers")
        .await
        .unwrap();
    assert_eq!(
        rows(&got),
        vec![vec![Some("3".to_owned()), Some("Ada".to_owned())]]
    );
}

#[test]
fn tls_with_require_tls_refuses_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    if !made.map(|o| o.status.success()).unwrap_or(false) {
        eprintln!("openssl is not available: TLS test skipped");
        return;
    }
    let server = TestServer::start(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        "--require-tls",
    ]);
    let run = |sslmode: &str| {
        Command::new("psql")
            .arg(format!("{} sslmode={sslmode}", server.conninfo()))
            .args(["-X", "-A", "-t", "-c", "SELECT 'secure'"])
            .env("PGPASSWORD", PASSWORD)
            .output()
            .expect("run psql")
    };
    let out = run("require");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "secure");
    let out = run("disable");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no encryption"), "{stderr}");
}

#[tokio::test]
async fn cancel_request_and_statement_timeout_stop_a_running_query() {
    let server = TestServer::start(&[]);
    let client = server.connect().await;
    client
        .batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        .await
        .unwrap();
    let values: Vec<String> = (0..3000).map(|i| format!("({i})")).collect();
    client
        .batch_execute(&format!("INSERT INTO t VALUES {}", values.join(",")))
        .await
        .unwrap();
    let slow = "SELECT count(*) FROM t a JOIN t b ON a.id + b.id < 0";

    let token = client.cancel_token();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        token.cancel_query(tokio_postgres::NoTls).await.unwrap();
    });
    let e = client.simple_query(slow).await.unwrap_err();
    canceller.await.unwrap();
    assert_eq!(sqlstate(&e), "57014");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "canceling statement due to user request"
    );

    client
        .batch_execute("SET statement_timeout = 50")
        .await
        .unwrap();
    let e = client.simple_query(slow).await.unwrap_err();
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "canceling statement due to statement timeout"
    );
    // The connection goes on.
    client
        .batch_execute("SET statement_timeout = 0")
        .await
        .unwrap();
    assert_eq!(count(&client, "t").await, 3000);
}
