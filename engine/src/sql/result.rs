//! What executing a statement gives back to the caller (the wire server or
//! an embedding program).

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::copy::CopyFormat;
use super::error::SqlResult;

/// A result column: its name as PostgreSQL would name it, and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: DataType,
}

/// The rows of a result, produced as the caller reads them.
pub type RowStream = Box<dyn Iterator<Item = SqlResult<Vec<Value>>> + Send>;

/// The outcome of one statement.
pub enum Output {
    /// Rows to send: for SELECT, and for INSERT/UPDATE/DELETE … RETURNING.
    /// `command` is the tag's verb; the tag is [`command_tag`] of it and the
    /// number of rows read.
    Rows {
        columns: Arc<[Column]>,
        rows: RowStream,
        command: &'static str,
    },
    /// A statement without rows, with its complete tag ("CREATE TABLE",
    /// "INSERT 0 3", "BEGIN").
    Command { tag: String },
    /// An empty statement (only whitespace or comments).
    Empty,
    /// COPY … FROM STDIN has started: the caller passes the input to
    /// [`super::Session::copy_data`], then calls
    /// [`super::Session::copy_done`] (or [`super::Session::copy_fail`]).
    CopyIn { format: CopyFormat, columns: usize },
    /// COPY … TO STDOUT: the header line if any, then one line per row,
    /// produced as the caller reads them. The tag is "COPY <rows>".
    CopyOut {
        format: CopyFormat,
        columns: usize,
        header: Option<Vec<u8>>,
        lines: CopyLines,
    },
}

/// COPY TO's output lines, each `\n`-terminated.
pub type CopyLines = Box<dyn Iterator<Item = SqlResult<Vec<u8>>> + Send>;

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Output::Rows {
                columns, command, ..
            } => f
                .debug_struct("Rows")
                .field("columns", columns)
                .field("command", command)
                .finish_non_exhaustive(),
            Output::Command { tag } => f.debug_struct("Command").field("tag", tag).finish(),
            Output::Empty => f.write_str("Empty"),
            Output::CopyIn { format, columns } => f
                .debug_struct("CopyIn")
                .field("format", format)
                .field("columns", columns)
                .finish(),
            Output::CopyOut {
                format, columns, ..
            } => f
                .debug_struct("CopyOut")
                .field("format", format)
                .field("columns", columns)
                .finish_non_exhaustive(),
        }
    }
}

/// The CommandComplete tag for `command` having affected or returned `rows`
/// rows ("SELECT 3", "INSERT 0 3", "UPDATE 2").
pub fn command_tag(command: &str, rows: u64) -> String {
    match command {
        "INSERT" => format!("INSERT 0 {rows}"),
        // PostgreSQL's tag for EXPLAIN has no row count.
        "EXPLAIN" => "EXPLAIN".into(),
        other => format!("{other} {rows}"),
    }
}

/// A message for the client that is not an error (NoticeResponse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// "WARNING", "NOTICE"...
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
}

/// Whether the session is in a transaction block, as ReadyForQuery reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionStatus {
    /// 'I': not in a transaction block.
    Idle,
    /// 'T': in a transaction block.
    InBlock,
    /// 'E': in a failed transaction block; statements are refused until ROLLBACK.
    Failed,
}

/// What a prepared statement takes and gives, known before it runs
/// (the wire protocol's Describe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// The type of each parameter `$1`, `$2`, ….
    pub params: Vec<DataType>,
    /// The result columns, or None when the statement returns no rows.
    pub columns: Option<Vec<Column>>,
}
