//! Which notifications have been shown, so a restart never repeats one.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use crate::error::{During, Result};
use crate::time::to_millis;

/// Records `key` as sent; true only the first time for that key.
pub(crate) fn mark(conn: &Connection, key: &str, at: DateTime<Utc>) -> Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO notifications_sent (key, sent_at) VALUES (?1, ?2) \
             ON CONFLICT (key) DO NOTHING",
        )
        .and_then(|mut stmt| stmt.execute(params![key, to_millis(at)]))
        .during_with(|| format!("recording notification {key}"))?;
    Ok(inserted == 1)
}
