//! crmdb-engine: the embeddable database under crmdb.
//!
//! It keeps tables of typed rows in a data directory: a write-ahead log for
//! durability, immutable memory-mapped columnar segments for the bulk of the
//! data, and a manifest that names the live segments and the log position
//! they cover. See docs/architecture.md for the write and read paths and
//! docs/file-formats.md for every byte on disk.

pub mod error;
pub mod row;
pub mod types;
pub mod vfs;
pub mod wal;

pub use error::{ConstraintError, Error, Result};
pub use row::Row;
pub use types::{DataType, Numeric, Value};
