//! The mainstream PostgreSQL drivers against a real `crmdb serve`: each
//! runs a client program of its own (tests/drivers/) that connects with
//! SCRAM-SHA-256, runs the driver's startup and type queries, sends and
//! reads every column type in the driver's default formats, reuses a
//! prepared statement, commits and rolls back, and checks errors by
//! SQLSTATE. tokio-postgres is covered by wire.rs and copy.rs.
//!
//! A driver that is not installed fails its test with the install step;
//! `.ci/run` installs them all.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{PASSWORD, TestServer, USER};

fn drivers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/drivers")
}

/// Fails the test with `install` unless `probe` runs successfully.
fn require(what: &str, probe: &mut Command, install: &str) {
    let ok = probe.output().map(|o| o.status.success()).unwrap_or(false);
    assert!(
        ok,
        "{what} is not installed; install it with `{install}` (.ci/run does)"
    );
}

/// Runs `program` against a fresh server and asserts it exits 0, showing
/// its output either way.
fn run_against_server(what: &str, program: &mut Command) {
    let server = TestServer::start(&[]);
    let output = program
        .env("CRMDB_HOST", "127.0.0.1")
        .env("CRMDB_PORT", server.addr.port().to_string())
        .env("CRMDB_USER", USER)
        .env("CRMDB_PASSWORD", PASSWORD)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the {what} check: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "the {what} check failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}

fn python(script: &str) -> Command {
    let mut c = Command::new("python3");
    c.arg(drivers_dir().join(script));
    c
}

const PIP_INSTALL: &str = "pip install -r tests/drivers/requirements.txt";

#[test]
fn psycopg3() {
    require(
        "psycopg 3",
        Command::new("python3").args(["-c", "import psycopg"]),
        PIP_INSTALL,
    );
    run_against_server("psycopg", &mut python("psycopg_check.py"));
}

#[test]
fn node_postgres() {
    let dir = drivers_dir().join("node");
    require(
        "node-postgres",
        Command::new("node")
            .current_dir(&dir)
            .args(["-e", "require('pg')"]),
        "npm ci --prefix tests/drivers/node",
    );
    run_against_server(
        "node-postgres",
        Command::new("node")
            .current_dir(&dir)
            .env("TZ", "UTC")
            .arg("pg_check.js"),
    );
}

#[test]
fn asyncpg() {
    require(
        "asyncpg",
        Command::new("python3").args(["-c", "import asyncpg"]),
        PIP_INSTALL,
    );
    run_against_server("asyncpg", &mut python("asyncpg_check.py"));
}

/// Debian's libpostgresql-jdbc-java puts the driver here.
const JDBC_JAR: &str = "/usr/share/java/postgresql.jar";

#[test]
fn pgjdbc() {
    require(
        "java",
        Command::new("java").arg("-version"),
        "apt-get install -y openjdk-17-jre-headless",
    );
    assert!(
        Path::new(JDBC_JAR).exists(),
        "pgjdbc is not installed ({JDBC_JAR} is missing); install it with \
         `apt-get install -y libpostgresql-jdbc-java` (.ci/run does)"
    );
    // The single-file source launcher compiles and runs the check.
    run_against_server(
        "pgjdbc",
        Command::new("java")
            .args(["-cp", JDBC_JAR])
            .arg(drivers_dir().join("jdbc/JdbcCheck.java")),
    );
}
