//! The engine's error type: every failure is a value that says what and where.

use std::io;
use std::path::PathBuf;

/// Result with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong inside the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An operating-system call on a file of the data directory failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Bytes on disk do not match their checksum or their documented layout.
    /// The data directory must not be trusted past this point.
    #[error("corruption in {file} at byte {offset}: {detail}")]
    Corruption {
        file: String,
        offset: u64,
        detail: String,
    },
    /// The data directory is already opened by another process or handle.
    #[error("data directory {0} is locked by another crmdb process")]
    Locked(PathBuf),
    /// An earlier fsync failed: the kernel may have dropped dirty pages, so
    /// the only safe path is to reopen and recover from the log.
    #[error("database stopped after a failed write and must be reopened: {0}")]
    Poisoned(String),
    /// A value does not fit its column's type or constraint.
    #[error("{0}")]
    Constraint(ConstraintError),
    /// A table or column named by the caller does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The caller asked for something that conflicts with the catalog.
    #[error("{0}")]
    Invalid(String),
    /// A concurrent transaction changed a row this one changes too.
    #[error("could not serialize access due to concurrent update of {table}")]
    SerializationFailure { table: String },
    /// A limit put on an input was exceeded.
    #[error("limit exceeded: {0}")]
    Limit(String),
}

/// A constraint violation, with the PostgreSQL vocabulary the SQL layer maps
/// to SQLSTATE codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConstraintError {
    #[error("duplicate key value violates unique constraint \"{constraint}\"")]
    Unique { constraint: String, detail: String },
    #[error(
        "null value in column \"{column}\" of relation \"{table}\" violates not-null constraint"
    )]
    NotNull { table: String, column: String },
    #[error("column \"{column}\" is of type {expected} but the value is of type {found}")]
    Type {
        column: String,
        expected: String,
        found: String,
    },
    #[error("{0}")]
    OutOfRange(String),
    #[error("{message}")]
    ForeignKey {
        constraint: String,
        message: String,
        detail: String,
    },
}

impl Error {
    /// Wrap an [`io::Error`] with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A corruption report for `file` at `offset`.
    pub fn corruption(file: impl Into<String>, offset: u64, detail: impl Into<String>) -> Self {
        Error::Corruption {
            file: file.into(),
            offset,
            detail: detail.into(),
        }
    }
}
