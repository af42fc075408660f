//! COPY TO's output: rows as lines of PostgreSQL's text or CSV format,
//! byte for byte as PostgreSQL 15 writes them.

use crate::types::{SessionTimeZone, Value, write_value};

use super::options::{CopyFormat, CopyOptions};

/// Writes rows of a COPY's columns as lines.
pub struct Encoder {
    opts: CopyOptions,
    /// Per column: FORCE_QUOTE.
    force_quote: Vec<bool>,
    /// One column only: a lone `\.` must be quoted (CSV).
    single: bool,
    /// Reused for each value's text.
    scratch: String,
}

impl Encoder {
    /// An encoder for `columns` (the COPY's column names).
    pub fn new(opts: CopyOptions, columns: &[String]) -> Encoder {
        Encoder {
            force_quote: columns
                .iter()
                .map(|c| opts.force_quote.contains(c))
                .collect(),
            single: columns.len() == 1,
            opts,
            scratch: String::new(),
        }
    }

    /// The header line: the column names.
    pub fn header(&mut self, columns: &[String], out: &mut Vec<u8>) {
        for (i, name) in columns.iter().enumerate() {
            if i > 0 {
                out.push(self.opts.delimiter);
            }
            match self.opts.format {
                CopyFormat::Text => self.text_value(name, out),
                CopyFormat::Csv => self.csv_value(name, false, out),
            }
        }
        out.push(b'\n');
    }

    /// One row as a line, `\n`-terminated.
    pub fn row(&mut self, values: &[Value], tz: &SessionTimeZone, out: &mut Vec<u8>) {
        let mut text = std::mem::take(&mut self.scratch);
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(self.opts.delimiter);
            }
            text.clear();
            if !write_value(v, tz, &mut text) {
                out.extend_from_slice(self.opts.null.as_bytes());
                continue;
            }
            match self.opts.format {
                CopyFormat::Text => self.text_value(&text, out),
                CopyFormat::Csv => {
                    let force = self.force_quote.get(i).copied().unwrap_or(false);
                    self.csv_value(&text, force, out)
                }
            }
        }
        out.push(b'\n');
        self.scratch = text;
    }

    /// PostgreSQL's CopyAttributeOutText: backslash, the delimiter and the
    /// control characters with a letter escape are backslash-escaped.
    fn text_value(&self, s: &str, out: &mut Vec<u8>) {
        let delim = self.opts.delimiter;
        for &c in s.as_bytes() {
            let escaped = match c {
                0x08 => Some(b'b'),
                0x0c => Some(b'f'),
                b'\n' => Some(b'n'),
                b'\r' => Some(b'r'),
                b'\t' => Some(b't'),
                0x0b => Some(b'v'),
                b'\\' => Some(b'\\'),
                c if c == delim => Some(c),
                _ => None,
            };
            match escaped {
                Some(e) => out.extend_from_slice(&[b'\\', e]),
                None => out.push(c),
            }
        }
    }

    /// PostgreSQL's CopyAttributeOutCSV: quoted when forced, when equal to
    /// the NULL string, when holding the delimiter, quote, CR or LF, or
    /// (alone on a line) when it is the end-of-data marker `\.`.
    fn csv_value(&self, s: &str, force: bool, out: &mut Vec<u8>) {
        let (delim, quote, escape) = (self.opts.delimiter, self.opts.quote, self.opts.escape);
        let needs_quotes = force
            || s == self.opts.null
            || (self.single && s == "\\.")
            || s.bytes()
                .any(|c| c == delim || c == quote || c == b'\n' || c == b'\r');
        if !needs_quotes {
            out.extend_from_slice(s.as_bytes());
            return;
        }
        out.push(quote);
        for &c in s.as_bytes() {
            if c == quote || c == escape {
                out.push(escape);
            }
            out.push(c);
        }
        out.push(quote);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::copy::decode::{Decoder, Record};
    use crate::sql::copy::options::ColumnSet;

    fn encode(opts: &CopyOptions, rows: &[Vec<Value>]) -> String {
        let names: Vec<String> = (0..rows[0].len()).map(|i| format!("c{i}")).collect();
        let mut e = Encoder::new(opts.clone(), &names);
        let mut out = Vec::new();
        for r in rows {
            e.row(r, &SessionTimeZone::utc(), &mut out);
        }
        String::from_utf8(out).unwrap()
    }

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn text_output_escapes_like_postgres() {
        let out = encode(
            &CopyOptions::defaults(CopyFormat::Text),
            &[vec![
                Value::Integer(1),
                t("a\tb\\c\nd\re"),
                Value::Null,
                t(""),
                t("\u{1}x"),
            ]],
        );
        assert_eq!(out, "1\ta\\tb\\\\c\\nd\\re\t\\N\t\t\u{1}x\n");
    }

    #[test]
    fn csv_output_quotes_only_what_needs_it() {
        let out = encode(
            &CopyOptions::defaults(CopyFormat::Csv),
            &[
                vec![t("plain"), t(""), Value::Null, t("a,b"), t("say \"hi\"")],
                vec![
                    t("multi\nline"),
                    t(" spaced "),
                    t("O'Brien"),
                    t("\\."),
                    t("x\ry"),
                ],
            ],
        );
        assert_eq!(
            out,
            "plain,\"\",,\"a,b\",\"say \"\"hi\"\"\"\n\"multi\nline\", spaced ,O'Brien,\\.,\"x\ry\"\n"
        );
        let single = encode(&CopyOptions::defaults(CopyFormat::Csv), &[vec![t("\\.")]]);
        assert_eq!(single, "\"\\.\"\n");
    }

    #[test]
    fn csv_force_quote_and_custom_escape() {
        let mut opts = CopyOptions::defaults(CopyFormat::Csv);
        opts.force_quote = ColumnSet::All;
        opts.escape = b'\\';
        let out = encode(&opts, &[vec![Value::Integer(7), t("a\"b\\c"), Value::Null]]);
        assert_eq!(out, "\"7\",\"a\\\"b\\\\c\",\n");
    }

    /// Whatever is written reads back as the same values.
    #[test]
    fn output_reads_back() {
        let rows = vec![
            vec![t("a,b\"c\nd"), t(""), Value::Null, t("\\N"), t("tab\there")],
            vec![t("\\."), t("Zoë 李"), t("\r\n"), t("\\"), t(" ")],
        ];
        for format in [CopyFormat::Text, CopyFormat::Csv] {
            let opts = CopyOptions::defaults(format);
            let text = encode(&opts, &rows);
            let names: Vec<String> = (0..5).map(|i| format!("c{i}")).collect();
            let mut d = Decoder::new(opts, "t", names);
            let mut back = Vec::new();
            let mut each = |r: &Record| {
                back.push(
                    r.fields
                        .iter()
                        .map(|f| match f {
                            Some(s) => t(s),
                            None => Value::Null,
                        })
                        .collect::<Vec<_>>(),
                );
                Ok(())
            };
            d.push(text.as_bytes(), &mut each).unwrap();
            d.finish(&mut each).unwrap();
            assert_eq!(back, rows, "{format:?}: {text:?}");
        }
    }
}
