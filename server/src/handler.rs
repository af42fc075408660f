//! pgwire's handler traits for one connection: authentication through
//! pgwire's SCRAM-SHA-256, and every query message relayed to the
//! connection's session thread ([`crate::worker`]).

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use futures::{Sink, SinkExt};
use pgwire::api::auth::sasl::SASLAuthStartupHandler;
use pgwire::api::auth::sasl::scram::ScramAuth;
use pgwire::api::auth::{ServerParameterProvider, StartupHandler};
use pgwire::api::copy::CopyHandler;
use pgwire::api::portal::Portal;
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::Response;
use pgwire::api::stmt::NoopQueryParser;
use pgwire::api::store::PortalStore;
use pgwire::api::{
    ClientInfo, ClientPortalStore, METADATA_DATABASE, METADATA_USER, PgWireConnectionState,
};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::copy::{CopyData, CopyDone, CopyFail};
use pgwire::messages::extendedquery::{
    Bind, Close, Describe, Execute, Parse, Sync as PgSync, TARGET_TYPE_BYTE_PORTAL,
};
use pgwire::messages::response::{ReadyForQuery, TransactionStatus as WireStatus};
use pgwire::messages::simplequery::Query;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};

use crate::Shared;
use crate::auth::ScramSource;
use crate::worker::{Event, Job, Worker};
use crmdb_engine::sql::TransactionStatus;

/// A FATAL error, which ends the connection.
pub fn fatal(code: &str, message: impl Into<String>) -> PgWireError {
    let mut info = ErrorInfo::new("FATAL".into(), code.into(), message.into());
    info.severity_nonlocalized = Some("FATAL".into());
    PgWireError::UserError(Box::new(info))
}

fn wire_status(s: TransactionStatus) -> WireStatus {
    match s {
        TransactionStatus::Idle => WireStatus::Idle,
        TransactionStatus::InBlock => WireStatus::Transaction,
        TransactionStatus::Failed => WireStatus::Error,
    }
}

/// How a job ended.
struct Ran {
    status: WireStatus,
    /// COPY FROM STDIN started: CopyData comes next.
    copy_in: bool,
}

/// One client connection's query side.
pub struct Conn {
    shared: Arc<Shared>,
    /// Started once the client has authenticated.
    worker: OnceLock<Worker>,
    /// The (pid, secret key) under which the session's cancel handle is
    /// registered, to unregister when the connection ends.
    cancel_key: OnceLock<(i32, Vec<u8>)>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(key) = self.cancel_key.get() {
            self.shared
                .cancels
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(key);
        }
    }
}

impl Conn {
    /// The session's idle_in_transaction_session_timeout, once it runs.
    pub fn idle_in_transaction_timeout(&self) -> Option<std::time::Duration> {
        self.worker.get()?.idle_in_transaction_timeout()
    }

    pub fn new(shared: Arc<Shared>) -> Arc<Conn> {
        Arc::new(Conn {
            shared,
            worker: OnceLock::new(),
            cancel_key: OnceLock::new(),
        })
    }

    /// Runs `job` on the session thread, sending its messages to `client`
    /// as they come; the transaction status afterwards and whether COPY
    /// FROM STDIN started, or the job's error.
    async fn run<C>(&self, client: &mut C, job: Job) -> PgWireResult<Ran>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let worker = self
            .worker
            .get()
            .ok_or_else(|| fatal("XX000", "the session is not running"))?;
        let mut events = worker
            .submit(job)
            .ok_or_else(|| fatal("XX000", "the session thread has ended"))?;
        let mut error = None;
        let mut copy_in = false;
        loop {
            match events.recv().await {
                Some(Event::Msg(m)) => client.feed(m).await?,
                Some(Event::Error(e)) => error = Some(e),
                Some(Event::CopyIn) => copy_in = true,
                Some(Event::Done(status)) => {
                    let status = wire_status(status);
                    client.set_transaction_status(status);
                    return match error {
                        Some(e) => Err(PgWireError::UserError(e)),
                        None => Ok(Ran { status, copy_in }),
                    };
                }
                None => return Err(fatal("XX000", "the session thread has ended")),
            }
        }
    }
}

impl ServerParameterProvider for Conn {
    /// Called once authentication succeeded: starts the session with the
    /// startup packet's settings and reports the session's settings.
    fn server_parameters<C>(&self, client: &C) -> Option<HashMap<String, String>>
    where
        C: ClientInfo,
    {
        let startup: Vec<(String, String)> = client
            .metadata()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        match Worker::spawn(
            self.shared.db.clone(),
            startup,
            self.shared.busy_sessions.clone(),
        ) {
            Ok((worker, reported, cancel)) => {
                let _ = self.worker.set(worker);
                let (pid, secret) = client.pid_and_secret_key();
                let key = (pid, secret.to_bytes().to_vec());
                self.shared
                    .cancels
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key.clone(), cancel);
                let _ = self.cancel_key.set(key);
                let mut params: HashMap<String, String> = reported.into_iter().collect();
                if let Some(user) = client.metadata().get(METADATA_USER) {
                    params.insert("session_authorization".into(), user.clone());
                }
                Some(params)
            }
            Err(e) => {
                tracing::error!("cannot start a session thread: {e}");
                None
            }
        }
    }
}

/// Authentication: SCRAM-SHA-256 only, PostgreSQL's wording for failures,
/// and `--require-tls`.
pub struct Startup {
    inner: SASLAuthStartupHandler<Conn>,
    require_tls: bool,
}

impl Startup {
    pub fn new(conn: Arc<Conn>) -> Startup {
        let shared = conn.shared.clone();
        let scram = ScramAuth::new(Arc::new(ScramSource(shared.credentials.clone())));
        Startup {
            inner: SASLAuthStartupHandler::new(conn).with_scram(scram),
            require_tls: shared.require_tls,
        }
    }
}

#[async_trait]
impl StartupHandler for Startup {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if let PgWireFrontendMessage::Startup(startup) = &message
            && self.require_tls
            && !client.is_secure()
        {
            let get = |k: &str| startup.parameters.get(k).cloned().unwrap_or_default();
            return Err(fatal(
                "28000",
                format!(
                    "no pg_hba.conf entry for host \"{}\", user \"{}\", database \"{}\", no encryption",
                    client.socket_addr().ip(),
                    get(METADATA_USER),
                    get(METADATA_DATABASE)
                ),
            ));
        }
        match self.inner.on_startup(client, message).await {
            Err(PgWireError::InvalidPassword(_)) => {
                let user = client
                    .metadata()
                    .get(METADATA_USER)
                    .cloned()
                    .unwrap_or_default();
                Err(fatal(
                    "28P01",
                    format!("password authentication failed for user \"{user}\""),
                ))
            }
            other => other,
        }
    }
}

#[async_trait]
impl SimpleQueryHandler for Conn {
    async fn on_query<C>(&self, client: &mut C, query: Query) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        client.set_state(PgWireConnectionState::QueryInProgress);
        let ran = self.run(client, Job::Simple(query.query)).await?;
        if ran.copy_in {
            // ReadyForQuery follows the COPY's CopyDone (see CopyHandler).
            client.set_state(PgWireConnectionState::CopyInProgress(false));
            client.flush().await?;
            return Ok(());
        }
        client.set_state(PgWireConnectionState::ReadyForQuery);
        client
            .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
                ran.status,
            )))
            .await?;
        Ok(())
    }

    async fn do_query<C>(&self, _client: &mut C, _query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        unreachable!("on_query is overridden")
    }
}

#[async_trait]
impl ExtendedQueryHandler for Conn {
    type Statement = String;
    type QueryParser = NoopQueryParser;

    fn query_parser(&self) -> Arc<Self::QueryParser> {
        Arc::new(NoopQueryParser)
    }

    async fn on_parse<C>(&self, client: &mut C, message: Parse) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let job = Job::Parse {
            name: message.name.unwrap_or_default(),
            sql: message.query,
            types: message.type_oids,
        };
        self.run(client, job).await.map(|_| ())
    }

    async fn on_bind<C>(&self, client: &mut C, message: Bind) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let job = Job::Bind {
            portal: message.portal_name.unwrap_or_default(),
            statement: message.statement_name.unwrap_or_default(),
            param_formats: message.parameter_format_codes,
            params: message.parameters,
            result_formats: message.result_column_format_codes,
        };
        self.run(client, job).await.map(|_| ())
    }

    async fn on_execute<C>(&self, client: &mut C, message: Execute) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let job = Job::Execute {
            portal: message.name.unwrap_or_default(),
            max_rows: usize::try_from(message.max_rows).unwrap_or(0),
        };
        if self.run(client, job).await?.copy_in {
            client.set_state(PgWireConnectionState::CopyInProgress(true));
            client.flush().await?;
        }
        Ok(())
    }

    async fn on_describe<C>(&self, client: &mut C, message: Describe) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let job = Job::Describe {
            portal: message.target_type == TARGET_TYPE_BYTE_PORTAL,
            name: message.name.unwrap_or_default(),
        };
        self.run(client, job).await.map(|_| ())
    }

    async fn on_close<C>(&self, client: &mut C, message: Close) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let job = Job::Close {
            portal: message.target_type == TARGET_TYPE_BYTE_PORTAL,
            name: message.name.unwrap_or_default(),
        };
        self.run(client, job).await.map(|_| ())
    }

    async fn on_sync<C>(&self, client: &mut C, _message: PgSync) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let status = self.run(client, Job::Sync).await?.status;
        client
            .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
                status,
            )))
            .await?;
        Ok(())
    }

    async fn do_query<C>(
        &self,
        _client: &mut C,
        _portal: &Portal<Self::Statement>,
        _max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        unreachable!("on_execute is overridden")
    }
}

/// COPY FROM STDIN's input, relayed to the session thread. pgwire sends
/// ReadyForQuery after CopyDone (simple protocol) or waits for Sync
/// (extended); after an error it drops further CopyData, as PostgreSQL does.
#[async_trait]
impl CopyHandler for Conn {
    async fn on_copy_data<C>(&self, client: &mut C, copy_data: CopyData) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        self.run(client, Job::CopyData(copy_data.data))
            .await
            .map(|_| ())
    }

    async fn on_copy_done<C>(&self, client: &mut C, _done: CopyDone) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        self.run(client, Job::CopyDone).await.map(|_| ())
    }

    async fn on_copy_fail<C>(&self, client: &mut C, fail: CopyFail) -> PgWireError
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        match self.run(client, Job::CopyFail(fail.message)).await {
            Err(e) => e,
            Ok(_) => fatal("XX000", "CopyFail did not fail the COPY"),
        }
    }
}
