//! The memtable: rows committed since the last checkpoint, kept in memory in
//! key order until a checkpoint writes them out as a segment.
//!
//! It is a persistent ordered map (imbl), so a snapshot or a transaction
//! takes a copy in O(1) and a commit changes it in O(log n) without
//! disturbing anyone who holds an older copy.

use std::sync::Arc;

use crate::row::Row;
use crate::types::Value;

/// A primary key in its byte-comparable encoding (see [`crate::row::encode_key`]).
pub type Key = Arc<[u8]>;

/// The latest state of one key: a row, or a tombstone saying the key was
/// deleted, with the sequence number of the commit that wrote it. A
/// tombstone only remembers when a key changed (for conflict checks); the
/// deleted row itself, if it lives in a segment, is already marked in that
/// segment's delete bitmap.
#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: u64,
    pub row: Option<Row>,
}

/// Committed, not yet checkpointed rows of one table.
#[derive(Debug, Clone, Default)]
pub struct Memtable {
    entries: imbl::OrdMap<Key, Entry>,
    live_rows: usize,
    approx_bytes: usize,
}

impl Memtable {
    /// The entry for `key`, row or tombstone.
    pub fn get(&self, key: &[u8]) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Sets the entry for `key`, replacing any earlier one.
    pub fn put(&mut self, key: Key, entry: Entry) {
        let added = entry_bytes(&key, &entry);
        if entry.row.is_some() {
            self.live_rows += 1;
        }
        if let Some(old) = self.entries.insert(key.clone(), entry) {
            if old.row.is_some() {
                self.live_rows -= 1;
            }
            self.approx_bytes -= entry_bytes(&key, &old);
        }
        self.approx_bytes += added;
    }

    /// Rows (not tombstones) held.
    pub fn live_rows(&self) -> usize {
        self.live_rows
    }

    /// Entries held, tombstones included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no entry at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Rough memory held by the entries, to decide when to checkpoint.
    pub fn approx_bytes(&self) -> usize {
        self.approx_bytes
    }

    /// The rows in key order, tombstones skipped.
    pub fn rows(&self) -> impl Iterator<Item = (&Key, &Row)> {
        self.entries
            .iter()
            .filter_map(|(k, e)| e.row.as_ref().map(|r| (k, r)))
    }

    /// Every entry in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.entries.iter()
    }

    /// Rewrites every row with `f` (used when a table's columns change).
    pub fn map_rows(&mut self, f: impl Fn(&Row) -> Row) {
        let mut out = Memtable::default();
        for (k, e) in self.entries.iter() {
            let row = e.row.as_ref().map(&f);
            out.put(k.clone(), Entry { seq: e.seq, row });
        }
        *self = out;
    }
}

/// Approximate heap bytes of one entry.
fn entry_bytes(key: &[u8], entry: &Entry) -> usize {
    const OVERHEAD: usize = 64;
    let row = entry
        .row
        .as_ref()
        .map(|r| r.iter().map(value_bytes).sum::<usize>())
        .unwrap_or(0);
    OVERHEAD + key.len() + row
}

fn value_bytes(v: &Value) -> usize {
    std::mem::size_of::<Value>()
        + match v {
            Value::Text(s) => s.len(),
            _ => 0,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: i64) -> Row {
        Arc::from(vec![Value::BigInt(v)])
    }

    #[test]
    fn counts_follow_puts_and_tombstones() {
        let mut m = Memtable::default();
        let k: Key = Arc::from(&b"a"[..]);
        m.put(
            k.clone(),
            Entry {
                seq: 1,
                row: Some(row(1)),
            },
        );
        assert_eq!(m.live_rows(), 1);
        let bytes = m.approx_bytes();
        m.put(k.clone(), Entry { seq: 2, row: None });
        assert_eq!(m.live_rows(), 0);
        assert_eq!(m.len(), 1);
        assert!(m.approx_bytes() < bytes);
        m.put(
            Arc::from(&b"b"[..]),
            Entry {
                seq: 3,
                row: Some(row(2)),
            },
        );
        let live: Vec<_> = m.rows().map(|(k, _)| k.to_vec()).collect();
        assert_eq!(live, vec![b"b".to_vec()]);
    }

    #[test]
    fn copies_are_independent() {
        let mut a = Memtable::default();
        a.put(
            Arc::from(&b"k"[..]),
            Entry {
                seq: 1,
                row: Some(row(1)),
            },
        );
        let snapshot = a.clone();
        a.put(Arc::from(&b"k"[..]), Entry { seq: 2, row: None });
        assert_eq!(snapshot.live_rows(), 1);
        assert_eq!(a.live_rows(), 0);
    }
}
