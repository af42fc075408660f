//! The SQL layer: statements parsed with sqlparser's PostgreSQL dialect,
//! bound against the catalog, planned and executed over the engine's
//! transactions, with results and errors as PostgreSQL gives them.

pub mod access;
mod alter_table;
mod binder;
mod copy;
mod datetime_ops;
pub mod ddl;
pub mod error;
mod executor;
mod explain;
mod expr;
mod functions;
mod grants;
mod idprobe;
mod idset;
mod index_aggregate;
mod index_ddl;
mod index_plan;
mod index_top;
mod interrupt;
mod narrow;
mod parser;
mod plan;
mod planner;
pub mod result;
mod roles;
mod semijoin;
mod series;
mod session;
pub mod settings;
mod subquery;
mod system;
mod window;

pub use copy::{ColumnSet, CopyFormat, CopyOptions};
pub use error::{SqlError, SqlResult, code};
pub use interrupt::CancelHandle;
pub use result::{
    Column, CopyLines, Description, Notice, Output, RowStream, TransactionStatus, command_tag,
};
pub use session::{Session, Statement};
pub use settings::Settings;
