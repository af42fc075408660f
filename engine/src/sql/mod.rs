//! The SQL layer: statements parsed with sqlparser's PostgreSQL dialect and
//! turned into engine operations.

pub mod ddl;
