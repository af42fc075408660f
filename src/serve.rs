//! `crmdb serve`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use crmdb_engine::Database;
use crmdb_engine::sql::Session;
use crmdb_server::auth::Origin;
use crmdb_server::{Config, Credentials, Server};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The data directory; created (with the CRM schema) if it does not exist.
    #[arg(long, default_value = "./crmdb-data")]
    data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port (printed at startup).
    #[arg(long, default_value = "127.0.0.1:5433")]
    listen: SocketAddr,
    /// Load generated sample data (1000 customers with their interactions
    /// and transactions) when the data directory is new.
    #[arg(long)]
    demo: bool,
    /// TLS certificate chain (PEM); enables TLS together with --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Refuse connections that do not use TLS.
    #[arg(long, requires = "tls_cert")]
    require_tls: bool,
    /// Connections beyond this many are refused ("too many clients").
    #[arg(long, default_value_t = 100)]
    max_connections: usize,
    /// Seconds shutdown waits for running statements to finish.
    #[arg(long, default_value_t = 10)]
    shutdown_grace: u64,
}

fn is_new_directory(dir: &Path) -> Result<bool, String> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(format!("{}: {e}", dir.display())),
    }
}

pub fn run(args: ServeArgs) -> Result<(), String> {
    let dir = &args.data_dir;
    let new = is_new_directory(dir)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let db = Arc::new(Database::open(dir).map_err(|e| format!("{}: {e}", dir.display()))?);

    let env = |name: &str| std::env::var(name).ok();
    let (user, origin) = Credentials::bootstrap(
        &db,
        env("CRMDB_USER").as_deref(),
        env("CRMDB_PASSWORD").as_deref(),
    )?;

    if args.demo {
        if new {
            let mut session = Session::new(db.clone());
            let (c, i, t) = crate::demo::load(&mut session, 42)?;
            println!("loaded demo data: {c} customers, {i} interactions, {t} transactions");
        } else {
            println!("--demo ignored: {} already holds a database", dir.display());
        }
    }

    let mut config = Config::new(args.listen);
    config.max_connections = args.max_connections;
    config.require_tls = args.require_tls;
    config.shutdown_grace = Duration::from_secs(args.shutdown_grace);
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        config.tls = Some(crmdb_server::tls::acceptor(cert, key)?);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("crmdb-io")
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let server = Server::bind(config, db.clone())
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let addr = server
            .local_addr()
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        println!("crmdb {} serving {}", env!("CARGO_PKG_VERSION"), dir.display());
        println!("listening on {addr}");
        match &origin {
            Origin::Generated(password) => println!(
                "superuser \"{user}\" created with password: {password}\n\
                 (shown only this once; set CRMDB_USER/CRMDB_PASSWORD on first start to choose them)"
            ),
            Origin::FromEnvironment => {
                println!("superuser \"{user}\" created from CRMDB_USER/CRMDB_PASSWORD")
            }
            Origin::Existing => {}
        }
        println!(
            "connect with: psql \"postgresql://{user}@{}:{}/crmdb\"",
            addr.ip(),
            addr.port()
        );
        server
            .run(shutdown_signal())
            .await
            .map_err(|e| format!("server: {e}"))
    })?;
    drop(runtime);

    eprintln!("crmdb: shutting down: checkpoint");
    db.checkpoint()
        .map_err(|e| format!("checkpoint at shutdown: {e}"))?;
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
