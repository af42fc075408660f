//! The commit record: what one transaction writes to the log.
//!
//! A transaction's changes are logged as one record, so they commit
//! together: after a crash the record is either whole (and replayed) or
//! torn (and dropped). Layout (little-endian), inside the log frame:
//!
//! ```text
//! u8  kind = 1 (commit)
//! u64 seq                      commit sequence number
//! u32 op count
//! ops, each a tag byte and its fields:
//!   1 insert      u32 table, u32 key length, key bytes, row (row::encode_row)
//!   2 delete      u32 table, u32 key length, key bytes
//!   3 create      u32 length, table definition as JSON
//!   4 replace     u32 length, table definition as JSON (ALTER TABLE)
//!   5 drop        u32 table
//!   6 truncate    u32 table
//!   7 create role u32 length, role definition as JSON
//!   8 alter role  u32 length, role definition as JSON
//!   9 drop role   u32 length, role name (UTF-8)
//!  10 set acl     u32 table, u32 length, owner and grants as JSON
//!  11 rename role u32 length, old name, u32 length, new name (UTF-8)
//! ```

use std::sync::Arc;

use crate::catalog::{RoleDef, TableAcl, TableDef, TableId};
use crate::memtable::Key;
use crate::row::{DecodeError, Reader, Row, encode_row};

const KIND_COMMIT: u8 = 1;

/// One change inside a transaction.
#[derive(Debug, Clone)]
pub enum Op {
    Insert {
        table: TableId,
        key: Key,
        row: Row,
    },
    Delete {
        table: TableId,
        key: Key,
    },
    CreateTable(TableDef),
    ReplaceTable(TableDef),
    DropTable(TableId),
    Truncate(TableId),
    CreateRole(RoleDef),
    AlterRole(RoleDef),
    DropRole(String),
    /// Sets a table's owner and grants (CREATE TABLE, GRANT, REVOKE).
    SetAcl {
        table: TableId,
        acl: TableAcl,
    },
    RenameRole {
        from: String,
        to: String,
    },
}

impl Op {
    /// The table whose definition or rows the op changes; None for role
    /// and privilege ops.
    pub fn table(&self) -> Option<TableId> {
        match self {
            Op::Insert { table, .. } | Op::Delete { table, .. } => Some(*table),
            Op::CreateTable(def) | Op::ReplaceTable(def) => Some(def.id),
            Op::DropTable(table) | Op::Truncate(table) => Some(*table),
            Op::CreateRole(_)
            | Op::AlterRole(_)
            | Op::DropRole(_)
            | Op::SetAcl { .. }
            | Op::RenameRole { .. } => None,
        }
    }
}

/// A committed transaction.
#[derive(Debug, Clone)]
pub struct CommitRecord {
    pub seq: u64,
    pub ops: Vec<Op>,
}

impl CommitRecord {
    /// The record's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.push(KIND_COMMIT);
        out.extend_from_slice(&self.seq.to_le_bytes());
        let count = u32::try_from(self.ops.len()).expect("op count is limited by the record size");
        out.extend_from_slice(&count.to_le_bytes());
        for op in &self.ops {
            match op {
                Op::Insert { table, key, row } => {
                    out.push(1);
                    out.extend_from_slice(&table.to_le_bytes());
                    put_bytes(&mut out, key);
                    encode_row(row, &mut out);
                }
                Op::Delete { table, key } => {
                    out.push(2);
                    out.extend_from_slice(&table.to_le_bytes());
                    put_bytes(&mut out, key);
                }
                Op::CreateTable(def) | Op::ReplaceTable(def) => {
                    out.push(if matches!(op, Op::CreateTable(_)) {
                        3
                    } else {
                        4
                    });
                    let json = serde_json::to_vec(def).expect("table definitions serialize");
                    put_bytes(&mut out, &json);
                }
                Op::DropTable(table) => {
                    out.push(5);
                    out.extend_from_slice(&table.to_le_bytes());
                }
                Op::Truncate(table) => {
                    out.push(6);
                    out.extend_from_slice(&table.to_le_bytes());
                }
                Op::CreateRole(role) | Op::AlterRole(role) => {
                    out.push(if matches!(op, Op::CreateRole(_)) {
                        7
                    } else {
                        8
                    });
                    let json = serde_json::to_vec(role).expect("roles serialize");
                    put_bytes(&mut out, &json);
                }
                Op::DropRole(name) => {
                    out.push(9);
                    put_bytes(&mut out, name.as_bytes());
                }
                Op::SetAcl { table, acl } => {
                    out.push(10);
                    out.extend_from_slice(&table.to_le_bytes());
                    let json = serde_json::to_vec(acl).expect("acls serialize");
                    put_bytes(&mut out, &json);
                }
                Op::RenameRole { from, to } => {
                    out.push(11);
                    put_bytes(&mut out, from.as_bytes());
                    put_bytes(&mut out, to.as_bytes());
                }
            }
        }
        out
    }

    /// Parses a record. Its frame's checksum has already been verified, so
    /// an error here means a bug or a format mismatch, reported as such.
    pub fn decode(bytes: &[u8]) -> Result<CommitRecord, DecodeError> {
        let mut r = Reader::new(bytes);
        let kind = r.u8()?;
        if kind != KIND_COMMIT {
            return Err(r.error(format!("unknown record kind {kind}")));
        }
        let seq = r.u64()?;
        let count = r.u32()? as usize;
        // Each op takes at least 5 bytes: bound the allocation by the input.
        let mut ops = Vec::with_capacity(count.min(bytes.len() / 5));
        for _ in 0..count {
            let op = match r.u8()? {
                1 => {
                    let table = r.u32()?;
                    let key = Arc::from(r.len_prefixed()?);
                    Op::Insert {
                        table,
                        key,
                        row: r.row()?,
                    }
                }
                2 => {
                    let table = r.u32()?;
                    Op::Delete {
                        table,
                        key: Arc::from(r.len_prefixed()?),
                    }
                }
                tag @ (3 | 4) => {
                    let json = r.len_prefixed()?;
                    let def: TableDef = serde_json::from_slice(json)
                        .map_err(|e| r.error(format!("bad table definition: {e}")))?;
                    if tag == 3 {
                        Op::CreateTable(def)
                    } else {
                        Op::ReplaceTable(def)
                    }
                }
                5 => Op::DropTable(r.u32()?),
                6 => Op::Truncate(r.u32()?),
                tag @ (7 | 8) => {
                    let json = r.len_prefixed()?;
                    let role: RoleDef = serde_json::from_slice(json)
                        .map_err(|e| r.error(format!("bad role definition: {e}")))?;
                    if tag == 7 {
                        Op::CreateRole(role)
                    } else {
                        Op::AlterRole(role)
                    }
                }
                9 => Op::DropRole(role_name(&mut r)?),
                10 => {
                    let table = r.u32()?;
                    let json = r.len_prefixed()?;
                    let acl: TableAcl = serde_json::from_slice(json)
                        .map_err(|e| r.error(format!("bad table acl: {e}")))?;
                    Op::SetAcl { table, acl }
                }
                11 => {
                    let from = role_name(&mut r)?;
                    Op::RenameRole {
                        from,
                        to: role_name(&mut r)?,
                    }
                }
                other => return Err(r.error(format!("unknown op tag {other}"))),
            };
            ops.push(op);
        }
        if !r.is_empty() {
            return Err(r.error("trailing bytes after the last op"));
        }
        Ok(CommitRecord { seq, ops })
    }
}

fn role_name(r: &mut Reader) -> Result<String, DecodeError> {
    let bytes = r.len_prefixed()?;
    match std::str::from_utf8(bytes) {
        Ok(name) => Ok(name.to_owned()),
        Err(_) => Err(r.error("role name is not UTF-8")),
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).expect("fields are limited below 4 GiB");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::sql::ddl::{CANONICAL_SCHEMA, parse_create_tables};
    use crate::types::Value;

    #[test]
    fn records_round_trip() {
        let def = parse_create_tables(CANONICAL_SCHEMA, &Catalog::default()).unwrap()[0].clone();
        let record = CommitRecord {
            seq: 42,
            ops: vec![
                Op::CreateTable(def.clone()),
                Op::Insert {
                    table: 0,
                    key: Arc::from(&b"k1"[..]),
                    row: Arc::from(vec![Value::BigInt(1), Value::Null]),
                },
                Op::Delete {
                    table: 0,
                    key: Arc::from(&b"k1"[..]),
                },
                Op::ReplaceTable(def),
                Op::Truncate(0),
                Op::DropTable(0),
                Op::CreateRole(crate::catalog::RoleDef {
                    name: "alice".into(),
                    superuser: false,
                    login: true,
                    password: Some("SCRAM-SHA-256$4096:c2FsdA==$a:b".into()),
                    create_role: true,
                    oid: 0,
                }),
                Op::SetAcl {
                    table: 0,
                    acl: crate::catalog::TableAcl {
                        owner: "alice".into(),
                        grants: [("bob".to_owned(), crate::catalog::Privileges::SELECT)].into(),
                    },
                },
                Op::RenameRole {
                    from: "alice".into(),
                    to: "carol".into(),
                },
                Op::DropRole("carol".into()),
            ],
        };
        let bytes = record.encode();
        let back = CommitRecord::decode(&bytes).unwrap();
        assert_eq!(back.seq, 42);
        assert_eq!(back.encode(), bytes);
        for cut in 0..bytes.len() {
            assert!(CommitRecord::decode(&bytes[..cut]).is_err());
        }
    }
}
