//! The latest on-call entries per source.

use chrono::{DateTime, Utc};
use opsdeck_domain::OnCallShift;
use rusqlite::{params, Connection};

use crate::error::{During, Result, StoreError};
use crate::time::{from_millis, to_millis};

pub(crate) fn replace(
    conn: &Connection,
    source: &str,
    shifts: &[OnCallShift],
    fetched_at: DateTime<Utc>,
) -> Result<()> {
    let json = serde_json::to_string(shifts).map_err(|source_err| StoreError::CorruptJson {
        id: source.to_string(),
        column: "shifts",
        source: source_err,
    })?;
    conn.prepare_cached(
        "INSERT INTO oncall_snapshots (source, fetched_at, shifts) VALUES (?1, ?2, ?3) \
         ON CONFLICT (source) DO UPDATE SET fetched_at = excluded.fetched_at, \
         shifts = excluded.shifts",
    )
    .and_then(|mut stmt| stmt.execute(params![source, to_millis(fetched_at), json]))
    .during_with(|| format!("saving the on-call entries of source {source}"))?;
    Ok(())
}

/// Every source's shifts together, and the oldest fetch time among them.
pub(crate) fn all(conn: &Connection) -> Result<(Vec<OnCallShift>, Option<DateTime<Utc>>)> {
    let rows: Vec<(String, i64, String)> = conn
        .prepare_cached("SELECT source, fetched_at, shifts FROM oncall_snapshots ORDER BY source")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect()
        })
        .during("reading the on-call entries")?;
    let mut shifts = Vec::new();
    let mut oldest: Option<DateTime<Utc>> = None;
    for (source, fetched_at, json) in rows {
        let at = from_millis(fetched_at, "oncall_snapshots", &source, "fetched_at")?;
        oldest = Some(oldest.map_or(at, |o| o.min(at)));
        let mut these: Vec<OnCallShift> =
            serde_json::from_str(&json).map_err(|e| StoreError::CorruptJson {
                id: source.clone(),
                column: "shifts",
                source: e,
            })?;
        shifts.append(&mut these);
    }
    Ok((shifts, oldest))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::Store;

    fn shift(name: &str) -> OnCallShift {
        OnCallShift {
            user_name: name.into(),
            user_email: None,
            schedule: Some("Primary".into()),
            escalation_policy: Some("Payments".into()),
            escalation_level: Some(1),
            start: None,
            end: None,
        }
    }

    #[test]
    fn each_fetch_replaces_the_sources_snapshot() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.oncall().unwrap(), (vec![], None));
        let t1 = Utc.with_ymd_and_hms(2026, 5, 4, 6, 0, 0).unwrap();
        let t2 = t1 + chrono::Duration::minutes(5);
        store
            .replace_oncall("pd-a", &[shift("Sam"), shift("Priya")], t1)
            .unwrap();
        store.replace_oncall("pd-b", &[shift("Lee")], t2).unwrap();
        store.replace_oncall("pd-a", &[shift("Priya")], t2).unwrap();
        let (shifts, oldest) = store.oncall().unwrap();
        let names: Vec<&str> = shifts.iter().map(|s| s.user_name.as_str()).collect();
        assert_eq!(names, ["Priya", "Lee"]);
        assert_eq!(oldest, Some(t2));
    }
}
