//! Runs a real `crmdb serve` process for end-to-end tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const USER: &str = "tester";
pub const PASSWORD: &str = "correct horse battery staple";

/// A running server; killed when dropped.
pub struct TestServer {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Holds the temporary directory for servers that own it.
    _dir: Option<tempfile::TempDir>,
    /// stdout lines after the address line.
    pub stdout: mpsc::Receiver<String>,
}

impl TestServer {
    /// A server on a fresh data directory.
    pub fn start(extra: &[&str]) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("data");
        let mut s = Self::start_in(&data_dir, extra);
        s._dir = Some(dir);
        s
    }

    /// A server on a fresh data directory whose superuser is `user`.
    pub fn start_as(user: &str, password: &str) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("data");
        let mut s = Self::start_in_as(&data_dir, &[], user, password);
        s._dir = Some(dir);
        s
    }

    /// A server on `data_dir` (the caller keeps the directory).
    pub fn start_in(data_dir: &Path, extra: &[&str]) -> TestServer {
        Self::start_in_as(data_dir, extra, USER, PASSWORD)
    }

    fn start_in_as(data_dir: &Path, extra: &[&str], user: &str, password: &str) -> TestServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crmdb"))
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("CRMDB_USER", user)
            .env("CRMDB_PASSWORD", password)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start crmdb serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(a) = line.strip_prefix("listening on ") {
                        break a.trim().parse().expect("address");
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("crmdb serve did not print its address");
                }
            }
        };
        TestServer {
            child: Some(child),
            addr,
            data_dir: data_dir.to_owned(),
            _dir: None,
            stdout: rx,
        }
    }

    pub fn config(&self, user: &str, password: &str) -> tokio_postgres::Config {
        let mut c = tokio_postgres::Config::new();
        c.host("127.0.0.1")
            .port(self.addr.port())
            .user(user)
            .password(password)
            .dbname("crmdb")
            .connect_timeout(Duration::from_secs(10));
        c
    }

    /// Connects as the superuser; the connection task runs on the test's runtime.
    pub async fn connect(&self) -> tokio_postgres::Client {
        self.try_connect(USER, PASSWORD).await.expect("connect")
    }

    pub async fn try_connect(
        &self,
        user: &str,
        password: &str,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) = self
            .config(user, password)
            .connect(tokio_postgres::NoTls)
            .await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// The libpq connection string for psql.
    pub fn conninfo(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user={USER} dbname=crmdb",
            self.addr.port()
        )
    }

    /// Runs psql against the server (as the superuser, no psqlrc) with
    /// `args`.
    pub fn psql(&self, args: &[&str]) -> std::process::Output {
        Command::new("psql")
            .arg(self.conninfo())
            .arg("-X")
            .args(args)
            .env("PGPASSWORD", PASSWORD)
            .env("PGCONNECT_TIMEOUT", "10")
            .output()
            .expect("run psql")
    }

    /// The server process's id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Kills the server with SIGKILL (no shutdown at all) and waits for it,
    /// keeping the data directory.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().expect("SIGKILL");
        let _ = child.wait();
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> ExitStatus {
        self.terminate_keep()
    }

    /// Like [`Self::terminate`], keeping the data directory.
    pub fn terminate_keep(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("crmdb serve did not exit after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `SELECT count(*) FROM table`.
pub async fn count(client: &tokio_postgres::Client, table: &str) -> i64 {
    client
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap()
        .get(0)
}

/// The SQLSTATE of a driver error.
pub fn sqlstate(e: &tokio_postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.code().code().to_owned())
        .unwrap_or_else(|| format!("no database error: {e}"))
}

/// A memory figure of process `pid` from /proc (`VmRSS`, `VmHWM`, …), in
/// bytes.
pub fn proc_memory(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"));
    kb * 1024
}
