//! COPY's options: the format and its characters, from PostgreSQL's
//! `WITH (FORMAT csv, HEADER true, …)` list or the legacy
//! `CSV HEADER DELIMITER ',' …` words, checked as PostgreSQL checks them.

use sqlparser::ast::{CopyLegacyCsvOption, CopyLegacyOption, CopyOption, Ident};

use crate::sql::binder::ident_name;
use crate::sql::error::{SqlError, SqlResult, code};

/// The two formats crmdb reads and writes (binary is refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    /// Tab-separated fields, `\N` for NULL, backslash escapes.
    Text,
    /// RFC 4180-style CSV: quoted fields, an unquoted empty field is NULL.
    Csv,
}

/// Which columns a FORCE_… option names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ColumnSet {
    #[default]
    None,
    All,
    Named(Vec<String>),
}

impl ColumnSet {
    /// Whether the set holds the column `name`.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            ColumnSet::None => false,
            ColumnSet::All => true,
            ColumnSet::Named(names) => names.iter().any(|n| n == name),
        }
    }

    fn named(cols: &[Ident]) -> ColumnSet {
        ColumnSet::Named(cols.iter().map(ident_name).collect())
    }
}

/// The options of one COPY, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    pub format: CopyFormat,
    /// One ASCII byte.
    pub delimiter: u8,
    /// The text that stands for NULL.
    pub null: String,
    /// A header line: skipped on input, written on output.
    pub header: bool,
    /// CSV only: one ASCII byte each.
    pub quote: u8,
    pub escape: u8,
    /// CSV output: always quote these columns' non-NULL values.
    pub force_quote: ColumnSet,
    /// CSV input: these columns never read NULL from an unquoted field.
    pub force_not_null: ColumnSet,
    /// CSV input: these columns read NULL from a quoted null string too.
    pub force_null: ColumnSet,
}

/// The options as written, before defaults.
#[derive(Default)]
struct Given {
    format: Option<CopyFormat>,
    delimiter: Option<char>,
    null: Option<String>,
    header: Option<bool>,
    quote: Option<char>,
    escape: Option<char>,
    force_quote: Option<ColumnSet>,
    force_not_null: Option<ColumnSet>,
    force_null: Option<ColumnSet>,
}

fn redundant() -> SqlError {
    SqlError::new(code::SYNTAX_ERROR, "conflicting or redundant options")
}

/// Sets an option once; a second time is PostgreSQL's 42601.
fn once<T>(slot: &mut Option<T>, value: T) -> SqlResult<()> {
    if slot.is_some() {
        return Err(redundant());
    }
    *slot = Some(value);
    Ok(())
}

fn unsupported(what: &str) -> SqlError {
    SqlError::new(
        code::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported"),
    )
}

impl CopyOptions {
    /// The options of `COPY … WITH (options)` or `COPY … legacy options`,
    /// for input (`to` false) or output.
    pub fn from_ast(
        options: &[CopyOption],
        legacy: &[CopyLegacyOption],
        to: bool,
    ) -> SqlResult<CopyOptions> {
        let mut g = Given::default();
        for o in options {
            match o {
                CopyOption::Format(name) => once(&mut g.format, format_named(&ident_name(name))?)?,
                CopyOption::Freeze(_) => {}
                CopyOption::Delimiter(c) => once(&mut g.delimiter, *c)?,
                CopyOption::Null(s) => once(&mut g.null, s.clone())?,
                CopyOption::Header(h) => once(&mut g.header, *h)?,
                CopyOption::Quote(c) => once(&mut g.quote, *c)?,
                CopyOption::Escape(c) => once(&mut g.escape, *c)?,
                CopyOption::ForceQuote(cols) if cols.is_empty() => {
                    once(&mut g.force_quote, ColumnSet::All)?
                }
                CopyOption::ForceQuote(cols) => once(&mut g.force_quote, ColumnSet::named(cols))?,
                CopyOption::ForceNotNull(cols) => {
                    once(&mut g.force_not_null, ColumnSet::named(cols))?
                }
                CopyOption::ForceNull(cols) => once(&mut g.force_null, ColumnSet::named(cols))?,
                CopyOption::Encoding(e) => check_encoding(e)?,
            }
        }
        for o in legacy {
            match o {
                CopyLegacyOption::Binary => once(&mut g.format, format_named("binary")?)?,
                CopyLegacyOption::Delimiter(c) => once(&mut g.delimiter, *c)?,
                CopyLegacyOption::Null(s) => once(&mut g.null, s.clone())?,
                CopyLegacyOption::Header => once(&mut g.header, true)?,
                CopyLegacyOption::Csv(csv) => {
                    once(&mut g.format, CopyFormat::Csv)?;
                    for c in csv {
                        match c {
                            CopyLegacyCsvOption::Header => once(&mut g.header, true)?,
                            CopyLegacyCsvOption::Quote(q) => once(&mut g.quote, *q)?,
                            CopyLegacyCsvOption::Escape(e) => once(&mut g.escape, *e)?,
                            CopyLegacyCsvOption::ForceQuote(cols) if cols.is_empty() => {
                                once(&mut g.force_quote, ColumnSet::All)?
                            }
                            CopyLegacyCsvOption::ForceQuote(cols) => {
                                once(&mut g.force_quote, ColumnSet::named(cols))?
                            }
                            CopyLegacyCsvOption::ForceNotNull(cols) => {
                                once(&mut g.force_not_null, ColumnSet::named(cols))?
                            }
                        }
                    }
                }
                other => {
                    return Err(SqlError::syntax(format!(
                        "syntax error at or near \"{other}\""
                    )));
                }
            }
        }
        g.resolve(to)
    }
}

fn format_named(name: &str) -> SqlResult<CopyFormat> {
    match name.to_ascii_lowercase().as_str() {
        "text" => Ok(CopyFormat::Text),
        "csv" => Ok(CopyFormat::Csv),
        "binary" => Err(unsupported("COPY in binary format")),
        other => Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("COPY format \"{other}\" not recognized"),
        )),
    }
}

fn check_encoding(name: &str) -> SqlResult<()> {
    let canonical: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if canonical == "utf8" || canonical == "unicode" {
        Ok(())
    } else {
        Err(unsupported(&format!(
            "COPY with ENCODING '{name}' (crmdb reads and writes UTF8 only)"
        )))
    }
}

/// A one-byte (ASCII) character option.
fn one_byte(c: char, what: &str) -> SqlResult<u8> {
    u8::try_from(c).ok().filter(u8::is_ascii).ok_or_else(|| {
        SqlError::new(
            code::FEATURE_NOT_SUPPORTED,
            format!("COPY {what} must be a single one-byte character"),
        )
    })
}

impl Given {
    /// Fills in the defaults and applies PostgreSQL 15's checks
    /// (`ProcessCopyOptions`), in its order.
    fn resolve(self, to: bool) -> SqlResult<CopyOptions> {
        let format = self.format.unwrap_or(CopyFormat::Text);
        let csv = format == CopyFormat::Csv;
        let delimiter = match self.delimiter {
            Some(c) => one_byte(c, "delimiter")?,
            None if csv => b',',
            None => b'\t',
        };
        let null = self
            .null
            .unwrap_or_else(|| if csv { String::new() } else { "\\N".into() });
        let not_supported = |m: &str| Err(SqlError::new(code::FEATURE_NOT_SUPPORTED, m));
        if delimiter == b'\n' || delimiter == b'\r' {
            return not_supported("COPY delimiter cannot be newline or carriage return");
        }
        if null.contains(['\n', '\r']) {
            return not_supported("COPY null representation cannot use newline or carriage return");
        }
        if !csv && b"\\.abcdefghijklmnopqrstuvwxyz0123456789".contains(&delimiter) {
            return not_supported(&format!(
                "COPY delimiter cannot be \"{}\"",
                char::from(delimiter)
            ));
        }
        if !csv && self.quote.is_some() {
            return not_supported("COPY quote available only in CSV mode");
        }
        let quote = match self.quote {
            Some(c) => one_byte(c, "quote")?,
            None => b'"',
        };
        if csv && delimiter == quote {
            return not_supported("COPY delimiter and quote must be different");
        }
        if !csv && self.escape.is_some() {
            return not_supported("COPY escape available only in CSV mode");
        }
        let escape = match self.escape {
            Some(c) => one_byte(c, "escape")?,
            None => quote,
        };
        let force_quote = self.force_quote.unwrap_or_default();
        if force_quote != ColumnSet::None && !csv {
            return not_supported("COPY force quote available only in CSV mode");
        }
        if force_quote != ColumnSet::None && !to {
            return not_supported("COPY force quote only available using COPY TO");
        }
        let force_not_null = self.force_not_null.unwrap_or_default();
        if force_not_null != ColumnSet::None && !csv {
            return not_supported("COPY force not null available only in CSV mode");
        }
        if force_not_null != ColumnSet::None && to {
            return not_supported("COPY force not null only available using COPY FROM");
        }
        let force_null = self.force_null.unwrap_or_default();
        if force_null != ColumnSet::None && !csv {
            return not_supported("COPY force null available only in CSV mode");
        }
        if force_null != ColumnSet::None && to {
            return not_supported("COPY force null only available using COPY FROM");
        }
        if null.as_bytes().contains(&delimiter) {
            return not_supported("COPY delimiter must not appear in the NULL specification");
        }
        if csv && null.as_bytes().contains(&quote) {
            return not_supported("CSV quote character must not appear in the NULL specification");
        }
        Ok(CopyOptions {
            format,
            delimiter,
            null,
            header: self.header.unwrap_or(false),
            quote,
            escape,
            force_quote,
            force_not_null,
            force_null,
        })
    }
}

impl CopyOptions {
    /// PostgreSQL's defaults for `format`.
    pub fn defaults(format: CopyFormat) -> CopyOptions {
        Given {
            format: Some(format),
            ..Given::default()
        }
        .resolve(false)
        .expect("the defaults are valid")
    }

    /// The FORCE_… options name columns of the COPY: each must be one.
    pub fn check_columns(&self, columns: &[String]) -> SqlResult<()> {
        for (set, what) in [
            (&self.force_quote, "FORCE_QUOTE"),
            (&self.force_not_null, "FORCE_NOT_NULL"),
            (&self.force_null, "FORCE_NULL"),
        ] {
            if let ColumnSet::Named(names) = set
                && let Some(missing) = names.iter().find(|n| !columns.contains(n))
            {
                return Err(SqlError::new(
                    "42P10",
                    format!("{what} column \"{missing}\" not referenced by COPY"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parser::parse;
    use sqlparser::ast::Statement;

    fn options_of(sql: &str) -> SqlResult<CopyOptions> {
        let stmt = parse(sql)?.0.pop().expect("a statement");
        let Statement::Copy {
            options,
            legacy_options,
            to,
            ..
        } = stmt
        else {
            panic!("not a COPY: {sql}");
        };
        CopyOptions::from_ast(&options, &legacy_options, to)
    }

    #[test]
    fn modern_and_legacy_syntax_agree() {
        let modern = options_of("COPY t FROM STDIN WITH (FORMAT csv, HEADER true)").unwrap();
        let legacy = options_of("COPY t FROM STDIN CSV HEADER").unwrap();
        assert_eq!(modern, legacy);
        assert_eq!(modern.delimiter, b',');
        assert_eq!(modern.null, "");
        assert!(modern.header);
        let text = options_of("COPY t FROM STDIN").unwrap();
        assert_eq!(text, CopyOptions::defaults(CopyFormat::Text));
        assert_eq!((text.delimiter, text.null.as_str()), (b'\t', "\\N"));
        let custom = options_of(
            "COPY t TO STDOUT WITH (FORMAT csv, DELIMITER ';', NULL 'NULL', QUOTE '''', ESCAPE '\\')",
        )
        .unwrap();
        assert_eq!(
            (custom.delimiter, custom.quote, custom.escape),
            (b';', b'\'', b'\\')
        );
        let legacy =
            options_of("COPY t FROM STDIN DELIMITER '|' NULL 'x' CSV QUOTE '''' ").unwrap();
        assert_eq!((legacy.delimiter, legacy.quote), (b'|', b'\''));
    }

    #[test]
    fn bad_combinations_are_refused_like_postgres() {
        let err = |sql: &str| options_of(sql).unwrap_err();
        assert_eq!(err("COPY t FROM STDIN (FORMAT xml)").code, "22023");
        assert_eq!(err("COPY t FROM STDIN (FORMAT binary)").code, "0A000");
        assert_eq!(
            err("COPY t FROM STDIN (QUOTE '\"')").message,
            "COPY quote available only in CSV mode"
        );
        assert_eq!(
            err("COPY t FROM STDIN (FORMAT csv, DELIMITER '\"')").message,
            "COPY delimiter and quote must be different"
        );
        assert_eq!(
            err("COPY t FROM STDIN (HEADER, HEADER false)").code,
            "42601"
        );
        assert_eq!(
            err("COPY t FROM STDIN (FORMAT csv, FORCE_QUOTE (a))").message,
            "COPY force quote only available using COPY TO"
        );
        assert_eq!(
            err("COPY t FROM STDIN (NULL 'a\tb')").message,
            "COPY delimiter must not appear in the NULL specification"
        );
        assert_eq!(
            err("COPY t FROM STDIN (DELIMITER 'a')").message,
            "COPY delimiter cannot be \"a\""
        );
    }
}
