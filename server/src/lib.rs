//! crmdb-server: the PostgreSQL wire protocol front end of crmdb.
//!
//! pgwire decodes and encodes the protocol's messages, negotiates TLS and
//! runs SCRAM-SHA-256; each connection's statements run on a thread of its
//! own that owns the blocking [`crmdb_engine::sql::Session`] (see
//! `worker.rs`). docs/protocol.md describes what is supported.

pub mod auth;
pub mod binary;
mod connection;
mod copy;
mod handler;
mod limit;
pub mod oid;
mod param;
pub mod tls;
mod worker;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crmdb_engine::Database;
use pgwire::tokio::TlsAcceptor;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use auth::Credentials;

/// The largest protocol message accepted from a client; a longer length
/// prefix closes the connection before anything is allocated for it.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 << 20;

/// How the server listens and whom it admits.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub tls: Option<TlsAcceptor>,
    pub require_tls: bool,
    pub max_connections: usize,
    pub max_message_size: usize,
    /// How long shutdown waits for running statements.
    pub shutdown_grace: Duration,
}

impl Config {
    pub fn new(listen: SocketAddr) -> Config {
        Config {
            listen,
            tls: None,
            require_tls: false,
            max_connections: 100,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// What every connection shares.
pub(crate) struct Shared {
    pub db: Arc<Database>,
    pub credentials: Arc<Credentials>,
    pub require_tls: bool,
    pub max_message_size: usize,
    /// Session threads running a statement now.
    pub busy_sessions: Arc<AtomicUsize>,
    /// Open client connections.
    pub connections: AtomicUsize,
    /// Each authenticated connection's (pid, secret key) from its
    /// BackendKeyData, with the handle that cancels its running statement.
    pub cancels: std::sync::Mutex<
        std::collections::HashMap<(i32, Vec<u8>), crmdb_engine::sql::CancelHandle>,
    >,
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    config: Config,
    shared: Arc<Shared>,
}

impl Server {
    /// Binds the listening socket.
    /// Logins are checked against `db`'s roles (see [`Credentials::bootstrap`]).
    pub async fn bind(config: Config, db: Arc<Database>) -> std::io::Result<Server> {
        let listener = TcpListener::bind(config.listen).await?;
        let shared = Arc::new(Shared {
            credentials: Arc::new(Credentials::new(db.clone())),
            db,
            require_tls: config.require_tls,
            max_message_size: config.max_message_size,
            busy_sessions: Arc::new(AtomicUsize::new(0)),
            connections: AtomicUsize::new(0),
            cancels: Default::default(),
        });
        Ok(Server {
            listener,
            config,
            shared,
        })
    }

    /// The address actually bound (port 0 resolved).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes; then stops accepting, closes idle
    /// connections, and waits (up to the grace period) for connections
    /// that are running a statement to finish it.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::pin!(shutdown);
        loop {
            let (tcp, peer) = tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a bit.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let open = self.shared.connections.fetch_add(1, Ordering::SeqCst);
            let guard = ConnectionGuard(self.shared.clone());
            if open >= self.config.max_connections {
                tokio::spawn(async move {
                    connection::refuse(tcp, "53300", "sorry, too many clients already".to_owned())
                        .await;
                    drop(guard);
                });
                continue;
            }
            let shared = self.shared.clone();
            let tls = self.config.tls.clone();
            let stop = stop_rx.clone();
            tokio::spawn(async move {
                if let Err(e) = connection::serve(tcp, tls, shared, stop).await {
                    tracing::debug!("connection from {peer} ended: {e}");
                }
                drop(guard);
            });
        }
        drop(self.listener);
        let _ = stop_tx.send(true);
        let deadline = Instant::now() + self.config.shutdown_grace;
        while self.shared.connections.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Statements still running past the grace period are abandoned;
        // their transactions never commit.
        Ok(())
    }
}

struct ConnectionGuard(Arc<Shared>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}
