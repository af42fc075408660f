//! Functions of PostgreSQL's system catalogs that compute from their
//! arguments alone. Those that read the catalog (pg_get_indexdef,
//! pg_get_userbyid, regclass output, …) are bound as lookups by
//! `sql::system::bind`, since the catalog is fixed for a statement.

use crate::types::Value;

use super::super::error::{SqlError, SqlResult};

/// A system function evaluated on its arguments' values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SysFn {
    /// `text ~ pattern` (POSIX regular expression match); `true`: `~*`.
    RegexMatch(bool),
    /// format_type(type_oid, typmod)
    FormatType,
    /// An array value in text form (`{a,b}`) of the non-NULL arguments.
    ArrayText,
    /// array_to_string(array in text form, separator)
    ArrayToString,
    /// `x = ANY (array)` for a value in text form and an array in text
    /// form: elements compare by their text.
    ArrayContains,
    /// array_upper(array in text form, dimension): its element count
    /// (crmdb's arrays are one-dimensional, from 1); NULL when empty.
    ArrayUpper,
    /// `array[i]` of an array in text form; NULL out of range.
    ArrayElement,
    /// pg_size_pretty(bigint)
    SizePretty,
    /// pg_encoding_to_char(int)
    EncodingToChar,
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(i64::from(*i)),
        Value::BigInt(i) => Some(*i),
        Value::Text(s) => s.parse().ok(),
        _ => None,
    }
}

/// Evaluates `f` on its arguments' values.
pub fn call(f: SysFn, vals: &[Value]) -> SqlResult<Value> {
    Ok(match f {
        SysFn::RegexMatch(ci) => match (&vals[0], &vals[1]) {
            (Value::Text(s), Value::Text(p)) => Value::Boolean(regex_match(s, p, ci)?),
            _ => Value::Null,
        },
        SysFn::FormatType => match int_of(&vals[0]) {
            None => Value::Null,
            Some(oid) => Value::Text(crate::sql::system::format_type(
                oid,
                vals.get(1).and_then(int_of),
            )),
        },
        SysFn::ArrayText => {
            let items: Vec<String> = vals
                .iter()
                .filter_map(|v| match v {
                    Value::Null => None,
                    Value::Text(s) => Some(array_item(s)),
                    other => Some(format!("{other:?}")),
                })
                .collect();
            Value::Text(format!("{{{}}}", items.join(",")))
        }
        SysFn::ArrayToString => match (&vals[0], &vals[1]) {
            (Value::Text(a), Value::Text(sep)) => Value::Text(
                array_items(a)
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(sep),
            ),
            _ => Value::Null,
        },
        SysFn::ArrayContains => match (&vals[0], &vals[1]) {
            (Value::Text(x), Value::Text(a)) => {
                let items = array_items(a);
                if items.iter().any(|i| i.as_deref() == Some(x.as_str())) {
                    Value::Boolean(true)
                } else if items.iter().any(Option::is_none) {
                    Value::Null
                } else {
                    Value::Boolean(false)
                }
            }
            _ => Value::Null,
        },
        SysFn::ArrayUpper => match (&vals[0], int_of(&vals[1])) {
            (Value::Text(a), Some(1)) => match array_items(a).len() {
                0 => Value::Null,
                n => Value::Integer(n as i32),
            },
            _ => Value::Null,
        },
        SysFn::ArrayElement => match (&vals[0], int_of(&vals[1])) {
            (Value::Text(a), Some(i)) if i >= 1 => usize::try_from(i - 1)
                .ok()
                .and_then(|k| array_items(a).into_iter().nth(k).flatten())
                .map_or(Value::Null, Value::Text),
            _ => Value::Null,
        },
        SysFn::SizePretty => match int_of(&vals[0]) {
            None => Value::Null,
            Some(n) => Value::Text(size_pretty(n)),
        },
        SysFn::EncodingToChar => match int_of(&vals[0]) {
            None => Value::Null,
            Some(6) => Value::Text("UTF8".into()),
            Some(0) => Value::Text("SQL_ASCII".into()),
            Some(_) => Value::Text(String::new()),
        },
    })
}

/// The elements of an array in text form (`{a,"b c",NULL}`); None: NULL.
fn array_items(s: &str) -> Vec<Option<String>> {
    let inner = s.trim().trim_start_matches('{').trim_end_matches('}');
    let mut out = Vec::new();
    if inner.is_empty() {
        return out;
    }
    let mut cur = String::new();
    let (mut quoted, mut was_quoted, mut escape) = (false, false, false);
    for c in inner.chars() {
        match c {
            _ if escape => {
                cur.push(c);
                escape = false;
            }
            '\\' => escape = true,
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            ',' if !quoted => {
                let item = std::mem::take(&mut cur);
                out.push((was_quoted || item != "NULL").then_some(item));
                was_quoted = false;
            }
            _ => cur.push(c),
        }
    }
    out.push((was_quoted || cur != "NULL").then_some(cur));
    out
}

/// An array element as PostgreSQL's array output quotes it.
fn array_item(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.eq_ignore_ascii_case("null")
        && !s
            .chars()
            .any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_whitespace());
    if plain {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// PostgreSQL's pg_size_pretty: bytes below 10 kB, then the largest unit
/// that keeps the number below 10 240, rounded half away from zero.
pub fn size_pretty(n: i64) -> String {
    const LIMIT: i64 = 10 * 1024;
    const LIMIT2: i64 = LIMIT * 2 - 1;
    let half_rounded = |x: i64| (x + if x < 0 { -1 } else { 1 }) / 2;
    if n.abs() < LIMIT {
        return format!("{n} bytes");
    }
    // One extra bit is kept for rounding.
    let mut size = n >> 9;
    for unit in ["kB", "MB", "GB", "TB"] {
        if size.abs() < LIMIT2 || unit == "TB" {
            return format!("{} {unit}", half_rounded(size));
        }
        size >>= 10;
    }
    unreachable!("TB ends the loop")
}

/// A POSIX regular expression match of the kind psql builds (`^(name)$`,
/// `.*`, character classes), by the regex-lite engine.
pub fn regex_match(s: &str, pattern: &str, case_insensitive: bool) -> SqlResult<bool> {
    let re = regex_lite::RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .build()
        .map_err(|e| SqlError::new("2201B", format!("invalid regular expression: {e}")))?;
    Ok(re.is_match(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psql_patterns() {
        assert!(regex_match("customers", "^(customers)$", false).unwrap());
        assert!(!regex_match("customers2", "^(customers)$", false).unwrap());
        assert!(regex_match("pg_toast", "^pg_toast", false).unwrap());
        assert!(regex_match("customers", "^(cust.*)$", false).unwrap());
        assert!(regex_match("CUSTOMERS", "^(customers)$", true).unwrap());
    }

    #[test]
    fn arrays() {
        let v = vec![
            Value::Text("{a,\"b,c\",NULL}".into()),
            Value::Text("|".into()),
        ];
        assert_eq!(
            call(SysFn::ArrayToString, &v).unwrap(),
            Value::Text("a|b,c".into())
        );
        let contains = |x: &str, a: &str| {
            call(
                SysFn::ArrayContains,
                &[Value::Text(x.into()), Value::Text(a.into())],
            )
            .unwrap()
        };
        assert_eq!(contains("b,c", "{a,\"b,c\"}"), Value::Boolean(true));
        assert_eq!(contains("c", "{a,b}"), Value::Boolean(false));
        assert_eq!(contains("c", "{a,NULL}"), Value::Null);
        assert_eq!(contains("NULL", "{\"NULL\"}"), Value::Boolean(true));
        let two = |f: SysFn, a: &str, i: i32| {
            call(f, &[Value::Text(a.into()), Value::Integer(i)]).unwrap()
        };
        assert_eq!(two(SysFn::ArrayUpper, "{a,b}", 1), Value::Integer(2));
        assert_eq!(two(SysFn::ArrayUpper, "{}", 1), Value::Null);
        assert_eq!(
            two(SysFn::ArrayElement, "{a,\"b c\"}", 2),
            Value::Text("b c".into())
        );
        assert_eq!(two(SysFn::ArrayElement, "{a}", 0), Value::Null);
        assert_eq!(two(SysFn::ArrayElement, "{a,NULL}", 2), Value::Null);
    }

    #[test]
    fn pretty_sizes() {
        assert_eq!(size_pretty(0), "0 bytes");
        assert_eq!(size_pretty(10239), "10239 bytes");
        assert_eq!(size_pretty(10240), "10 kB");
        assert_eq!(size_pretty(8192 * 1024 * 1024), "8192 MB");
        assert_eq!(size_pretty(10 * 1024 * 1024 * 1024), "10 GB");
    }
}
