//! Schema migrations, run by rusqlite_migration (tracked in SQLite's `user_version`).

use std::path::Path;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::error::{Result, StoreError};

/// APPEND-ONLY. Never edit, reorder or remove a migration once it has shipped: databases in
/// the field have already run it and will not run it again. Change the schema by adding a new
/// file at the end.
const MIGRATION_FILES: &[(&str, &str)] = &[
    (
        "0001_timeline",
        include_str!("../migrations/0001_timeline.sql"),
    ),
    (
        "0002_sync_state",
        include_str!("../migrations/0002_sync_state.sql"),
    ),
    (
        "0003_notifications",
        include_str!("../migrations/0003_notifications.sql"),
    ),
    (
        "0004_actions",
        include_str!("../migrations/0004_actions.sql"),
    ),
    ("0005_oncall", include_str!("../migrations/0005_oncall.sql")),
    (
        "0006_reminders",
        include_str!("../migrations/0006_reminders.sql"),
    ),
    (
        "0007_runbook_runs",
        include_str!("../migrations/0007_runbook_runs.sql"),
    ),
    ("0008_shifts", include_str!("../migrations/0008_shifts.sql")),
    ("0009_search", include_str!("../migrations/0009_search.sql")),
];

/// The schema version a fully migrated database has.
pub const SCHEMA_VERSION: usize = MIGRATION_FILES.len();

/// Applies every migration the database has not seen yet. rusqlite_migration runs each in a
/// transaction with its version bump, so a crash leaves the database at a whole version.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found = user_version(conn).map_err(|source| StoreError::Migration {
        path: path.to_owned(),
        name: "reading user_version",
        source,
    })?;
    // Checked here (rusqlite_migration would refuse too) so the error can say which versions.
    if usize::try_from(found).unwrap_or(usize::MAX) > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    let steps: Vec<M<'static>> = MIGRATION_FILES.iter().map(|(_, sql)| M::up(sql)).collect();
    Migrations::new(steps)
        .to_latest(conn)
        .map_err(|source| StoreError::Migrate {
            path: path.to_owned(),
            source: Box::new(source),
        })
}

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order() {
        for (index, (name, _)) in MIGRATION_FILES.iter().enumerate() {
            assert!(
                name.starts_with(&format!("{:04}_", index + 1)),
                "{name} is migration {}",
                index + 1
            );
        }
    }

    #[test]
    fn fresh_database_reaches_the_latest_version_and_rerun_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION as i64);
        // A second run must not re-execute anything (CREATE TABLE would fail if it did).
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION as i64);
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        let err = migrate(&mut conn, Path::new("/tmp/x.sqlite")).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { found: 99, .. }));
        assert!(err.to_string().contains("/tmp/x.sqlite"), "{err}");
    }
}
