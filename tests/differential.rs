//! The differential suite: the same queries on crmdb and on a real
//! PostgreSQL 15, on the same generated CRM data, compared row for row.
//!
//! - Data: the client crate's generator (fixed seed, 2,000 customers, about
//!   20k interactions and 8k transactions), loaded into PostgreSQL with COPY
//!   and into crmdb through INSERTs, then `tests/differential/setup.sql`
//!   (hand-made edge rows: NULLs everywhere, ties, extreme values) run on
//!   both.
//! - Queries: every `tests/differential/*.sql` file except setup.sql, one
//!   query per statement, plus seeded random queries (`random.rs`).
//! - Comparison: both sides in PostgreSQL's text format (crmdb through
//!   `format_value`, PostgreSQL through the simple query protocol); the
//!   column names, the column count, then the rows — in order when the
//!   query has a top-level ORDER BY, else as multisets. Where PostgreSQL
//!   fails, crmdb must fail with the same SQLSTATE.
//!
//! Every mismatch is collected and printed; the test fails with their count.
//! `DIFF_FILTER=substring` runs only the files whose name contains it,
//! `DIFF_RANDOM=n` sets the number of random queries, `DIFF_VERBOSE=1`
//! prints what PostgreSQL gave for each statement.

#[path = "support/pg.rs"]
mod pg;
#[path = "differential/random.rs"]
mod random;
#[path = "differential/sqlfile.rs"]
mod sqlfile;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crmdb_client::{CsvRow, Generator, GeneratorConfig, insert_statement, push_sql_literal};
use crmdb_engine::sql::{Output, Session};
use crmdb_engine::types::format_value;
use crmdb_engine::{Database, Options};
use postgres::SimpleQueryMessage;

use pg::PgServer;
use random::{RandomQueries, Samples};
use sqlfile::SqlStatement;

const SEED: u64 = 20_240_229;
const CUSTOMERS: u64 = 2_000;
const RANDOM_SEED: u64 = 7;
const RANDOM_QUERIES: usize = 400;

/// What a statement gave.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Rows {
        columns: Vec<String>,
        rows: Vec<Vec<Option<String>>>,
    },
    /// A statement without rows, and the count its tag reports (rows
    /// inserted, updated, deleted; 0 for BEGIN, SET…).
    Command(u64),
    Error {
        code: String,
        message: String,
    },
}

fn crmdb_run(session: &mut Session, sql: &str) -> Outcome {
    let err = |e: crmdb_engine::sql::SqlError| Outcome::Error {
        code: e.code.to_string(),
        message: e.message.clone(),
    };
    let stmts = match session.parse(sql) {
        Ok(s) => s,
        Err(e) => return err(e),
    };
    let mut last = Outcome::Command(0);
    for stmt in stmts {
        last = match session.execute(&stmt, &[]) {
            Err(e) => return err(e),
            Ok(Output::Rows { columns, rows, .. }) => {
                let mut out = Vec::new();
                for row in rows {
                    match row {
                        Ok(row) => out.push(
                            row.iter()
                                .map(|v| format_value(v, session.time_zone()))
                                .collect(),
                        ),
                        Err(e) => return err(e),
                    }
                }
                Outcome::Rows {
                    columns: columns.iter().map(|c| c.name.clone()).collect(),
                    rows: out,
                }
            }
            Ok(Output::Command { tag }) => Outcome::Command(
                tag.rsplit(' ')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0),
            ),
            Ok(Output::Empty) => Outcome::Command(0),
            Ok(Output::CopyIn { .. } | Output::CopyOut { .. }) => {
                panic!("COPY is compared with PostgreSQL in tests/copy.rs: {sql}")
            }
        };
    }
    last
}

fn pg_run(client: &mut postgres::Client, sql: &str) -> Outcome {
    match client.simple_query(sql) {
        Err(e) => Outcome::Error {
            code: e
                .code()
                .map(|c| c.code().to_owned())
                .unwrap_or_else(|| "?????".into()),
            message: e
                .as_db_error()
                .map(|d| d.message().to_owned())
                .unwrap_or_else(|| e.to_string()),
        },
        Ok(messages) => {
            let mut columns = None;
            let mut rows = Vec::new();
            let mut count = 0;
            for m in messages {
                match m {
                    SimpleQueryMessage::CommandComplete(n) => count = n,
                    SimpleQueryMessage::RowDescription(cols) => {
                        columns = Some(cols.iter().map(|c| c.name().to_owned()).collect());
                    }
                    SimpleQueryMessage::Row(r) => {
                        rows.push((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
                    }
                    _ => {}
                }
            }
            match columns {
                Some(columns) => Outcome::Rows { columns, rows },
                None => Outcome::Command(count),
            }
        }
    }
}

/// Both databases, loaded.
struct Pair {
    _pg: PgServer,
    pg: postgres::Client,
    _dir: tempfile::TempDir,
    crmdb: Session,
}

impl Pair {
    /// Runs `sql` on both sides where both must succeed (setup).
    fn both(&mut self, origin: &str, sql: &str) {
        let p = pg_run(&mut self.pg, sql);
        let c = crmdb_run(&mut self.crmdb, sql);
        assert!(
            !matches!(p, Outcome::Error { .. }) && !matches!(c, Outcome::Error { .. }),
            "{origin}: setup statement failed\n{sql}\nPostgreSQL: {p:?}\ncrmdb: {c:?}"
        );
    }
}

fn load(samples: &mut Samples) -> Pair {
    let started = Instant::now();
    let server = PgServer::start();
    let mut pg = server.connect();
    let schema = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("engine/schema/crm-schema.sql"),
    )
    .expect("schema");
    pg.batch_execute(&schema).expect("schema on PostgreSQL");
    eprintln!("differential: PostgreSQL up in {:?}", started.elapsed());

    let dir = tempfile::tempdir().expect("temp dir");
    let vfs = Arc::new(crmdb_engine::vfs::DiskVfs::new(dir.path()).expect("vfs"));
    let db = Database::open_with(
        vfs,
        Options {
            background_checkpoints: false,
            ..Options::default()
        },
    )
    .expect("open crmdb");
    let db = Arc::new(db);
    let crmdb = Session::new(db.clone());
    let mut pair = Pair {
        _pg: server,
        pg,
        _dir: dir,
        crmdb,
    };

    let generator = Generator::new(GeneratorConfig::new(SEED, CUSTOMERS));
    let started = Instant::now();
    let n = load_table(&mut pair, generator.customers(), samples);
    let m = load_table(&mut pair, generator.interactions(), samples);
    let k = load_table(&mut pair, generator.transactions(), samples);
    eprintln!(
        "differential: loaded {n} customers, {m} interactions, {k} transactions in {:?}",
        started.elapsed()
    );
    // The generated rows go to segments; the hand-made ones stay in the
    // memtables, so that queries read both.
    db.checkpoint().expect("checkpoint");
    let setup = query_dir().join("setup.sql");
    let text = std::fs::read_to_string(&setup).expect("setup.sql");
    for stmt in sqlfile::split("setup.sql", &text) {
        pair.both(&stmt.origin, &stmt.sql);
    }
    pair.pg.batch_execute("ANALYZE").expect("analyze");
    pair
}

fn load_table<R: CsvRow>(
    pair: &mut Pair,
    rows: impl Iterator<Item = R>,
    samples: &mut Samples,
) -> u64 {
    let columns = R::COLUMNS.join(", ");
    let mut copy = pair
        .pg
        .copy_in(&format!(
            "COPY {} ({columns}) FROM STDIN WITH (FORMAT csv)",
            R::TABLE
        ))
        .expect("COPY");
    let mut batch: Vec<R> = Vec::new();
    let mut bytes = 0;
    let mut count = 0u64;
    let flush = |batch: &mut Vec<R>, crmdb: &mut Session| {
        if let Some(sql) = insert_statement(batch.iter()) {
            match crmdb_run(crmdb, &sql) {
                Outcome::Error { code, message } => {
                    panic!("loading {} into crmdb: {code} {message}", R::TABLE)
                }
                _ => batch.clear(),
            }
        }
    };
    for row in rows {
        let mut line = Vec::new();
        row.write_csv(&mut line).expect("csv");
        copy.write_all(&line).expect("COPY data");
        if count.is_multiple_of(7) {
            for (name, v) in R::COLUMNS.iter().zip(row.values()) {
                let mut lit = String::new();
                push_sql_literal(v, &mut lit);
                if lit != "NULL" {
                    samples.add(R::TABLE, name, lit);
                }
            }
        }
        bytes += line.len() * 2;
        batch.push(row);
        count += 1;
        if batch.len() >= 400 || bytes > 256 * 1024 {
            flush(&mut batch, &mut pair.crmdb);
            bytes = 0;
        }
    }
    flush(&mut batch, &mut pair.crmdb);
    copy.finish().expect("COPY finish");
    count
}

fn query_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential")
}

/// A difference between the two sides.
struct Mismatch {
    origin: String,
    sql: String,
    what: String,
}

fn show_rows(rows: &[Vec<Option<String>>], from: usize, n: usize) -> String {
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate().skip(from).take(n) {
        let cells: Vec<String> = r
            .iter()
            .map(|v| match v {
                None => "NULL".into(),
                Some(v) => format!("{v:?}"),
            })
            .collect();
        let _ = writeln!(s, "      [{i}] {}", cells.join(" | "));
    }
    if rows.len() > from + n {
        let _ = writeln!(s, "      … {} rows in all", rows.len());
    }
    s
}

/// None when they agree; else what differs.
fn compare(expected: &Outcome, got: &Outcome, ordered: bool, names: bool) -> Option<String> {
    use Outcome as O;
    match (expected, got) {
        (O::Error { code: a, .. }, O::Error { code: b, .. }) if a == b => None,
        (O::Command(a), O::Command(b)) if a == b => None,
        (O::Command(a), O::Command(b)) => Some(format!(
            "command tags differ: PostgreSQL affected {a} rows, crmdb {b}"
        )),
        (
            O::Rows {
                columns: ca,
                rows: ra,
            },
            O::Rows {
                columns: cb,
                rows: rb,
            },
        ) => {
            if ca.len() != cb.len() {
                return Some(format!(
                    "column count: PostgreSQL {} {ca:?}, crmdb {} {cb:?}",
                    ca.len(),
                    cb.len()
                ));
            }
            if names && ca != cb {
                return Some(format!("column names: PostgreSQL {ca:?}, crmdb {cb:?}"));
            }
            let (mut a, mut b) = (ra.clone(), rb.clone());
            let mut how = "in order";
            if !ordered {
                a.sort();
                b.sort();
                how = "as sorted multisets";
            } else if a != b {
                let (mut sa, mut sb) = (a.clone(), b.clone());
                sa.sort();
                sb.sort();
                if sa == sb {
                    how = "in order (the same rows, in another order)";
                }
            }
            if a == b {
                return None;
            }
            let first = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
            let from = first.saturating_sub(1);
            Some(format!(
                "rows differ {how}: PostgreSQL {} rows, crmdb {}; first difference at row {first}\n    PostgreSQL:\n{}    crmdb:\n{}",
                a.len(),
                b.len(),
                show_rows(&a, from, 5),
                show_rows(&b, from, 5)
            ))
        }
        (O::Error { code, message }, other) => Some(format!(
            "PostgreSQL failed with {code} ({message}); crmdb gave {}",
            brief(other)
        )),
        (other, O::Error { code, message }) => Some(format!(
            "crmdb failed with {code} ({message}); PostgreSQL gave {}",
            brief(other)
        )),
        (a, b) => Some(format!("PostgreSQL gave {}, crmdb {}", brief(a), brief(b))),
    }
}

fn brief(o: &Outcome) -> String {
    match o {
        Outcome::Rows { columns, rows } => {
            format!(
                "{} rows of {columns:?}\n{}",
                rows.len(),
                show_rows(rows, 0, 3)
            )
        }
        Outcome::Command(n) => format!("a command result ({n} rows)"),
        Outcome::Error { code, message } => format!("error {code} ({message})"),
    }
}

struct Stats {
    queries: usize,
    rows: usize,
    errors: usize,
    /// Time spent in PostgreSQL and in crmdb.
    pg_time: Duration,
    crmdb_time: Duration,
    /// The slowest queries on crmdb: (time, origin).
    slowest: Vec<(Duration, String)>,
}

fn check(
    pair: &mut Pair,
    stmt: &SqlStatement,
    names: bool,
    stats: &mut Stats,
    mismatches: &mut Vec<Mismatch>,
) {
    let t0 = Instant::now();
    let expected = pg_run(&mut pair.pg, &stmt.sql);
    let t1 = Instant::now();
    let got = crmdb_run(&mut pair.crmdb, &stmt.sql);
    let crmdb_time = t1.elapsed();
    stats.pg_time += t1 - t0;
    stats.crmdb_time += crmdb_time;
    stats.slowest.push((crmdb_time, stmt.origin.clone()));
    stats.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    stats.slowest.truncate(5);
    stats.queries += 1;
    match &expected {
        Outcome::Rows { rows, .. } => stats.rows += rows.len(),
        Outcome::Error { .. } => stats.errors += 1,
        Outcome::Command(_) => {}
    }
    if std::env::var_os("DIFF_VERBOSE").is_some() {
        eprintln!("{}: {}", stmt.origin, brief(&expected));
    }
    let ordered = sqlfile::has_top_level_order_by(&stmt.sql);
    if let Some(what) = compare(&expected, &got, ordered, names) {
        mismatches.push(Mismatch {
            origin: stmt.origin.clone(),
            sql: stmt.sql.clone(),
            what,
        });
    }
}

#[test]
fn crmdb_matches_postgresql() {
    let started = Instant::now();
    let mut samples = Samples::default();
    let mut pair = load(&mut samples);
    let loaded = started.elapsed();

    let filter = std::env::var("DIFF_FILTER").ok();
    let mut files: Vec<PathBuf> = std::fs::read_dir(query_dir())
        .expect("tests/differential")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .filter(|p| !p.ends_with("setup.sql"))
        .filter(|p| {
            filter
                .as_deref()
                .is_none_or(|f| p.file_name().unwrap().to_string_lossy().contains(f))
        })
        .collect();
    files.sort();

    let mut mismatches = Vec::new();
    let mut stats = Stats {
        queries: 0,
        rows: 0,
        errors: 0,
        pg_time: Duration::ZERO,
        crmdb_time: Duration::ZERO,
        slowest: Vec::new(),
    };
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).expect("query file");
        // Each file starts in a fresh session state.
        pair.both(&name, "SET TimeZone = 'UTC'");
        for stmt in sqlfile::split(&name, &text) {
            check(&mut pair, &stmt, true, &mut stats, &mut mismatches);
        }
    }
    let hand_written = stats.queries;

    let n_random = std::env::var("DIFF_RANDOM")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if filter.is_some() { 0 } else { RANDOM_QUERIES });
    pair.both("random", "SET TimeZone = 'UTC'");
    let mut generator = RandomQueries::new(RANDOM_SEED, &samples);
    for i in 0..n_random {
        let stmt = SqlStatement {
            origin: format!("random #{i} (seed {RANDOM_SEED})"),
            sql: generator.query(),
        };
        check(&mut pair, &stmt, true, &mut stats, &mut mismatches);
    }

    for m in &mismatches {
        eprintln!("\nMISMATCH at {}\n  {}\n  {}", m.origin, m.sql, m.what);
    }
    eprintln!(
        "\ndifferential: {} queries ({hand_written} hand-written in {} files, {n_random} random), \
         {} rows and {} errors from PostgreSQL compared; load {:?}, total {:?} \
         (queries: PostgreSQL {:?}, crmdb {:?}; slowest on crmdb: {:?})",
        stats.queries,
        files.len(),
        stats.rows,
        stats.errors,
        loaded,
        started.elapsed(),
        stats.pg_time,
        stats.crmdb_time,
        stats.slowest
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} queries gave results different from PostgreSQL's (see above)",
        mismatches.len(),
        stats.queries
    );
}
