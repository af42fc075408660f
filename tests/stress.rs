//! Stress tests of `crmdb serve` through tokio-postgres: many concurrent
//! committers, kill -9 during commits, a storm of failed logins, and a
//! client that stops reading a large result. Each finishes in well under
//! a minute in a debug build.

mod support;

use std::collections::BTreeSet;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use support::{PASSWORD, TestServer, USER, count, proc_memory, sqlstate};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::task::JoinSet;

/// Five customers for interactions to refer to.
const CUSTOMERS: &str = "INSERT INTO customers \
    (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES \
    (1, 'a', 'a', 'GB', 'lead', '2024-01-01', '2024-01-01'), \
    (2, 'b', 'b', 'GB', 'lead', '2024-01-01', '2024-01-01'), \
    (3, 'c', 'c', 'GB', 'lead', '2024-01-01', '2024-01-01'), \
    (4, 'd', 'd', 'GB', 'lead', '2024-01-01', '2024-01-01'), \
    (5, 'e', 'e', 'GB', 'lead', '2024-01-01', '2024-01-01')";

const INSERT_INTERACTION: &str = "INSERT INTO interactions \
    (id, customer_id, channel, direction, kind, occurred_at) \
    VALUES ($1, $2, 'email', 'inbound', 'email', '2024-05-06 07:08:09+00')";

/// Every interaction id stored, and how many rows there are.
async fn stored_ids(client: &tokio_postgres::Client) -> (Vec<i64>, i64) {
    let ids = client
        .query("SELECT id FROM interactions ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    (ids, count(client, "interactions").await)
}

/// One transaction of `ids` for customer `customer`, reading the
/// customer's total before committing.
async fn commit_interactions(
    client: &tokio_postgres::Client,
    ids: &[i64],
    customer: i64,
) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("BEGIN").await?;
    for id in ids {
        client.execute(INSERT_INTERACTION, &[id, &customer]).await?;
    }
    let total: i64 = client
        .query_one(
            "SELECT count(*) FROM interactions WHERE customer_id = $1",
            &[&customer],
        )
        .await?
        .get(0);
    assert!(total >= ids.len() as i64, "the transaction sees its rows");
    client.batch_execute("COMMIT").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_clients_commit_every_row_exactly_once() {
    const CLIENTS: i64 = 50;
    const TXNS: i64 = 8;
    let server = TestServer::start(&[]);
    let setup = server.connect().await;
    setup.batch_execute(CUSTOMERS).await.unwrap();
    let mut tasks = JoinSet::new();
    for c in 0..CLIENTS {
        let client = server.connect().await;
        tasks.spawn(async move {
            let mut acked = Vec::new();
            for t in 0..TXNS {
                let ids: Vec<i64> = (0..3).map(|k| c * 1000 + t * 10 + k).collect();
                let customer = 1 + (c + t) % 5;
                match commit_interactions(&client, &ids, customer).await {
                    Ok(()) => acked.extend(ids.iter().map(|&id| (id, customer))),
                    Err(e) => {
                        // A conflict may refuse a commit; nothing else may fail.
                        assert_eq!(sqlstate(&e), "40001", "{e:?}");
                        client.batch_execute("ROLLBACK").await.unwrap();
                    }
                }
            }
            acked
        });
    }
    let mut acked = Vec::new();
    while let Some(done) = tasks.join_next().await {
        acked.extend(done.unwrap());
    }
    assert!(
        acked.len() as i64 > CLIENTS * TXNS,
        "most commits succeed: {}",
        acked.len()
    );
    let mut expected: Vec<i64> = acked.iter().map(|&(id, _)| id).collect();
    expected.sort_unstable();
    let (ids, n) = stored_ids(&setup).await;
    assert_eq!(ids, expected, "acknowledged commits = rows present");
    assert_eq!(n as usize, expected.len(), "no duplicates");
    for customer in 1..=5i64 {
        let total: i64 = setup
            .query_one(
                "SELECT count(*) FROM interactions WHERE customer_id = $1",
                &[&customer],
            )
            .await
            .unwrap()
            .get(0);
        let acked_for = acked.iter().filter(|&&(_, c)| c == customer).count();
        assert_eq!(total as usize, acked_for, "customer {customer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_commits_loses_no_acknowledged_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = TestServer::start_in(&data, &[]);
    server
        .connect()
        .await
        .batch_execute(CUSTOMERS)
        .await
        .unwrap();
    // Acknowledged transactions: their ids.
    let acked: Arc<Mutex<Vec<Vec<i64>>>> = Arc::default();
    let mut tasks = JoinSet::new();
    for c in 0..8i64 {
        let client = server.connect().await;
        let acked = acked.clone();
        tasks.spawn(async move {
            for t in 0.. {
                // Alternate single-row autocommit inserts and two-row blocks.
                let ids: Vec<i64> = (0..1 + t % 2).map(|k| c * 1_000_000 + t * 10 + k).collect();
                let result = if ids.len() == 1 {
                    client
                        .execute(INSERT_INTERACTION, &[&ids[0], &(1 + c % 5)])
                        .await
                        .map(|_| ())
                } else {
                    commit_interactions(&client, &ids, 1 + c % 5).await
                };
                match result {
                    Ok(()) => acked.lock().unwrap().push(ids),
                    Err(_) => return,
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        acked.len() > 20,
        "commits ran before the kill: {}",
        acked.len()
    );

    let server = TestServer::start_in(&data, &[]);
    let client = server.connect().await;
    let (ids, n) = stored_ids(&client).await;
    let present: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(present.len() as i64, n, "no duplicates");
    for txn in &acked {
        for id in txn {
            assert!(present.contains(id), "acknowledged row {id} lost");
        }
    }
    // Unacknowledged commits (in flight at the kill) are all or nothing.
    for id in &present {
        if id % 10 == 1 {
            assert!(present.contains(&(id - 1)), "half of a transaction: {id}");
        }
    }
}

/// Every file of `dir` with its contents.
fn files_of(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

async fn roles_of(client: &tokio_postgres::Client) -> Vec<(String, bool)> {
    client
        .query("SELECT rolname, rolsuper FROM pg_roles ORDER BY 1", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_failed_logins_change_nothing_and_disturb_no_one() {
    const ATTEMPTS: usize = 1000;
    let server = TestServer::start(&[]);
    let worker = server.connect().await;
    worker.batch_execute(CUSTOMERS).await.unwrap();
    let roles_before = roles_of(&worker).await;
    let files_before = files_of(&server.data_dir);

    let stop = Arc::new(AtomicBool::new(false));
    let busy = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut queries = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let n: i64 = worker
                    .query_one(
                        "SELECT count(*) FROM customers WHERE country = $1",
                        &[&"GB"],
                    )
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(n, 5);
                queries += 1;
            }
            (worker, queries)
        })
    };
    let started = Instant::now();
    let failures = futures::stream::iter(0..ATTEMPTS)
        .map(|i| {
            let server = &server;
            async move {
                let e = if i % 2 == 0 {
                    server.try_connect(USER, "not the password").await
                } else {
                    server.try_connect(&format!("nobody{i}"), PASSWORD).await
                }
                .expect_err("login refused");
                (
                    sqlstate(&e),
                    e.as_db_error().map(|d| d.message().to_owned()),
                )
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let (worker, queries) = busy.await.unwrap();
    for (i, (code, message)) in failures.iter().enumerate() {
        assert_eq!(code, "28P01", "attempt {i}: {message:?}");
        assert!(
            message
                .as_deref()
                .is_some_and(|m| m.starts_with("password authentication failed for user")),
            "{message:?}"
        );
    }
    assert!(queries > 0, "the working session kept working");
    eprintln!("{ATTEMPTS} failed logins in {elapsed:?}; {queries} queries meanwhile");

    let roles_after = roles_of(&worker).await;
    assert_eq!(roles_after, roles_before);
    assert!(
        files_of(&server.data_dir) == files_before,
        "failed logins changed the data directory"
    );
    // And a correct login still works.
    server
        .connect()
        .await
        .simple_query("SELECT 1")
        .await
        .unwrap();
}

/// A socket that stops reading when told to, as a client that stops
/// reading a result would, and can be resumed.
struct Stalling {
    inner: tokio::net::TcpStream,
    stall: Arc<Stall>,
}

#[derive(Default)]
struct Stall {
    stalled: AtomicBool,
    waker: Mutex<Option<std::task::Waker>>,
}

impl Stall {
    fn resume(&self) {
        self.stalled.store(false, Ordering::SeqCst);
        if let Some(w) = self.waker.lock().unwrap().take() {
            w.wake();
        }
    }
}

impl AsyncRead for Stalling {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.stall.stalled.load(Ordering::SeqCst) {
            *self.stall.waker.lock().unwrap() = Some(cx.waker().clone());
            if self.stall.stalled.load(Ordering::SeqCst) {
                return Poll::Pending;
            }
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stalling {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A client whose socket reads can be stalled and resumed.
async fn stalling_client(server: &TestServer) -> (tokio_postgres::Client, Arc<Stall>) {
    let stall = Arc::new(Stall::default());
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (client, connection) = server
        .config(USER, PASSWORD)
        .connect_raw(
            Stalling {
                inner: tcp,
                stall: stall.clone(),
            },
            tokio_postgres::NoTls,
        )
        .await
        .unwrap();
    tokio::spawn(connection);
    (client, stall)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_a_large_result_holds_no_memory() {
    const ROWS: usize = 60_000;
    const WIDTH: usize = 1000;
    let server = TestServer::start(&[]);
    let client = server.connect().await;
    client
        .batch_execute("CREATE TABLE big (id BIGINT PRIMARY KEY, payload TEXT)")
        .await
        .unwrap();
    let sink = client
        .copy_in::<_, Bytes>("COPY big FROM STDIN")
        .await
        .unwrap();
    futures::pin_mut!(sink);
    let pad = "x".repeat(WIDTH);
    for chunk in (0..ROWS).collect::<Vec<_>>().chunks(1000) {
        let mut lines = String::new();
        for i in chunk {
            lines.push_str(&format!("{i}\t{pad}\n"));
        }
        sink.send(Bytes::from(lines)).await.unwrap();
    }
    assert_eq!(sink.finish().await.unwrap(), ROWS as u64);
    let result_bytes = (ROWS * WIDTH) as u64;

    // Two stalled clients, one reading a SELECT, one a COPY TO: each sends
    // its statement, then reads nothing more.
    let (stuck, stall) = stalling_client(&server).await;
    let (stuck_copy, stall_copy) = stalling_client(&server).await;
    let select = stuck.prepare("SELECT * FROM big").await.unwrap();
    let copy_big = stuck_copy.prepare("COPY big TO STDOUT").await.unwrap();
    let before = proc_memory(server.pid(), "VmRSS");
    stall.stalled.store(true, Ordering::SeqCst);
    stall_copy.stalled.store(true, Ordering::SeqCst);
    let query = tokio::spawn(async move {
        let rows = stuck.query_raw(&select, Vec::<i64>::new()).await.unwrap();
        futures::pin_mut!(rows);
        let mut n = 0usize;
        while let Some(row) = rows.next().await {
            row.unwrap();
            n += 1;
        }
        n
    });
    let copy = tokio::spawn(async move {
        let lines = stuck_copy.copy_out(&copy_big).await.unwrap();
        futures::pin_mut!(lines);
        let mut n = 0usize;
        while let Some(chunk) = lines.next().await {
            n += chunk.unwrap().iter().filter(|&&b| b == b'\n').count();
        }
        n
    });
    // Let the server run into the full socket.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let during = proc_memory(server.pid(), "VmRSS");

    // Other sessions are untouched.
    let other = server.connect().await;
    assert_eq!(count(&other, "big").await, ROWS as i64);
    other
        .execute("INSERT INTO big VALUES (-1, 'still writable')", &[])
        .await
        .unwrap();
    let grew = during.saturating_sub(before);
    eprintln!(
        "RSS before {} MiB, while stalled {} MiB; each result {} MiB",
        before >> 20,
        during >> 20,
        result_bytes >> 20
    );
    assert!(
        grew < result_bytes / 2,
        "the server buffered the result: RSS grew {grew} bytes for a {result_bytes}-byte result"
    );
    // Reading again, the clients get the whole result, as of its start.
    stall.resume();
    stall_copy.resume();
    assert_eq!(query.await.unwrap(), ROWS);
    assert_eq!(copy.await.unwrap(), ROWS);
    // The server is still up and serving.
    let again = server.connect().await;
    again.simple_query("SELECT 1").await.unwrap();
}
