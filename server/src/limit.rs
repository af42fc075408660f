//! A message-size limit below pgwire's codec.
//!
//! pgwire accepts messages up to 1 GiB and buffers a message until it is
//! complete. [`LimitedIo`] watches the framing of the bytes it reads (a
//! 4-byte length for the startup packet, then a type byte and a 4-byte
//! length for every message) and fails the read as soon as a length prefix
//! exceeds the limit or is impossible, before the body is read or buffered.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Follows message boundaries in a byte stream.
#[derive(Debug)]
pub struct Framing {
    limit: usize,
    /// After the startup packet every message starts with a type byte.
    typed: bool,
    header: [u8; 5],
    have: usize,
    remaining: u64,
}

impl Framing {
    /// Framing of a stream that starts with the (untyped) startup packet.
    pub fn new(limit: usize) -> Framing {
        Framing {
            limit,
            typed: false,
            header: [0; 5],
            have: 0,
            remaining: 0,
        }
    }

    /// Accounts for `data`; an error names a refused length prefix.
    pub fn observe(&mut self, mut data: &[u8]) -> Result<(), i64> {
        while !data.is_empty() {
            if self.remaining > 0 {
                let n = (self.remaining.min(data.len() as u64)) as usize;
                data = &data[n..];
                self.remaining -= n as u64;
                continue;
            }
            let header_len = if self.typed { 5 } else { 4 };
            let n = (header_len - self.have).min(data.len());
            self.header[self.have..self.have + n].copy_from_slice(&data[..n]);
            self.have += n;
            data = &data[n..];
            if self.have == header_len {
                let len_bytes: [u8; 4] = self.header[header_len - 4..header_len]
                    .try_into()
                    .expect("four bytes");
                let len = i64::from(i32::from_be_bytes(len_bytes));
                if len < 4 || len as u64 > self.limit as u64 {
                    return Err(len);
                }
                self.remaining = (len - 4) as u64;
                self.have = 0;
                self.typed = true;
            }
        }
        Ok(())
    }
}

/// An I/O stream whose reads are checked by [`Framing`].
pub struct LimitedIo<T> {
    inner: T,
    framing: Framing,
}

impl<T> LimitedIo<T> {
    pub fn new(inner: T, framing: Framing) -> Self {
        LimitedIo { inner, framing }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for LimitedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let limit = this.framing.limit;
                match this.framing.observe(&buf.filled()[before..]) {
                    Ok(()) => Poll::Ready(Ok(())),
                    Err(len) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("invalid message length {len} (the limit is {limit} bytes)"),
                    ))),
                }
            }
            other => other,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for LimitedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn startup(len: i32) -> Vec<u8> {
        let mut v = len.to_be_bytes().to_vec();
        v.resize(len.max(4) as usize, 0);
        v
    }

    fn typed(t: u8, len: i32) -> Vec<u8> {
        let mut v = vec![t];
        v.extend_from_slice(&len.to_be_bytes());
        v.resize(1 + len.max(4) as usize, b'x');
        v
    }

    #[test]
    fn follows_messages_split_anywhere() {
        let mut stream = startup(8);
        stream.extend(typed(b'Q', 10));
        stream.extend(typed(b'S', 4));
        stream.extend(typed(b'Q', 100));
        for chunk in 1..stream.len() {
            let mut f = Framing::new(100);
            for part in stream.chunks(chunk) {
                f.observe(part).unwrap();
            }
            assert_eq!((f.have, f.remaining), (0, 0), "chunk {chunk}");
        }
    }

    #[test]
    fn refuses_huge_and_impossible_lengths() {
        let mut f = Framing::new(1000);
        f.observe(&startup(8)).unwrap();
        assert_eq!(f.observe(&[b'Q', 0x80, 0, 0, 0]), Err(i64::from(i32::MIN)));
        let mut f = Framing::new(1000);
        f.observe(&startup(8)).unwrap();
        assert_eq!(
            f.observe(&[b'Q', 0x7f, 0xff, 0xff, 0xff]),
            Err(i64::from(i32::MAX))
        );
        let mut f = Framing::new(1000);
        assert_eq!(f.observe(&[0, 0, 0, 3]), Err(3));
        let mut f = Framing::new(1000);
        assert_eq!(f.observe(&[0, 0, 0x10, 0]), Err(4096));
    }
}
