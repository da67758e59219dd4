//! Which notifications have been shown, so a restart never repeats one.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use crate::error::{During, Result};
use crate::time::{from_millis, to_millis};

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

/// Records `key` as shown for `incident` at data time `at` and real time `real_at`; true only
/// the first time for that key.
pub(crate) fn mark_for(
    conn: &Connection,
    key: &str,
    incident: &str,
    at: DateTime<Utc>,
    real_at: DateTime<Utc>,
) -> Result<bool> {
    let incident = (!incident.is_empty()).then_some(incident);
    let inserted = conn
        .prepare_cached(
            "INSERT INTO notifications_sent (key, sent_at, incident, real_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key) DO NOTHING",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![key, to_millis(at), incident, to_millis(real_at)])
        })
        .during_with(|| format!("recording notification {key}"))?;
    Ok(inserted == 1)
}

/// Per incident: how many notifications were shown and the real time of the latest.
pub(crate) fn shown(conn: &Connection, incident: &str) -> Result<Option<(u32, DateTime<Utc>)>> {
    let row: (i64, Option<i64>) = conn
        .prepare_cached("SELECT count(*), max(real_at) FROM notifications_sent WHERE incident = ?1")
        .and_then(|mut stmt| stmt.query_row([incident], |r| Ok((r.get(0)?, r.get(1)?))))
        .during_with(|| format!("reading the notifications of {incident}"))?;
    match row {
        (0, _) | (_, None) => Ok(None),
        (count, Some(ms)) => Ok(Some((
            u32::try_from(count).unwrap_or(u32::MAX),
            from_millis(ms, "notifications_sent", incident, "real_at")?,
        ))),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::Store;

    #[test]
    fn shown_counts_an_incidents_notifications() {
        let mut store = Store::open_in_memory().unwrap();
        let t = |m: i64| {
            chrono::Utc.with_ymd_and_hms(2026, 5, 4, 6, 0, 0).unwrap()
                + chrono::Duration::minutes(m)
        };
        assert_eq!(store.notifications_shown("Q1").unwrap(), None);
        assert!(store
            .mark_notified_for("page:Q1:triggered", "Q1", t(0), t(100))
            .unwrap());
        assert!(!store
            .mark_notified_for("page:Q1:triggered", "Q1", t(1), t(101))
            .unwrap());
        assert!(store
            .mark_notified_for("page:Q1:reminder:1", "Q1", t(5), t(105))
            .unwrap());
        assert!(store
            .mark_notified_for("batch:abc", "", t(5), t(105))
            .unwrap());
        assert!(store.mark_notified("page:Q2:triggered", t(0)).unwrap());
        assert_eq!(store.notifications_shown("Q1").unwrap(), Some((2, t(105))));
        // Rows from before reminders existed carry no incident: they do not count.
        assert_eq!(store.notifications_shown("Q2").unwrap(), None);
        assert_eq!(store.notifications_shown("").unwrap(), None);
    }
}
