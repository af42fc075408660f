//! A throwaway PostgreSQL 15 server for tests that compare crmdb with the
//! real thing.
//!
//! [`PgServer::start`] makes a temporary cluster (`initdb`, locale C, UTF8,
//! trust authentication), starts `postgres` on a free loopback port and
//! waits until it accepts connections. Dropping the guard — also while a
//! test panics — shuts the server down and removes its directory.
//! [`PgServer::start_at`] keeps the cluster in a given directory instead
//! (the segment benchmark loads it once and reuses it).
//!
//! PostgreSQL refuses to run as root, and tests and CI run as root: then the
//! server runs as the unprivileged user [`PG_USER`], created on first use.
//! Run as any other user, the server runs as that user.

#![allow(dead_code)]

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Where Debian's postgresql-15 package puts the server binaries.
pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
/// The OS user the server runs as when the tests run as root.
pub const PG_USER: &str = "crmdb-pgtest";

/// A running PostgreSQL server; stopped and deleted on drop.
pub struct PgServer {
    /// Holds the data directory (`data/`), the socket and the log.
    root: PathBuf,
    /// Removes `root` on drop, for a temporary cluster.
    _temp: Option<tempfile::TempDir>,
    child: Option<Child>,
    pub port: u16,
}

impl PgServer {
    /// Whether the PostgreSQL 15 server binaries are installed.
    pub fn available() -> bool {
        Path::new(PG_BIN).join("postgres").exists()
    }

    /// Creates a temporary cluster and starts a server on it.
    pub fn start() -> PgServer {
        let temp = tempfile::Builder::new()
            .prefix("crmdb-pg-")
            .tempdir()
            .expect("temporary directory");
        let mut server = Self::start_at(temp.path(), &[]);
        server._temp = Some(temp);
        server
    }

    /// Starts a server on the cluster in `root/data`, made first if `root`
    /// holds none; the cluster stays when the server stops. `settings` are
    /// extra `name=value` server settings.
    pub fn start_at(root: &Path, settings: &[&str]) -> PgServer {
        assert!(
            Self::available(),
            "PostgreSQL 15 is not installed ({PG_BIN}/postgres is missing): \
             apt-get install postgresql-15"
        );
        let as_root = is_root();
        if as_root {
            ensure_user();
        }
        fs::create_dir_all(root).expect("cluster directory");
        if as_root {
            run(Command::new("chown").arg(PG_USER).arg(root));
        }
        let data = root.join("data");
        if !data.join("PG_VERSION").exists() {
            let mut initdb = as_user(as_root, &Path::new(PG_BIN).join("initdb"));
            initdb
                .arg("-D")
                .arg(&data)
                .args([
                    "--locale=C",
                    "--encoding=UTF8",
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--no-sync",
                ])
                .current_dir(root);
            run(&mut initdb);
        }

        // The port is free when we look; should someone take it before the
        // server binds it, the server exits and we try another.
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = free_port();
            let log = root.join("postgres.log");
            let log_file = fs::File::create(&log).expect("log file");
            if as_root {
                run(Command::new("chown").arg(PG_USER).arg(&log));
            }
            let mut postgres = as_user(as_root, &Path::new(PG_BIN).join("postgres"));
            postgres
                .arg("-D")
                .arg(&data)
                .arg("-p")
                .arg(port.to_string())
                .arg("-c")
                .arg(format!(
                    "unix_socket_directories={}",
                    root.to_str().expect("UTF-8 cluster path")
                ))
                .args([
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "TimeZone=UTC",
                    "-c",
                    "max_connections=20",
                ]);
            for setting in settings {
                postgres.arg("-c").arg(setting);
            }
            postgres
                .current_dir(root)
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("log file"))
                .stderr(log_file);
            let child = postgres.spawn().expect("start postgres");
            let mut server = PgServer {
                root: root.to_path_buf(),
                _temp: None,
                child: Some(child),
                port,
            };
            if server.wait_ready(Duration::from_secs(120)) {
                return server;
            }
            last_log = fs::read_to_string(server.log_path()).unwrap_or_default();
            server.stop();
        }
        panic!("PostgreSQL did not start; its log:\n{last_log}");
    }

    /// A connection string for [`postgres::Client::connect`].
    pub fn connection_string(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres connect_timeout=10",
            self.port
        )
    }

    /// A new connection to the server.
    pub fn connect(&self) -> postgres::Client {
        postgres::Client::connect(&self.connection_string(), postgres::NoTls)
            .expect("connect to PostgreSQL")
    }

    pub fn log_path(&self) -> PathBuf {
        self.path().join("postgres.log")
    }

    fn path(&self) -> &Path {
        &self.root
    }

    fn wait_ready(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Some(child) = &mut self.child
                && let Ok(Some(_)) = child.try_wait()
            {
                return false; // exited: port taken, or a bad setting
            }
            if postgres::Client::connect(&self.connection_string(), postgres::NoTls).is_ok() {
                return true;
            }
            sleep(Duration::from_millis(100));
        }
        false
    }

    /// Shutdown by a signal to the postmaster, whose pid is the first line
    /// of postmaster.pid (the child may be `runuser`, not postgres):
    /// immediate (SIGQUIT) for a temporary cluster, fast (SIGINT, which
    /// writes a checkpoint) for a kept one.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid_file = self.path().join("data").join("postmaster.pid");
        let pid = fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.lines().next().map(str::to_owned));
        if let Some(pid) = pid {
            let signal = if self._temp.is_some() {
                "-QUIT"
            } else {
                "-INT"
            };
            let _ = Command::new("kill").args([signal, &pid]).status();
        } else {
            let _ = child.kill();
        }
        let start = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if start.elapsed() > Duration::from_secs(60) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                Ok(None) => sleep(Duration::from_millis(20)),
            }
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
        // `_temp` removes a temporary cluster when dropped, after this.
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Creates [`PG_USER`] if it does not exist yet (tolerating a concurrent
/// creation by another test process).
fn ensure_user() {
    let exists = |_: ()| {
        Command::new("id")
            .arg("-u")
            .arg(PG_USER)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if exists(()) {
        return;
    }
    let status = Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
        ])
        .arg(PG_USER)
        .status()
        .expect("run useradd");
    assert!(
        status.success() || exists(()),
        "could not create the user {PG_USER}: {status}"
    );
}

/// `program`, run as [`PG_USER`] when we are root.
fn as_user(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", PG_USER, "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}
