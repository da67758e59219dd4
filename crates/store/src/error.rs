use std::borrow::Cow;
use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong in the store. Each message names what was being done and to
/// what (the database path, the entry id), so it can be shown to the user as it is; the
/// underlying SQLite or JSON error is the `source()`.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the database at {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("cannot set PRAGMA {pragma} on the database at {}", path.display())]
    Pragma {
        path: PathBuf,
        pragma: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "the database at {} stays in journal mode {mode:?}; opsdeck needs WAL \
         (is it on a network filesystem?)",
        path.display()
    )]
    NotWal { path: PathBuf, mode: String },

    #[error("migration {name} failed on the database at {}", path.display())]
    Migration {
        path: PathBuf,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("cannot migrate the database at {}: {}", path.display(), migration_cause(source))]
    Migrate {
        path: PathBuf,
        #[source]
        source: Box<rusqlite_migration::Error>,
    },

    #[error(
        "the database at {} has schema version {found}, newer than this opsdeck knows \
         ({known}); use a newer opsdeck or another --db",
        path.display()
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: usize,
    },

    #[error("{what} failed")]
    Sql {
        what: Cow<'static, str>,
        #[source]
        source: rusqlite::Error,
    },

    #[error("corrupt {column} JSON in entry {id}")]
    CorruptJson {
        id: String,
        column: &'static str,
        #[source]
        source: serde_json::Error,
    },

    #[error("corrupt {column} value {value:?} in {table} row {key}")]
    CorruptValue {
        table: &'static str,
        key: String,
        column: &'static str,
        value: String,
    },

    #[error("cannot encode the {column} of entry {id} as JSON")]
    EncodeJson {
        id: String,
        column: &'static str,
        #[source]
        source: serde_json::Error,
    },

    /// Two different (source, external id) pairs hashed to the same 64-bit id. Refused rather
    /// than letting one overwrite the other.
    #[error("entry id {id} already belongs to {existing}; refusing to store {incoming} under it")]
    IdCollision {
        id: String,
        existing: String,
        incoming: String,
    },

    /// A search with no words and no filter would list the whole history.
    #[error(
        "the search has no words and no filter: give some words, or a source, service, \
         severity, kind or time window"
    )]
    EmptySearch,

    #[error("search limit {limit} is out of range: ask for 1 to {max} hits")]
    SearchLimit { limit: u32, max: u32 },

    #[error("the search window is empty: since ({since}) must be before until ({until})")]
    SearchWindow {
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    },

    #[error("the search has {words} words; at most {max} are searched for at once")]
    SearchTooManyWords { words: usize, max: usize },

    /// Every search-index key of one millisecond is taken (2^20 entries starting at the same
    /// millisecond): not expected in practice, refused rather than misfiled.
    #[error("cannot index entry {id}: too many entries start at {started_at_ms} ms")]
    SearchIndexFull { id: String, started_at_ms: i64 },

    /// A prune deleted rows (they stay deleted) but could not vacuum the file afterwards.
    #[error("pruned {deleted} rows but could not vacuum the database")]
    Vacuum {
        deleted: u64,
        #[source]
        source: rusqlite::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Names the operation a SQLite error interrupted.
pub(crate) trait During<T> {
    fn during(self, what: &'static str) -> Result<T>;
    fn during_with(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> During<T> for rusqlite::Result<T> {
    fn during(self, what: &'static str) -> Result<T> {
        self.map_err(|source| StoreError::Sql {
            what: Cow::Borrowed(what),
            source,
        })
    }

    fn during_with(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| StoreError::Sql {
            what: Cow::Owned(what()),
            source,
        })
    }
}

/// rusqlite_migration's errors quote the whole migration SQL; the cause is what helps.
fn migration_cause(e: &rusqlite_migration::Error) -> String {
    match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => err.to_string(),
        other => other.to_string(),
    }
}

impl StoreError {
    /// A request refused for what was asked (a search with no words and no filter, a limit
    /// or window out of range, too many words), as opposed to the cache failing.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            StoreError::EmptySearch
                | StoreError::SearchLimit { .. }
                | StoreError::SearchWindow { .. }
                | StoreError::SearchTooManyWords { .. }
        )
    }

    /// Another connection held the lock (SQLITE_BUSY / SQLITE_LOCKED).
    pub fn is_busy(&self) -> bool {
        let busy = |e: &rusqlite::Error| {
            matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        };
        match self {
            StoreError::Pragma { source, .. } | StoreError::Migration { source, .. } => {
                busy(source)
            }
            StoreError::Migrate { source, .. } => match source.as_ref() {
                rusqlite_migration::Error::RusqliteError { err, .. } => busy(err),
                _ => false,
            },
            _ => false,
        }
    }
}
