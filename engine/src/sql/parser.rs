//! Parsing SQL text with sqlparser's PostgreSQL dialect, within limits.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, Statement, Visit, Visitor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::error::{SqlError, SqlResult, code};
use super::result::Notice;

/// The longest statement text accepted. Bulk loads belong in COPY.
pub const MAX_STATEMENT_BYTES: usize = 512 * 1024;
/// How deeply expressions may nest, parenthesised or not (`1+1+…+1` nests
/// as deeply as it is long). It bounds the recursion of everything that
/// walks a statement afterwards: the binder, the evaluator, and dropping it.
pub const MAX_NESTING: usize = 1000;
/// PostgreSQL's NAMEDATALEN - 1: identifiers longer than this many bytes
/// are truncated, with a NOTICE, as PostgreSQL's scanner does.
pub const MAX_IDENTIFIER_BYTES: usize = 63;
/// SQLSTATE of that NOTICE (name_too_long).
const NAME_TOO_LONG: &str = "42622";
/// Statements longer than this are parsed and checked on a large stack of
/// their own, since only they can nest deeply enough to need it.
const LARGE_STATEMENT_BYTES: usize = 4096;
/// The size of that stack (reserved, not committed, memory).
const LARGE_STACK_BYTES: usize = 256 << 20;

/// Statements parsed from one string, and the notices parsing raised.
pub type Parsed = (Vec<Statement>, Vec<Notice>);

/// Parses `sql` into statements (none for an empty string).
pub fn parse(sql: &str) -> SqlResult<Parsed> {
    if sql.len() > MAX_STATEMENT_BYTES {
        return Err(SqlError::new(
            code::PROGRAM_LIMIT_EXCEEDED,
            format!(
                "statement is too long: {} bytes, the limit is {MAX_STATEMENT_BYTES}",
                sql.len()
            ),
        )
        .with_hint("Load large amounts of data with COPY."));
    }
    if sql.len() > LARGE_STATEMENT_BYTES {
        stacker::grow(LARGE_STACK_BYTES, || parse_checked(sql))
    } else {
        parse_checked(sql)
    }
}

/// Parses and refuses statements nested beyond [`MAX_NESTING`]; a refused
/// statement is dropped here, still on the stack that could build it.
fn parse_checked(sql: &str) -> SqlResult<Parsed> {
    let dialect = PostgreSqlDialect {};
    let mut tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| parse_error(sql, e.into()))?;
    let notices = truncate_identifiers(&mut tokens);
    let statements = statements(
        &mut Parser::new(&dialect)
            .with_recursion_limit(MAX_NESTING)
            .with_tokens_with_locations(tokens),
    )
    .map_err(|e| parse_error(sql, e))?;
    let mut depth = DepthCheck::default();
    if statements.visit(&mut depth).is_break() {
        return Err(too_deep());
    }
    // SET's values are words of their own (`SET enable_bitmapscan = on`).
    let checked = statements
        .iter()
        .filter(|s| !matches!(s, Statement::Set(_)));
    if let Some(word) = checked
        .filter_map(|s| s.visit(&mut ReservedWordCheck).break_value())
        .next()
    {
        let mut err = SqlError::syntax(format!("syntax error at or near \"{}\"", word.value));
        let start = word.span.start;
        err.position = offset_of(sql, start.line as usize, start.column as usize);
        return Err(err);
    }
    Ok((statements, notices))
}

/// Cuts identifiers to [`MAX_IDENTIFIER_BYTES`] (on a character boundary),
/// with PostgreSQL's NOTICE for each.
fn truncate_identifiers(tokens: &mut [TokenWithSpan]) -> Vec<Notice> {
    let mut notices = Vec::new();
    for t in tokens {
        if let Token::Word(w) = &mut t.token
            && w.value.len() > MAX_IDENTIFIER_BYTES
        {
            let mut end = MAX_IDENTIFIER_BYTES;
            while !w.value.is_char_boundary(end) {
                end -= 1;
            }
            let cut = w.value[..end].to_owned();
            notices.push(Notice {
                severity: "NOTICE",
                code: NAME_TOO_LONG,
                message: format!("identifier \"{}\" will be truncated to \"{cut}\"", w.value),
            });
            w.value = cut;
        }
    }
    notices
}

/// sqlparser's statement loop, except that CREATE USER and ALTER USER are
/// read as PostgreSQL reads them: CREATE ROLE … LOGIN and ALTER ROLE
/// (sqlparser reads them as Snowflake's statements).
fn statements(p: &mut Parser) -> Result<Vec<Statement>, ParserError> {
    let mut out = Vec::new();
    loop {
        while p.consume_token(&Token::SemiColon) {}
        if p.peek_token_ref().token == Token::EOF {
            return Ok(out);
        }
        let statement = if p.parse_keywords(&[Keyword::CREATE, Keyword::USER]) {
            let mut role = p.parse_create_role()?;
            role.login.get_or_insert(true);
            Statement::CreateRole(role)
        } else if p.parse_keywords(&[Keyword::ALTER, Keyword::USER]) {
            p.parse_alter_role()?
        } else {
            p.parse_statement()?
        };
        out.push(statement);
        match &p.peek_token_ref().token {
            Token::EOF | Token::SemiColon => {}
            _ => return p.expected_ref("end of statement", p.peek_token_ref()),
        }
    }
}

/// Parses one expression stored as text in the catalog (a DEFAULT or a
/// CHECK constraint, written by crmdb from a parsed statement).
pub(crate) fn parse_stored_expr(text: &str) -> Result<Expr, ParserError> {
    Parser::new(&PostgreSqlDialect {})
        .with_recursion_limit(MAX_NESTING)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
}

/// Tracks the nesting of expressions while visiting a statement.
#[derive(Default)]
struct DepthCheck {
    depth: usize,
}

impl Visitor for DepthCheck {
    type Break = ();

    fn pre_visit_expr(&mut self, _: &Expr) -> ControlFlow<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn post_visit_expr(&mut self, _: &Expr) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }
}

/// PostgreSQL's reserved keywords (and those it reserves for type and
/// function names) that sqlparser nevertheless reads as a column name when
/// they stand bare in an expression: PostgreSQL refuses them there (42601),
/// so `SELECT a AS full … ORDER BY full` is an error in both. Keywords that
/// are values (CURRENT_DATE, USER, TRUE, …) and DEFAULT are not listed.
const RESERVED_AS_COLUMN: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "like",
    "limit",
    "natural",
    "not",
    "notnull",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "similar",
    "some",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "union",
    "unique",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// Finds an unquoted reserved word used as a column reference.
struct ReservedWordCheck;

impl Visitor for ReservedWordCheck {
    type Break = Ident;

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<Ident> {
        if let Expr::Identifier(i) = e
            && i.quote_style.is_none()
            && RESERVED_AS_COLUMN.contains(&i.value.to_lowercase().as_str())
        {
            return ControlFlow::Break(i.clone());
        }
        ControlFlow::Continue(())
    }
}

fn too_deep() -> SqlError {
    SqlError::new(code::STATEMENT_TOO_COMPLEX, "stack depth limit exceeded").with_hint(format!(
        "Expressions may nest at most {MAX_NESTING} levels deep."
    ))
}

fn parse_error(sql: &str, e: ParserError) -> SqlError {
    match e {
        ParserError::RecursionLimitExceeded => too_deep(),
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => {
            let mut err = SqlError::syntax(syntax_message(&m));
            err.position = position_of(sql, &m);
            err
        }
    }
}

/// PostgreSQL says `syntax error at or near "X"`; sqlparser says
/// `Expected: …, found: X at Line: 1, Column: 5`. Keep both parts.
fn syntax_message(m: &str) -> String {
    let found = m
        .split(", found: ")
        .nth(1)
        .map(|rest| rest.split(" at Line:").next().unwrap_or(rest).trim());
    match found {
        Some("EOF") => format!("syntax error at end of input ({})", strip_location(m)),
        Some(tok) => format!("syntax error at or near \"{tok}\" ({})", strip_location(m)),
        None => format!("syntax error: {}", strip_location(m)),
    }
}

fn strip_location(m: &str) -> &str {
    m.split(" at Line:").next().unwrap_or(m).trim()
}

/// The 1-based character offset of sqlparser's `Line: L, Column: C`.
fn position_of(sql: &str, m: &str) -> Option<u32> {
    let loc = m.split("Line: ").nth(1)?;
    let mut parts = loc.split(", Column: ");
    let line: usize = parts.next()?.trim().parse().ok()?;
    let column: usize = parts
        .next()?
        .trim()
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()?;
    offset_of(sql, line, column)
}

/// The 1-based character offset of a 1-based line and column.
fn offset_of(sql: &str, line: usize, column: usize) -> Option<u32> {
    let before: usize = sql
        .split('\n')
        .take(line.saturating_sub(1))
        .map(|l| l.chars().count() + 1)
        .sum();
    u32::try_from(before + column).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_has_no_statements() {
        assert!(parse("").unwrap().0.is_empty());
        assert!(parse("  -- nothing\n").unwrap().0.is_empty());
    }

    #[test]
    fn create_and_alter_user_read_as_roles() {
        let s = parse("CREATE USER bob WITH PASSWORD 'x'; ALTER USER bob WITH NOLOGIN;")
            .unwrap()
            .0;
        let Statement::CreateRole(role) = &s[0] else {
            panic!("{:?}", s[0])
        };
        assert_eq!(role.login, Some(true));
        assert!(matches!(s[1], Statement::AlterRole { .. }));
        let s = parse("CREATE USER bob NOLOGIN").unwrap().0;
        let Statement::CreateRole(role) = &s[0] else {
            panic!("{:?}", s[0])
        };
        assert_eq!(role.login, Some(false));
        assert!(parse("CREATE ROLE a SELECT 1").is_err());
    }

    #[test]
    fn long_identifiers_are_truncated_with_a_notice() {
        let long = "c".repeat(70);
        let (s, notices) = parse(&format!("SELECT 1 AS {long}, 2 AS \"{long}\"")).unwrap();
        assert_eq!(notices.len(), 2);
        assert_eq!(notices[0].code, "42622");
        let cut = "c".repeat(MAX_IDENTIFIER_BYTES);
        assert_eq!(
            notices[0].message,
            format!("identifier \"{long}\" will be truncated to \"{cut}\"")
        );
        assert_eq!(
            s[0].to_string(),
            format!("SELECT 1 AS {cut}, 2 AS \"{cut}\"")
        );
        // A multi-byte character is not split.
        let wide = format!("{}é", "a".repeat(62));
        let (s, _) = parse(&format!("SELECT 1 AS \"{wide}\"")).unwrap();
        assert_eq!(
            s[0].to_string(),
            format!("SELECT 1 AS \"{}\"", "a".repeat(62))
        );
        let (_, notices) = parse(&format!("SELECT 1 AS {}", "c".repeat(63))).unwrap();
        assert!(notices.is_empty());
    }

    #[test]
    fn reserved_words_are_not_column_names() {
        let e = parse("SELECT a AS full FROM t ORDER BY full").unwrap_err();
        assert_eq!(e.code, code::SYNTAX_ERROR);
        assert_eq!(e.message, "syntax error at or near \"full\"");
        assert_eq!(e.position, Some(34));
        // After AS, and quoted, they are names; DEFAULT stays a keyword.
        parse("SELECT a AS full, \"order\" FROM t ORDER BY \"full\"").unwrap();
        parse("INSERT INTO t VALUES (DEFAULT)").unwrap();
        parse("SET enable_bitmapscan = on; SET x TO DEFAULT").unwrap();
    }

    #[test]
    fn syntax_errors_say_where() {
        let e = parse("SELEC 1").unwrap_err();
        assert_eq!(e.code, code::SYNTAX_ERROR);
        assert!(e.message.contains("SELEC"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_and_long_statements_are_refused() {
        let deep = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(parse(&deep).unwrap_err().code, code::STATEMENT_TOO_COMPLEX);
        let deep_ops = format!("SELECT 1{}", " + 1".repeat(10_000));
        assert_eq!(
            parse(&deep_ops).unwrap_err().code,
            code::STATEMENT_TOO_COMPLEX
        );
        let fine = format!("SELECT 1{}", " + 1".repeat(500));
        assert!(parse(&fine).is_ok());
        let long = format!("SELECT '{}'", "x".repeat(1 << 20));
        assert_eq!(parse(&long).unwrap_err().code, code::PROGRAM_LIMIT_EXCEEDED);
    }
}
