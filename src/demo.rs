//! `--demo`: sample CRM data for a new data directory, loaded through SQL.

use crmdb_client::{CsvRow, Generator, GeneratorConfig, insert_statement};
use crmdb_engine::sql::Session;

/// Customers in the demo data set (with ~10 interactions and ~4
/// transactions each).
pub const DEMO_CUSTOMERS: u64 = 1000;
/// Rows per INSERT statement.
const ROWS_PER_INSERT: usize = 250;
/// Statements are limited to 512 KiB; stay well under it.
const MAX_STATEMENT_BYTES: usize = 256 * 1024;

/// Loads the demo data; returns (customers, interactions, transactions).
pub fn load(session: &mut Session, seed: u64) -> Result<(u64, u64, u64), String> {
    let generator = Generator::new(GeneratorConfig::new(seed, DEMO_CUSTOMERS));
    run(session, "BEGIN")?;
    let customers = insert_all(session, generator.customers())?;
    let interactions = insert_all(session, generator.interactions())?;
    let transactions = insert_all(session, generator.transactions())?;
    run(session, "COMMIT")?;
    Ok((customers, interactions, transactions))
}

fn run(session: &mut Session, sql: &str) -> Result<(), String> {
    for stmt in session.parse(sql).map_err(|e| e.message)? {
        session
            .execute(&stmt, &[])
            .map_err(|e| format!("{}: {}", e.code, e.message))?;
    }
    Ok(())
}

fn insert_all<R: CsvRow>(
    session: &mut Session,
    rows: impl Iterator<Item = R>,
) -> Result<u64, String> {
    let mut batch = Vec::with_capacity(ROWS_PER_INSERT);
    let mut total = 0u64;
    let flush = |batch: &mut Vec<R>, session: &mut Session| -> Result<(), String> {
        if let Some(sql) = insert_statement(batch.iter()) {
            if sql.len() > MAX_STATEMENT_BYTES && batch.len() > 1 {
                // Split an unusually wide batch in two.
                let rest = batch.split_off(batch.len() / 2);
                let first = insert_statement(batch.iter()).expect("rows");
                let second = insert_statement(rest.iter()).expect("rows");
                run(session, &first)?;
                run(session, &second)?;
            } else {
                run(session, &sql)?;
            }
        }
        batch.clear();
        Ok(())
    };
    for row in rows {
        batch.push(row);
        total += 1;
        if batch.len() == ROWS_PER_INSERT {
            flush(&mut batch, session)?;
        }
    }
    flush(&mut batch, session)?;
    Ok(total)
}
