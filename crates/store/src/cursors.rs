//! Sync cursors: where each source left off, as opaque strings the source defines.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{During, Result};

pub(crate) fn get(conn: &Connection, source: &str, key: &str) -> Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM sync_cursors WHERE source = ?1 AND key = ?2")
        .and_then(|mut stmt| stmt.query_row([source, key], |row| row.get(0)).optional())
        .during_with(|| format!("reading cursor {key} of source {source}"))
}

pub(crate) fn set(conn: &Connection, source: &str, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_cursors (source, key, value) VALUES (?1, ?2, ?3) \
         ON CONFLICT (source, key) DO UPDATE SET value = excluded.value",
    )
    .and_then(|mut stmt| stmt.execute(params![source, key, value]))
    .during_with(|| format!("saving cursor {key} of source {source}"))?;
    Ok(())
}
