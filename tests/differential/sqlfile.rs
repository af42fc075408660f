//! The query files: statements separated by `;` at the end of a line, with
//! `--` comments. Also the test of whether a query's result order is
//! defined (a top-level ORDER BY).

/// One statement of a query file.
#[derive(Debug, Clone)]
pub struct SqlStatement {
    /// `file.sql:line` of its first line.
    pub origin: String,
    pub sql: String,
}

/// Splits a query file into statements. A statement ends at a line whose
/// last non-blank character (outside a `--` comment) is `;`. Lines that
/// are only comments are dropped, so a statement's text starts with SQL.
pub fn split(file: &str, text: &str) -> Vec<SqlStatement> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        let code = strip_comment(line);
        if current.is_empty() {
            if code.trim().is_empty() {
                continue;
            }
            start = i + 1;
        }
        current.push_str(line);
        current.push('\n');
        if code.trim_end().ends_with(';') {
            let sql = current.trim().trim_end_matches(';').trim_end().to_owned();
            let sql = strip_trailing_semicolon(&sql);
            out.push(SqlStatement {
                origin: format!("{file}:{start}"),
                sql,
            });
            current.clear();
        }
    }
    assert!(
        strip_comments_all(&current).trim().is_empty(),
        "{file}:{start}: statement without a final `;`"
    );
    out
}

fn strip_trailing_semicolon(sql: &str) -> String {
    // The `;` may precede a trailing comment on the last line.
    let mut lines: Vec<&str> = sql.lines().collect();
    if let Some(last) = lines.last_mut() {
        let code = strip_comment(last).trim_end();
        if let Some(c) = code.strip_suffix(';') {
            *last = c;
        }
    }
    lines.join("\n")
}

fn strip_comments_all(text: &str) -> String {
    text.lines()
        .map(strip_comment)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The line without a trailing `--` comment (a `--` inside a string
/// literal is kept).
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => in_str = !in_str,
            b'-' if !in_str && b.get(i + 1) == Some(&b'-') => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

/// Whether the statement's outermost query has ORDER BY: outside
/// parentheses, string literals and comments.
pub fn has_top_level_order_by(sql: &str) -> bool {
    let mut depth = 0i32;
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut chars = sql.chars().peekable();
    let flush = |word: &mut String, depth: i32, words: &mut Vec<String>| {
        if !word.is_empty() {
            if depth == 0 {
                words.push(word.to_lowercase());
            }
            word.clear();
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                flush(&mut word, depth, &mut words);
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                flush(&mut word, depth, &mut words);
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '(' => {
                flush(&mut word, depth, &mut words);
                depth += 1;
            }
            ')' => {
                flush(&mut word, depth, &mut words);
                depth -= 1;
            }
            c if c.is_alphanumeric() || c == '_' => word.push(c),
            _ => flush(&mut word, depth, &mut words),
        }
    }
    flush(&mut word, depth, &mut words);
    words.windows(2).any(|w| w[0] == "order" && w[1] == "by")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_semicolons_ending_lines() {
        let s = split(
            "f.sql",
            "-- header\nSELECT 1;\n\nSELECT 'a;'\n  , 2; -- two\n-- trailing\nSELECT ';' -- x;\n;\n",
        );
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].sql, "SELECT 1");
        assert_eq!(s[0].origin, "f.sql:2");
        assert_eq!(s[1].sql, "SELECT 'a;'\n  , 2");
        assert_eq!(s[1].origin, "f.sql:4");
        assert_eq!(s[2].sql, "SELECT ';' -- x;");
    }

    #[test]
    fn finds_top_level_order_by() {
        assert!(has_top_level_order_by("SELECT a FROM t ORDER BY 1"));
        assert!(!has_top_level_order_by(
            "SELECT * FROM (SELECT a FROM t ORDER BY a) s"
        ));
        assert!(!has_top_level_order_by("SELECT 'order by' FROM t"));
        assert!(has_top_level_order_by(
            "SELECT a FROM t UNION SELECT b FROM u ORDER BY 1"
        ));
        assert!(!has_top_level_order_by(
            "WITH x AS (SELECT 1 ORDER BY 1) SELECT * FROM x"
        ));
    }
}
