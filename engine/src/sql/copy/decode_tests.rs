use super::*;
use crate::sql::copy::options::CopyOptions;

type Rows = Vec<(u64, Vec<Option<String>>)>;

fn columns(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("c{i}")).collect()
}

/// Decodes `input` fed in chunks of `chunk` bytes.
fn decode_chunked(opts: &CopyOptions, n: usize, input: &[u8], chunk: usize) -> SqlResult<Rows> {
    let mut d = Decoder::new(opts.clone(), "t", columns(n));
    let mut rows = Vec::new();
    let mut each = |r: &Record| {
        rows.push((
            r.line,
            r.fields
                .iter()
                .map(|f| f.as_ref().map(|s| s.to_string()))
                .collect(),
        ));
        Ok(())
    };
    for part in input.chunks(chunk.max(1)) {
        d.push(part, &mut each)?;
    }
    d.finish(&mut each)?;
    Ok(rows)
}

/// Decodes `input` whole and in every chunk size up to 7: all must agree.
fn decode(opts: &CopyOptions, n: usize, input: &str) -> SqlResult<Rows> {
    let whole = decode_chunked(opts, n, input.as_bytes(), input.len());
    for chunk in 1..8 {
        let parts = decode_chunked(opts, n, input.as_bytes(), chunk);
        assert_eq!(parts, whole, "chunks of {chunk} differ for {input:?}");
    }
    whole
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn text() -> CopyOptions {
    CopyOptions::defaults(CopyFormat::Text)
}

fn csv() -> CopyOptions {
    CopyOptions::defaults(CopyFormat::Csv)
}

#[test]
fn text_format_fields_nulls_and_escapes() {
    let rows = decode(
        &text(),
        3,
        "1\tO'Brien\t\\N\n2\ta\\tb\\\\c\\nd\t\n3\t\\x41\\101\\q\t\\\\N\n",
    )
    .unwrap();
    assert_eq!(
        rows,
        vec![
            (1, vec![s("1"), s("O'Brien"), None]),
            (2, vec![s("2"), s("a\tb\\c\nd"), s("")]),
            (3, vec![s("3"), s("AAq"), s("\\N")]),
        ]
    );
}

#[test]
fn text_format_escaped_delimiter_and_newline_stay_in_the_field() {
    let rows = decode(&text(), 2, "a\\\tb\tc\\\nd\n").unwrap();
    assert_eq!(rows, vec![(1, vec![s("a\tb"), s("c\nd")])]);
}

#[test]
fn crlf_line_ends_and_a_last_line_without_one() {
    let rows = decode(&text(), 2, "1\tx\r\n2\ty").unwrap();
    assert_eq!(
        rows,
        vec![(1, vec![s("1"), s("x")]), (2, vec![s("2"), s("y")])]
    );
    let rows = decode(&csv(), 2, "1,x\r\n2,\"y\"\r\n").unwrap();
    assert_eq!(
        rows,
        vec![(1, vec![s("1"), s("x")]), (2, vec![s("2"), s("y")])]
    );
}

#[test]
fn end_of_data_marker_stops_reading() {
    let rows = decode(&text(), 1, "a\n\\.\nignored\n").unwrap();
    assert_eq!(rows, vec![(1, vec![s("a")])]);
    let rows = decode(&csv(), 1, "a\n\\.\nignored,\"\n").unwrap();
    assert_eq!(rows, vec![(1, vec![s("a")])]);
}

#[test]
fn csv_quoting_edge_cases() {
    let input = concat!(
        "1,\"a,b\",\"\"\n",        // delimiter in quotes; "" is empty, not NULL
        "2,\"say \"\"hi\"\"\",\n", // doubled quotes; unquoted empty is NULL
        "3,\"multi\nline\",x\n",   // newline inside quotes: lines 3-4
        "4,ab\"c,d\"e, spaced \n", // quotes in mid-field switch quoting
        "5,\"Zoë 李\",\"\"\"\"\n", // non-ASCII; a lone quote
    );
    let rows = decode(&csv(), 3, input).unwrap();
    assert_eq!(
        rows,
        vec![
            (1, vec![s("1"), s("a,b"), s("")]),
            (2, vec![s("2"), s("say \"hi\""), None]),
            (4, vec![s("3"), s("multi\nline"), s("x")]),
            (5, vec![s("4"), s("abc,de"), s(" spaced ")]),
            (6, vec![s("5"), s("Zoë 李"), s("\"")]),
        ]
    );
}

#[test]
fn csv_escape_different_from_quote() {
    let mut opts = csv();
    opts.escape = b'\\';
    let rows = decode(&opts, 2, "\"a\\\"b\",\"c\\\\d\\e\"\n").unwrap();
    assert_eq!(rows, vec![(1, vec![s("a\"b"), s("c\\d\\e")])]);
}

#[test]
fn csv_header_null_string_and_force_options() {
    let mut opts = csv();
    opts.header = true;
    opts.null = "NULL".into();
    opts.force_not_null = super::super::options::ColumnSet::Named(vec!["c1".into()]);
    opts.force_null = super::super::options::ColumnSet::Named(vec!["c2".into()]);
    let rows = decode(&opts, 3, "a,b,c\nNULL,NULL,\"NULL\"\n\"NULL\",,x\n").unwrap();
    assert_eq!(
        rows,
        vec![
            (2, vec![None, s("NULL"), None]),
            (3, vec![s("NULL"), s(""), s("x")]),
        ]
    );
}

#[test]
fn custom_delimiter_and_null_in_text() {
    let mut opts = text();
    opts.delimiter = b'|';
    opts.null = "".into();
    let rows = decode(&opts, 3, "a||c\\|d\n").unwrap();
    assert_eq!(rows, vec![(1, vec![s("a"), None, s("c|d")])]);
}

#[test]
fn wrong_field_counts_name_the_line() {
    let e = decode(&csv(), 2, "1,a\n2,b,c\n").unwrap_err();
    assert_eq!(e.code, "22P04");
    assert_eq!(e.message, "extra data after last expected column");
    assert_eq!(e.context.as_deref(), Some("COPY t, line 2: \"2,b,c\""));
    let e = decode(&text(), 3, "1\ta\tb\n2\tb\n").unwrap_err();
    assert_eq!(e.message, "missing data for column \"c2\"");
    assert_eq!(e.context.as_deref(), Some("COPY t, line 2: \"2\tb\""));
}

#[test]
fn unterminated_quotes_and_bad_bytes_are_errors() {
    let e = decode(&csv(), 2, "1,\"open\n2,x\n").unwrap_err();
    assert_eq!(e.code, "22P04");
    assert_eq!(e.message, "unterminated CSV quoted field");
    let e = decode_chunked(&text(), 1, b"ok\n\xff\xfe\n", 100).unwrap_err();
    assert_eq!(e.code, "22021");
    assert_eq!(e.context.as_deref(), Some("COPY t, line 2"));
    let e = decode(&text(), 1, "a\\000b\n").unwrap_err();
    assert_eq!(e.code, "22021");
}

#[test]
fn long_lines_are_clipped_in_context() {
    let long = "x".repeat(150);
    let e = decode(&csv(), 1, &format!("{long},y\n")).unwrap_err();
    let context = e.context.unwrap();
    assert!(
        context.ends_with(&format!("{}...\"", "x".repeat(100))),
        "{context}"
    );
}

#[test]
fn oversized_records_are_refused_without_holding_them() {
    let mut d = Decoder::new(csv(), "t", columns(1));
    let chunk = vec![b'a'; 1 << 20];
    let mut each = |_: &Record| Ok(());
    let mut result = Ok(());
    for _ in 0..=(MAX_RECORD_BYTES >> 20) {
        result = d.push(&chunk, &mut each);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result.unwrap_err().code, "54000");
}
