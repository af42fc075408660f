//! COPY: bulk load (`COPY table [(columns)] FROM STDIN`) and bulk unload
//! (`COPY table [(columns)] | (query) TO STDOUT`) in PostgreSQL's text and
//! CSV formats.
//!
//! The codec ([`decode`], [`encode`]) works on byte streams in chunks of
//! any size; [`load::Loader`] turns decoded records into rows of one
//! transaction. The caller moves the bytes: the wire server from CopyData
//! messages, an embedding program from wherever it reads —
//! [`crate::sql::Session::copy_data`] and friends.

pub mod decode;
pub mod encode;
pub mod load;
pub mod options;

use std::sync::Arc;

use crate::catalog::TableDef;

use super::expr::Expr;
use super::plan::Plan;

pub use options::{ColumnSet, CopyFormat, CopyOptions};

/// A bound COPY.
#[derive(Debug)]
pub enum CopyPlan {
    /// COPY table [(columns)] FROM STDIN.
    From {
        table: Arc<TableDef>,
        /// The table column each field fills, in input order.
        targets: Vec<usize>,
        /// Each table column's DEFAULT, for the columns not copied.
        defaults: Vec<Expr>,
        options: CopyOptions,
    },
    /// COPY table [(columns)] | (query) TO STDOUT.
    To {
        /// The output's column names (the header line).
        columns: Vec<String>,
        plan: Plan,
        options: CopyOptions,
    },
}
