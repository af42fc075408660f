//! crmdb-client: client-side tooling for crmdb, starting with the CRM data
//! generator.
//!
//! crmdb is a database server for CRM data (customers, interactions,
//! transactions) that speaks the PostgreSQL wire protocol. This crate
//! generates realistic, deterministic data for its canonical schema
//! (`engine/schema/crm-schema.sql`), used
//!
//! 1. by `crmdb serve --demo` to fill a new database,
//! 2. by differential tests that load the same data into crmdb and into
//!    PostgreSQL and compare query results, and
//! 3. by benchmarks at millions of rows.
//!
//! The same [`GeneratorConfig`] always yields the same rows and byte-identical
//! CSV, on every platform: the generator uses its own integer-only PRNG. Rows
//! are streamed (nothing is held in memory beyond the current row), and each
//! table can be generated on its own or for a sub-range of customers, because
//! every value is derived from `(seed, table, customer id)`.
//!
//! The data is meant to find bugs: non-ASCII names (Zoë, Łukasz, 李),
//! apostrophes (O'Brien), company names with commas and double quotes,
//! multi-line notes, empty strings next to NULLs, values with leading or
//! trailing spaces, exact ties in timestamps and amounts, negative and very
//! large numerics.
//!
//! ```
//! use crmdb_client::{Generator, GeneratorConfig, write_csv};
//!
//! let generator = Generator::new(GeneratorConfig::new(42, 100));
//! let mut csv = Vec::new();
//! let rows = write_csv(generator.customers(), &mut csv, true).unwrap();
//! assert_eq!(rows, 100);
//! // Load with: COPY customers FROM STDIN WITH (FORMAT csv, HEADER)
//! ```
//!
//! Values use PostgreSQL's representations: [`Date`] is days since
//! 2000-01-01, [`Timestamp`] microseconds since 2000-01-01 00:00:00 UTC and
//! [`Cents`] a `NUMERIC(12,2)` in hundredths.

mod csv;
mod generator;
mod rng;
pub mod time;
pub mod vocab;

pub use csv::{
    Cents, CsvRow, Value, csv_needs_quotes, insert_statement, push_sql_literal, sql_quote,
    sql_values_tuple, write_csv, write_csv_value,
};
pub use generator::{
    Customer, Customers, DEFAULT_NOW, Generator, GeneratorConfig, Interaction, Interactions, Text,
    Transaction, Transactions,
};
pub use time::{Date, Timestamp, format_date, format_timestamp_utc};

#[cfg(test)]
mod tests;
