//! A `COPY … FROM STDIN` refused at Execute in the extended protocol,
//! message by message, against crmdb and PostgreSQL 15: the same answers.
//!
//! tokio-postgres's copy_in sends Bind/Execute/Sync and, once the copy has
//! failed, CopyFail/Sync; the second Sync gets a second ReadyForQuery, which
//! that driver does not expect (its connection is lost, against PostgreSQL
//! too). This test pins crmdb to PostgreSQL's answers for that flow, so a
//! difference on crmdb's side would show here.

mod support;

#[path = "support/pg.rs"]
mod pg;

use std::io::{Read, Write};
use std::net::TcpStream;

use bytes::BytesMut;
use postgres_protocol::authentication::sasl::{ChannelBinding, SCRAM_SHA_256, ScramSha256};
use postgres_protocol::message::frontend;
use support::TestServer;

/// A bare protocol connection: sends frontend messages, reads backend
/// messages as (tag, body).
struct Raw(TcpStream);

impl Raw {
    /// Connects as `user`, answering SCRAM when asked (crmdb) or nothing
    /// (PostgreSQL with trust), up to the first ReadyForQuery.
    fn connect(port: u16, user: &str, password: &str, database: &str) -> Raw {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        let mut raw = Raw(stream);
        let mut buf = BytesMut::new();
        frontend::startup_message([("user", user), ("database", database)], &mut buf).unwrap();
        raw.send(&buf);
        let mut scram = None;
        loop {
            let (tag, body) = raw.read();
            match (
                tag,
                body.get(..4)
                    .map(|b| i32::from_be_bytes(b.try_into().unwrap())),
            ) {
                (b'R', Some(10)) => {
                    let s = ScramSha256::new(password.as_bytes(), ChannelBinding::unsupported());
                    let mut buf = BytesMut::new();
                    frontend::sasl_initial_response(SCRAM_SHA_256, s.message(), &mut buf).unwrap();
                    raw.send(&buf);
                    scram = Some(s);
                }
                (b'R', Some(11)) => {
                    let s = scram.as_mut().expect("SASL started");
                    s.update(&body[4..]).expect("server-first");
                    let mut buf = BytesMut::new();
                    frontend::sasl_response(s.message(), &mut buf).unwrap();
                    raw.send(&buf);
                }
                (b'Z', _) => return raw,
                (b'E', _) => panic!("startup failed: {}", String::from_utf8_lossy(&body)),
                _ => {}
            }
        }
    }

    fn send(&mut self, buf: &[u8]) {
        self.0.write_all(buf).expect("send");
    }

    fn read(&mut self) -> (u8, Vec<u8>) {
        let mut head = [0u8; 5];
        self.0.read_exact(&mut head).expect("message header");
        let len = i32::from_be_bytes(head[1..].try_into().unwrap()) as usize;
        let mut body = vec![0u8; len - 4];
        self.0.read_exact(&mut body).expect("message body");
        (head[0], body)
    }

    /// Message tags up to ReadyForQuery, errors with their SQLSTATE.
    fn until_ready(&mut self) -> Vec<String> {
        let mut tags = Vec::new();
        loop {
            let (tag, body) = self.read();
            let mut t = (tag as char).to_string();
            if tag == b'E' {
                let code = body
                    .split(|&b| b == 0)
                    .find_map(|f| f.strip_prefix(b"C"))
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .unwrap_or_default();
                t = format!("E:{code}");
            }
            tags.push(t);
            if tag == b'Z' {
                return tags;
            }
        }
    }

    fn simple(&mut self, sql: &str) -> Vec<String> {
        let mut buf = BytesMut::new();
        frontend::query(sql, &mut buf).unwrap();
        self.send(&buf);
        self.until_ready()
    }
}

/// tokio-postgres's copy_in flow for a COPY the role may not run; the
/// answer to each batch of messages.
fn refused_copy_flow(c: &mut Raw) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut buf = BytesMut::new();
    frontend::parse("s1", "COPY cp FROM STDIN", [], &mut buf).unwrap();
    frontend::describe(b'S', "s1", &mut buf).unwrap();
    frontend::sync(&mut buf);
    c.send(&buf);
    out.push(c.until_ready());
    let mut buf = BytesMut::new();
    frontend::bind(
        "",
        "s1",
        std::iter::empty::<i16>(),
        std::iter::empty::<Option<&[u8]>>(),
        |_, _| -> Result<_, Box<dyn std::error::Error + Sync + Send>> { unreachable!() },
        std::iter::empty::<i16>(),
        &mut buf,
    )
    .map_err(|_| "bind")
    .unwrap();
    frontend::execute("", 0, &mut buf).unwrap();
    frontend::sync(&mut buf);
    c.send(&buf);
    out.push(c.until_ready());
    let mut buf = BytesMut::new();
    frontend::copy_fail("", &mut buf).unwrap();
    frontend::sync(&mut buf);
    c.send(&buf);
    out.push(c.until_ready());
    out.push(c.simple("SELECT 1"));
    out
}

#[test]
fn copy_refused_at_execute_answers_as_postgresql_does() {
    let setup = "CREATE TABLE cp (a int); CREATE ROLE copier LOGIN PASSWORD 'pw'; \
                 GRANT SELECT ON cp TO copier";

    let server = TestServer::start(&[]);
    let mut admin = Raw::connect(
        server.addr.port(),
        support::USER,
        support::PASSWORD,
        "crmdb",
    );
    admin.simple(setup);
    let mut ours = Raw::connect(server.addr.port(), "copier", "pw", "crmdb");
    let ours = refused_copy_flow(&mut ours);

    let postgres = pg::PgServer::start();
    let mut admin = Raw::connect(postgres.port, "postgres", "", "postgres");
    admin.simple(setup);
    let mut theirs = Raw::connect(postgres.port, "postgres", "", "postgres");
    theirs.simple("SET ROLE copier");
    let theirs = refused_copy_flow(&mut theirs);

    assert_eq!(ours, theirs);
    // Refused at Execute (42501), the extra Sync answered, still usable.
    assert_eq!(theirs[1], ["2", "E:42501", "Z"]);
    assert_eq!(theirs[2], ["Z"]);
    assert_eq!(theirs[3], ["T", "D", "C", "Z"]);
}
