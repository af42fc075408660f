//! COPY on the wire: the CopyInResponse that starts COPY FROM STDIN, and
//! COPY TO STDOUT's CopyOutResponse, one CopyData per line, CopyDone.
//! The input side (CopyData, CopyDone, CopyFail) is relayed to the
//! session by the worker (`crate::worker`); the codec is the engine's.

use bytes::Bytes;
use crmdb_engine::sql::{CopyFormat, CopyLines, SqlError, command_tag};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::copy::{CopyData, CopyDone, CopyInResponse, CopyOutResponse};
use pgwire::messages::response::CommandComplete;

/// The protocol's overall format code: 0 for text and CSV (1 is binary).
fn format_code(format: CopyFormat) -> i8 {
    match format {
        CopyFormat::Text | CopyFormat::Csv => 0,
    }
}

/// CopyInResponse for a COPY of `columns` columns.
pub fn copy_in_response(format: CopyFormat, columns: usize) -> PgWireBackendMessage {
    PgWireBackendMessage::CopyInResponse(CopyInResponse::new(
        format_code(format),
        columns as i16,
        vec![0; columns],
    ))
}

/// Sends COPY TO's output with `send`: CopyOutResponse, the header line,
/// one CopyData per row, CopyDone and CommandComplete. Rows are read as
/// they are sent. On an error among the rows nothing more is sent: the
/// caller reports the error.
pub fn send_copy_out<G>(
    format: CopyFormat,
    columns: usize,
    header: Option<Vec<u8>>,
    lines: CopyLines,
    send: &mut dyn FnMut(PgWireBackendMessage) -> Result<(), G>,
) -> Result<Result<(), SqlError>, G> {
    send(PgWireBackendMessage::CopyOutResponse(CopyOutResponse::new(
        format_code(format),
        columns as i16,
        vec![0; columns],
    )))?;
    if let Some(h) = header {
        send(copy_data(h))?;
    }
    let mut rows = 0u64;
    for line in lines {
        match line {
            Ok(line) => {
                send(copy_data(line))?;
                rows += 1;
            }
            Err(e) => return Ok(Err(e)),
        }
    }
    send(PgWireBackendMessage::CopyDone(CopyDone::new()))?;
    send(PgWireBackendMessage::CommandComplete(CommandComplete::new(
        command_tag("COPY", rows),
    )))?;
    Ok(Ok(()))
}

fn copy_data(line: Vec<u8>) -> PgWireBackendMessage {
    PgWireBackendMessage::CopyData(CopyData::new(Bytes::from(line)))
}
