//! Text functions. Case mapping is ASCII-only, as in PostgreSQL's C
//! collation; lengths and positions count characters.

use crate::sql::error::{SqlError, SqlResult, code};
use crate::sql::expr::{EvalContext, text_of};
use crate::types::Value;

use super::Scalar;

fn text(v: &Value) -> SqlResult<&str> {
    match v {
        Value::Text(s) => Ok(s),
        other => Err(SqlError::internal(format!(
            "expected text, got {}",
            other.type_name()
        ))),
    }
}

fn int(v: &Value) -> SqlResult<i64> {
    match v {
        Value::Integer(i) => Ok(i64::from(*i)),
        Value::BigInt(i) => Ok(*i),
        other => Err(SqlError::internal(format!(
            "expected integer, got {}",
            other.type_name()
        ))),
    }
}

/// concat(…): NULLs are skipped.
pub fn concat(vals: &[Value], ctx: &EvalContext) -> SqlResult<Value> {
    Ok(Value::Text(
        vals.iter().filter_map(|v| text_of(v, ctx)).collect(),
    ))
}

/// A string as an SQL literal, as PostgreSQL's quote_literal writes it:
/// quotes doubled, and with backslashes doubled under an `E` prefix.
pub fn quote_literal(s: &str) -> String {
    let quoted = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

/// The functions of non-NULL arguments.
pub fn call(f: Scalar, vals: &[Value]) -> SqlResult<Value> {
    let s = text(&vals[0])?;
    Ok(match f {
        Scalar::Lower => Value::Text(s.to_ascii_lowercase()),
        Scalar::Upper => Value::Text(s.to_ascii_uppercase()),
        Scalar::QuoteLiteral => Value::Text(quote_literal(s)),
        Scalar::QuoteIdent => Value::Text(crate::sql::system::quote_ident(s)),
        Scalar::Length => Value::Integer(s.chars().count() as i32),
        Scalar::Replace => {
            let from = text(&vals[1])?;
            if from.is_empty() {
                Value::Text(s.to_owned())
            } else {
                Value::Text(s.replace(from, text(&vals[2])?))
            }
        }
        Scalar::Left | Scalar::Right => {
            let n = int(&vals[1])?;
            let len = s.chars().count() as i64;
            let take = if n >= 0 { n.min(len) } else { (len + n).max(0) };
            let out: String = if f == Scalar::Left {
                s.chars().take(take as usize).collect()
            } else {
                s.chars().skip((len - take) as usize).collect()
            };
            Value::Text(out)
        }
        Scalar::Substring => {
            let start = int(&vals[1])?;
            let end = match vals.get(2) {
                Some(count) => {
                    let count = int(count)?;
                    if count < 0 {
                        return Err(SqlError::new(
                            code::SUBSTRING_ERROR,
                            "negative substring length not allowed",
                        ));
                    }
                    start.saturating_add(count)
                }
                None => i64::MAX,
            };
            let from = start.max(1);
            if end <= from {
                Value::Text(String::new())
            } else {
                Value::Text(
                    s.chars()
                        .skip((from - 1) as usize)
                        .take((end - from).min(i64::from(u32::MAX)) as usize)
                        .collect(),
                )
            }
        }
        Scalar::StrPos => {
            let sub = text(&vals[1])?;
            Value::Integer(match s.find(sub) {
                Some(byte) => s[..byte].chars().count() as i32 + 1,
                None => 0,
            })
        }
        Scalar::Btrim | Scalar::Ltrim | Scalar::Rtrim => {
            let set: Vec<char> = match vals.get(1) {
                Some(v) => text(v)?.chars().collect(),
                None => vec![' '],
            };
            let t = match f {
                Scalar::Btrim => s.trim_matches(|c| set.contains(&c)),
                Scalar::Ltrim => s.trim_start_matches(|c| set.contains(&c)),
                _ => s.trim_end_matches(|c| set.contains(&c)),
            };
            Value::Text(t.to_owned())
        }
        Scalar::SplitPart => {
            let delim = text(&vals[1])?;
            let n = int(&vals[2])?;
            if n == 0 {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "field position must not be zero",
                ));
            }
            let parts: Vec<&str> = if delim.is_empty() {
                vec![s]
            } else {
                s.split(delim).collect()
            };
            let idx = if n > 0 { n - 1 } else { parts.len() as i64 + n };
            Value::Text(
                usize::try_from(idx)
                    .ok()
                    .and_then(|i| parts.get(i))
                    .map(|p| (*p).to_owned())
                    .unwrap_or_default(),
            )
        }
        other => {
            return Err(SqlError::internal(format!(
                "{other:?} is not a text function"
            )));
        }
    })
}

/// One element of a LIKE pattern.
#[derive(Debug, PartialEq)]
enum Token {
    Char(char),
    AnyOne,
    AnyMany,
}

fn tokens(p: &str, fold: bool) -> SqlResult<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => Token::AnyMany,
            '_' => Token::AnyOne,
            '\\' => match chars.next() {
                Some(e) => Token::Char(if fold { e.to_ascii_lowercase() } else { e }),
                None => {
                    return Err(SqlError::new(
                        code::INVALID_ESCAPE_SEQUENCE,
                        "LIKE pattern must not end with escape character",
                    ));
                }
            },
            c => Token::Char(if fold { c.to_ascii_lowercase() } else { c }),
        });
    }
    Ok(out)
}

/// Wildcard matching in O(len(s) × len(p)) at worst: on a mismatch, retry
/// from the last `%` one character further.
pub fn like(s: &str, p: &str, case_insensitive: bool) -> SqlResult<bool> {
    let pat = tokens(p, case_insensitive)?;
    let s: Vec<char> = if case_insensitive {
        s.chars().map(|c| c.to_ascii_lowercase()).collect()
    } else {
        s.chars().collect()
    };
    let (mut si, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match pat.get(pi) {
            Some(Token::AnyMany) => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(Token::AnyOne) => {
                si += 1;
                pi += 1;
            }
            Some(Token::Char(c)) if *c == s[si] => {
                si += 1;
                pi += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return Ok(false),
            },
        }
    }
    Ok(pat[pi..].iter().all(|t| *t == Token::AnyMany))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("hello", "h%o", false).unwrap());
        assert!(like("hello", "h_llo", false).unwrap());
        assert!(!like("hello", "h_lo", false).unwrap());
        assert!(like("HeLLo", "hello", true).unwrap());
        assert!(like("100%", "100\\%", false).unwrap());
        assert!(!like("1000", "100\\%", false).unwrap());
        assert!(like("", "%", false).unwrap());
        assert!(like("abcabc", "%abc", false).unwrap());
        assert!(like("aaa", "%a%a%a%", false).unwrap());
        assert!(like("x\\y", "x\\\\y", false).unwrap());
        assert!(like("hello", "h\\%", false).is_ok());
        assert!(like("a", "a\\", false).is_err());
        let long = "a".repeat(10_000);
        assert!(!like(&long, &format!("{}b", "%a".repeat(50)), false).unwrap());
    }
}
