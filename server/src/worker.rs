//! The session thread: one per connection, owning the blocking
//! [`Session`], its prepared statements and its portals.
//!
//! The async connection task sends it one [`Job`] per protocol message and
//! reads back [`Event`]s from a small bounded channel: backend messages as
//! they are produced (so result rows stream to the socket instead of being
//! collected), an error for the extended protocol, and finally `Done` with
//! the transaction status for ReadyForQuery.

use crmdb_engine::sql::CancelHandle;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc as std_mpsc;

use bytes::{BufMut, Bytes, BytesMut};
use crmdb_engine::Database;
use crmdb_engine::sql::{
    Column, CopyFormat, Output, RowStream, Session, SqlError, Statement, TransactionStatus,
    command_tag,
};
use crmdb_engine::types::{DataType, SessionTimeZone, Value, format_value};
use pgwire::error::ErrorInfo;
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::data::{
    DataRow, FieldDescription, NoData, ParameterDescription, RowDescription,
};
use pgwire::messages::extendedquery::{
    BindComplete, CloseComplete, ParseComplete, PortalSuspended,
};
use pgwire::messages::response::{CommandComplete, EmptyQueryResponse, NoticeResponse};
use pgwire::messages::startup::ParameterStatus;
use tokio::sync::mpsc;

use crate::oid::ParamType;
use crate::{binary, copy, oid, param};

/// What the connection asks of its session thread.
#[derive(Debug)]
pub enum Job {
    /// A simple-protocol query string (any number of statements).
    Simple(String),
    Parse {
        name: String,
        sql: String,
        types: Vec<u32>,
    },
    Bind {
        portal: String,
        statement: String,
        param_formats: Vec<i16>,
        params: Vec<Option<Bytes>>,
        result_formats: Vec<i16>,
    },
    Describe {
        portal: bool,
        name: String,
    },
    Execute {
        portal: String,
        max_rows: usize,
    },
    Close {
        portal: bool,
        name: String,
    },
    /// Only reports the transaction status.
    Sync,
    /// COPY FROM STDIN's input: a chunk, its end, or the client giving up.
    CopyData(Bytes),
    CopyDone,
    CopyFail(String),
}

/// What the session thread answers, in order.
#[derive(Debug)]
pub enum Event {
    /// A message to send to the client as it is.
    Msg(PgWireBackendMessage),
    /// An error of an extended-protocol message: the connection sends it and
    /// discards messages until Sync.
    Error(Box<ErrorInfo>),
    /// COPY FROM STDIN has started (after its CopyInResponse): the
    /// connection now takes CopyData.
    CopyIn,
    /// The job is finished; the session's transaction status.
    Done(TransactionStatus),
}

struct Request {
    job: Job,
    reply: mpsc::Sender<Event>,
}

/// The settings a new session reports in ParameterStatus.
pub type Reported = Vec<(String, String)>;

/// The connection's end of its session thread. Dropping it ends the thread.
pub struct Worker {
    tx: std_mpsc::Sender<Request>,
    /// The session's idle_in_transaction_session_timeout in ms (0: none),
    /// as of the end of its last job.
    idle_timeout_ms: Arc<AtomicU64>,
}

impl Worker {
    /// Starts a session thread for a client whose startup packet carried
    /// `startup` parameters; returns it with the settings to report in
    /// ParameterStatus.
    pub fn spawn(
        db: Arc<Database>,
        startup: Vec<(String, String)>,
        busy: Arc<AtomicUsize>,
    ) -> std::io::Result<(Worker, Reported, CancelHandle)> {
        let (tx, rx) = std_mpsc::channel::<Request>();
        let (ready_tx, ready_rx) = std_mpsc::sync_channel(1);
        let idle_timeout_ms = Arc::new(AtomicU64::new(0));
        let idle_timeout = idle_timeout_ms.clone();
        std::thread::Builder::new()
            .name("crmdb-session".into())
            .spawn(move || {
                // Spawned once the client authenticated as the startup
                // packet's user; without one the session has no privileges.
                let user = startup
                    .iter()
                    .find(|(k, _)| k == "user")
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("");
                let mut state = SessionState::new(Session::for_user(db, user));
                state.apply_startup(&startup);
                let reported = (state.reported(), state.session.cancel_handle());
                if ready_tx.send(reported).is_err() {
                    return;
                }
                while let Ok(req) = rx.recv() {
                    busy.fetch_add(1, Ordering::SeqCst);
                    let out = Out(req.reply);
                    let handled = state.handle(req.job, &out);
                    let timeout = state.session.settings().idle_in_transaction_timeout_ms();
                    idle_timeout.store(timeout, Ordering::SeqCst);
                    if handled.is_ok() {
                        let status = state.session.transaction_status();
                        let _ = out.0.blocking_send(Event::Done(status));
                    }
                    busy.fetch_sub(1, Ordering::SeqCst);
                }
            })?;
        let (reported, cancel) = ready_rx
            .recv()
            .map_err(|_| std::io::Error::other("the session thread failed to start"))?;
        Ok((
            Worker {
                tx,
                idle_timeout_ms,
            },
            reported,
            cancel,
        ))
    }

    /// How long the session may sit idle inside a transaction block
    /// before it is ended (None: forever).
    pub fn idle_in_transaction_timeout(&self) -> Option<std::time::Duration> {
        match self.idle_timeout_ms.load(Ordering::SeqCst) {
            0 => None,
            ms => Some(std::time::Duration::from_millis(ms)),
        }
    }

    /// Queues `job`; its events arrive on the returned channel.
    pub fn submit(&self, job: Job) -> Option<mpsc::Receiver<Event>> {
        let (reply, rx) = mpsc::channel(64);
        self.tx.send(Request { job, reply }).ok()?;
        Some(rx)
    }
}

/// The client went away: stop the job.
struct Gone;

struct Out(mpsc::Sender<Event>);

impl Out {
    fn msg(&self, m: PgWireBackendMessage) -> Result<(), Gone> {
        self.0.blocking_send(Event::Msg(m)).map_err(|_| Gone)
    }

    fn error(&self, e: Failure) -> Result<(), Gone> {
        self.0.blocking_send(Event::Error(e)).map_err(|_| Gone)
    }
}

/// A prepared statement: its parse and its description.
struct Prepared {
    /// None for an empty query string.
    stmt: Option<Statement>,
    params: Vec<ParamType>,
    columns: Option<Vec<Column>>,
}

enum PortalState {
    NotStarted,
    Streaming {
        rows: RowStream,
        command: &'static str,
    },
    /// Ran to completion (or failed); executing again gives this tag.
    Finished(Option<String>),
}

struct Portal {
    prepared: Arc<Prepared>,
    params: Vec<Value>,
    /// Per result column: binary format?
    binary: Vec<bool>,
    state: PortalState,
}

struct SessionState {
    session: Session,
    statements: HashMap<String, Arc<Prepared>>,
    portals: HashMap<String, Portal>,
}

/// An ERROR ErrorInfo.
pub fn error_info(code: &str, message: impl Into<String>) -> Failure {
    let mut info = ErrorInfo::new("ERROR".into(), code.into(), message.into());
    info.severity_nonlocalized = Some("ERROR".into());
    Box::new(info)
}

/// An error to report; boxed, ErrorInfo is large.
pub type Failure = Box<ErrorInfo>;

fn sql_error(e: &SqlError) -> Failure {
    let mut info = error_info(e.code, e.message.clone());
    info.detail = e.detail.clone();
    info.hint = e.hint.clone();
    info.position = e.position.map(|p| p.to_string());
    info.where_context = e.context.clone();
    info
}

fn error_response(info: Failure) -> PgWireBackendMessage {
    PgWireBackendMessage::ErrorResponse((*info).into())
}

/// Resolves Bind's format codes for `n` values (none: all text; one: all
/// alike; else one each).
fn resolve_formats(codes: &[i16], n: usize, what: &str) -> Result<Vec<bool>, Failure> {
    if let Some(bad) = codes.iter().find(|&&c| c != 0 && c != 1) {
        return Err(error_info(
            "08P01",
            format!("unsupported format code: {bad}"),
        ));
    }
    match codes.len() {
        0 => Ok(vec![false; n]),
        1 => Ok(vec![codes[0] == 1; n]),
        k if k == n => Ok(codes.iter().map(|&c| c == 1).collect()),
        k => Err(error_info(
            "08P01",
            format!("bind message has {k} {what} formats but {n} {what}s"),
        )),
    }
}

fn row_description(columns: &[Column], binary: &[bool]) -> RowDescription {
    RowDescription::new(
        columns
            .iter()
            .zip(binary)
            .map(|(c, &b)| {
                FieldDescription::new(
                    c.name.clone(),
                    0,
                    0,
                    oid::oid_of(&c.ty),
                    oid::type_size(&c.ty),
                    oid::type_modifier(&c.ty),
                    i16::from(b),
                )
            })
            .collect(),
    )
}

/// One DataRow: text or binary per column.
fn data_row(values: &[Value], binary: &[bool], tz: &SessionTimeZone) -> DataRow {
    let mut buf = BytesMut::with_capacity(16 * values.len());
    for (i, v) in values.iter().enumerate() {
        if v.is_null() {
            buf.put_i32(-1);
        } else if binary.get(i).copied().unwrap_or(false) {
            let at = buf.len();
            buf.put_i32(0);
            binary::encode(v, &mut buf);
            let len = (buf.len() - at - 4) as i32;
            buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
        } else {
            let text = format_value(v, tz).unwrap_or_default();
            buf.put_i32(text.len() as i32);
            buf.put_slice(text.as_bytes());
        }
    }
    DataRow::new(buf, values.len() as i16)
}

fn command_complete(tag: String) -> PgWireBackendMessage {
    PgWireBackendMessage::CommandComplete(CommandComplete::new(tag))
}

/// SQL literal and identifier quoting for the startup SETs.
fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// How streaming a row source ended.
enum Streamed {
    /// All rows sent.
    Exhausted(u64),
    /// `max_rows` sent, more may follow.
    Suspended,
    /// A row failed: the error was reported.
    Failed,
}

impl SessionState {
    fn new(session: Session) -> Self {
        SessionState {
            session,
            statements: HashMap::new(),
            portals: HashMap::new(),
        }
    }

    /// Applies the startup packet's run-time parameters (TimeZone,
    /// application_name, …) as SET would; unknown ones are ignored, as
    /// client_encoding is (the server speaks UTF8 only).
    fn apply_startup(&mut self, startup: &[(String, String)]) {
        const NOT_SETTINGS: &[&str] = &["user", "database", "options", "replication"];
        for (name, value) in startup {
            let lower = name.to_ascii_lowercase();
            if NOT_SETTINGS.contains(&lower.as_str()) || lower == "client_encoding" {
                continue;
            }
            let sql = format!("SET {} TO {}", quote_ident(&lower), quote_literal(value));
            let result = self.session.parse(&sql).and_then(|stmts| {
                for s in &stmts {
                    self.session.execute(s, &[])?;
                }
                Ok(())
            });
            if let Err(e) = result {
                tracing::debug!("startup parameter {name}={value} ignored: {}", e.message);
            }
            self.session.take_notices();
        }
    }

    fn reported(&self) -> Vec<(String, String)> {
        self.session
            .settings()
            .reported()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    fn handle(&mut self, job: Job, out: &Out) -> Result<(), Gone> {
        match job {
            Job::Simple(sql) => self.simple(&sql, out),
            Job::Parse { name, sql, types } => match self.parse(name, &sql, &types) {
                Ok(()) => out.msg(PgWireBackendMessage::ParseComplete(ParseComplete::new())),
                Err(e) => out.error(e),
            },
            Job::Bind {
                portal,
                statement,
                param_formats,
                params,
                result_formats,
            } => match self.bind(portal, &statement, &param_formats, &params, &result_formats) {
                Ok(()) => out.msg(PgWireBackendMessage::BindComplete(BindComplete::new())),
                Err(e) => out.error(e),
            },
            Job::Describe { portal, name } => self.describe(portal, &name, out),
            Job::Execute { portal, max_rows } => self.execute(&portal, max_rows, out),
            Job::Close { portal, name } => {
                if portal {
                    self.portals.remove(&name);
                } else {
                    self.statements.remove(&name);
                }
                out.msg(PgWireBackendMessage::CloseComplete(CloseComplete::new()))
            }
            Job::Sync => Ok(()),
            Job::CopyData(data) => match self.session.copy_data(&data) {
                Ok(()) => Ok(()),
                Err(e) => out.error(sql_error(&e)),
            },
            Job::CopyDone => match self.session.copy_done() {
                Ok(Output::Command { tag }) => out.msg(command_complete(tag)),
                Ok(other) => out.error(error_info("XX000", format!("COPY ended with {other:?}"))),
                Err(e) => out.error(sql_error(&e)),
            },
            Job::CopyFail(message) => out.error(sql_error(&self.session.copy_fail(&message))),
        }
    }

    /// Starts COPY FROM STDIN on the wire.
    fn start_copy_in(format: CopyFormat, columns: usize, out: &Out) -> Result<(), Gone> {
        out.msg(copy::copy_in_response(format, columns))?;
        out.0.blocking_send(Event::CopyIn).map_err(|_| Gone)
    }

    fn send_notices(&mut self, out: &Out) -> Result<(), Gone> {
        for n in self.session.take_notices() {
            out.msg(PgWireBackendMessage::NoticeResponse(NoticeResponse::new(
                vec![
                    (b'S', n.severity.to_owned()),
                    (b'V', n.severity.to_owned()),
                    (b'C', n.code.to_owned()),
                    (b'M', n.message),
                ],
            )))?;
        }
        Ok(())
    }

    /// ParameterStatus for each reported setting that `before` differs in.
    fn send_setting_changes(&mut self, before: &[(String, String)], out: &Out) -> Result<(), Gone> {
        for (name, value) in self.reported() {
            if !before.iter().any(|(n, v)| *n == name && *v == value) {
                out.msg(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
                    name, value,
                )))?;
            }
        }
        Ok(())
    }

    /// Sends rows until the stream ends or `max_rows` (0: no limit) are sent.
    fn stream(
        rows: &mut RowStream,
        binary: &[bool],
        tz: &SessionTimeZone,
        max_rows: usize,
        out: &Out,
    ) -> Result<Streamed, Gone> {
        let mut sent = 0u64;
        loop {
            if max_rows != 0 && sent == max_rows as u64 {
                return Ok(Streamed::Suspended);
            }
            match rows.next() {
                None => return Ok(Streamed::Exhausted(sent)),
                Some(Ok(values)) => {
                    out.msg(PgWireBackendMessage::DataRow(data_row(&values, binary, tz)))?;
                    sent += 1;
                }
                Some(Err(e)) => {
                    out.error(sql_error(&e))?;
                    return Ok(Streamed::Failed);
                }
            }
        }
    }

    // ---- simple query ----

    fn simple(&mut self, sql: &str, out: &Out) -> Result<(), Gone> {
        let stmts = match self.session.parse(sql) {
            Ok(s) => s,
            Err(e) => return out.msg(error_response(sql_error(&e))),
        };
        if stmts.is_empty() {
            return out.msg(PgWireBackendMessage::EmptyQueryResponse(
                EmptyQueryResponse::new(),
            ));
        }
        // The simple protocol's portal is the unnamed one.
        self.portals.remove("");
        // Several statements run as one implicit transaction.
        let implicit = stmts.len() > 1;
        if implicit {
            self.session.begin_implicit();
        }
        let mut ok = true;
        for stmt in &stmts {
            if !self.simple_one(stmt, out)? {
                ok = false;
                break;
            }
        }
        if implicit && let Err(e) = self.session.end_implicit() {
            // A failed statement was reported already; a failed commit not.
            if ok {
                out.msg(error_response(sql_error(&e)))?;
            }
        }
        Ok(())
    }

    /// Runs one statement of a simple query; false if it failed.
    fn simple_one(&mut self, stmt: &Statement, out: &Out) -> Result<bool, Gone> {
        let before = self.reported();
        let result = self.run(stmt, &[]);
        self.send_notices(out)?;
        let ok = match result {
            Ok(Output::Rows {
                columns,
                mut rows,
                command,
            }) => {
                let text = vec![false; columns.len()];
                out.msg(PgWireBackendMessage::RowDescription(row_description(
                    &columns, &text,
                )))?;
                let tz = self.session.time_zone().clone();
                let streamed = Self::stream_simple(&mut rows, &text, &tz, out)?;
                drop(rows);
                self.send_notices(out)?;
                match streamed {
                    Some(n) => {
                        out.msg(command_complete(command_tag(command, n)))?;
                        true
                    }
                    None => false,
                }
            }
            Ok(Output::Command { tag }) => {
                out.msg(command_complete(tag))?;
                true
            }
            Ok(Output::Empty) => {
                out.msg(PgWireBackendMessage::EmptyQueryResponse(
                    EmptyQueryResponse::new(),
                ))?;
                true
            }
            Ok(Output::CopyIn { format, columns }) => {
                // COPY FROM STDIN ends the query string (the parser sees
                // to that); its CopyDone completes it.
                Self::start_copy_in(format, columns, out)?;
                false
            }
            Ok(Output::CopyOut {
                format,
                columns,
                header,
                lines,
            }) => match copy::send_copy_out(format, columns, header, lines, &mut |m| out.msg(m))? {
                Ok(()) => true,
                Err(e) => {
                    out.msg(error_response(sql_error(&e)))?;
                    false
                }
            },
            Err(e) => {
                out.msg(error_response(sql_error(&e)))?;
                false
            }
        };
        self.send_setting_changes(&before, out)?;
        Ok(ok)
    }

    /// Runs a statement; DEALLOCATE frees this connection's prepared
    /// statements, everything else is the session's.
    fn run(&mut self, stmt: &Statement, params: &[Value]) -> Result<Output, SqlError> {
        let Some(target) = stmt.deallocates() else {
            return self.session.execute(stmt, params);
        };
        if self.session.transaction_status() == TransactionStatus::Failed {
            return Err(SqlError::new(
                "25P02",
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        let tag = match target {
            None => {
                self.statements.retain(|name, _| name.is_empty());
                "DEALLOCATE ALL"
            }
            Some(name) => {
                if self.statements.remove(&name).is_none() {
                    return Err(SqlError::new(
                        "26000",
                        format!("prepared statement \"{name}\" does not exist"),
                    ));
                }
                "DEALLOCATE"
            }
        };
        Ok(Output::Command { tag: tag.into() })
    }

    /// Streams all rows; a failing row is reported as an ErrorResponse.
    /// The row count, or None on failure.
    fn stream_simple(
        rows: &mut RowStream,
        binary: &[bool],
        tz: &SessionTimeZone,
        out: &Out,
    ) -> Result<Option<u64>, Gone> {
        let mut sent = 0u64;
        for row in rows {
            match row {
                Ok(values) => {
                    out.msg(PgWireBackendMessage::DataRow(data_row(&values, binary, tz)))?;
                    sent += 1;
                }
                Err(e) => {
                    out.msg(error_response(sql_error(&e)))?;
                    return Ok(None);
                }
            }
        }
        Ok(Some(sent))
    }

    // ---- extended query ----

    fn parse(&mut self, name: String, sql: &str, types: &[u32]) -> Result<(), Failure> {
        if !name.is_empty() && self.statements.contains_key(&name) {
            return Err(error_info(
                "42P05",
                format!("prepared statement \"{name}\" already exists"),
            ));
        }
        let declared = types
            .iter()
            .map(|&t| {
                oid::declared_type(t).map_err(|t| {
                    error_info(
                        "0A000",
                        format!("parameters of the type with OID {t} are not supported"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmts = self.session.parse(sql).map_err(|e| sql_error(&e))?;
        let engine_types: Vec<Option<DataType>> =
            declared.iter().map(|d| d.map(|p| p.ty)).collect();
        // A declared parameter keeps its wire type; the rest are inferred.
        let param_types = |inferred: &[DataType]| -> Vec<ParamType> {
            declared
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    d.unwrap_or_else(|| {
                        ParamType::inferred(inferred.get(i).copied().unwrap_or(DataType::Text))
                    })
                })
                .chain(
                    inferred
                        .iter()
                        .skip(declared.len())
                        .map(|t| ParamType::inferred(*t)),
                )
                .collect()
        };
        let prepared = match stmts.len() {
            0 => Prepared {
                stmt: None,
                params: param_types(&[]),
                columns: None,
            },
            1 => {
                let stmt = stmts.pop().expect("one statement");
                let description = self
                    .session
                    .describe(&stmt, &engine_types)
                    .map_err(|e| sql_error(&e))?;
                Prepared {
                    stmt: Some(stmt),
                    params: param_types(&description.params),
                    columns: description.columns,
                }
            }
            _ => {
                return Err(error_info(
                    "42601",
                    "cannot insert multiple commands into a prepared statement",
                ));
            }
        };
        self.statements.insert(name, Arc::new(prepared));
        Ok(())
    }

    fn bind(
        &mut self,
        portal: String,
        statement: &str,
        param_formats: &[i16],
        params: &[Option<Bytes>],
        result_formats: &[i16],
    ) -> Result<(), Failure> {
        let prepared = self.statements.get(statement).cloned().ok_or_else(|| {
            error_info(
                "26000",
                format!("prepared statement \"{statement}\" does not exist"),
            )
        })?;
        if params.len() != prepared.params.len() {
            return Err(error_info(
                "08P01",
                format!(
                    "bind message supplies {} parameters, but prepared statement \"{statement}\" requires {}",
                    params.len(),
                    prepared.params.len()
                ),
            ));
        }
        let param_binary = resolve_formats(param_formats, params.len(), "parameter")?;
        let tz = self.session.time_zone().clone();
        let mut values = Vec::with_capacity(params.len());
        for (i, (p, ty)) in params.iter().zip(&prepared.params).enumerate() {
            values.push(match p {
                None => Value::Null,
                Some(bytes) => param::decode(bytes, param_binary[i], ty, i + 1, &tz)?,
            });
        }
        let ncols = prepared.columns.as_ref().map_or(0, Vec::len);
        let binary = resolve_formats(result_formats, ncols, "result")?;
        if !portal.is_empty() && self.portals.contains_key(&portal) {
            return Err(error_info(
                "42P03",
                format!("cursor \"{portal}\" already exists"),
            ));
        }
        self.portals.insert(
            portal,
            Portal {
                prepared,
                params: values,
                binary,
                state: PortalState::NotStarted,
            },
        );
        Ok(())
    }

    fn describe(&mut self, portal: bool, name: &str, out: &Out) -> Result<(), Gone> {
        let (prepared, binary) = if portal {
            match self.portals.get(name) {
                Some(p) => (p.prepared.clone(), p.binary.clone()),
                None => {
                    return out.error(error_info(
                        "34000",
                        format!("portal \"{name}\" does not exist"),
                    ));
                }
            }
        } else {
            match self.statements.get(name) {
                Some(s) => {
                    let n = s.columns.as_ref().map_or(0, Vec::len);
                    (s.clone(), vec![false; n])
                }
                None => {
                    return out.error(error_info(
                        "26000",
                        format!("prepared statement \"{name}\" does not exist"),
                    ));
                }
            }
        };
        if !portal {
            out.msg(PgWireBackendMessage::ParameterDescription(
                ParameterDescription::new(prepared.params.iter().map(|p| p.oid).collect()),
            ))?;
        }
        match &prepared.columns {
            Some(columns) => out.msg(PgWireBackendMessage::RowDescription(row_description(
                columns, &binary,
            ))),
            None => out.msg(PgWireBackendMessage::NoData(NoData::new())),
        }
    }

    fn execute(&mut self, name: &str, max_rows: usize, out: &Out) -> Result<(), Gone> {
        let Some(portal) = self.portals.get_mut(name) else {
            return out.error(error_info(
                "34000",
                format!("portal \"{name}\" does not exist"),
            ));
        };
        if let PortalState::NotStarted = portal.state {
            let Some(stmt) = portal.prepared.stmt.clone() else {
                portal.state = PortalState::Finished(None);
                return out.msg(PgWireBackendMessage::EmptyQueryResponse(
                    EmptyQueryResponse::new(),
                ));
            };
            let params = std::mem::take(&mut portal.params);
            let before = self.reported();
            let result = self.run(&stmt, &params);
            self.send_notices(out)?;
            self.send_setting_changes(&before, out)?;
            let portal = self.portals.get_mut(name).expect("portal still there");
            match result {
                Ok(Output::Rows { rows, command, .. }) => {
                    portal.state = PortalState::Streaming { rows, command };
                }
                Ok(Output::Command { tag }) => {
                    portal.state = PortalState::Finished(Some(tag.clone()));
                    return out.msg(command_complete(tag));
                }
                Ok(Output::Empty) => {
                    portal.state = PortalState::Finished(None);
                    return out.msg(PgWireBackendMessage::EmptyQueryResponse(
                        EmptyQueryResponse::new(),
                    ));
                }
                Ok(Output::CopyIn { format, columns }) => {
                    portal.state = PortalState::Finished(None);
                    return Self::start_copy_in(format, columns, out);
                }
                Ok(Output::CopyOut {
                    format,
                    columns,
                    header,
                    lines,
                }) => {
                    // COPY TO runs to completion whatever Execute's row limit.
                    portal.state = PortalState::Finished(None);
                    return match copy::send_copy_out(format, columns, header, lines, &mut |m| {
                        out.msg(m)
                    })? {
                        Ok(()) => Ok(()),
                        Err(e) => out.error(sql_error(&e)),
                    };
                }
                Err(e) => {
                    portal.state = PortalState::Finished(None);
                    return out.error(sql_error(&e));
                }
            }
        }
        let tz = self.session.time_zone().clone();
        let portal = self.portals.get_mut(name).expect("portal still there");
        match &mut portal.state {
            PortalState::NotStarted => unreachable!("started above"),
            PortalState::Streaming { rows, command } => {
                let command = *command;
                match Self::stream(rows, &portal.binary, &tz, max_rows, out)? {
                    Streamed::Exhausted(n) => {
                        portal.state = PortalState::Finished(Some(command_tag(command, 0)));
                        out.msg(command_complete(command_tag(command, n)))?;
                    }
                    Streamed::Suspended => {
                        out.msg(PgWireBackendMessage::PortalSuspended(PortalSuspended::new()))?;
                    }
                    Streamed::Failed => portal.state = PortalState::Finished(None),
                }
                self.send_notices(out)
            }
            PortalState::Finished(Some(tag)) => out.msg(command_complete(tag.clone())),
            PortalState::Finished(None) => out.msg(PgWireBackendMessage::EmptyQueryResponse(
                EmptyQueryResponse::new(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_resolve_like_postgres() {
        assert_eq!(
            resolve_formats(&[], 2, "result").unwrap(),
            vec![false, false]
        );
        assert_eq!(resolve_formats(&[1], 3, "result").unwrap(), vec![true; 3]);
        assert_eq!(
            resolve_formats(&[0, 1], 2, "result").unwrap(),
            vec![false, true]
        );
        assert_eq!(
            resolve_formats(&[0, 1], 3, "result").unwrap_err().code,
            "08P01"
        );
        assert_eq!(
            resolve_formats(&[2], 1, "result").unwrap_err().code,
            "08P01"
        );
    }

    #[test]
    fn data_rows_mix_text_binary_and_null() {
        let row = data_row(
            &[Value::Integer(7), Value::Null, Value::Text("ab".into())],
            &[true, false, false],
            &SessionTimeZone::utc(),
        );
        assert_eq!(row.field_count, 3);
        assert_eq!(
            &row.data[..],
            &[
                0, 0, 0, 4, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, b'a', b'b'
            ]
        );
    }
}
