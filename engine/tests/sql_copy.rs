//! COPY through a Session, without the wire server: input in chunks,
//! all-or-nothing loads, PostgreSQL's error contexts, and COPY TO.

mod common;

use common::sql_session as session;
use crmdb_engine::sql::{Output, Session, SqlError, TransactionStatus};

/// Runs `sql` (no COPY FROM); the last statement's output.
fn exec(s: &mut Session, sql: &str) -> Result<Output, SqlError> {
    let mut last = Output::Empty;
    for stmt in s.parse(sql)? {
        last = s.execute(&stmt, &[])?;
    }
    Ok(last)
}

/// COPY TO's output as one string; other rows as lines of text.
fn text_of(s: &mut Session, sql: &str) -> String {
    match exec(s, sql).unwrap_or_else(|e| panic!("{sql}: {e}")) {
        Output::CopyOut { header, lines, .. } => {
            let mut out = header.unwrap_or_default();
            for l in lines {
                out.extend(l.unwrap());
            }
            String::from_utf8(out).unwrap()
        }
        Output::Command { tag } => tag,
        other => panic!("{sql}: {other:?}"),
    }
}

/// Runs COPY … FROM STDIN with `input` passed in chunks of `chunk` bytes.
fn copy_in(s: &mut Session, sql: &str, input: &str, chunk: usize) -> Result<String, SqlError> {
    let stmt = s.parse(sql)?.pop().expect("one statement");
    match s.execute(&stmt, &[])? {
        Output::CopyIn { .. } => {}
        other => panic!("{sql}: {other:?}"),
    }
    assert!(s.in_copy());
    for part in input.as_bytes().chunks(chunk) {
        s.copy_data(part)?;
    }
    match s.copy_done()? {
        Output::Command { tag } => Ok(tag),
        other => panic!("{other:?}"),
    }
}

const SCHEMA: &str = "CREATE TABLE people (id BIGINT PRIMARY KEY, email TEXT UNIQUE, \
     name TEXT NOT NULL, score INTEGER DEFAULT 7 CHECK (score >= 0), \
     joined DATE, balance NUMERIC(10,2))";

#[test]
fn csv_loads_in_any_chunks_and_copies_back_out() {
    let (_d, mut s) = session();
    exec(&mut s, SCHEMA).unwrap();
    let input = "id,email,name,score,joined,balance\n\
                 1,a@x.org,\"O'Brien, \"\"Pat\"\"\",3,2024-02-29,12.5\n\
                 2,,\"multi\nline\",,,\n\
                 3,\"\",Zoë,0,2000-01-01,-0.01\n";
    for chunk in [1, 3, 64, 4096] {
        exec(&mut s, "DELETE FROM people").unwrap();
        let tag = copy_in(
            &mut s,
            "COPY people FROM STDIN WITH (FORMAT csv, HEADER true)",
            input,
            chunk,
        )
        .unwrap();
        assert_eq!(tag, "COPY 3");
    }
    assert_eq!(
        text_of(&mut s, "COPY people TO STDOUT CSV HEADER"),
        "id,email,name,score,joined,balance\n\
         1,a@x.org,\"O'Brien, \"\"Pat\"\"\",3,2024-02-29,12.50\n\
         2,,\"multi\nline\",,,\n\
         3,\"\",Zoë,0,2000-01-01,-0.01\n"
    );
    assert_eq!(
        text_of(
            &mut s,
            "COPY (SELECT id, name FROM people WHERE id > 1 ORDER BY id DESC) TO STDOUT"
        ),
        "3\tZoë\n2\tmulti\\nline\n"
    );
}

#[test]
fn text_format_with_a_column_list_fills_defaults() {
    let (_d, mut s) = session();
    exec(&mut s, SCHEMA).unwrap();
    let tag = copy_in(
        &mut s,
        "COPY people (name, id) FROM STDIN",
        "tab\\there\t1\n\\N\\\\\t2\n",
        5,
    );
    // The second name is "\N\\" raw: not the NULL marker, "\N\" unescaped.
    assert_eq!(tag.unwrap(), "COPY 2");
    assert_eq!(
        text_of(&mut s, "COPY people (id, name, score, email) TO STDOUT"),
        "1\ttab\\there\t7\t\\N\n2\tN\\\\\t7\t\\N\n"
    );
}

#[test]
fn a_bad_row_leaves_nothing_and_names_line_and_column() {
    let (_d, mut s) = session();
    exec(&mut s, SCHEMA).unwrap();
    let sql = "COPY people (id, email, name, score) FROM STDIN (FORMAT csv)";
    let e = copy_in(&mut s, sql, "1,a,A,1\n2,b,B,2\n3,c,C,x\n4,d,D,4\n", 4).unwrap_err();
    assert_eq!(e.code, "22P02");
    assert_eq!(e.message, "invalid input syntax for type integer: \"x\"");
    assert_eq!(
        e.context.as_deref(),
        Some("COPY people, line 3, column score: \"x\"")
    );
    assert!(!s.in_copy());
    assert_eq!(text_of(&mut s, "COPY people TO STDOUT"), "");

    let e = copy_in(&mut s, sql, "1,a,A,1\n2,b,B\n", 100).unwrap_err();
    assert_eq!(e.code, "22P04");
    assert_eq!(e.message, "missing data for column \"score\"");
    assert_eq!(e.context.as_deref(), Some("COPY people, line 2: \"2,b,B\""));

    let e = copy_in(&mut s, sql, "1,a,A,1\n2,a,B,2\n", 100).unwrap_err();
    assert_eq!(e.code, "23505");
    assert_eq!(e.context.as_deref(), Some("COPY people, line 2"));

    let e = copy_in(&mut s, sql, "1,a,A,1\n2,b,B,-2\n", 100).unwrap_err();
    assert_eq!(e.code, "23514");
    assert_eq!(
        e.context.as_deref(),
        Some("COPY people, line 2: \"2,b,B,-2\"")
    );

    let e = copy_in(&mut s, sql, "1,a,,1\n", 100).unwrap_err();
    assert_eq!(e.code, "23502");

    let e = copy_in(&mut s, sql, "1,a,\"A\n", 100).unwrap_err();
    assert_eq!(e.message, "unterminated CSV quoted field");
    assert_eq!(text_of(&mut s, "COPY people TO STDOUT"), "");
    assert_eq!(s.transaction_status(), TransactionStatus::Idle);
}

#[test]
fn copy_in_a_block_joins_it_and_a_failure_fails_it() {
    let (_d, mut s) = session();
    exec(&mut s, SCHEMA).unwrap();
    exec(&mut s, "BEGIN").unwrap();
    copy_in(&mut s, "COPY people (id, name) FROM STDIN", "1\ta\n", 100).unwrap();
    assert_eq!(s.transaction_status(), TransactionStatus::InBlock);
    exec(&mut s, "ROLLBACK").unwrap();
    assert_eq!(text_of(&mut s, "COPY people (id) TO STDOUT"), "");

    exec(&mut s, "BEGIN").unwrap();
    exec(&mut s, "INSERT INTO people (id, name) VALUES (9, 'kept?')").unwrap();
    let e = copy_in(&mut s, "COPY people (id, name) FROM STDIN", "x\ta\n", 100).unwrap_err();
    assert_eq!(e.code, "22P02");
    assert_eq!(s.transaction_status(), TransactionStatus::Failed);
    assert_eq!(exec(&mut s, "SELECT 1").unwrap_err().code, "25P02");
    exec(&mut s, "ROLLBACK").unwrap();
    assert_eq!(text_of(&mut s, "COPY people (id) TO STDOUT"), "");
}

#[test]
fn copy_fail_and_refused_forms() {
    let (_d, mut s) = session();
    exec(&mut s, SCHEMA).unwrap();
    let stmt = s
        .parse("COPY people (id, name) FROM STDIN")
        .unwrap()
        .pop()
        .unwrap();
    s.execute(&stmt, &[]).unwrap();
    s.copy_data(b"1\ta\n").unwrap();
    let e = s.copy_fail("client gave up");
    assert_eq!(
        (e.code, e.message.as_str()),
        ("57014", "COPY from stdin failed: client gave up")
    );
    assert!(!s.in_copy());
    // Data after a failed COPY is ignored.
    s.copy_data(b"2\tb\n").unwrap();
    assert_eq!(text_of(&mut s, "COPY people (id) TO STDOUT"), "");

    let err = |s: &mut Session, sql: &str| exec(s, sql).unwrap_err();
    assert_eq!(err(&mut s, "COPY people FROM '/etc/passwd'").code, "0A000");
    assert_eq!(err(&mut s, "COPY nope FROM STDIN").code, "42P01");
    assert_eq!(err(&mut s, "COPY people (nope) FROM STDIN").code, "42703");
    assert_eq!(err(&mut s, "COPY people (id, id) FROM STDIN").code, "42701");
    assert_eq!(
        err(
            &mut s,
            "COPY people TO STDOUT (FORMAT csv, FORCE_QUOTE (nope))"
        )
        .code,
        "42P10"
    );
}
