//! COPY FROM's input: a byte stream, arriving in chunks of any size, split
//! into records and fields in PostgreSQL's text or CSV format.
//!
//! Only the start of an incomplete record is kept between chunks, so the
//! memory a load needs does not grow with its size. Line numbers count
//! physical lines as PostgreSQL's do: a record's number is that of its last
//! line (a CSV field may span lines), the header being line 1.

use std::borrow::Cow;

use super::options::{CopyFormat, CopyOptions};
use crate::sql::error::{SqlError, SqlResult, code};

/// The longest record accepted; longer ones fail the COPY rather than
/// take unbounded memory.
pub const MAX_RECORD_BYTES: usize = 64 << 20;
/// How much of a line or value an error's CONTEXT shows (PostgreSQL's
/// MAX_COPY_DATA_DISPLAY).
const MAX_DISPLAY_BYTES: usize = 100;

/// One record of input: its fields, one per COPY column (None is NULL).
pub struct Record<'a> {
    /// 1-based physical line number of its last line.
    pub line: u64,
    /// The record as it appeared (without its line end), for error context.
    pub raw: &'a str,
    pub fields: &'a [Option<Cow<'a, str>>],
    labels: &'a Labels,
}

impl Record<'_> {
    /// CONTEXT for an error about this record, showing `raw` if given.
    pub fn line_context(&self, raw: Option<&str>) -> String {
        self.labels.line_context(self.line, raw)
    }

    /// CONTEXT for an error about the value of the record's `column`th field.
    pub fn column_context(&self, column: usize, value: Option<&str>) -> String {
        self.labels.column_context(self.line, column, value)
    }
}

/// What error contexts name: the relation and the COPY's columns.
struct Labels {
    /// "COPY customers".
    label: String,
    columns: Vec<String>,
}

impl Labels {
    fn line_context(&self, line: u64, raw: Option<&str>) -> String {
        match raw {
            Some(raw) => format!("{}, line {line}: \"{}\"", self.label, clip(raw)),
            None => format!("{}, line {line}", self.label),
        }
    }

    fn column_context(&self, line: u64, column: usize, value: Option<&str>) -> String {
        let name = self.columns.get(column).map_or("?", String::as_str);
        match value {
            Some(v) => format!(
                "{}, line {line}, column {name}: \"{}\"",
                self.label,
                clip(v)
            ),
            None => format!("{}, line {line}, column {name}: null input", self.label),
        }
    }
}

/// Splits a COPY input stream into records.
pub struct Decoder {
    opts: CopyOptions,
    labels: Labels,
    /// Per column: FORCE_NOT_NULL, FORCE_NULL.
    force_not_null: Vec<bool>,
    force_null: Vec<bool>,
    /// Input not yet consumed: the start of an incomplete record.
    buf: Vec<u8>,
    /// How far `buf` has been scanned for the end of the record.
    scanned: usize,
    scan: ScanState,
    /// Physical lines of the records consumed so far.
    lines: u64,
    /// Newlines inside quoted fields of the record being scanned.
    quoted_newlines: u64,
    header_pending: bool,
    /// The end-of-data marker `\.` was seen: the rest is ignored.
    ended: bool,
}

/// Where the scan for a record's end stopped.
#[derive(Default, Clone, Copy)]
struct ScanState {
    /// Text: the previous byte was an escaping backslash.
    after_backslash: bool,
    /// CSV: inside a quoted field.
    in_quote: bool,
    /// CSV: the previous byte was an escape inside quotes.
    last_was_escape: bool,
}

/// 22P04 bad_copy_file_format.
const BAD_COPY_FILE_FORMAT: &str = "22P04";
/// 22021 character_not_in_repertoire.
const CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";

impl Decoder {
    /// A decoder for a COPY into `relation`'s `columns`.
    pub fn new(opts: CopyOptions, relation: &str, columns: Vec<String>) -> Decoder {
        let force_not_null = columns
            .iter()
            .map(|c| opts.force_not_null.contains(c))
            .collect();
        let force_null = columns
            .iter()
            .map(|c| opts.force_null.contains(c))
            .collect();
        Decoder {
            header_pending: opts.header,
            opts,
            labels: Labels {
                label: format!("COPY {relation}"),
                columns,
            },
            force_not_null,
            force_null,
            buf: Vec::new(),
            scanned: 0,
            scan: ScanState::default(),
            lines: 0,
            quoted_newlines: 0,
            ended: false,
        }
    }

    /// Consumes a chunk of input, calling `each` with every record it
    /// completes; stops at the first error.
    pub fn push(
        &mut self,
        chunk: &[u8],
        each: &mut dyn FnMut(&Record) -> SqlResult<()>,
    ) -> SqlResult<()> {
        if self.ended {
            return Ok(());
        }
        self.buf.extend_from_slice(chunk);
        let mut start = 0;
        let result = loop {
            match self.find_record_end(start) {
                Some(end) => {
                    let record_end = end;
                    let next = end + 1;
                    if let Err(e) = self.record(start, record_end, each) {
                        break Err(e);
                    }
                    start = next;
                    if self.ended {
                        break Ok(());
                    }
                }
                None => break Ok(()),
            }
        };
        self.buf.drain(..start.min(self.buf.len()));
        self.scanned -= start.min(self.scanned);
        if self.ended {
            self.buf = Vec::new();
        }
        result?;
        if self.buf.len() > MAX_RECORD_BYTES {
            return Err(SqlError::new(
                code::PROGRAM_LIMIT_EXCEEDED,
                format!("COPY line is longer than {MAX_RECORD_BYTES} bytes"),
            )
            .with_context(self.labels.line_context(self.lines + 1, None)));
        }
        Ok(())
    }

    /// Ends the input: a last record without a line end is consumed.
    pub fn finish(&mut self, each: &mut dyn FnMut(&Record) -> SqlResult<()>) -> SqlResult<()> {
        if self.ended || self.buf.is_empty() {
            return Ok(());
        }
        let end = self.buf.len();
        self.scanned = end;
        self.record(0, end, each)?;
        self.buf.clear();
        self.scanned = 0;
        Ok(())
    }

    /// The position of the newline ending the record that starts at
    /// `start`, scanning on from where the last call stopped.
    fn find_record_end(&mut self, start: usize) -> Option<usize> {
        let from = self.scanned.max(start);
        let csv = self.opts.format == CopyFormat::Csv;
        let quote = self.opts.quote;
        // An escape equal to the quote needs no handling here: a doubled
        // quote toggles quoting twice.
        let escape = (self.opts.escape != quote).then_some(self.opts.escape);
        let s = &mut self.scan;
        for (i, &c) in self.buf[from..].iter().enumerate() {
            let pos = from + i;
            if csv {
                // PostgreSQL's CopyReadLineText: a quote toggles quoting
                // unless an escape (inside quotes) precedes it.
                let is_escape = Some(c) == escape;
                if s.in_quote && is_escape {
                    s.last_was_escape = !s.last_was_escape;
                }
                if c == quote && !s.last_was_escape {
                    s.in_quote = !s.in_quote;
                }
                if !is_escape {
                    s.last_was_escape = false;
                }
                if c == b'\n' {
                    if s.in_quote {
                        self.quoted_newlines += 1;
                    } else {
                        self.scanned = pos + 1;
                        *s = ScanState::default();
                        return Some(pos);
                    }
                }
            } else if s.after_backslash {
                s.after_backslash = false;
            } else if c == b'\\' {
                s.after_backslash = true;
            } else if c == b'\n' {
                self.scanned = pos + 1;
                *s = ScanState::default();
                return Some(pos);
            }
        }
        self.scanned = self.buf.len();
        None
    }

    /// Handles the record `buf[start..end]` (without its newline).
    fn record(
        &mut self,
        start: usize,
        end: usize,
        each: &mut dyn FnMut(&Record) -> SqlResult<()>,
    ) -> SqlResult<()> {
        self.lines += 1 + std::mem::take(&mut self.quoted_newlines);
        let line = self.lines;
        let mut bytes = &self.buf[start..end];
        if let [rest @ .., b'\r'] = bytes {
            bytes = rest;
        }
        let raw = match std::str::from_utf8(bytes) {
            Ok(raw) => raw,
            Err(e) => {
                let bad = bytes[e.valid_up_to()];
                return Err(invalid_utf8(bad).with_context(self.labels.line_context(line, None)));
            }
        };
        if raw == "\\." {
            self.ended = true;
            return Ok(());
        }
        if std::mem::take(&mut self.header_pending) {
            return Ok(());
        }
        let fields = match self.opts.format {
            CopyFormat::Text => self.text_fields(raw),
            CopyFormat::Csv => self.csv_fields(raw),
        }
        .map_err(|e| e.with_context(self.labels.line_context(line, Some(raw))))?;
        each(&Record {
            line,
            raw,
            fields: &fields,
            labels: &self.labels,
        })
    }

    /// Refuses a record with more fields than columns (as soon as it has).
    fn not_too_many(&self, n: usize) -> SqlResult<()> {
        if n > self.labels.columns.len() {
            return Err(SqlError::new(
                BAD_COPY_FILE_FORMAT,
                "extra data after last expected column",
            ));
        }
        Ok(())
    }

    /// Checks the number of fields against the columns.
    fn field_count(&self, n: usize) -> SqlResult<()> {
        self.not_too_many(n)?;
        if n < self.labels.columns.len() {
            return Err(SqlError::new(
                BAD_COPY_FILE_FORMAT,
                format!("missing data for column \"{}\"", self.labels.columns[n]),
            ));
        }
        Ok(())
    }

    /// Text format: fields split at unescaped delimiters; a field equal to
    /// the NULL string (before unescaping) is NULL.
    fn text_fields<'a>(&self, raw: &'a str) -> SqlResult<Vec<Option<Cow<'a, str>>>> {
        // A COPY of no columns takes empty lines.
        if self.labels.columns.is_empty() && raw.is_empty() {
            return Ok(Vec::new());
        }
        let bytes = raw.as_bytes();
        let delim = self.opts.delimiter;
        let mut fields = Vec::with_capacity(self.labels.columns.len());
        let mut start = 0;
        loop {
            let mut i = start;
            let mut escaped = false;
            while i < bytes.len() && bytes[i] != delim {
                if bytes[i] == b'\\' {
                    escaped = true;
                    i += 1;
                }
                i += 1;
            }
            let end = i.min(bytes.len());
            let field = &raw[start..end];
            fields.push(if field == self.opts.null {
                None
            } else if escaped {
                Some(Cow::Owned(unescape_text(field)?))
            } else {
                Some(Cow::Borrowed(field))
            });
            self.not_too_many(fields.len())?;
            if end >= bytes.len() {
                break;
            }
            start = end + 1;
        }
        self.field_count(fields.len())?;
        Ok(fields)
    }

    /// CSV format: quoted fields, quotes anywhere in a field switching
    /// quoting on and off as PostgreSQL's CopyReadAttributesCSV does; an
    /// unquoted field equal to the NULL string is NULL.
    fn csv_fields<'a>(&self, raw: &'a str) -> SqlResult<Vec<Option<Cow<'a, str>>>> {
        if self.labels.columns.is_empty() && raw.is_empty() {
            return Ok(Vec::new());
        }
        let bytes = raw.as_bytes();
        let (delim, quote, escape) = (self.opts.delimiter, self.opts.quote, self.opts.escape);
        let mut fields = Vec::with_capacity(self.labels.columns.len());
        let mut i = 0;
        loop {
            let start = i;
            let mut saw_quote = false;
            let mut in_quote = false;
            let mut value: Vec<u8> = Vec::new();
            let mut simple = true;
            while i < bytes.len() {
                let c = bytes[i];
                if !in_quote {
                    if c == delim {
                        break;
                    }
                    if c == quote {
                        saw_quote = true;
                        in_quote = true;
                        simple = false;
                    } else {
                        value.push(c);
                    }
                    i += 1;
                    continue;
                }
                if c == escape
                    && let Some(&next) = bytes.get(i + 1)
                    && (next == escape || next == quote)
                {
                    value.push(next);
                    i += 2;
                    continue;
                }
                if c == quote {
                    in_quote = false;
                } else {
                    value.push(c);
                }
                i += 1;
            }
            if in_quote {
                return Err(SqlError::new(
                    BAD_COPY_FILE_FORMAT,
                    "unterminated CSV quoted field",
                ));
            }
            let column = fields.len();
            let field = &raw[start..i];
            let is_null_text = if simple {
                field == self.opts.null
            } else {
                value == self.opts.null.as_bytes()
            };
            let null = is_null_text
                && if saw_quote {
                    self.force_null.get(column).copied().unwrap_or(false)
                } else {
                    !self.force_not_null.get(column).copied().unwrap_or(false)
                };
            fields.push(if null {
                None
            } else if simple {
                Some(Cow::Borrowed(field))
            } else {
                // Only ASCII bytes were removed: still UTF-8.
                Some(Cow::Owned(
                    String::from_utf8(value).expect("UTF-8 minus ASCII quotes"),
                ))
            });
            self.not_too_many(fields.len())?;
            if i >= bytes.len() {
                break;
            }
            i += 1;
        }
        self.field_count(fields.len())?;
        Ok(fields)
    }
}

/// The text format's backslash escapes: `\b \f \n \r \t \v`, octal `\NNN`,
/// hex `\xHH`, and any other character taken literally.
fn unescape_text(field: &str) -> SqlResult<String> {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = bytes.get(i) else { break };
        i += 1;
        match e {
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'x' if bytes.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                let mut v = 0u32;
                for _ in 0..2 {
                    match bytes.get(i).and_then(|d| char::from(*d).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(v as u8);
            }
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            other => out.push(other),
        }
    }
    if let Some(&z) = out.iter().find(|&&b| b == 0) {
        return Err(invalid_utf8(z));
    }
    String::from_utf8(out).map_err(|e| {
        let bad = e.as_bytes()[e.utf8_error().valid_up_to()];
        invalid_utf8(bad)
    })
}

fn invalid_utf8(byte: u8) -> SqlError {
    SqlError::new(
        CHARACTER_NOT_IN_REPERTOIRE,
        format!("invalid byte sequence for encoding \"UTF8\": 0x{byte:02x}"),
    )
}

/// At most [`MAX_DISPLAY_BYTES`] of `s` (on a character boundary), with
/// "..." when cut, as PostgreSQL's limit_printout_length.
fn clip(s: &str) -> Cow<'_, str> {
    if s.len() <= MAX_DISPLAY_BYTES {
        return Cow::Borrowed(s);
    }
    let mut end = MAX_DISPLAY_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}...", &s[..end]))
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
