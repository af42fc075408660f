//! COPY FROM's loading: decoded records become rows of a transaction as
//! they arrive, each value read with the column type's text input.
//!
//! The transaction is the caller's: the whole COPY commits or fails as
//! one. Errors carry PostgreSQL's CONTEXT line naming the input line, and
//! the column for a value that does not parse.

use std::sync::Arc;

use crate::catalog::TableDef;
use crate::error::{ConstraintError, Error};
use crate::txn::Transaction;
use crate::types::{DataType, SessionTimeZone, Value, parse_value_at};

use super::decode::{Decoder, Record};
use super::options::CopyFormat;
use crate::sql::error::{SqlError, SqlResult};
use crate::sql::executor::{InsertTarget, complete_row};
use crate::sql::expr::{EvalContext, Expr};
use crate::sql::interrupt::Interrupt;

/// How many rows go in between checks for a cancel or timeout.
const CHECK_EVERY_ROWS: u64 = 1024;

/// A COPY FROM in progress.
pub struct Loader {
    decoder: Decoder,
    rows: RowMaker,
    format: CopyFormat,
    loaded: u64,
}

/// Makes table rows of records: values parsed, DEFAULTs filled, CHECKs
/// applied.
pub struct RowMaker {
    pub table: Arc<TableDef>,
    /// The table column each field fills.
    pub targets: Vec<usize>,
    pub defaults: Vec<Expr>,
    pub checks: Vec<(String, Expr)>,
    pub time_zone: SessionTimeZone,
    /// The statement's time, for DEFAULT now() and input 'now'.
    pub now: i64,
    pub interrupt: Interrupt,
}

impl Loader {
    pub fn new(decoder: Decoder, rows: RowMaker, format: CopyFormat) -> Loader {
        Loader {
            decoder,
            rows,
            format,
            loaded: 0,
        }
    }

    /// The input format, for CopyInResponse.
    pub fn format(&self) -> CopyFormat {
        self.format
    }

    /// The number of fields in each record.
    pub fn columns(&self) -> usize {
        self.rows.targets.len()
    }

    /// Loads the records that `data` completes into `txn`.
    pub fn write(&mut self, txn: &mut Transaction, data: &[u8]) -> SqlResult<()> {
        let Loader {
            decoder,
            rows,
            loaded,
            ..
        } = self;
        decoder.push(data, &mut |r| rows.load(txn, r, loaded))
    }

    /// Loads the last record; the number of rows loaded.
    pub fn finish(&mut self, txn: &mut Transaction) -> SqlResult<u64> {
        let Loader {
            decoder,
            rows,
            loaded,
            ..
        } = self;
        decoder.finish(&mut |r| rows.load(txn, r, loaded))?;
        Ok(*loaded)
    }
}

impl RowMaker {
    fn load(&self, txn: &mut Transaction, r: &Record, loaded: &mut u64) -> SqlResult<()> {
        if loaded.is_multiple_of(CHECK_EVERY_ROWS) {
            self.interrupt.check()?;
        }
        let mut values = Vec::with_capacity(r.fields.len());
        for (i, (field, &col)) in r.fields.iter().zip(&self.targets).enumerate() {
            let ty: &DataType = &self.table.columns[col].ty;
            // A NULL field is NULL, not DEFAULT: COPY fills DEFAULTs only
            // in the columns it does not copy.
            values.push(Some(match field {
                None => Value::Null,
                Some(text) => parse_value_at(text, ty, &self.time_zone, self.now)
                    .map_err(|e| SqlError::from(e).with_context(r.column_context(i, Some(text))))?,
            }));
        }
        let ev = EvalContext {
            params: &[],
            time_zone: &self.time_zone,
            now: self.now,
        };
        let target = InsertTarget {
            table: &self.table,
            checks: &self.checks,
            targets: &self.targets,
            defaults: &self.defaults,
        };
        let row = complete_row(&target, values, &ev)
            .map_err(|e| e.with_context(r.line_context(Some(r.raw))))?;
        txn.insert(&self.table.name, row).map_err(|e| {
            // A unique key is checked against the rows stored, not the
            // line: PostgreSQL names only the line number then.
            let shows_line = !matches!(
                e,
                Error::Constraint(
                    ConstraintError::Unique { .. } | ConstraintError::ForeignKey { .. }
                )
            );
            let context = r.line_context(shows_line.then_some(r.raw));
            SqlError::from(e).with_context(context)
        })?;
        *loaded += 1;
        Ok(())
    }
}
