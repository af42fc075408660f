//! Criterion benchmarks of the storage engine (run with `cargo bench --bench engine`).
//!
//! - `wal_commit`: a log append followed by waiting for its fsync, one
//!   committer alone versus 16 committing at once (group commit shares the
//!   fsyncs among them);
//! - `segment_write`: writing 100,000 customer-shaped rows as one segment;
//! - `column_scan`: a full scan of a 1,000,000-row BIGINT column;
//! - `recovery`: opening a data directory whose log holds 1,000,000 commit
//!   records.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use crmdb_engine::catalog::Catalog;
use crmdb_engine::record::{CommitRecord, Op};
use crmdb_engine::segment::{Segment, write_segment};
use crmdb_engine::snapshot::primary_key_of_row;
use crmdb_engine::sql::ddl::parse_create_tables;
use crmdb_engine::vfs::{DiskVfs, Vfs};
use crmdb_engine::wal::{Wal, WalConfig};
use crmdb_engine::{DataType, Database, Numeric, Options, Row, Value};

fn wal_commit(c: &mut Criterion) {
    let mut group = c.benchmark_group("wal_commit");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(1));
    let payload = vec![7u8; 200];
    for committers in [1usize, 16] {
        let dir = tempfile::tempdir().unwrap();
        let vfs: Arc<dyn Vfs> = Arc::new(DiskVfs::new(dir.path()).unwrap());
        let wal = Arc::new(Wal::open(vfs, 0, WalConfig::default(), &mut |_, _| Ok(())).unwrap());
        group.bench_function(BenchmarkId::new("committers", committers), |b| {
            b.iter_custom(|iters| {
                let per_thread = iters.div_ceil(committers as u64);
                let start = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..committers {
                        let wal = wal.clone();
                        let payload = &payload;
                        s.spawn(move || {
                            for _ in 0..per_thread {
                                let lsn = wal.append(payload).unwrap();
                                wal.wait_durable(lsn).unwrap();
                            }
                        });
                    }
                });
                // Time per commit: all committers' commits over the wall time.
                start
                    .elapsed()
                    .mul_f64(iters as f64 / (per_thread * committers as u64) as f64)
            })
        });
    }
    group.finish();
}

fn customer_columns() -> (Vec<DataType>, crmdb_engine::catalog::TableDef) {
    let def = parse_create_tables(
        crmdb_engine::sql::ddl::CANONICAL_SCHEMA,
        &Catalog::default(),
    )
    .unwrap()
    .remove(0);
    (def.column_types(), def)
}

/// A customer-shaped row: low-cardinality text, numbers, dates, times.
fn customer_row(i: i64) -> Vec<Value> {
    const COUNTRIES: [&str; 8] = ["DE", "AT", "FR", "US", "GB", "NL", "ES", "IT"];
    const STAGES: [&str; 4] = ["lead", "prospect", "customer", "churned"];
    let t = Value::TimestampTz(700_000_000_000_000 + i * 1_000_000);
    vec![
        Value::BigInt(i),
        Value::Text(format!("ext-{i}")),
        Value::Text(format!("First{}", i % 500)),
        Value::Text(format!("Last{}", i % 2000)),
        Value::Text(format!("user{i}@example.com")),
        Value::Null,
        Value::Text(format!("Company {}", i % 5000)),
        Value::Text(COUNTRIES[(i % 8) as usize].into()),
        Value::Text(format!("City {}", i % 300)),
        Value::Text(STAGES[(i % 4) as usize].into()),
        Value::Text("web".into()),
        Value::Text("email".into()),
        Value::Boolean(i % 3 == 0),
        Value::Boolean(i % 5 == 0),
        Value::Date(-3000 + (i % 20000) as i32),
        Value::Numeric(Numeric::new(i128::from(i % 1_000_000), 2).unwrap()),
        t.clone(),
        t,
    ]
}

fn segment_write(c: &mut Criterion) {
    let (types, def) = customer_columns();
    const ROWS: i64 = 100_000;
    let rows: Vec<(Vec<u8>, Row)> = (0..ROWS)
        .map(|i| {
            let row: Row = customer_row(i).into();
            (primary_key_of_row(&def, &row).to_vec(), row)
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let vfs = DiskVfs::new(dir.path()).unwrap();
    let mut group = c.benchmark_group("segment_write");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("customers_100k", |b| {
        b.iter(|| {
            let mut it = rows.iter().cloned();
            write_segment(&vfs, "seg-bench.cseg", &types, &[], &mut it).unwrap()
        })
    });
    group.finish();
}

fn column_scan(c: &mut Criterion) {
    const ROWS: i64 = 1_000_000;
    let types = [DataType::BigInt, DataType::BigInt];
    let dir = tempfile::tempdir().unwrap();
    let vfs = DiskVfs::new(dir.path()).unwrap();
    let mut rows = (0..ROWS).map(|i| {
        let row: Row = vec![Value::BigInt(i), Value::BigInt(i * 7 % 1000)].into();
        let mut key = Vec::new();
        crmdb_engine::row::encode_key(&[&row[0]], &mut key);
        (key, row)
    });
    write_segment(&vfs, "seg-scan.cseg", &types, &[], &mut rows).unwrap();
    let segment = Segment::open(&vfs, "seg-scan.cseg").unwrap();
    let mut group = c.benchmark_group("column_scan");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("bigint_1m_sum", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            segment.scan_column(1, &mut |_, v| {
                if let Value::BigInt(x) = v {
                    sum += x;
                }
            });
            sum
        })
    });
    group.finish();
}

fn recovery(c: &mut Criterion) {
    const RECORDS: i64 = 1_000_000;
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        background_checkpoints: false,
        canonical_schema: false,
        ..Options::default()
    };
    let vfs: Arc<dyn Vfs> = Arc::new(DiskVfs::new(dir.path()).unwrap());
    {
        let db = Database::open_with(vfs.clone(), options.clone()).unwrap();
        let mut txn = db.begin();
        let def = parse_create_tables(
            "CREATE TABLE events (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, kind TEXT)",
            txn.catalog(),
        )
        .unwrap()
        .remove(0);
        txn.create_table(def).unwrap();
        txn.commit().unwrap();
    }
    {
        let table = 0;
        let mut seq = 0;
        let wal = Wal::open(vfs.clone(), 0, WalConfig::default(), &mut |_, p| {
            seq = CommitRecord::decode(p).unwrap().seq;
            Ok(())
        })
        .unwrap();
        let mut last = 0;
        for i in 0..RECORDS {
            let row: Row = vec![
                Value::BigInt(i),
                Value::BigInt(i % 1000),
                Value::Text("email".into()),
            ]
            .into();
            let mut key = Vec::new();
            crmdb_engine::row::encode_key(&[&row[0]], &mut key);
            let record = CommitRecord {
                seq: seq + 1 + i as u64,
                ops: vec![Op::Insert {
                    table,
                    key: key.into(),
                    row,
                }],
            };
            last = wal.append(&record.encode()).unwrap();
        }
        wal.wait_durable(last).unwrap();
    }
    let mut group = c.benchmark_group("recovery");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("replay_1m_records", |b| {
        b.iter(|| {
            let db = Database::open_with(vfs.clone(), options.clone()).unwrap();
            assert_eq!(
                db.snapshot().table("events").unwrap().row_count(),
                RECORDS as u64
            );
        })
    });
    group.finish();
}

criterion_group!(benches, wal_commit, segment_write, column_scan, recovery);
criterion_main!(benches);
