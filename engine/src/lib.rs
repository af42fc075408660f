//! crmdb-engine: the embeddable database under crmdb.
//!
//! It keeps tables of typed rows in a data directory: a write-ahead log for
//! durability, immutable memory-mapped columnar segments for the bulk of the
//! data, and a manifest that names the live segments and the log position
//! they cover. See docs/architecture.md for the write and read paths and
//! docs/file-formats.md for every byte on disk.
//!
//! ```no_run
//! use crmdb_engine::{Database, Value};
//! let db = Database::open("./crmdb-data")?;
//! let snapshot = db.snapshot();
//! let customer = snapshot.table("customers")?.get(&[Value::BigInt(42)])?;
//! # Ok::<(), crmdb_engine::Error>(())
//! ```

pub mod catalog;
mod checkpoint;
mod compaction;
mod db;
mod deletes;
pub mod error;
mod foreign_key;
pub mod index;
pub mod manifest;
pub mod memtable;
pub mod record;
pub mod row;
pub mod scram;
pub mod segment;
pub mod selection;
pub mod snapshot;
pub mod sql;
pub mod txn;
pub mod types;
pub mod unique;
pub mod version;
pub mod vfs;
pub mod wal;

pub use compaction::{COMPACT_AFTER_DELETED_FRACTION, COMPACT_AFTER_SEGMENTS};
pub use db::{Database, Options};
pub use error::{ConstraintError, Error, Result};
pub use row::Row;
pub use snapshot::{Snapshot, TableView};
pub use txn::{Savepoint, Transaction};
pub use types::{DataType, Numeric, Value};
