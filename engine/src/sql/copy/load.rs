//! COPY FROM's loading: decoded records become rows of a transaction as
//! they arrive, each value read with the column type's text input.
//!
//! The transaction is the caller's: the whole COPY commits or fails as
//! one. Errors carry PostgreSQL's CONTEXT line naming the input line, and
//! the column for a value that does not parse.

use std::sync::Arc;

use crate::catalog::TableDef;
use crate::error::{ConstraintError, Error};
use crate::row::Row;
use crate::txn::Transaction;
use crate::types::{DataType, SessionTimeZone, Value, parse_value_at};

use super::decode::{Decoder, Record};
use super::options::CopyFormat;
use crate::sql::error::{SqlError, SqlResult};
use crate::sql::executor::{InsertTarget, complete_row};
use crate::sql::expr::{EvalContext, Expr};
use crate::sql::interrupt::Interrupt;

/// How many rows go to the transaction at once (and in between checks
/// for a cancel or timeout).
const BATCH_ROWS: usize = 1024;

/// A COPY FROM in progress.
pub struct Loader {
    decoder: Decoder,
    rows: RowMaker,
    format: CopyFormat,
    batch: Batch,
}

/// Rows made but not yet in the transaction, with their line numbers.
#[derive(Default)]
struct Batch {
    rows: Vec<Vec<Value>>,
    lines: Vec<u64>,
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
            batch: Batch::default(),
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

    /// Loads the records that `data` completes into `txn` (in batches: a
    /// failing row may be reported by a later call).
    pub fn write(&mut self, txn: &mut Transaction, data: &[u8]) -> SqlResult<()> {
        let Loader {
            decoder,
            rows,
            batch,
            ..
        } = self;
        decoder.push(data, &mut |r| {
            batch.rows.push(rows.make(r)?);
            batch.lines.push(r.line);
            if batch.rows.len() >= BATCH_ROWS {
                rows.flush(txn, batch)?;
            }
            Ok(())
        })
    }

    /// Loads the last record and what is batched; the number of rows
    /// loaded.
    pub fn finish(&mut self, txn: &mut Transaction) -> SqlResult<u64> {
        let Loader {
            decoder,
            rows,
            batch,
            ..
        } = self;
        decoder.finish(&mut |r| {
            batch.rows.push(rows.make(r)?);
            batch.lines.push(r.line);
            Ok(())
        })?;
        rows.flush(txn, batch)?;
        Ok(batch.loaded)
    }
}

impl RowMaker {
    /// Inserts the batch; if it fails, finds the first row that fails on
    /// its own, to name its line.
    fn flush(&self, txn: &mut Transaction, batch: &mut Batch) -> SqlResult<()> {
        self.interrupt.check()?;
        let rows: Vec<Row> = batch.rows.drain(..).map(Row::from).collect();
        let lines = std::mem::take(&mut batch.lines);
        if txn.insert_rows(&self.table.name, &rows).is_ok() {
            batch.loaded += rows.len() as u64;
            return Ok(());
        }
        for (row, line) in rows.iter().zip(lines) {
            // Values and NOT NULL were checked: only a key can fail here,
            // and PostgreSQL names just the line then.
            txn.insert(&self.table.name, row.to_vec()).map_err(|e| {
                SqlError::from(e).with_context(format!("COPY {}, line {line}", self.table.name))
            })?;
        }
        Err(SqlError::internal(
            "a COPY batch failed but none of its rows",
        ))
    }

    /// The table row of a record, or the error naming its line and column.
    fn make(&self, r: &Record) -> SqlResult<Vec<Value>> {
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
        for (v, column) in row.iter().zip(&self.table.columns) {
            if v.is_null() && column.not_null {
                let e = Error::Constraint(ConstraintError::NotNull {
                    table: self.table.name.clone(),
                    column: column.name.clone(),
                });
                return Err(SqlError::from(e).with_context(r.line_context(Some(r.raw))));
            }
        }
        Ok(row)
    }
}
