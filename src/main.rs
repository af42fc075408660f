//! `crmdb`: the command-line entry point.

use clap::Parser;

/// crmdb: a database server for customer data that speaks PostgreSQL's wire protocol.
#[derive(Parser, Debug)]
#[command(name = "crmdb", version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
