//! Segment queries on crmdb and on PostgreSQL 15, side by side, on the same
//! generated data (run with `cargo bench --bench segments`; see
//! docs/benchmarks.md).
//!
//! The data: `CRMDB_BENCH_SCALE` × 1,000,000 customers (default 1) from the
//! client crate's generator (seed 42), with their ~10 interactions and ~4
//! transactions each. Both databases are loaded once, by COPY, and kept
//! under `<target>/bench-data/<size>-<seed>/` for later runs; delete that
//! directory to load again.
//!
//! crmdb runs in-process through its SQL session API; PostgreSQL runs as a
//! local server (as an unprivileged user when the bench runs as root) with
//! the btree indexes of [`PG_INDEXES`], vacuumed and analyzed, and is
//! queried through tokio-postgres over loopback TCP with prepared
//! statements. Before anything is timed, every query's result on crmdb must
//! equal PostgreSQL's, value for value. With `CRMDB_BENCH_LOAD_ONLY` set the
//! bench loads the data, reports index sizes and stops.
//!
//! `CRMDB_BENCH_LAYOUT=time` stores interactions and transactions in time
//! order instead (ids renumbered by `occurred_at`, as rows recorded when
//! they happen would be) rather than customer by customer, in its own data
//! directory: the same rows, each customer's scattered through the table.

#[path = "../tests/support/pg.rs"]
mod pg;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use crmdb_client::{CsvRow, Generator, GeneratorConfig, write_csv};
use crmdb_engine::sql::{Output, Session};
use crmdb_engine::types::format_value;
use crmdb_engine::{Database, Options};
use pg::PgServer;

const SEED: u64 = 42;
/// Bump when the loaded data or the PostgreSQL indexes change, so that
/// cached databases are not reused.
const DATA_VERSION: u32 = 1;
/// Customers per COPY statement when loading crmdb (each one transaction).
const CUSTOMERS_PER_COPY: i64 = 20_000;

/// The segment of the 5-predicate queries.
const SEGMENT: &str = "country IN ('DE', 'AT') AND lifecycle_stage = 'customer' AND email_opt_in \
     AND lifetime_value BETWEEN 500 AND 5000 \
     AND created_at >= '2023-01-01 00:00:00+00' AND created_at < '2025-07-01 00:00:00+00'";

/// The queries, by name. The data ends at 2026-01-01, so "the last 90 days"
/// start on 2025-10-03.
fn queries() -> Vec<(&'static str, String)> {
    vec![
        (
            "segment_count",
            format!("SELECT count(*) FROM customers WHERE {SEGMENT}"),
        ),
        (
            "segment_listing",
            format!(
                "SELECT id, first_name, last_name, email, lifetime_value FROM customers \
                 WHERE {SEGMENT} ORDER BY lifetime_value DESC, id LIMIT 50"
            ),
        ),
        (
            "behavioral_segment",
            "SELECT count(*) FROM customers c \
             WHERE c.country IN ('DE', 'AT') AND c.lifecycle_stage = 'customer' \
             AND c.email_opt_in AND c.lifetime_value BETWEEN 500 AND 5000 \
             AND c.id IN (SELECT customer_id FROM transactions \
                 WHERE category = 'shoes' AND status = 'paid' \
                 AND occurred_at >= '2025-10-03 00:00:00+00') \
             AND NOT EXISTS (SELECT 1 FROM interactions i \
                 WHERE i.customer_id = c.id AND i.kind = 'support_ticket' \
                 AND i.occurred_at >= '2025-10-03 00:00:00+00')"
                .to_owned(),
        ),
        (
            "counts_per_country",
            "SELECT country, count(*) FROM customers GROUP BY country ORDER BY country".to_owned(),
        ),
    ]
}

/// The indexes a DBA would give PostgreSQL for these queries: the segment
/// columns together (with the listing's and the count's other columns
/// included, for index-only scans), the foreign keys, and the behavioral
/// filters with the customer id included.
const PG_INDEXES: &str = "
    CREATE INDEX customers_segment ON customers (country, lifecycle_stage, created_at)
        INCLUDE (email_opt_in, lifetime_value);
    CREATE INDEX customers_lifetime_value ON customers (lifetime_value);
    CREATE INDEX interactions_customer ON interactions (customer_id, occurred_at);
    CREATE INDEX interactions_kind ON interactions (kind, occurred_at) INCLUDE (customer_id);
    CREATE INDEX transactions_customer ON transactions (customer_id, occurred_at);
    CREATE INDEX transactions_category ON transactions (category, occurred_at)
        INCLUDE (status, customer_id);
";

/// PostgreSQL settings for a machine with RAM to spare and an SSD.
const PG_SETTINGS: &[&str] = &[
    "shared_buffers=2GB",
    "work_mem=64MB",
    "maintenance_work_mem=1GB",
    "effective_cache_size=8GB",
    "random_page_cost=1.1",
    "max_wal_size=8GB",
];

fn customers() -> u64 {
    let scale: f64 = std::env::var("CRMDB_BENCH_SCALE")
        .ok()
        .map(|s| s.parse().expect("CRMDB_BENCH_SCALE is a number"))
        .unwrap_or(1.0);
    ((1_000_000.0 * scale) as u64).max(100)
}

/// Whether interactions and transactions are stored in time order
/// (`CRMDB_BENCH_LAYOUT=time`) rather than customer by customer.
fn time_ordered() -> bool {
    match std::env::var("CRMDB_BENCH_LAYOUT").as_deref() {
        Ok("time") => true,
        Ok("customer") | Err(_) => false,
        Ok(other) => panic!("CRMDB_BENCH_LAYOUT is customer or time, not {other}"),
    }
}

fn data_dir(customers: u64) -> PathBuf {
    let layout = if time_ordered() { "-time" } else { "" };
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target directory")
        .join("bench-data")
        .join(format!("c{customers}-seed{SEED}-v{DATA_VERSION}{layout}"))
}

/// Rows per COPY of a table in time order.
const ROWS_PER_COPY: usize = 200_000;

/// `rows` sorted by `order` and renumbered from 1 in that order by
/// `set_id`, as COPY inputs of [`ROWS_PER_COPY`] rows.
fn time_ordered_chunks<R: CsvRow + Clone, K: Ord>(
    mut rows: Vec<R>,
    order: impl Fn(&R) -> K,
    set_id: impl Fn(&mut R, i64),
) -> Box<dyn Iterator<Item = Vec<u8>>> {
    rows.sort_by_key(|r| order(r));
    for (i, r) in rows.iter_mut().enumerate() {
        set_id(r, i as i64 + 1);
    }
    let chunks: Vec<Vec<u8>> = rows
        .chunks(ROWS_PER_COPY)
        .map(|c| csv(c.iter().cloned()))
        .collect();
    Box::new(chunks.into_iter())
}

/// `table`'s rows as COPY inputs, each one statement's worth: customer by
/// customer, or (interactions and transactions, with
/// `CRMDB_BENCH_LAYOUT=time`) all of them sorted by `occurred_at` and
/// renumbered in that order.
fn copy_chunks<'g>(
    generator: &'g Generator,
    table: &str,
) -> Box<dyn Iterator<Item = Vec<u8>> + 'g> {
    let last = generator.config().customers as i64;
    let ranges = (1..=last)
        .step_by(CUSTOMERS_PER_COPY as usize)
        .map(move |first| first..=(first + CUSTOMERS_PER_COPY - 1).min(last));
    match (table, time_ordered()) {
        ("customers", _) => Box::new(ranges.map(|ids| csv(generator.customers_in(ids)))),
        ("interactions", false) => Box::new(ranges.map(|ids| csv(generator.interactions_in(ids)))),
        ("interactions", true) => {
            let rows = generator.interactions_in(1..=last).collect();
            time_ordered_chunks(rows, |r| (r.occurred_at, r.id), |r, id| r.id = id)
        }
        ("transactions", false) => Box::new(ranges.map(|ids| csv(generator.transactions_in(ids)))),
        ("transactions", true) => {
            let rows = generator.transactions_in(1..=last).collect();
            time_ordered_chunks(rows, |r| (r.occurred_at, r.id), |r, id| r.id = id)
        }
        (other, _) => panic!("no such table {other}"),
    }
}

/// COPY's input for `rows`, as CSV without a header.
fn csv<R: CsvRow>(rows: impl Iterator<Item = R>) -> Vec<u8> {
    let mut out = Vec::new();
    write_csv(rows, &mut out, false).expect("CSV into memory");
    out
}

fn schema() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("engine/schema/crm-schema.sql"),
    )
    .expect("schema")
}

fn crmdb_copy(session: &mut Session, table: &str, data: &[u8]) {
    let sql = format!("COPY {table} FROM STDIN WITH (FORMAT csv)");
    let stmt = session.parse(&sql).expect("parse").remove(0);
    match session.execute(&stmt, &[]) {
        Ok(Output::CopyIn { .. }) => {}
        other => panic!("{sql}: {other:?}"),
    }
    for chunk in data.chunks(1 << 20) {
        session.copy_data(chunk).expect("COPY data");
    }
    session.copy_done().expect("COPY done");
}

/// Opens crmdb's copy of the data, loading it first if needed.
fn crmdb_database(generator: &Generator, dir: &Path) -> Arc<Database> {
    let path = dir.join("crmdb");
    let loaded = dir.join("crmdb.loaded");
    if !loaded.exists() {
        let _ = std::fs::remove_dir_all(&path);
        let started = Instant::now();
        let db = Arc::new(Database::open(&path).expect("open crmdb"));
        let mut session = Session::new(db.clone());
        for table in ["customers", "interactions", "transactions"] {
            for data in copy_chunks(generator, table) {
                crmdb_copy(&mut session, table, &data);
            }
            eprintln!("crmdb: {table} loaded after {:?}", started.elapsed());
        }
        drop(session);
        db.checkpoint().expect("checkpoint");
        for table in ["customers", "interactions", "transactions"] {
            db.compact(table).expect("compact");
        }
        eprintln!(
            "crmdb: checkpointed and compacted after {:?}",
            started.elapsed()
        );
        drop(db);
        std::fs::write(&loaded, b"").expect("marker");
    }
    let options = Options {
        background_checkpoints: false,
        ..Options::default()
    };
    let vfs = Arc::new(crmdb_engine::vfs::DiskVfs::new(&path).expect("vfs"));
    Arc::new(Database::open_with(vfs, options).expect("open crmdb"))
}

/// Starts PostgreSQL on its copy of the data, loading it first if needed.
fn postgres_server(generator: &Generator, dir: &Path) -> PgServer {
    let root = dir.join("postgres");
    let loaded = dir.join("postgres.loaded");
    if !loaded.exists() {
        let _ = std::fs::remove_dir_all(&root);
    }
    let server = PgServer::start_at(&root, PG_SETTINGS);
    if !loaded.exists() {
        let started = Instant::now();
        let mut client = server.connect();
        client.batch_execute(&schema()).expect("schema");
        let mut copy = |table: &str, rows: &mut dyn Iterator<Item = Vec<u8>>| {
            let mut writer = client
                .copy_in(&format!("COPY {table} FROM STDIN WITH (FORMAT csv)"))
                .expect("COPY");
            for chunk in rows {
                writer.write_all(&chunk).expect("COPY data");
            }
            writer.finish().expect("COPY done");
            eprintln!("postgres: {table} loaded after {:?}", started.elapsed());
        };
        for table in ["customers", "interactions", "transactions"] {
            copy(table, &mut copy_chunks(generator, table));
        }
        client.batch_execute(PG_INDEXES).expect("indexes");
        for sql in ["VACUUM ANALYZE", "CHECKPOINT"] {
            client.batch_execute(sql).expect(sql);
        }
        eprintln!(
            "postgres: indexed, vacuumed and analyzed after {:?}",
            started.elapsed()
        );
        std::fs::write(&loaded, b"").expect("marker");
    }
    server
}

/// A query's rows as PostgreSQL's text, from crmdb.
fn crmdb_text(session: &mut Session, sql: &str) -> Vec<Vec<Option<String>>> {
    let stmt = session.parse(sql).expect("parse").remove(0);
    let Output::Rows { rows, .. } = session.execute(&stmt, &[]).expect("query") else {
        panic!("{sql}: no rows");
    };
    let tz = session.time_zone().clone();
    rows.map(|r| {
        r.expect("row")
            .iter()
            .map(|v| format_value(v, &tz))
            .collect()
    })
    .collect()
}

/// A query's rows as text, from PostgreSQL.
fn pg_text(client: &mut postgres::Client, sql: &str) -> Vec<Vec<Option<String>>> {
    client
        .simple_query(sql)
        .expect("query")
        .into_iter()
        .filter_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
            }
            _ => None,
        })
        .collect()
}

/// Index bytes per row: crmdb's bitmaps and BSIs, PostgreSQL's btrees
/// (the primary keys' and the others).
fn report_index_sizes(db: &Database, pg: &mut postgres::Client) {
    let snapshot = db.snapshot();
    for table in ["customers", "interactions", "transactions"] {
        let view = snapshot.table(table).expect("table");
        let rows = view.row_count().max(1);
        let mut pg_size = |filter: &str| -> i64 {
            pg.query_one(
                &format!(
                    "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0)::bigint FROM pg_index \
                     WHERE indrelid = '{table}'::regclass AND {filter}"
                ),
                &[],
            )
            .expect("index sizes")
            .get(0)
        };
        let (pkey, others) = (pg_size("indisprimary"), pg_size("NOT indisprimary"));
        eprintln!(
            "index size {table}: {rows} rows in {} segment(s); crmdb bitmaps+BSI {} bytes \
             ({:.1} B/row); PostgreSQL primary key {} bytes ({:.1} B/row), other btrees {} bytes \
             ({:.1} B/row)",
            view.segment_count(),
            view.index_bytes(),
            view.index_bytes() as f64 / rows as f64,
            pkey,
            pkey as f64 / rows as f64,
            others,
            others as f64 / rows as f64,
        );
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let customers = customers();
    let generator = Generator::new(GeneratorConfig::new(SEED, customers));
    let dir = data_dir(customers);
    std::fs::create_dir_all(&dir).expect("bench data directory");
    eprintln!("bench data: {}", dir.display());

    let server = postgres_server(&generator, &dir);
    let db = crmdb_database(&generator, &dir);
    let mut session = Session::new(db.clone());
    let mut pg = server.connect();
    report_index_sizes(&db, &mut pg);
    if std::env::var_os("CRMDB_BENCH_LOAD_ONLY").is_some() {
        return;
    }

    // The same answers first.
    let queries = queries();
    for (name, sql) in &queries {
        let ours = crmdb_text(&mut session, sql);
        let theirs = pg_text(&mut pg, sql);
        assert_eq!(ours, theirs, "{name}: crmdb and PostgreSQL disagree\n{sql}");
        eprintln!(
            "{name}: same {} row(s) on both; first: {:?}",
            ours.len(),
            ours.first()
        );
        let plan = pg_text(&mut pg, &format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"));
        let plan: Vec<String> = plan.into_iter().filter_map(|r| r[0].clone()).collect();
        eprintln!("PostgreSQL plan of {name}:\n{}", plan.join("\n"));
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let client = runtime.block_on(async {
        let (client, connection) =
            tokio_postgres::connect(&server.connection_string(), tokio_postgres::NoTls)
                .await
                .expect("connect");
        tokio::spawn(connection);
        client
    });

    let mut group = criterion.benchmark_group("segments");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    for (name, sql) in &queries {
        let stmt = session.parse(sql).expect("parse").remove(0);
        group.bench_function(BenchmarkId::new("crmdb", name), |b| {
            b.iter(|| {
                let Output::Rows { rows, .. } = session.execute(&stmt, &[]).expect("query") else {
                    panic!("no rows");
                };
                let mut n = 0usize;
                for row in rows {
                    row.expect("row");
                    n += 1;
                }
                n
            })
        });
        let prepared = runtime.block_on(client.prepare(sql)).expect("prepare");
        group.bench_function(BenchmarkId::new("postgres", name), |b| {
            b.iter(|| {
                runtime
                    .block_on(client.query(&prepared, &[]))
                    .expect("query")
                    .len()
            })
        });
    }
    group.finish();
    criterion.final_summary();
}
