//! crmdb-client: the typed Rust client, the CRM data generator and the load
//! driver. They are built with the SQL and wire-server issues; until then the
//! crate only exists so that the workspace has its final shape.
