//! One client connection: TLS negotiation, the message loop, and refusing
//! connections over the limit.

use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use futures::{SinkExt, StreamExt};
use pgwire::api::cancel::CancelHandler;
use pgwire::api::{ClientInfo, PgWireConnectionState};
use pgwire::error::{ErrorInfo, PgWireError};
use pgwire::messages::cancel::CancelRequest;
use pgwire::messages::response::TransactionStatus;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use pgwire::tokio::TlsAcceptor;
use pgwire::tokio::server::{negotiate_tls, process_error, process_message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_util::codec::{Framed, FramedParts};

use crate::Shared;
use crate::handler::{Conn, Startup};
use crate::limit::{Framing, LimitedIo};

/// How long a client has to get through startup and authentication.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

fn fatal_info(code: &str, message: String) -> ErrorInfo {
    let mut info = ErrorInfo::new("FATAL".into(), code.into(), message);
    info.severity_nonlocalized = Some("FATAL".into());
    info
}

/// Serves one client until it leaves, breaks the protocol, or the server
/// shuts down.
pub async fn serve(
    tcp: TcpStream,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let startup_deadline = tokio::time::sleep(STARTUP_TIMEOUT);
    tokio::pin!(startup_deadline);

    let negotiated = tokio::select! {
        _ = &mut startup_deadline => return Ok(()),
        n = negotiate_tls::<String>(tcp, tls) => n?,
    };
    // A direct TLS handshake without TLS configured.
    let Some(socket) = negotiated else {
        return Ok(());
    };

    // Put the message-size limit under pgwire's codec.
    let old = socket.into_parts();
    let mut framing = Framing::new(shared.max_message_size);
    let violation = framing.observe(&old.read_buf).err();
    let mut parts = FramedParts::new(LimitedIo::new(old.io, framing), old.codec);
    parts.read_buf = old.read_buf;
    parts.write_buf = old.write_buf;
    let mut socket = Framed::from_parts(parts);
    if let Some(len) = violation {
        let info = fatal_info("08P01", format!("invalid message length {len}"));
        let _ = socket
            .send(PgWireBackendMessage::ErrorResponse(info.into()))
            .await;
        return Ok(());
    }

    let conn = Conn::new(shared.clone());
    let startup = Arc::new(Startup::new(conn.clone()));
    let canceller = Arc::new(Canceller(shared.clone()));

    loop {
        let in_startup = matches!(
            socket.state(),
            PgWireConnectionState::AwaitingStartup
                | PgWireConnectionState::AuthenticationInProgress
        );
        // PostgreSQL ends a session that sits idle inside a transaction
        // block longer than idle_in_transaction_session_timeout.
        let idle_limit = match socket.transaction_status() {
            TransactionStatus::Transaction | TransactionStatus::Error => {
                conn.idle_in_transaction_timeout()
            }
            _ => None,
        };
        let mut idle_expired = false;
        let next = tokio::select! {
            m = socket.next() => Some(m),
            _ = &mut startup_deadline, if in_startup => break,
            _ = tokio::time::sleep(idle_limit.unwrap_or_default()), if idle_limit.is_some() => {
                idle_expired = true;
                None
            }
            r = stop.wait_for(|s| *s) => {
                drop(r);
                None
            }
        };
        let Some(next) = next else {
            let info = if idle_expired {
                fatal_info(
                    "25P03",
                    "terminating connection due to idle-in-transaction timeout".into(),
                )
            } else {
                fatal_info(
                    "57P01",
                    "terminating connection due to administrator command".into(),
                )
            };
            let _ = socket
                .send(PgWireBackendMessage::ErrorResponse(info.into()))
                .await;
            break;
        };
        let msg = match next {
            None => break,
            Some(Ok(msg)) => msg,
            Some(Err(e)) => {
                // Undecodable input or an oversized message: say so, then
                // close, as PostgreSQL does.
                let info = fatal_info("08P01", protocol_violation(&e));
                let _ = socket
                    .send(PgWireBackendMessage::ErrorResponse(info.into()))
                    .await;
                break;
            }
        };
        if matches!(msg, PgWireFrontendMessage::Terminate(_)) {
            break;
        }
        // An error during COPY FROM STDIN waits for Sync if the COPY
        // came through the extended protocol.
        let is_extended = match socket.state() {
            PgWireConnectionState::CopyInProgress(extended) => extended,
            _ => msg.is_extended_query(),
        };
        let is_cancel = matches!(msg, PgWireFrontendMessage::CancelRequest(_));
        let result = process_message(
            msg,
            &mut socket,
            startup.clone(),
            conn.clone(),
            conn.clone(),
            conn.clone(),
            canceller.clone(),
        )
        .await;
        if let Err(e) = result {
            let is_fatal = e.is_fatal();
            process_error(&mut socket, e, is_extended).await?;
            if is_fatal {
                break;
            }
        }
        if is_cancel {
            break;
        }
    }
    let _ = socket.close().await;
    Ok(())
}

/// Answers a CancelRequest: the connection whose BackendKeyData matches has
/// its running statement stopped (57014). An unknown key is ignored, as
/// PostgreSQL does, so that keys cannot be probed.
struct Canceller(Arc<Shared>);

#[async_trait::async_trait]
impl CancelHandler for Canceller {
    async fn on_cancel_request(&self, request: CancelRequest) {
        let key = (request.pid, request.secret_key.to_bytes().to_vec());
        let handle = self
            .0
            .cancels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        if let Some(handle) = handle {
            handle.cancel();
        }
    }
}

fn protocol_violation(e: &PgWireError) -> String {
    match e {
        PgWireError::IoError(io) => io.to_string(),
        other => format!("invalid frontend message: {other}"),
    }
}

/// Refuses a connection with a FATAL error (too many clients): answers an
/// SSLRequest with 'N', reads the startup packet, then sends the error, as
/// PostgreSQL does, so that clients show the message.
pub async fn refuse(mut tcp: TcpStream, code: &'static str, message: String) {
    const SSL_REQUEST: u32 = 80_877_103;
    const GSSENC_REQUEST: u32 = 80_877_104;
    let exchange = async {
        for _ in 0..3 {
            let len = tcp.read_u32().await? as usize;
            if !(8..=10_000).contains(&len) {
                return Ok(());
            }
            let mut body = vec![0u8; len - 4];
            tcp.read_exact(&mut body).await?;
            let code = u32::from_be_bytes(body[..4].try_into().expect("four bytes"));
            if code == SSL_REQUEST || code == GSSENC_REQUEST {
                tcp.write_all(b"N").await?;
                continue;
            }
            break;
        }
        let mut buf = BytesMut::new();
        let info = fatal_info(code, message);
        PgWireBackendMessage::ErrorResponse(info.into())
            .encode(&mut buf)
            .map_err(std::io::Error::other)?;
        tcp.write_all(&buf).await?;
        tcp.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), exchange).await;
}
