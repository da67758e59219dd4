//! Behaviour of the store through its public API, on real files where it matters.
//!
//! Contents: opening and migrating · upserts · timeline reads · corrupt data · source health ·
//! cursors · notifications.

use chrono::{DateTime, Duration, TimeZone, Utc};
use opsdeck_domain::{entry_id, EntryKind, HealthState, NewEntry, Severity, SourceKind, Status};
use opsdeck_store::{Store, StoreError, SCHEMA_VERSION};
use serde_json::json;
use tempfile::TempDir;

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 29, hour, minute, 0).unwrap()
}

fn page(external_id: &str, started_at: DateTime<Utc>) -> NewEntry {
    NewEntry {
        source: SourceKind::Pagerduty,
        kind: EntryKind::Page,
        severity: Severity::Critical,
        status: Some(Status::Triggered),
        title: format!("Page {external_id}"),
        service: Some("payments-api".into()),
        url: Some(format!("https://pd.example.test/incidents/{external_id}")),
        started_at,
        ended_at: None,
        external_id: external_id.into(),
        details: json!({"urgency": "high", "log_entries": []}),
        raw: json!({"id": external_id, "type": "incident"}),
    }
}

fn temp_db() -> (TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opsdeck.sqlite");
    (dir, path)
}

/// A second, plain connection to look at the file the way any SQLite tool would.
fn inspect(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

// ---- opening and migrating ----

#[test]
fn fresh_file_is_migrated_and_reopening_keeps_data() {
    let (_dir, path) = temp_db();
    {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.path(), Some(path.as_path()));
        store.upsert_entries(&[page("P1", at(5, 47))]).unwrap();
    }
    let version: i64 = inspect(&path)
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION as i64);

    // Re-running the migrations on a migrated file would fail on CREATE TABLE; it must not.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count_entries().unwrap(), 1);
}

#[test]
fn file_database_uses_wal() {
    let (_dir, path) = temp_db();
    let _store = Store::open(&path).unwrap();
    let mode: String = inspect(&path)
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn open_failure_names_the_path() {
    let (dir, _) = temp_db();
    let path = dir.path().join("no-such-dir").join("opsdeck.sqlite");
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn a_newer_schema_is_refused_with_the_path() {
    let (_dir, path) = temp_db();
    inspect(&path)
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 999, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("opsdeck.sqlite"), "{err}");
}

// ---- upserts ----

#[test]
fn upsert_is_idempotent_and_reports_real_changes() {
    let mut store = Store::open_in_memory().unwrap();
    let entries = vec![page("P1", at(5, 47)), page("P2", at(6, 0))];

    let first = store.upsert_entries(&entries).unwrap();
    assert_eq!(first.inserted, vec![entries[0].id(), entries[1].id()]);
    assert!(first.updated.is_empty());
    assert_eq!(first.unchanged, 0);

    let again = store.upsert_entries(&entries).unwrap();
    assert!(
        again.inserted.is_empty() && again.updated.is_empty(),
        "{again:?}"
    );
    assert_eq!(again.unchanged, 2);
    assert!(!again.changed());

    let mut acked = entries.clone();
    acked[1].status = Some(Status::Acknowledged);
    let third = store.upsert_entries(&acked).unwrap();
    assert!(third.inserted.is_empty());
    assert_eq!(third.updated, vec![entries[1].id()]);
    assert_eq!(third.unchanged, 1);

    assert_eq!(store.count_entries().unwrap(), 2);
    let stored = store.entry(&entries[1].id()).unwrap().unwrap();
    assert_eq!(stored.status, Some(Status::Acknowledged));
}

#[test]
fn a_changed_raw_payload_alone_is_an_update() {
    let mut store = Store::open_in_memory().unwrap();
    let mut entry = page("P1", at(5, 47));
    store.upsert_entries(std::slice::from_ref(&entry)).unwrap();
    entry.raw = json!({"id": "P1", "type": "incident", "etag": "2"});
    let outcome = store.upsert_entries(std::slice::from_ref(&entry)).unwrap();
    assert_eq!(outcome.updated, vec![entry.id()]);
    assert_eq!(store.raw_payload(&entry.id()).unwrap(), Some(entry.raw));
}

#[test]
fn inserting_only_new_entries_never_overwrites_a_stored_one() {
    let mut store = Store::open_in_memory().unwrap();
    let mut full = page("P1", at(5, 47));
    full.details = json!({"urgency": "high", "log_entries": [{"type": "trigger"}]});
    store.upsert_entries(std::slice::from_ref(&full)).unwrap();
    // A partial view of the same page, and one the cache has not seen.
    let partial = page("P1", at(5, 47));
    let fresh = page("P2", at(5, 48));
    let outcome = store
        .insert_new_entries(&[partial.clone(), fresh.clone()])
        .unwrap();
    assert_eq!(outcome.inserted, vec![fresh.id()]);
    assert!(outcome.updated.is_empty(), "{outcome:?}");
    assert_eq!(outcome.unchanged, 1);
    let kept = store.entry(&full.id()).unwrap().unwrap();
    assert_eq!(kept.details, full.details);
    assert_eq!(store.count_entries().unwrap(), 2);
}

#[test]
fn an_entry_repeated_in_one_batch_is_reported_once() {
    let mut store = Store::open_in_memory().unwrap();
    let first = page("P1", at(5, 47));
    let mut later = first.clone();
    later.status = Some(Status::Resolved);
    let outcome = store
        .upsert_entries(&[first.clone(), later.clone()])
        .unwrap();
    assert_eq!(outcome.inserted, vec![first.id()]);
    assert!(outcome.updated.is_empty(), "{outcome:?}");
    assert_eq!(store.count_entries().unwrap(), 1);
    // The last occurrence in the batch wins.
    let stored = store.entry(&first.id()).unwrap().unwrap();
    assert_eq!(stored.status, Some(Status::Resolved));
}

#[test]
fn an_id_collision_is_refused_and_the_whole_batch_rolls_back() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).unwrap();
    let victim = page("P9", at(9, 0));
    // Forge a row that holds P9's id under another key, as a 64-bit hash collision would.
    inspect(&path)
        .execute(
            "INSERT INTO entries (id, source, external_id, kind, severity, title, started_at,
                 details, raw, content_hash, first_seen_rev, updated_rev)
             VALUES (?1, 'github', 'other', 'ci_run', 'info', 't', 0, '{}', 'null', x'00', 1, 1)",
            [victim.id()],
        )
        .unwrap();

    // The forged row must not answer for P9.
    assert!(store
        .entry_by_external(SourceKind::Pagerduty, "P9")
        .unwrap()
        .is_none());

    let err = store
        .upsert_entries(&[page("P1", at(5, 47)), victim])
        .unwrap_err();
    assert!(matches!(err, StoreError::IdCollision { .. }), "{err:?}");
    assert!(err.to_string().contains("github/other"), "{err}");
    assert_eq!(
        store.count_entries().unwrap(),
        1,
        "P1 must have rolled back"
    );
    assert!(store
        .entry_by_external(SourceKind::Pagerduty, "P1")
        .unwrap()
        .is_none());
}

// ---- timeline reads ----

#[test]
fn entries_between_is_half_open_and_ordered_by_start_then_id() {
    let mut store = Store::open_in_memory().unwrap();
    // Several entries share a start so that the id tiebreak matters; insert out of order.
    let entries = vec![
        page("late", at(10, 0)),
        page("c", at(6, 0)),
        page("a", at(6, 0)),
        page("b", at(6, 0)),
        page("first", at(0, 0)),
        page("end", at(12, 0)),
        page("before", at(0, 0) - Duration::milliseconds(1)),
    ];
    store.upsert_entries(&entries).unwrap();

    let got = store.entries_between(at(0, 0), at(12, 0)).unwrap();
    let keys: Vec<(DateTime<Utc>, String)> =
        got.iter().map(|e| (e.started_at, e.id.clone())).collect();
    let mut expected: Vec<(DateTime<Utc>, String)> = entries
        .iter()
        .filter(|e| e.started_at >= at(0, 0) && e.started_at < at(12, 0))
        .map(|e| (e.started_at, e.id()))
        .collect();
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(got.len(), 5, "[from, to): 'before' and 'end' are outside");
    assert_eq!(got[0].external_id, "first");
}

#[test]
fn stored_entries_read_back_as_their_timeline_view() {
    let mut store = Store::open_in_memory().unwrap();
    let mut entry = page("P1", at(5, 47));
    entry.ended_at = Some(at(6, 30));
    entry.service = None;
    store.upsert_entries(std::slice::from_ref(&entry)).unwrap();

    let expected = entry.to_timeline();
    assert_eq!(store.entry(&expected.id).unwrap(), Some(expected.clone()));
    assert_eq!(
        store
            .entry_by_external(SourceKind::Pagerduty, "P1")
            .unwrap(),
        Some(expected.clone())
    );
    assert_eq!(expected.id, entry_id(SourceKind::Pagerduty, "P1"));
    assert_eq!(store.raw_payload(&expected.id).unwrap(), Some(entry.raw));
    assert_eq!(store.entry("0000000000000000").unwrap(), None);
    assert_eq!(store.raw_payload("0000000000000000").unwrap(), None);
    assert_eq!(
        store.entry_by_external(SourceKind::Github, "P1").unwrap(),
        None
    );
}

// ---- corrupt data ----

#[test]
fn corrupt_details_json_names_the_entry() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).unwrap();
    let entry = page("P1", at(5, 47));
    store.upsert_entries(std::slice::from_ref(&entry)).unwrap();
    inspect(&path)
        .execute(
            "UPDATE entries SET details = '{not json' WHERE id = ?1",
            [entry.id()],
        )
        .unwrap();

    let err = store.entries_between(at(0, 0), at(23, 0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("corrupt details JSON in entry {}", entry.id())
    );
}

#[test]
fn corrupt_enum_value_names_entry_and_column() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path).unwrap();
    let entry = page("P1", at(5, 47));
    store.upsert_entries(std::slice::from_ref(&entry)).unwrap();
    inspect(&path)
        .execute(
            "UPDATE entries SET severity = 'loud' WHERE id = ?1",
            [entry.id()],
        )
        .unwrap();
    let err = store.entry(&entry.id()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("severity") && msg.contains("\"loud\""),
        "{msg}"
    );
    assert!(msg.contains(&entry.id()), "{msg}");
}

// ---- source health ----

#[test]
fn health_round_trip() {
    let mut store = Store::open_in_memory().unwrap();
    let stale_after = Duration::minutes(5);
    store
        .record_attempt_ok("pd", SourceKind::Pagerduty, at(8, 0))
        .unwrap();
    store
        .record_attempt_ok("gh", SourceKind::Github, at(8, 0))
        .unwrap();
    store
        .record_attempt_error(
            "gh",
            SourceKind::Github,
            at(8, 1),
            "HTTP 503 from api.github.test",
        )
        .unwrap();
    store
        .record_attempt_ok("k8s-prod", SourceKind::Kubernetes, at(7, 0))
        .unwrap();

    let health = store.source_health(at(8, 2), stale_after).unwrap();
    let states: Vec<(&str, HealthState)> =
        health.iter().map(|h| (h.name.as_str(), h.state)).collect();
    assert_eq!(
        states,
        vec![
            ("gh", HealthState::Error),
            ("k8s-prod", HealthState::Stale),
            ("pd", HealthState::Ok),
        ]
    );
    let gh = &health[0];
    assert_eq!(gh.kind, SourceKind::Github);
    assert_eq!(gh.last_success_at, Some(at(8, 0)));
    assert_eq!(gh.last_attempt_at, Some(at(8, 1)));
    assert_eq!(
        gh.last_error.as_deref(),
        Some("HTTP 503 from api.github.test")
    );
    assert_eq!(gh.last_error_at, Some(at(8, 1)));
    assert_eq!(gh.message.as_deref(), Some("HTTP 503 from api.github.test"));

    // Recovery keeps the last error for Settings but clears the state.
    store
        .record_attempt_ok("gh", SourceKind::Github, at(8, 1))
        .unwrap();
    let gh = store
        .source_health(at(8, 2), stale_after)
        .unwrap()
        .remove(0);
    assert_eq!(gh.state, HealthState::Ok);
    assert_eq!(
        gh.last_error.as_deref(),
        Some("HTTP 503 from api.github.test")
    );
}

// ---- cursors ----

#[test]
fn cursors_are_per_source_and_key_and_overwrite() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.cursor("k8s-prod", "pods").unwrap(), None);
    store.set_cursor("k8s-prod", "pods", "100").unwrap();
    store.set_cursor("k8s-prod", "nodes", "7").unwrap();
    store.set_cursor("k8s-prod", "pods", "250").unwrap();
    assert_eq!(
        store.cursor("k8s-prod", "pods").unwrap().as_deref(),
        Some("250")
    );
    assert_eq!(
        store.cursor("k8s-prod", "nodes").unwrap().as_deref(),
        Some("7")
    );
    assert_eq!(store.cursor("k8s-staging", "pods").unwrap(), None);
}

// ---- notifications ----

#[test]
fn mark_notified_is_true_once_even_across_reopen() {
    let (_dir, path) = temp_db();
    {
        let mut store = Store::open(&path).unwrap();
        assert!(store.mark_notified("page:P1:triggered", at(5, 47)).unwrap());
        assert!(!store.mark_notified("page:P1:triggered", at(5, 48)).unwrap());
        assert!(store.mark_notified("page:P2:triggered", at(5, 49)).unwrap());
    }
    let mut store = Store::open(&path).unwrap();
    assert!(!store.mark_notified("page:P1:triggered", at(6, 0)).unwrap());
    assert!(store.mark_notified("page:P3:triggered", at(6, 0)).unwrap());
}

// ---- runbook runs ----

#[test]
fn a_runbook_runs_log_survives_a_restart_and_folds_in_order() {
    use opsdeck_domain::{RunEvent, RunEventKind, StepState};
    use opsdeck_store::NewRun;
    let (_dir, path) = temp_db();
    let event = |kind, step: Option<u32>, text: Option<&str>, minute| RunEvent {
        kind,
        step,
        text: text.map(str::to_string),
        action_id: None,
        ok: None,
        at: at(6, minute),
        by: Some("sam@example.test".into()),
    };
    {
        let mut store = Store::open(&path).unwrap();
        for (id, entry) in [("run-1", Some("e-page")), ("run-2", None)] {
            store
                .start_run(&NewRun {
                    id,
                    runbook: "api-latency",
                    title: "API latency above the SLO threshold",
                    steps: 4,
                    entry_id: entry,
                    started_at: at(6, 0),
                    started_by: Some("sam@example.test"),
                })
                .unwrap();
        }
        let first = store
            .append_run_event("run-1", &event(RunEventKind::Tick, Some(0), None, 1))
            .unwrap()
            .expect("appended");
        assert!(store
            .append_run_event(
                "run-1",
                &event(RunEventKind::Skip, Some(2), Some("no deploy"), 2)
            )
            .unwrap()
            .is_some());
        let third = store
            .append_run_event("run-1", &event(RunEventKind::Untick, Some(0), None, 3))
            .unwrap()
            .expect("appended");
        assert_eq!(third, first + 2, "sequence numbers follow the log");
        assert_eq!(
            store
                .append_run_event("run-nope", &event(RunEventKind::Tick, Some(0), None, 3))
                .unwrap(),
            None,
            "no such run: nothing written"
        );
    }
    let store = Store::open(&path).unwrap();
    let run = store.run("run-1").unwrap().expect("kept");
    let states: Vec<StepState> = run.steps.iter().map(|s| s.state).collect();
    assert_eq!(
        states,
        [
            StepState::Open,
            StepState::Open,
            StepState::Skipped,
            StepState::Open
        ],
        "untick after tick: the log's order decides"
    );
    assert_eq!(run.steps[2].skip_reason.as_deref(), Some("no deploy"));
    assert_eq!(run.entry_id.as_deref(), Some("e-page"));
    let on_page: Vec<String> = store
        .runs_of_entry("e-page")
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(on_page, ["run-1"]);
    assert_eq!(store.runs_since(at(5, 0)).unwrap().len(), 2);
    assert!(store.runs_since(at(7, 0)).unwrap().is_empty());
    assert!(store.run("run-nope").unwrap().is_none());

    let mut store = store;
    store.link_step_action("act-1", "run-1", 3).unwrap();
    assert_eq!(
        store.step_of_action("act-1").unwrap(),
        Some(("run-1".to_string(), 3))
    );
    assert_eq!(store.step_of_action("act-2").unwrap(), None);
}
