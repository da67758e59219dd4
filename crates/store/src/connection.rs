//! Opening a connection: per-connection pragmas, then migrations.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{Result, StoreError};

/// How long a writer waits for another connection's lock (the desktop app and `opsdeck sync`
/// may share the file) before giving up with SQLITE_BUSY.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Negative: in KiB rather than pages (SQLite's convention).
const CACHE_SIZE_KIB: i64 = -32 * 1024;

const WAL_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// Pragmas are per connection, so every open applies all of them.
pub(crate) fn configure(conn: &Connection, path: &Path, in_memory: bool) -> Result<()> {
    let pragma_err = |pragma: &'static str| {
        move |source| StoreError::Pragma {
            path: path.to_owned(),
            pragma,
            source,
        }
    };
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(pragma_err("busy_timeout"))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(pragma_err("foreign_keys"))?;
    // WAL lets the UI read while a sync writes; with it, NORMAL is durable across application
    // crashes and only an OS crash can lose the last transactions, which a re-sync restores.
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(pragma_err("journal_mode"))?;
    if !in_memory && !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::NotWal {
            path: path.to_owned(),
            mode,
        });
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(pragma_err("synchronous"))?;
    // The default 2 MiB cache misses on nearly every index page once the cache holds a few
    // months; 32 MiB is an upper bound that only a large store reaches.
    conn.pragma_update(None, "cache_size", CACHE_SIZE_KIB)
        .map_err(pragma_err("cache_size"))?;
    // Checkpointing every ~40 MB of WAL instead of every 4 MB writes each index page that
    // several batches touch back to the database once, not once per batch.
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
        .map_err(pragma_err("wal_autocheckpoint"))?;
    Ok(())
}
