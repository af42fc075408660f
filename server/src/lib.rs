//! crmdb-server: the PostgreSQL wire protocol front end of crmdb.
//!
//! It is built in the wire-server issue; until then the crate only exists so
//! that the workspace has the shape that docs/architecture.md describes.
