//! COPY end to end through `crmdb serve`: tokio-postgres's copy_in and
//! copy_out (extended protocol), psql's \copy (simple protocol), errors
//! that name the line and column, and output compared byte for byte with
//! PostgreSQL 15's for the same data.

mod support;

#[path = "support/pg.rs"]
mod pg;

use std::path::Path;

use bytes::Bytes;
use crmdb_client::{Generator, GeneratorConfig, write_csv};
use futures::{SinkExt, StreamExt};
use support::{TestServer, count, proc_memory, sqlstate};

/// The generated CRM data as CSV with a header line, per table.
struct CrmCsv {
    customers: Vec<u8>,
    interactions: Vec<u8>,
    transactions: Vec<u8>,
    counts: [u64; 3],
}

fn crm_csv(customers: u64) -> CrmCsv {
    let g = Generator::new(GeneratorConfig::new(20_251_123, customers));
    let (mut c, mut i, mut t) = (Vec::new(), Vec::new(), Vec::new());
    let counts = [
        write_csv(g.customers(), &mut c, true).unwrap(),
        write_csv(g.interactions(), &mut i, true).unwrap(),
        write_csv(g.transactions(), &mut t, true).unwrap(),
    ];
    CrmCsv {
        customers: c,
        interactions: i,
        transactions: t,
        counts,
    }
}

/// COPY … FROM STDIN with `data` sent in CopyData chunks of `chunk` bytes.
async fn copy_in(
    client: &tokio_postgres::Client,
    sql: &str,
    data: &[u8],
    chunk: usize,
) -> Result<u64, tokio_postgres::Error> {
    let sink = client.copy_in::<_, Bytes>(sql).await?;
    futures::pin_mut!(sink);
    for part in data.chunks(chunk) {
        sink.send(Bytes::copy_from_slice(part)).await?;
    }
    sink.finish().await
}

async fn copy_out(client: &tokio_postgres::Client, sql: &str) -> Vec<u8> {
    let stream = client.copy_out(sql).await.unwrap();
    futures::pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

async fn load_crm(client: &tokio_postgres::Client, csv: &CrmCsv) {
    for (table, data, chunk, n) in [
        ("customers", &csv.customers, 8192, csv.counts[0]),
        ("interactions", &csv.interactions, 1000, csv.counts[1]),
        ("transactions", &csv.transactions, 77, csv.counts[2]),
    ] {
        let sql = format!("COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)");
        let loaded = copy_in(client, &sql, data, chunk)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        assert_eq!(loaded, n, "{table}");
    }
}

/// The COPY TO statements whose output must match PostgreSQL's.
const COPY_OUTS: &[&str] = &[
    "COPY (SELECT * FROM customers ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)",
    "COPY (SELECT * FROM customers ORDER BY id) TO STDOUT",
    "COPY (SELECT * FROM interactions ORDER BY id) TO STDOUT CSV",
    "COPY (SELECT * FROM interactions ORDER BY id) TO STDOUT",
    "COPY (SELECT id, customer_id, amount, occurred_at FROM transactions ORDER BY id) \
     TO STDOUT (FORMAT csv, DELIMITER ';', NULL 'NULL', FORCE_QUOTE (id, amount))",
    "COPY (SELECT customer_id, count(*), sum(amount) FROM transactions \
     GROUP BY customer_id ORDER BY customer_id) TO STDOUT (FORMAT text, HEADER)",
    "COPY (SELECT notes, subject FROM interactions WHERE notes IS NOT NULL ORDER BY id) \
     TO STDOUT (FORMAT csv, QUOTE '''', ESCAPE '\\')",
];

#[tokio::test]
async fn generated_crm_rows_round_trip_and_match_postgres_byte_for_byte() {
    let csv = crm_csv(300);
    let server = TestServer::start(&[]);
    let client = server.connect().await;
    client.batch_execute("SET TIME ZONE 'UTC'").await.unwrap();
    load_crm(&client, &csv).await;
    assert_eq!(count(&client, "customers").await as u64, csv.counts[0]);
    assert_eq!(count(&client, "interactions").await as u64, csv.counts[1]);

    // COPY TO reads back what COPY FROM loaded: reloading its output into
    // an empty table gives the same output again.
    let dumped = copy_out(&client, "COPY customers TO STDOUT").await;
    let same_schema = crm_schema()
        .split("CREATE TABLE interactions")
        .next()
        .unwrap()
        .replace("CREATE TABLE customers", "CREATE TABLE customers_copy");
    client.batch_execute(&same_schema).await.unwrap();
    copy_in(&client, "COPY customers_copy FROM STDIN", &dumped, 3000)
        .await
        .unwrap();
    assert_eq!(
        copy_out(&client, "COPY customers_copy TO STDOUT").await,
        dumped
    );

    let (_postgres, pg_client) = postgres_with_crm_schema().await;
    pg_client
        .batch_execute("SET TIME ZONE 'UTC'")
        .await
        .unwrap();
    load_crm(&pg_client, &csv).await;
    for sql in COPY_OUTS {
        let ours = copy_out(&client, sql).await;
        let theirs = copy_out(&pg_client, sql).await;
        assert!(
            ours == theirs,
            "{sql}: crmdb and PostgreSQL differ;\n first difference at byte {} \
             ({} vs {} bytes)",
            ours.iter()
                .zip(&theirs)
                .position(|(a, b)| a != b)
                .unwrap_or(ours.len().min(theirs.len())),
            ours.len(),
            theirs.len()
        );
    }
}

/// A PostgreSQL 15 server with the CRM schema, and a client of it.
async fn postgres_with_crm_schema() -> (pg::PgServer, tokio_postgres::Client) {
    // Starting it blocks (it polls with the synchronous client).
    let postgres = tokio::task::spawn_blocking(pg::PgServer::start)
        .await
        .unwrap();
    let (client, connection) =
        tokio_postgres::connect(&postgres.connection_string(), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    client.batch_execute(&crm_schema()).await.unwrap();
    (postgres, client)
}

fn crm_schema() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("engine/schema/crm-schema.sql"),
    )
    .unwrap()
}

/// One customer row with the required columns, as CSV.
fn customer_line(id: &str, email: &str) -> String {
    format!("{id},Ada,Lovelace,{email},GB,lead,2024-01-02 03:04:05+00,2024-01-02 03:04:05+00\n")
}

const CUSTOMER_COLUMNS: &str =
    "id, first_name, last_name, email, country, lifecycle_stage, created_at, updated_at";

#[tokio::test]
async fn a_bad_row_loads_nothing_and_names_line_and_column_like_postgres() {
    let server = TestServer::start(&[]);
    let client = server.connect().await;
    let (_postgres, pg_client) = postgres_with_crm_schema().await;

    let sql = format!("COPY customers ({CUSTOMER_COLUMNS}) FROM STDIN WITH (FORMAT csv)");
    let cases = [
        // A value of the wrong type: line and column.
        [
            customer_line("1", "a@x.org"),
            customer_line("2", "b@x.org"),
            customer_line("three", "c@x.org"),
            customer_line("4", "d@x.org"),
        ]
        .concat(),
        // A missing column: the line.
        [customer_line("1", "a@x.org"), "2,Alan,Turing\n".into()].concat(),
        // Too many columns.
        [customer_line("1", "a@x.org"), "2,a,b,c,d,e,f,g,h\n".into()].concat(),
        // A duplicate email (UNIQUE), the second of the same load.
        [
            customer_line("1", "same@x.org"),
            customer_line("2", "same@x.org"),
        ]
        .concat(),
        // NOT NULL.
        "5,,Lovelace,e@x.org,GB,lead,2024-01-02 03:04:05+00,2024-01-02 03:04:05+00\n".into(),
        // A bad timestamp.
        "6,Ada,Lovelace,f@x.org,GB,lead,yesterday-ish,2024-01-02\n".into(),
    ];
    for input in &cases {
        let ours = copy_in(&client, &sql, input.as_bytes(), 10)
            .await
            .expect_err(input);
        let theirs = copy_in(&pg_client, &sql, input.as_bytes(), 10)
            .await
            .expect_err(input);
        let (o, t) = (ours.as_db_error().unwrap(), theirs.as_db_error().unwrap());
        assert_eq!((o.code(), o.message()), (t.code(), t.message()), "{input}");
        assert_eq!(o.where_(), t.where_(), "{input}");
        assert_eq!(count(&client, "customers").await, 0, "{input}");
        // The connection goes on.
        assert_eq!(count(&client, "customers").await, 0);
    }
    let e = copy_in(&client, &sql, cases[0].as_bytes(), 4096)
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
    assert_eq!(
        e.as_db_error().unwrap().where_(),
        Some("COPY customers, line 3, column id: \"three\"")
    );

    // In a transaction block a failed COPY fails the block; a good one
    // commits with it.
    client.batch_execute("BEGIN").await.unwrap();
    copy_in(&client, &sql, customer_line("7", "g@x.org").as_bytes(), 5)
        .await
        .unwrap();
    client.batch_execute("COMMIT").await.unwrap();
    assert_eq!(count(&client, "customers").await, 1);
    client.batch_execute("BEGIN").await.unwrap();
    copy_in(&client, &sql, b"x\n", 5).await.unwrap_err();
    let e = client.query("SELECT 1", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "25P02");
    client.batch_execute("ROLLBACK").await.unwrap();

    // A client that gives up mid-COPY (CopyFail) leaves nothing either.
    {
        let sink = client.copy_in::<_, Bytes>(sql.as_str()).await.unwrap();
        futures::pin_mut!(sink);
        sink.send(Bytes::from(customer_line("8", "h@x.org")))
            .await
            .unwrap();
        // Dropped without finish: tokio-postgres sends CopyFail.
    }
    assert_eq!(count(&client, "customers").await, 1);
}

fn psql(server: &TestServer, args: &[&str]) -> std::process::Output {
    server.psql(&[&["-v", "ON_ERROR_STOP=1"], args].concat())
}

#[tokio::test]
async fn psql_backslash_copy_in_and_out() {
    let server = TestServer::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let csv = crm_csv(120);
    let file = dir.path().join("customers.csv");
    std::fs::write(&file, &csv.customers).unwrap();

    let load = format!("\\copy customers from '{}' csv header", file.display());
    let out = psql(&server, &["-c", &load]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("COPY {}", csv.counts[0])
    );

    let dumped = dir.path().join("out.txt");
    let unload = format!(
        "\\copy (select id, first_name, company, lifetime_value from customers order by id) to '{}'",
        dumped.display()
    );
    let out = psql(&server, &["-c", &unload]);
    assert!(out.status.success(), "{out:?}");
    let client = server.connect().await;
    let expected = copy_out(
        &client,
        "COPY (select id, first_name, company, lifetime_value from customers order by id) TO STDOUT",
    )
    .await;
    assert_eq!(std::fs::read(&dumped).unwrap(), expected);
    assert_eq!(
        expected.iter().filter(|&&b| b == b'\n').count() as u64,
        csv.counts[0]
    );

    // A bad line through the simple protocol: nothing loaded, the line
    // named, and the session usable for the next command.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        [
            customer_line("9001", "p@x.org"),
            customer_line("9002", "q@x.org"),
            customer_line("9003", "r@x.org").replace(",GB,", ",GB,lead,extra,"),
        ]
        .concat(),
    )
    .unwrap();
    let load = format!(
        "\\copy customers ({CUSTOMER_COLUMNS}) from '{}' csv",
        bad.display()
    );
    let out = psql(
        &server,
        &[
            "-c",
            &load,
            "-c",
            "select count(*) from customers where id > 9000",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("extra data after last expected column")
            && stderr.contains("COPY customers, line 3"),
        "{stderr}"
    );
    let n = client
        .query_one("select count(*) from customers where id > 9000", &[])
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(n, 0);
}

/// A million-row COPY, streamed from the generator in 64 KiB CopyData
/// messages: how long it takes and how much memory the server needs.
/// Minutes in a debug build, so not part of the default run:
/// `cargo test --release --test copy -- --ignored --nocapture million`.
#[tokio::test]
#[ignore]
async fn a_million_row_copy_streams() {
    const ROWS: usize = 1_000_000;
    let g = Generator::new(GeneratorConfig::new(7, 120_000));
    let server = TestServer::start(&[]);
    let client = server.connect().await;
    let mut customers = Vec::new();
    write_csv(g.customers(), &mut customers, false).unwrap();
    copy_in(
        &client,
        "COPY customers FROM STDIN CSV",
        &customers,
        1 << 16,
    )
    .await
    .unwrap();
    drop(customers);
    let before = proc_memory(server.pid(), "VmHWM");

    let started = std::time::Instant::now();
    let sink = client
        .copy_in::<_, Bytes>("COPY interactions FROM STDIN CSV")
        .await
        .unwrap();
    futures::pin_mut!(sink);
    let mut rows = g.interactions().take(ROWS);
    let mut sent_bytes = 0usize;
    loop {
        let mut chunk = Vec::with_capacity(1 << 16);
        let n = write_csv(rows.by_ref().take(400), &mut chunk, false).unwrap();
        if n == 0 {
            break;
        }
        sent_bytes += chunk.len();
        sink.send(Bytes::from(chunk)).await.unwrap();
    }
    let loaded = sink.finish().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(loaded, ROWS as u64);
    let peak = proc_memory(server.pid(), "VmHWM");
    eprintln!(
        "COPY of {loaded} rows ({} MiB of CSV) in {elapsed:?}; server peak RSS {} MiB \
         before, {} MiB after",
        sent_bytes >> 20,
        before >> 20,
        peak >> 20
    );
    assert_eq!(count(&client, "interactions").await, ROWS as i64);
}
