//! SQL errors: PostgreSQL's SQLSTATE code, message, and optional detail,
//! hint and cursor position, as the wire protocol's ErrorResponse carries
//! them.

use std::fmt;

use crate::error::{ConstraintError, Error};
use crate::types::TextError;

/// SQLSTATE codes crmdb reports (PostgreSQL's, Appendix A).
pub mod code {
    pub const SUCCESSFUL_COMPLETION: &str = "00000";
    pub const WARNING: &str = "01000";
    pub const NO_ACTIVE_SQL_TRANSACTION: &str = "25P01";
    pub const ACTIVE_SQL_TRANSACTION: &str = "25001";
    pub const IN_FAILED_SQL_TRANSACTION: &str = "25P02";
    pub const INVALID_SAVEPOINT_SPECIFICATION: &str = "3B001";
    pub const SYNTAX_ERROR: &str = "42601";
    pub const UNDEFINED_TABLE: &str = "42P01";
    pub const UNDEFINED_COLUMN: &str = "42703";
    pub const UNDEFINED_FUNCTION: &str = "42883";
    pub const UNDEFINED_OBJECT: &str = "42704";
    pub const DUPLICATE_TABLE: &str = "42P07";
    pub const DUPLICATE_COLUMN: &str = "42701";
    pub const DUPLICATE_OBJECT: &str = "42710";
    pub const AMBIGUOUS_COLUMN: &str = "42702";
    pub const DATATYPE_MISMATCH: &str = "42804";
    pub const GROUPING_ERROR: &str = "42803";
    pub const INVALID_COLUMN_REFERENCE: &str = "42P10";
    pub const UNDEFINED_PARAMETER: &str = "42P02";
    pub const INDETERMINATE_DATATYPE: &str = "42P18";
    pub const INVALID_TABLE_DEFINITION: &str = "42P16";
    pub const CANNOT_COERCE: &str = "42846";
    pub const WRONG_OBJECT_TYPE: &str = "42809";
    pub const INSUFFICIENT_PRIVILEGE: &str = "42501";
    pub const DEPENDENT_OBJECTS_STILL_EXIST: &str = "2BP01";
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
    pub const DIVISION_BY_ZERO: &str = "22012";
    pub const STRING_DATA_RIGHT_TRUNCATION: &str = "22001";
    pub const INVALID_PARAMETER_VALUE: &str = "22023";
    pub const DATETIME_FIELD_OVERFLOW: &str = "22008";
    pub const INVALID_DATETIME_FORMAT: &str = "22007";
    pub const CARDINALITY_VIOLATION: &str = "21000";
    pub const INVALID_ROW_COUNT_IN_LIMIT: &str = "2201W";
    pub const INVALID_ROW_COUNT_IN_OFFSET: &str = "2201X";
    pub const INVALID_ESCAPE_SEQUENCE: &str = "22025";
    pub const SUBSTRING_ERROR: &str = "22011";
    pub const NOT_NULL_VIOLATION: &str = "23502";
    pub const FOREIGN_KEY_VIOLATION: &str = "23503";
    pub const UNIQUE_VIOLATION: &str = "23505";
    pub const CHECK_VIOLATION: &str = "23514";
    pub const SERIALIZATION_FAILURE: &str = "40001";
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
    pub const STATEMENT_TOO_COMPLEX: &str = "54001";
    pub const QUERY_CANCELED: &str = "57014";
    pub const PROTOCOL_VIOLATION: &str = "08P01";
    pub const DATA_CORRUPTED: &str = "XX001";
    pub const IO_ERROR: &str = "58030";
    pub const INTERNAL_ERROR: &str = "XX000";
}

/// An error as a PostgreSQL client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub code: &'static str,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// 1-based character position in the statement, where known.
    pub position: Option<u32>,
    /// Where it happened (the protocol's CONTEXT): "COPY customers, line 3".
    pub context: Option<String>,
}

/// Result with a [`SqlError`].
pub type SqlResult<T> = Result<T, SqlError>;

impl SqlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        SqlError {
            code,
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
            context: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    pub fn syntax(message: impl Into<String>) -> Self {
        SqlError::new(code::SYNTAX_ERROR, message)
    }

    /// 0A000 with what is not supported.
    pub fn unsupported(what: impl fmt::Display) -> Self {
        SqlError::new(
            code::FEATURE_NOT_SUPPORTED,
            format!("{what} is not supported"),
        )
    }

    pub fn undefined_table(name: &str) -> Self {
        SqlError::new(
            code::UNDEFINED_TABLE,
            format!("relation \"{name}\" does not exist"),
        )
    }

    pub fn undefined_column(name: &str) -> Self {
        SqlError::new(
            code::UNDEFINED_COLUMN,
            format!("column \"{name}\" does not exist"),
        )
    }

    pub fn division_by_zero() -> Self {
        SqlError::new(code::DIVISION_BY_ZERO, "division by zero")
    }

    pub fn out_of_range(type_name: &str) -> Self {
        SqlError::new(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("{type_name} out of range"),
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        SqlError::new(code::INTERNAL_ERROR, message)
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)?;
        if let Some(detail) = &self.detail {
            write!(f, " DETAIL: {detail}")?;
        }
        if let Some(context) = &self.context {
            write!(f, " CONTEXT: {context}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SqlError {}

impl From<TextError> for SqlError {
    fn from(e: TextError) -> Self {
        SqlError {
            code: e.sqlstate(),
            message: e.message().to_owned(),
            detail: e.detail().map(str::to_owned),
            hint: e.hint().map(str::to_owned),
            position: None,
            context: None,
        }
    }
}

impl From<Error> for SqlError {
    fn from(e: Error) -> Self {
        match e {
            Error::Constraint(c) => match c {
                ConstraintError::Unique { ref detail, .. } => {
                    let detail = detail.clone();
                    SqlError::new(code::UNIQUE_VIOLATION, c.to_string()).with_detail(detail)
                }
                ConstraintError::NotNull { .. } => {
                    SqlError::new(code::NOT_NULL_VIOLATION, c.to_string())
                }
                ConstraintError::Type { .. } => {
                    SqlError::new(code::DATATYPE_MISMATCH, c.to_string())
                }
                ConstraintError::OutOfRange(m) => {
                    SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, m)
                }
                ConstraintError::ForeignKey {
                    message, detail, ..
                } => SqlError::new(code::FOREIGN_KEY_VIOLATION, message).with_detail(detail),
            },
            Error::SerializationFailure { .. } => {
                SqlError::new(code::SERIALIZATION_FAILURE, e.to_string())
            }
            Error::NotFound(m) => SqlError::new(code::UNDEFINED_TABLE, m),
            Error::Invalid(m) => SqlError::new(code::INVALID_TABLE_DEFINITION, m),
            Error::Limit(m) => SqlError::new(code::PROGRAM_LIMIT_EXCEEDED, m),
            Error::Corruption { .. } => SqlError::new(code::DATA_CORRUPTED, e.to_string()),
            Error::Io { .. } | Error::Poisoned(_) | Error::Locked(_) => {
                SqlError::new(code::IO_ERROR, e.to_string())
            }
        }
    }
}
