//! A SQL session: one client's connection state — its transaction, its
//! settings — and the entry point that runs statements.
//!
//! The caller (the wire server, or a program embedding the engine) parses a
//! query string into statements with [`Session::parse`], then for each one
//! calls [`Session::describe`] (extended protocol) and/or
//! [`Session::execute`], reading any rows the output streams before
//! executing the next statement.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlparser::ast;

use crate::db::Database;
use crate::txn::{Savepoint, Transaction};
use crate::types::datetime::system_now;
use crate::types::{DataType, SessionTimeZone, Value};

use super::copy::load::Loader;
use super::error::{SqlError, SqlResult, code};
use super::executor::StartTimes;
use super::interrupt::{CancelHandle, Interrupt};
use super::result::{Description, Notice, Output, TransactionStatus};
use super::settings::Settings;
use super::{executor, parser, planner};

/// A parsed statement, ready to describe or execute any number of times.
#[derive(Debug, Clone)]
pub struct Statement {
    pub(crate) ast: ast::Statement,
}

impl Statement {
    /// The statement as SQL text (normalised by the parser).
    pub fn sql(&self) -> String {
        self.ast.to_string()
    }

    /// For `DEALLOCATE [PREPARE] name | ALL`, which prepared statement it
    /// frees (None: all of them). Prepared statements belong to the wire
    /// server, which runs this statement itself.
    pub fn deallocates(&self) -> Option<Option<String>> {
        let ast::Statement::Deallocate { name, .. } = &self.ast else {
            return None;
        };
        Some(match name.quote_style {
            None if name.value.eq_ignore_ascii_case("all") => None,
            None => Some(name.value.to_lowercase()),
            Some(_) => Some(name.value.clone()),
        })
    }
}

enum TxnState {
    /// No transaction block: each statement runs in its own transaction.
    Idle,
    /// Inside BEGIN … COMMIT.
    Block(Transaction),
    /// The implicit transaction of a query string of several statements
    /// (see [`Session::begin_implicit`]).
    Implicit(Transaction),
    /// A statement in the block failed: everything is refused until the
    /// block ends.
    Failed,
}

/// One client's session.
pub struct Session {
    db: Arc<Database>,
    txn: TxnState,
    settings: Settings,
    notices: Vec<Notice>,
    /// Set by a result stream of a transaction block that failed while the
    /// caller read it: the block is then failed too.
    stream_failed: Arc<AtomicBool>,
    cancel: CancelHandle,
    /// The role the client authenticated as; None for a program embedding
    /// the engine, trusted as the bootstrap superuser.
    user: Option<String>,
    /// Between [`Session::begin_implicit`] and [`Session::end_implicit`].
    implicit: bool,
    /// A COPY FROM STDIN taking input.
    copy: Option<CopyIn>,
    /// When the open transaction block began: now() within it.
    block_start: i64,
    /// The block's savepoints, oldest first (a name may repeat; the newest
    /// counts).
    savepoints: Vec<(String, Savepoint)>,
    /// A failed block's transaction, kept for ROLLBACK TO a savepoint.
    failed_txn: Option<Transaction>,
}

/// A COPY FROM STDIN in progress, with the transaction it loads into.
struct CopyIn {
    loader: Loader,
    txn: Transaction,
    /// Inside BEGIN … COMMIT: the transaction goes back to the block when
    /// the COPY ends; otherwise the COPY commits it.
    in_block: bool,
    /// The transaction is a multi-statement string's implicit one, which
    /// the COPY ends.
    implicit: bool,
}

impl Session {
    /// A new session on `db` for a trusted caller: it acts as the
    /// bootstrap superuser.
    pub fn new(db: Arc<Database>) -> Session {
        Self::with_user(db, None)
    }

    /// A new session on `db` for role `user`, whose privileges apply.
    pub fn for_user(db: Arc<Database>, user: &str) -> Session {
        Self::with_user(db, Some(user.to_owned()))
    }

    fn with_user(db: Arc<Database>, user: Option<String>) -> Session {
        let mut settings = Settings::default();
        if let Some(name) = &user {
            let superuser = db.role(name).is_some_and(|r| r.superuser);
            settings.set_is_superuser(superuser);
        }
        Session {
            user,
            implicit: false,
            db,
            txn: TxnState::Idle,
            settings,
            notices: Vec::new(),
            stream_failed: Arc::new(AtomicBool::new(false)),
            cancel: CancelHandle::default(),
            copy: None,
            block_start: 0,
            savepoints: Vec::new(),
            failed_txn: None,
        }
    }

    /// The role the session runs as (None: a trusted caller).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The database this session runs on.
    pub fn database(&self) -> &Arc<Database> {
        &self.db
    }

    /// For ReadyForQuery.
    pub fn transaction_status(&mut self) -> TransactionStatus {
        self.absorb_stream_failure();
        match self.txn {
            TxnState::Idle | TxnState::Implicit(_) => TransactionStatus::Idle,
            TxnState::Block(_) => TransactionStatus::InBlock,
            TxnState::Failed => TransactionStatus::Failed,
        }
    }

    /// A handle another thread can use to cancel the running statement.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// The session's settings (SET / SHOW).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The session's time zone, in which TIMESTAMPTZ values are shown.
    pub fn time_zone(&self) -> &SessionTimeZone {
        self.settings.time_zone()
    }

    /// Notices raised since the last call (WARNING: there is already a
    /// transaction in progress, …).
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Splits and parses a query string into statements. An empty string
    /// gives no statements.
    pub fn parse(&self, sql: &str) -> SqlResult<Vec<Statement>> {
        Ok(parser::parse(sql)?
            .into_iter()
            .map(|ast| Statement { ast })
            .collect())
    }

    /// The types of a statement's parameters and its result columns.
    /// `declared` gives the types the client fixed for some parameters
    /// (None: infer from the statement).
    pub fn describe(
        &mut self,
        stmt: &Statement,
        declared: &[Option<DataType>],
    ) -> SqlResult<Description> {
        self.absorb_stream_failure();
        if matches!(self.txn, TxnState::Failed) && !is_transaction_end(&stmt.ast) {
            return Err(failed_transaction());
        }
        // Statements the session (or the wire server) runs itself take no
        // parameters and return no rows; drivers prepare BEGIN like any
        // other statement.
        if is_session_control(&stmt.ast) {
            return Ok(Description {
                params: Vec::new(),
                columns: None,
            });
        }
        let snapshot;
        let catalog = match &self.txn {
            TxnState::Block(txn) | TxnState::Implicit(txn) => txn.catalog(),
            _ => {
                snapshot = self.db.snapshot();
                snapshot.catalog()
            }
        };
        let describe = |stmt: &ast::Statement| {
            planner::describe(
                stmt,
                catalog,
                &self.settings,
                declared,
                self.user.as_deref(),
            )
        };
        match &stmt.ast {
            ast::Statement::Explain { .. } => super::explain::describe(&stmt.ast, describe),
            other => describe(other),
        }
    }

    /// Runs a statement with parameter values for `$1`, `$2`, ….
    pub fn execute(&mut self, stmt: &Statement, params: &[Value]) -> SqlResult<Output> {
        self.absorb_stream_failure();
        if self.copy.is_some() {
            return Err(SqlError::new(
                code::PROTOCOL_VIOLATION,
                "a statement was sent while COPY FROM STDIN takes input",
            ));
        }
        use ast::Statement as S;
        match &stmt.ast {
            S::StartTransaction { .. } => return Ok(self.begin()),
            S::Commit { .. } => return self.commit(),
            S::Rollback {
                savepoint: None, ..
            } => return Ok(self.rollback()),
            S::Savepoint { name } => return self.savepoint(&super::binder::ident_name(name)),
            S::Rollback {
                savepoint: Some(name),
                ..
            } => return self.rollback_to(&super::binder::ident_name(name)),
            S::ReleaseSavepoint { name } => {
                return self.release(&super::binder::ident_name(name));
            }
            S::Copy { to: false, .. } => return self.start_copy_in(stmt),
            _ => {}
        }
        match std::mem::replace(&mut self.txn, TxnState::Idle) {
            TxnState::Failed => {
                self.txn = TxnState::Failed;
                Err(failed_transaction())
            }
            TxnState::Block(mut txn) => {
                let times = StartTimes {
                    transaction: self.block_start,
                    statement: system_now(),
                };
                let result = self.execute_in(stmt, &mut txn, params, times);
                self.txn = match &result {
                    Ok(_) => TxnState::Block(txn),
                    Err(_) => {
                        self.failed_txn = Some(txn);
                        TxnState::Failed
                    }
                };
                result.map(|output| self.watch_stream(output))
            }
            // An error ends the implicit transaction: everything the query
            // string did so far is rolled back.
            TxnState::Implicit(mut txn) => {
                let times = StartTimes {
                    transaction: self.block_start,
                    statement: system_now(),
                };
                let result = self.execute_in(stmt, &mut txn, params, times);
                if result.is_ok() {
                    self.txn = TxnState::Implicit(txn);
                }
                result.map(|output| self.watch_stream(output))
            }
            TxnState::Idle if self.implicit => {
                let mut txn = self.db.begin();
                self.block_start = system_now();
                let times = StartTimes {
                    transaction: self.block_start,
                    statement: self.block_start,
                };
                let result = self.execute_in(stmt, &mut txn, params, times);
                if result.is_ok() {
                    self.txn = TxnState::Implicit(txn);
                }
                result.map(|output| self.watch_stream(output))
            }
            TxnState::Idle => {
                let mut txn = self.db.begin();
                let interrupt = self.interrupt();
                let start = system_now();
                let output = executor::execute(
                    &stmt.ast,
                    &mut txn,
                    &mut self.settings,
                    params,
                    StartTimes {
                        transaction: start,
                        statement: start,
                    },
                    interrupt,
                    self.user.as_deref(),
                )?;
                txn.commit()?;
                Ok(output)
            }
        }
    }

    fn execute_in(
        &mut self,
        stmt: &Statement,
        txn: &mut Transaction,
        params: &[Value],
        times: StartTimes,
    ) -> SqlResult<Output> {
        let interrupt = self.interrupt();
        executor::execute(
            &stmt.ast,
            txn,
            &mut self.settings,
            params,
            times,
            interrupt,
            self.user.as_deref(),
        )
    }

    /// Starts running a query string of several statements (the simple
    /// query protocol) as PostgreSQL does: as one implicit transaction, so
    /// that an error rolls back the string's earlier statements too.
    /// BEGIN inside it turns what ran so far into an explicit block;
    /// COMMIT and ROLLBACK end it, and the statements after them start a
    /// new one. [`Session::end_implicit`] commits what is left.
    pub fn begin_implicit(&mut self) {
        self.implicit = true;
    }

    /// Ends the query string: commits its implicit transaction, if one is
    /// open (an explicit block stays open).
    pub fn end_implicit(&mut self) -> SqlResult<()> {
        self.implicit = false;
        self.absorb_stream_failure();
        match std::mem::replace(&mut self.txn, TxnState::Idle) {
            TxnState::Implicit(txn) => txn.commit().map(|_| ()).map_err(Into::into),
            other => {
                self.txn = other;
                Ok(())
            }
        }
    }

    /// Starts COPY … FROM STDIN in the session's transaction block, or in
    /// a transaction of its own.
    fn start_copy_in(&mut self, stmt: &Statement) -> SqlResult<Output> {
        let (txn, in_block, txn_start) = match std::mem::replace(&mut self.txn, TxnState::Idle) {
            TxnState::Failed => {
                self.txn = TxnState::Failed;
                return Err(failed_transaction());
            }
            TxnState::Block(txn) => (txn, true, self.block_start),
            TxnState::Implicit(txn) => (txn, true, self.block_start),
            TxnState::Idle => (self.db.begin(), false, system_now()),
        };
        let implicit = self.implicit && in_block;
        let interrupt = self.interrupt();
        match executor::start_copy_in(
            &stmt.ast,
            &txn,
            &self.settings,
            txn_start,
            interrupt,
            self.user.as_deref(),
        ) {
            Ok(loader) => {
                let output = Output::CopyIn {
                    format: loader.format(),
                    columns: loader.columns(),
                };
                self.copy = Some(CopyIn {
                    loader,
                    txn,
                    in_block,
                    implicit,
                });
                Ok(output)
            }
            Err(e) => {
                if in_block && !implicit {
                    self.txn = TxnState::Failed;
                    self.failed_txn = Some(txn);
                }
                Err(e)
            }
        }
    }

    /// Whether a COPY FROM STDIN is taking input.
    pub fn in_copy(&self) -> bool {
        self.copy.is_some()
    }

    /// Passes a chunk of COPY FROM STDIN's input (any size, lines may span
    /// chunks); its complete lines are loaded. On error the COPY has ended
    /// and nothing of it remains. Without a COPY in progress the data is
    /// ignored, as PostgreSQL ignores data sent after a COPY failed.
    pub fn copy_data(&mut self, data: &[u8]) -> SqlResult<()> {
        let Some(copy) = self.copy.as_mut() else {
            return Ok(());
        };
        let result = copy.loader.write(&mut copy.txn, data);
        if result.is_err() {
            self.abort_copy();
        }
        result
    }

    /// Ends COPY FROM STDIN's input: the last line is loaded and, outside
    /// a transaction block, everything is committed. The tag "COPY <rows>".
    pub fn copy_done(&mut self) -> SqlResult<Output> {
        let Some(mut copy) = self.copy.take() else {
            return Err(SqlError::new(
                code::PROTOCOL_VIOLATION,
                "COPY input ended without a COPY in progress",
            ));
        };
        let rows = match copy.loader.finish(&mut copy.txn) {
            Ok(rows) => rows,
            Err(e) => {
                self.copy = Some(copy);
                self.abort_copy();
                return Err(e);
            }
        };
        // COPY FROM STDIN ends its query string, and so the string's
        // implicit transaction: it commits with the COPY.
        if copy.in_block && !copy.implicit {
            self.txn = TxnState::Block(copy.txn);
        } else {
            copy.txn.commit()?;
        }
        Ok(Output::Command {
            tag: format!("COPY {rows}"),
        })
    }

    /// The client gave up on COPY FROM STDIN (CopyFail): nothing of it
    /// remains; the error to report.
    pub fn copy_fail(&mut self, message: &str) -> SqlError {
        self.abort_copy();
        SqlError::new(
            code::QUERY_CANCELED,
            format!("COPY from stdin failed: {message}"),
        )
    }

    /// Drops the COPY in progress and what it loaded; a transaction block
    /// it ran in is failed.
    fn abort_copy(&mut self) {
        // A failed COPY in an implicit transaction rolls it back.
        if let Some(copy) = self.copy.take()
            && copy.in_block
            && !copy.implicit
        {
            self.txn = TxnState::Failed;
            self.failed_txn = Some(copy.txn);
        }
    }

    /// The interrupt for a statement starting now: a cancel that arrived
    /// while nothing ran is forgotten, the statement_timeout starts.
    fn interrupt(&self) -> Interrupt {
        self.cancel.reset();
        Interrupt::new(self.cancel.clone(), self.settings.statement_timeout_ms())
    }

    /// Marks the block failed, or rolls the implicit transaction back, if
    /// a result stream of it failed.
    fn absorb_stream_failure(&mut self) {
        if self.stream_failed.swap(false, Ordering::AcqRel) {
            match std::mem::replace(&mut self.txn, TxnState::Idle) {
                TxnState::Block(txn) => {
                    self.failed_txn = Some(txn);
                    self.txn = TxnState::Failed;
                }
                // The implicit transaction is rolled back.
                TxnState::Implicit(_) => {}
                other => self.txn = other,
            }
        }
    }

    /// Wraps a block's result stream so that an error in it fails the block.
    fn watch_stream(&self, output: Output) -> Output {
        match output {
            Output::Rows {
                columns,
                rows,
                command,
            } => {
                let flag = self.stream_failed.clone();
                Output::Rows {
                    columns,
                    rows: Box::new(rows.inspect(move |r| {
                        if r.is_err() {
                            flag.store(true, Ordering::Release);
                        }
                    })),
                    command,
                }
            }
            Output::CopyOut {
                format,
                columns,
                header,
                lines,
            } => {
                let flag = self.stream_failed.clone();
                Output::CopyOut {
                    format,
                    columns,
                    header,
                    lines: Box::new(lines.inspect(move |r| {
                        if r.is_err() {
                            flag.store(true, Ordering::Release);
                        }
                    })),
                }
            }
            other => other,
        }
    }

    fn begin(&mut self) -> Output {
        match std::mem::replace(&mut self.txn, TxnState::Idle) {
            TxnState::Idle => {
                self.block_start = system_now();
                self.txn = TxnState::Block(self.db.begin());
            }
            TxnState::Implicit(txn) => self.txn = TxnState::Block(txn),
            other => {
                self.txn = other;
                self.notices.push(Notice {
                    severity: "WARNING",
                    code: code::ACTIVE_SQL_TRANSACTION,
                    message: "there is already a transaction in progress".into(),
                });
            }
        }
        Output::Command {
            tag: "BEGIN".into(),
        }
    }

    fn commit(&mut self) -> SqlResult<Output> {
        self.end_block();
        match std::mem::replace(&mut self.txn, TxnState::Idle) {
            TxnState::Idle => {
                self.notices.push(no_transaction_warning());
                Ok(Output::Command {
                    tag: "COMMIT".into(),
                })
            }
            // Committing a failed block rolls it back, as PostgreSQL does.
            TxnState::Failed => Ok(Output::Command {
                tag: "ROLLBACK".into(),
            }),
            TxnState::Block(txn) => {
                txn.commit()?;
                Ok(Output::Command {
                    tag: "COMMIT".into(),
                })
            }
            // PostgreSQL commits an implicit transaction, with a warning
            // that no BEGIN preceded.
            TxnState::Implicit(txn) => {
                self.notices.push(no_transaction_warning());
                txn.commit()?;
                Ok(Output::Command {
                    tag: "COMMIT".into(),
                })
            }
        }
    }

    /// Forgets the block's savepoints and failed transaction.
    fn end_block(&mut self) {
        self.savepoints.clear();
        self.failed_txn = None;
    }

    /// SAVEPOINT name.
    fn savepoint(&mut self, name: &str) -> SqlResult<Output> {
        match &self.txn {
            TxnState::Idle | TxnState::Implicit(_) => Err(not_in_block("SAVEPOINT")),
            TxnState::Failed => Err(failed_transaction()),
            TxnState::Block(txn) => {
                self.savepoints.push((name.to_owned(), txn.savepoint()));
                Ok(Output::Command {
                    tag: "SAVEPOINT".into(),
                })
            }
        }
    }

    /// The newest savepoint called `name`; a missing one fails the block.
    fn find_savepoint(&mut self, name: &str) -> SqlResult<usize> {
        match self.savepoints.iter().rposition(|(n, _)| n == name) {
            Some(i) => Ok(i),
            None => {
                if let TxnState::Block(txn) = std::mem::replace(&mut self.txn, TxnState::Failed) {
                    self.failed_txn = Some(txn);
                }
                Err(SqlError::new(
                    code::INVALID_SAVEPOINT_SPECIFICATION,
                    format!("savepoint \"{name}\" does not exist"),
                ))
            }
        }
    }

    /// ROLLBACK TO [SAVEPOINT] name: undoes what followed it, keeps it, and
    /// leaves a failed block usable again.
    fn rollback_to(&mut self, name: &str) -> SqlResult<Output> {
        if matches!(self.txn, TxnState::Idle) {
            return Err(not_in_block("ROLLBACK TO SAVEPOINT"));
        }
        let i = self.find_savepoint(name)?;
        let mut txn = match std::mem::replace(&mut self.txn, TxnState::Idle) {
            TxnState::Block(txn) => txn,
            _ => self
                .failed_txn
                .take()
                .ok_or_else(|| SqlError::internal("a failed block without its transaction"))?,
        };
        txn.rollback_to(self.savepoints[i].1.clone());
        self.savepoints.truncate(i + 1);
        self.txn = TxnState::Block(txn);
        Ok(Output::Command {
            tag: "ROLLBACK".into(),
        })
    }

    /// RELEASE [SAVEPOINT] name: forgets it and those after it.
    fn release(&mut self, name: &str) -> SqlResult<Output> {
        match self.txn {
            TxnState::Idle | TxnState::Implicit(_) => {
                return Err(not_in_block("RELEASE SAVEPOINT"));
            }
            TxnState::Failed => return Err(failed_transaction()),
            TxnState::Block(_) => {}
        }
        let i = self.find_savepoint(name)?;
        self.savepoints.truncate(i);
        Ok(Output::Command {
            tag: "RELEASE".into(),
        })
    }

    fn rollback(&mut self) -> Output {
        self.end_block();
        // Outside an explicit block PostgreSQL warns, implicit or not.
        if let TxnState::Idle | TxnState::Implicit(_) =
            std::mem::replace(&mut self.txn, TxnState::Idle)
        {
            self.notices.push(no_transaction_warning());
        }
        Output::Command {
            tag: "ROLLBACK".into(),
        }
    }
}

fn is_transaction_end(stmt: &ast::Statement) -> bool {
    matches!(
        stmt,
        ast::Statement::Commit { .. } | ast::Statement::Rollback { .. }
    )
}

/// Transaction control and DEALLOCATE.
fn is_session_control(stmt: &ast::Statement) -> bool {
    use ast::Statement as S;
    matches!(
        stmt,
        S::StartTransaction { .. }
            | S::Commit { .. }
            | S::Rollback { .. }
            | S::Savepoint { .. }
            | S::ReleaseSavepoint { .. }
            | S::Deallocate { .. }
    )
}

/// 25P01: a savepoint command outside a transaction block.
fn not_in_block(what: &str) -> SqlError {
    SqlError::new(
        code::NO_ACTIVE_SQL_TRANSACTION,
        format!("{what} can only be used in transaction blocks"),
    )
}

fn failed_transaction() -> SqlError {
    SqlError::new(
        code::IN_FAILED_SQL_TRANSACTION,
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

fn no_transaction_warning() -> Notice {
    Notice {
        severity: "WARNING",
        code: code::NO_ACTIVE_SQL_TRANSACTION,
        message: "there is no transaction in progress".into(),
    }
}
