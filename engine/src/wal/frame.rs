//! Record framing: `u32 payload_len | u32 crc32 | u64 lsn | payload`,
//! little-endian. The CRC covers the length, the LSN and the payload, so a
//! flipped bit anywhere in a frame is caught. Storing the LSN lets replay
//! recognise a real frame at a given position: a frame is valid only where
//! its LSN equals the position it is read from, which also lets corruption
//! detection scan forward for later valid frames.

use super::{Lsn, MAX_RECORD_SIZE};

/// Bytes before the payload.
pub(crate) const FRAME_HEADER_SIZE: usize = 16;

const _: () = assert!(MAX_RECORD_SIZE <= u32::MAX as usize);

/// Appends the frame of `payload` at `lsn` to `out`.
pub(crate) fn encode(lsn: Lsn, payload: &[u8], out: &mut Vec<u8>) {
    assert!(payload.len() <= MAX_RECORD_SIZE);
    let len = (payload.len() as u32).to_le_bytes();
    let lsn_bytes = lsn.to_le_bytes();
    out.reserve(FRAME_HEADER_SIZE + payload.len());
    out.extend_from_slice(&len);
    out.extend_from_slice(&checksum(len, lsn_bytes, payload).to_le_bytes());
    out.extend_from_slice(&lsn_bytes);
    out.extend_from_slice(payload);
}

/// The size of the frame holding a payload of `len` bytes.
pub(crate) fn frame_size(len: usize) -> u64 {
    (FRAME_HEADER_SIZE + len) as u64
}

fn checksum(len: [u8; 4], lsn: [u8; 8], payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&len);
    hasher.update(&lsn);
    hasher.update(payload);
    hasher.finalize()
}

fn le_u32(buf: &[u8], at: usize) -> u32 {
    let mut bytes = [0; 4];
    bytes.copy_from_slice(&buf[at..at + 4]);
    u32::from_le_bytes(bytes)
}

fn le_u64(buf: &[u8], at: usize) -> u64 {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&buf[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// Decodes the frame at the start of `buf`, which must carry `expected`
/// as its LSN. Returns the payload, or why the bytes are not that frame.
/// Never trusts a field before checking it: the length is bounded by
/// [`MAX_RECORD_SIZE`] and by `buf` before any slicing.
pub(crate) fn decode(buf: &[u8], expected: Lsn) -> Result<&[u8], String> {
    if buf.len() < FRAME_HEADER_SIZE {
        return Err(format!(
            "partial frame header ({} of {FRAME_HEADER_SIZE} bytes)",
            buf.len()
        ));
    }
    let len = le_u32(buf, 0) as usize;
    if len > MAX_RECORD_SIZE {
        return Err(format!(
            "payload length {len} exceeds the limit {MAX_RECORD_SIZE}"
        ));
    }
    let lsn = le_u64(buf, 8);
    if lsn != expected {
        return Err(format!("frame carries LSN {lsn}, expected {expected}"));
    }
    let available = buf.len() - FRAME_HEADER_SIZE;
    if len > available {
        return Err(format!(
            "payload of {len} bytes runs past the end of the file ({available} left)"
        ));
    }
    let payload = &buf[FRAME_HEADER_SIZE..FRAME_HEADER_SIZE + len];
    let stored = le_u32(buf, 4);
    let computed = checksum(len_bytes(len), lsn.to_le_bytes(), payload);
    if stored != computed {
        return Err(format!(
            "checksum mismatch (stored {stored:#010x}, computed {computed:#010x})"
        ));
    }
    Ok(payload)
}

fn len_bytes(len: usize) -> [u8; 4] {
    debug_assert!(len <= MAX_RECORD_SIZE);
    (len as u32).to_le_bytes()
}

/// The length field of a frame this process encoded itself (the writer
/// walks its own buffer with it; nothing read from disk goes through here).
pub(crate) fn own_payload_len(frame: &[u8]) -> usize {
    assert!(frame.len() >= FRAME_HEADER_SIZE);
    let len = le_u32(frame, 0) as usize;
    assert!(len <= MAX_RECORD_SIZE && FRAME_HEADER_SIZE + len <= frame.len());
    len
}

/// The first offset at or after `from` in `data` holding a valid frame,
/// where offset `o` must carry LSN `lsn_at(o)` (None before the first
/// possible frame position). Checks the cheap LSN field before the CRC.
pub(crate) fn find_valid(
    data: &[u8],
    from: usize,
    lsn_at: impl Fn(usize) -> Option<Lsn>,
) -> Option<usize> {
    let last = data.len().checked_sub(FRAME_HEADER_SIZE)?;
    (from..=last).find(|&at| {
        lsn_at(at)
            .is_some_and(|lsn| le_u64(data, at + 8) == lsn && decode(&data[at..], lsn).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_bit_flip_is_caught() {
        let mut buf = Vec::new();
        encode(1234, b"hello wal", &mut buf);
        assert_eq!(buf.len() as u64, frame_size(9));
        assert_eq!(decode(&buf, 1234).unwrap(), b"hello wal");
        assert!(decode(&buf, 1235).is_err());
        for bit in 0..buf.len() * 8 {
            let mut bad = buf.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(decode(&bad, 1234).is_err(), "bit {bit}");
        }
        for cut in 0..buf.len() {
            assert!(decode(&buf[..cut], 1234).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn empty_payload_and_zeros() {
        let mut buf = Vec::new();
        encode(0, b"", &mut buf);
        assert_eq!(decode(&buf, 0).unwrap(), b"");
        // A zero-filled region is not a valid frame at LSN 0.
        assert!(decode(&[0; 64], 0).is_err());
    }

    #[test]
    fn huge_length_is_rejected_before_use() {
        let mut buf = Vec::new();
        encode(7, b"x", &mut buf);
        buf[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&buf, 7).unwrap_err().contains("exceeds"));
    }

    #[test]
    fn find_valid_skips_garbage() {
        let mut buf = vec![0xAB; 37];
        encode(100 + 37, b"payload", &mut buf);
        let found = find_valid(&buf, 0, |at| Some(100 + at as u64));
        assert_eq!(found, Some(37));
        assert_eq!(find_valid(&buf, 38, |at| Some(100 + at as u64)), None);
        assert_eq!(find_valid(&buf[..40], 0, |at| Some(100 + at as u64)), None);
    }
}
