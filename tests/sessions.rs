//! Session behaviour PostgreSQL clients rely on: a query string of several
//! statements runs as one implicit transaction, and
//! idle_in_transaction_session_timeout ends a session left idle in a
//! transaction block, and a long identifier is truncated with a NOTICE.

mod support;

use std::time::Duration;

use support::{TestServer, sqlstate};

async fn values(client: &tokio_postgres::Client) -> Vec<i32> {
    client
        .query("SELECT a FROM t ORDER BY a", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn a_multi_statement_query_is_one_implicit_transaction() {
    let server = TestServer::start(&[]);
    let client = server.connect().await;
    client
        .batch_execute("CREATE TABLE t (a int)")
        .await
        .unwrap();

    // An error rolls back the statements before it.
    let e = client
        .batch_execute("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); SELECT 1/0")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
    assert_eq!(values(&client).await, Vec::<i32>::new());

    // Without an error all of it commits.
    client
        .batch_execute("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)")
        .await
        .unwrap();
    assert_eq!(values(&client).await, [1, 2]);

    // COMMIT inside the string ends the implicit transaction: what came
    // before it stays, what follows is a new one.
    let e = client
        .batch_execute("INSERT INTO t VALUES (3); COMMIT; INSERT INTO t VALUES (4); SELECT 1/0")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
    assert_eq!(values(&client).await, [1, 2, 3]);

    // BEGIN turns it into an explicit block that outlives the string, the
    // statements before BEGIN included.
    client
        .batch_execute("INSERT INTO t VALUES (5); BEGIN; INSERT INTO t VALUES (6)")
        .await
        .unwrap();
    let other = server.connect().await;
    assert_eq!(values(&other).await, [1, 2, 3], "not committed yet");
    client.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(values(&client).await, [1, 2, 3]);

    // An explicit block inside the string is unaffected.
    let e = client
        .batch_execute(
            "BEGIN; INSERT INTO t VALUES (7); COMMIT; INSERT INTO t VALUES (8); SELECT 1/0",
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
    assert_eq!(values(&client).await, [1, 2, 3, 7]);

    // A failing row while streaming rolls back too.
    let e = client
        .batch_execute("INSERT INTO t VALUES (9); SELECT 1 / (a - 3) FROM t")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
    assert_eq!(values(&client).await, [1, 2, 3, 7]);
}

#[tokio::test]
async fn idle_in_transaction_timeout_ends_the_session() {
    let server = TestServer::start(&[]);
    let (client, connection) = server
        .config(support::USER, support::PASSWORD)
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    client
        .batch_execute("SET idle_in_transaction_session_timeout = 300")
        .await
        .unwrap();
    // Idle outside a transaction: nothing happens.
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.batch_execute("SELECT 1").await.unwrap();
    client
        .batch_execute("BEGIN; CREATE TABLE gone (a int)")
        .await
        .unwrap();
    // Idle inside one: FATAL 25P03, and the connection ends.
    let ended = tokio::time::timeout(Duration::from_secs(10), connection)
        .await
        .expect("the server ends the session")
        .unwrap();
    let e = ended.expect_err("ended by an error");
    assert_eq!(sqlstate(&e), "25P03", "{e}");
    assert_eq!(
        e.as_db_error().map(|d| d.message()),
        Some("terminating connection due to idle-in-transaction timeout")
    );
    assert!(client.is_closed());
    // The transaction was rolled back.
    let other = server.connect().await;
    let e = other.batch_execute("SELECT * FROM gone").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}

#[test]
fn a_long_identifier_is_truncated_with_postgres_notice() {
    let server = TestServer::start(&[]);
    let long = "x".repeat(70);
    let out = server.psql(&[
        "-v",
        "ON_ERROR_STOP=1",
        "-A",
        "-c",
        &format!("SELECT 1 AS {long}"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let cut = "x".repeat(63);
    assert!(
        stderr.contains(&format!(
            "NOTICE:  identifier \"{long}\" will be truncated to \"{cut}\""
        )),
        "{stderr}"
    );
    assert_eq!(stdout.lines().next(), Some(cut.as_str()), "{stdout}");
}
