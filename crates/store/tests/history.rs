//! The whole history: full-text search and retention, through the store's public API.
//!
//! Contents: finding entries by words · filters and order · hostile input · keeping the index
//! in step · filling the index of an older cache · retention.

use chrono::{DateTime, Duration, TimeZone, Utc};
use opsdeck_domain::{
    entry_id, AuditEvent, AuditRecord, EntryKind, NewEntry, SearchQuery, Severity, Shift,
    ShiftOrigin, Silence, SourceKind, Status,
};
use opsdeck_store::{NewRun, Store, StoreError};
use serde_json::{json, Value};

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, minute, 0).unwrap()
}

fn entry(
    source: SourceKind,
    kind: EntryKind,
    external_id: &str,
    title: &str,
    started_at: DateTime<Utc>,
    details: Value,
) -> NewEntry {
    NewEntry {
        source,
        kind,
        severity: Severity::Info,
        status: None,
        title: title.into(),
        service: Some("checkout".into()),
        url: None,
        started_at,
        ended_at: None,
        external_id: external_id.into(),
        details,
        raw: Value::Null,
    }
}

fn page(external_id: &str, started_at: DateTime<Utc>, notes: &[&str]) -> NewEntry {
    let log: Vec<Value> = notes
        .iter()
        .enumerate()
        .map(|(i, note)| json!({"id": format!("R{i}"), "type": "annotate", "summary": "Note added", "note": note}))
        .collect();
    NewEntry {
        severity: Severity::Critical,
        status: Some(Status::Resolved),
        service: Some("payments-api".into()),
        ended_at: Some(started_at + Duration::minutes(30)),
        ..entry(
            SourceKind::Pagerduty,
            EntryKind::Page,
            external_id,
            "API response time critical",
            started_at,
            json!({"urgency": "high", "log_entries": log}),
        )
    }
}

fn alert(fingerprint: &str, started_at: DateTime<Utc>, labels: Value) -> NewEntry {
    NewEntry {
        severity: Severity::Warning,
        status: Some(Status::Firing),
        ..entry(
            SourceKind::Alertmanager,
            EntryKind::Alert,
            &format!("{fingerprint}@{}", started_at.timestamp()),
            "HighErrorRate: errors above 5%",
            started_at,
            json!({"labels": labels, "annotations": {"summary": "errors above 5%"}}),
        )
    }
}

fn step(run: &str, seq: u32, started_at: DateTime<Utc>, text: &str) -> NewEntry {
    entry(
        SourceKind::Opsdeck,
        EntryKind::RunbookStep,
        &format!("{run}#{seq}"),
        &format!("api-latency ✎ note on step {seq}"),
        started_at,
        json!({"run_id": run, "runbook": "api-latency", "step": seq, "event": "note", "text": text}),
    )
}

/// A small day: pages, alerts, runbook steps and CI runs with distinct words.
fn day() -> Vec<NewEntry> {
    vec![
        page("Q1", at(10, 5, 47), &["rolled back, flamegraph attached"]),
        page("Q2", at(10, 9, 0), &["customer tickets rising"]),
        alert(
            "f1",
            at(10, 6, 0),
            json!({"alertname": "HighErrorRate", "team": "zeppelin", "service": "checkout"}),
        ),
        alert(
            "f2",
            at(10, 7, 0),
            json!({"alertname": "HighErrorRate", "team": "payments", "service": "payments-api"}),
        ),
        step(
            "run1",
            1,
            at(10, 6, 30),
            "skipped: the canary region is drained",
        ),
        NewEntry {
            severity: Severity::Warning,
            status: Some(Status::Failure),
            service: Some("payments-api".into()),
            ..entry(
                SourceKind::Github,
                EntryKind::CiRun,
                "9001",
                "CI failed on main",
                at(10, 8, 0),
                json!({"workflow": "CI", "branch": "main", "failed_jobs": [
                    {"name": "integration", "failed_steps": ["Run database migrations"]}]}),
            )
        },
    ]
}

fn store_with(entries: &[NewEntry]) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    store.upsert_entries(entries).unwrap();
    store
}

fn ids(hits: &[opsdeck_domain::SearchHit]) -> Vec<String> {
    hits.iter().map(|h| h.entry.external_id.clone()).collect()
}

fn find(store: &Store, text: &str) -> Vec<String> {
    ids(&store.search(&SearchQuery::words(text)).unwrap())
}

// ---- finding entries by words ----

#[test]
fn a_page_is_found_by_a_word_in_one_of_its_notes() {
    let store = store_with(&day());
    let hits = store.search(&SearchQuery::words("flamegraph")).unwrap();
    assert_eq!(ids(&hits), ["Q1"]);
    assert_eq!(hits[0].field, "body");
    assert!(
        hits[0].snippet.contains("[flamegraph]"),
        "{}",
        hits[0].snippet
    );
    assert_eq!(hits[0].entry.id, entry_id(SourceKind::Pagerduty, "Q1"));
    assert_eq!(hits[0].entry.details["urgency"], json!("high"));
    assert!(find(&store, "tickets").contains(&"Q2".to_string()));
    assert!(find(&store, "nowhere").is_empty());
}

#[test]
fn an_alert_is_found_by_a_label_value_and_a_runbook_step_by_its_note() {
    let store = store_with(&day());
    assert_eq!(
        find(&store, "zeppelin"),
        [format!("f1@{}", at(10, 6, 0).timestamp())]
    );
    assert_eq!(find(&store, "team=zeppelin").len(), 1);
    assert_eq!(find(&store, "canary"), ["run1#1"]);
    assert_eq!(find(&store, "drained canary"), ["run1#1"], "any order");
    assert_eq!(find(&store, "migrations"), ["9001"], "a failed CI step");
}

#[test]
fn every_word_must_match_and_the_last_one_is_also_a_prefix() {
    let store = store_with(&day());
    assert_eq!(find(&store, "flameg"), ["Q1"]);
    assert_eq!(find(&store, "rolled flameg"), ["Q1"]);
    assert!(
        find(&store, "flameg rolled").is_empty(),
        "only the last word is a prefix"
    );
    assert!(find(&store, "flamegraph zeppelin").is_empty());
    // A space after the last word says it is complete.
    assert!(find(&store, "flameg ").is_empty());
    assert_eq!(find(&store, "flamegraph "), ["Q1"]);
    // Title words, service words, case and diacritics.
    assert_eq!(find(&store, "CI FAILED").len(), 1);
    assert_eq!(find(&store, "fläméGRAPH"), ["Q1"]);
}

#[test]
fn hyphenated_names_match_their_parts_and_the_whole() {
    let store = store_with(&day());
    let payments_api = find(&store, "payments-api");
    // Q1, Q2 (service), f2 (label), 9001 (service).
    assert_eq!(payments_api.len(), 4, "{payments_api:?}");
    assert_eq!(find(&store, "payments").len(), 4);
    assert_eq!(find(&store, "payments api").len(), 4);
    assert!(
        find(&store, "api-payments").is_empty(),
        "a phrase, in order"
    );
}

#[test]
fn the_snippet_marks_the_matches_in_the_column_that_matched_best() {
    let store = store_with(&day());
    let hits = store.search(&SearchQuery::words("response")).unwrap();
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| h.field == "title"));
    assert_eq!(hits[0].snippet, "API [response] time critical");
    let hits = store.search(&SearchQuery::words("checkout")).unwrap();
    assert!(hits
        .iter()
        .any(|h| h.field == "service" && h.snippet == "[checkout]"));
}

// ---- filters and order ----

#[test]
fn results_are_newest_first() {
    let store = store_with(&day());
    let hits = store.search(&SearchQuery::words("payments")).unwrap();
    let starts: Vec<_> = hits.iter().map(|h| h.entry.started_at).collect();
    let mut sorted = starts.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(starts, sorted);
    assert_eq!(hits[0].entry.external_id, "Q2");
}

#[test]
fn filters_narrow_by_source_service_severity_kind_and_time() {
    let store = store_with(&day());
    let q = |f: &dyn Fn(&mut SearchQuery)| {
        let mut q = SearchQuery::words("payments");
        f(&mut q);
        ids(&store.search(&q).unwrap())
    };
    assert_eq!(q(&|q| q.sources = vec![SourceKind::Github]), ["9001"]);
    assert_eq!(
        q(&|q| q.sources = vec![SourceKind::Github, SourceKind::Pagerduty]),
        ["Q2", "9001", "Q1"]
    );
    assert_eq!(q(&|q| q.kinds = vec![EntryKind::Alert]).len(), 1);
    assert_eq!(
        q(&|q| q.severities = vec![Severity::Critical]),
        ["Q2", "Q1"]
    );
    assert_eq!(
        q(&|q| q.services = vec!["checkout".into()]),
        [format!("f2@{}", at(10, 7, 0).timestamp())],
        "f2 has payments labels but the checkout service"
    );
    assert_eq!(find(&store, "payments").len(), 4);
    assert_eq!(
        q(&|q| {
            q.since = Some(at(10, 7, 0));
            q.until = Some(at(10, 9, 0));
        }),
        ["9001", format!("f2@{}", at(10, 7, 0).timestamp()).as_str()],
        "since is inclusive, until exclusive"
    );
    assert_eq!(
        q(&|q| {
            q.services = vec!["payments-api".into()];
            q.severities = vec![Severity::Warning];
            q.until = Some(at(10, 8, 30));
        }),
        ["9001"]
    );
}

#[test]
fn filters_without_words_list_entries_newest_first() {
    let store = store_with(&day());
    let list = |q: SearchQuery| ids(&store.search(&q).unwrap());
    assert_eq!(
        list(SearchQuery {
            kinds: vec![EntryKind::Page],
            ..SearchQuery::default()
        }),
        ["Q2", "Q1"]
    );
    assert_eq!(
        list(SearchQuery {
            services: vec!["checkout".into()],
            ..SearchQuery::default()
        }),
        [
            format!("f2@{}", at(10, 7, 0).timestamp()),
            "run1#1".to_string(),
            format!("f1@{}", at(10, 6, 0).timestamp()),
        ]
    );
    // Only a time window: every entry in it.
    let window = store
        .search(&SearchQuery {
            since: Some(at(10, 6, 0)),
            until: Some(at(10, 8, 0)),
            ..SearchQuery::default()
        })
        .unwrap();
    assert_eq!(window.len(), 3);
    assert!(window
        .iter()
        .all(|h| h.snippet.is_empty() && h.field.is_empty()));
    // Whitespace is no words.
    assert_eq!(
        list(SearchQuery {
            text: "  \t ".into(),
            limit: Some(1),
            sources: vec![SourceKind::Opsdeck],
            ..SearchQuery::default()
        }),
        ["run1#1"]
    );
}

#[test]
fn bad_queries_are_refused_with_what_was_wrong() {
    let store = store_with(&day());
    let err = store.search(&SearchQuery::default()).unwrap_err();
    assert!(matches!(err, StoreError::EmptySearch), "{err}");
    assert!(err.to_string().contains("no words and no filter"), "{err}");
    for limit in [0, 1001] {
        let err = store
            .search(&SearchQuery {
                limit: Some(limit),
                ..SearchQuery::words("x")
            })
            .unwrap_err();
        assert!(
            matches!(err, StoreError::SearchLimit { max: 1000, .. }),
            "{err}"
        );
        assert!(err.to_string().contains(&limit.to_string()), "{err}");
    }
    let err = store
        .search(&SearchQuery {
            since: Some(at(10, 8, 0)),
            until: Some(at(10, 8, 0)),
            ..SearchQuery::words("x")
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::SearchWindow { .. }), "{err}");
    let many = vec!["word"; 65].join(" ");
    let err = store.search(&SearchQuery::words(many)).unwrap_err();
    assert!(
        matches!(err, StoreError::SearchTooManyWords { words: 65, max: 64 }),
        "{err}"
    );
}

#[test]
fn the_limit_cuts_by_time_then_id_even_within_one_millisecond() {
    let t = at(10, 12, 0);
    let entries: Vec<NewEntry> = (0..40)
        .map(|i| {
            entry(
                SourceKind::Kubernetes,
                EntryKind::K8sEvent,
                &format!("e{i}"),
                "BackOff restarting",
                t,
                json!({}),
            )
        })
        .chain([entry(
            SourceKind::Kubernetes,
            EntryKind::K8sEvent,
            "later",
            "BackOff again",
            t + Duration::seconds(1),
            json!({}),
        )])
        .collect();
    let store = store_with(&entries);
    let mut expected: Vec<String> = (0..40)
        .map(|i| entry_id(SourceKind::Kubernetes, &format!("e{i}")))
        .collect();
    expected.sort();
    for limit in [1, 2, 7, 40, 41, 100] {
        let hits = store
            .search(&SearchQuery {
                limit: Some(limit),
                ..SearchQuery::words("backoff")
            })
            .unwrap();
        let got: Vec<String> = hits.iter().map(|h| h.entry.id.clone()).collect();
        let mut want = vec![entry_id(SourceKind::Kubernetes, "later")];
        want.extend(expected.iter().cloned());
        want.truncate(limit as usize);
        assert_eq!(got, want, "limit {limit}");
    }
}

// ---- hostile input ----

#[test]
fn query_syntax_in_the_text_is_plain_words_and_never_an_error() {
    let mut entries = day();
    entries.push(entry(
        SourceKind::Grafana,
        EntryKind::Annotation,
        "7",
        "Déploiement café naïve 日本語 NEAR AND OR",
        at(10, 10, 0),
        json!({"text": "quote \"this\" (and that) *star* {title}: x", "tags": ["a:b"]}),
    ));
    let store = store_with(&entries);
    for text in [
        "\"",
        "\"\"",
        "\"unbalanced",
        "AND (",
        "foo AND (",
        "*",
        "**",
        "NEAR(",
        "NEAR(a b, 3)",
        "OR",
        "NOT",
        "-x",
        "^",
        "+",
        "{title}:",
        "title:x",
        ":",
        "(",
        ")",
        "a OR",
        "AND",
        "x'00'",
        "'; DROP TABLE entries; --",
        "\\",
        "%",
        "_",
        "\u{0}",
        "\u{1}x\u{2}",
        "🔥",
        "𞤀",
        "é",
        "日本",
        "ﬁ",
        "İ",
        "\u{200b}",
        "a\u{301}",
    ] {
        let hits = store.search(&SearchQuery::words(text));
        assert!(hits.is_ok(), "{text:?}: {}", hits.unwrap_err());
    }
    assert_eq!(find(&store, "AND"), ["7"], "an operator word is a word");
    assert_eq!(find(&store, "near"), ["7"]);
    assert_eq!(find(&store, "\"this\""), ["7"]);
    assert_eq!(find(&store, "(and"), ["7"]);
    assert_eq!(find(&store, "cafe"), ["7"], "diacritics folded");
    assert_eq!(find(&store, "deploiement"), ["7"]);
    assert_eq!(find(&store, "日本語"), ["7"]);
    assert!(
        find(&store, "*").is_empty(),
        "punctuation alone finds nothing"
    );
    assert!(find(&store, "\"").is_empty());
    // Punctuation among words is ignored, and a quote inside a word is kept as text.
    assert_eq!(find(&store, "café ( \" *"), ["7"]);
    assert_eq!(store.count_entries().unwrap(), 7, "nothing was dropped");
}

// ---- keeping the index in step ----

fn index_rows(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM entries_search", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn updating_an_entry_replaces_its_index_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opsdeck.sqlite");
    let mut store = Store::open(&path).unwrap();
    store.upsert_entries(&day()).unwrap();
    assert_eq!(index_rows(&path), 6);

    let changed = page("Q1", at(10, 5, 47), &["restarted the pods, heapdump taken"]);
    let outcome = store
        .upsert_entries(std::slice::from_ref(&changed))
        .unwrap();
    assert_eq!(outcome.updated.len(), 1);
    assert!(
        find(&store, "flamegraph").is_empty(),
        "the old note is gone"
    );
    assert_eq!(find(&store, "heapdump"), ["Q1"]);
    assert_eq!(index_rows(&path), 6);

    // Unchanged: nothing to do. Moved in time: still one row, found in its new place.
    assert_eq!(
        store
            .upsert_entries(std::slice::from_ref(&changed))
            .unwrap()
            .unchanged,
        1
    );
    let moved = NewEntry {
        started_at: at(11, 1, 0),
        ..changed
    };
    store.upsert_entries(&[moved]).unwrap();
    assert_eq!(index_rows(&path), 6);
    let hits = store
        .search(&SearchQuery {
            since: Some(at(11, 0, 0)),
            ..SearchQuery::words("heapdump")
        })
        .unwrap();
    assert_eq!(ids(&hits), ["Q1"]);
    assert_eq!(hits[0].entry.started_at, at(11, 1, 0));

    // One batch naming the same entry twice keeps the last version only.
    store
        .upsert_entries(&[
            page("Q1", at(11, 1, 0), &["first thought"]),
            page("Q1", at(11, 2, 0), &["second thought"]),
        ])
        .unwrap();
    assert_eq!(index_rows(&path), 6);
    assert!(find(&store, "first").is_empty());
    assert_eq!(find(&store, "second"), ["Q1"]);

    // insert_new_entries leaves a stored entry (and its row) as it is.
    store
        .insert_new_entries(&[page("Q1", at(11, 2, 0), &["third"])])
        .unwrap();
    assert!(find(&store, "third").is_empty());
    assert_eq!(index_rows(&path), 6);
}

#[test]
fn entries_starting_in_the_same_millisecond_each_get_a_row() {
    let t = at(10, 12, 0);
    let entries: Vec<NewEntry> = (0..500)
        .map(|i| step("run9", i, t, &format!("note number{i}")))
        .collect();
    let store = store_with(&entries);
    assert_eq!(find(&store, "number").len(), 100);
    assert_eq!(
        store
            .search(&SearchQuery {
                limit: Some(1000),
                ..SearchQuery::words("number")
            })
            .unwrap()
            .len(),
        500
    );
    assert_eq!(find(&store, "number417"), ["run9#417"]);
}

// ---- filling the index of an older cache ----

/// A cache as opsdeck left it before the search index: migrated to 0008 with entries in it.
fn cache_before_search(path: &std::path::Path, entries: usize) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    for sql in [
        include_str!("../migrations/0001_timeline.sql"),
        include_str!("../migrations/0002_sync_state.sql"),
        include_str!("../migrations/0003_notifications.sql"),
        include_str!("../migrations/0004_actions.sql"),
        include_str!("../migrations/0005_oncall.sql"),
        include_str!("../migrations/0006_reminders.sql"),
        include_str!("../migrations/0007_runbook_runs.sql"),
        include_str!("../migrations/0008_shifts.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 8).unwrap();
    let tx = conn.transaction().unwrap();
    let mut insert = tx
        .prepare(
            "INSERT INTO entries (id, source, external_id, kind, severity, status, title, \
             service, started_at, details, raw, content_hash, first_seen_rev, updated_rev) \
             VALUES (?1, 'pagerduty', ?2, 'page', 'critical', 'resolved', ?3, 'payments-api', \
             ?4, ?5, 'null', x'00', 1, 1)",
        )
        .unwrap();
    for i in 0..entries {
        let external = format!("OLD{i}");
        let details =
            json!({"log_entries": [{"note": format!("legacy note {i} oldword{}", i % 7)}]});
        insert
            .execute(rusqlite::params![
                entry_id(SourceKind::Pagerduty, &external),
                external,
                format!("Old page {i}"),
                at(1, 0, 0).timestamp_millis() + i as i64 * 60_000,
                details.to_string(),
            ])
            .unwrap();
    }
    drop(insert);
    tx.commit().unwrap();
}

#[test]
fn entries_stored_before_the_index_existed_are_found_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    // More than one backfill batch.
    cache_before_search(&path, 12_345);
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(find(&store, "OLD12344").len(), 0, "ids are not text");
        assert_eq!(find(&store, "oldword3").len(), 100);
        let all = store
            .search(&SearchQuery {
                limit: Some(1000),
                ..SearchQuery::words("legacy 12344")
            })
            .unwrap();
        assert_eq!(ids(&all), ["OLD12344"]);
        assert_eq!(all[0].field, "body");
    }
    assert_eq!(index_rows(&path), 12_345);
    let left: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM search_backfill", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "done, so the next open has nothing to do");
    // Reopening indexes nothing twice.
    let store = Store::open(&path).unwrap();
    assert_eq!(find(&store, "legacy 12343"), ["OLD12343"]);
    drop(store);
    assert_eq!(index_rows(&path), 12_345);
}

#[test]
fn a_backfill_interrupted_or_overtaken_by_an_upsert_indexes_each_entry_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    cache_before_search(&path, 20);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        // Apply 0009 by hand, then pretend an upsert changed OLD5 before the backfill ran,
        // and that an earlier backfill got as far as rowid 10.
        conn.execute_batch(include_str!("../migrations/0009_search.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 9).unwrap();
        conn.execute("UPDATE search_backfill SET next_rowid = 11", [])
            .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    // Only rowids 11..=20 were filled in (OLD10..OLD19).
    assert_eq!(index_rows(&path), 10);
    assert_eq!(find(&store, "legacy 15"), ["OLD15"]);
    assert!(find(&store, "legacy 5").is_empty());
    // An upsert of an entry not yet indexed gives it its row.
    let mut five = page("OLD5", at(1, 0, 5), &["rewritten"]);
    five.service = Some("payments-api".into());
    store.upsert_entries(&[five]).unwrap();
    assert_eq!(find(&store, "rewritten"), ["OLD5"]);
    assert_eq!(index_rows(&path), 11);
}

// ---- retention ----

fn ended(mut e: NewEntry, end: DateTime<Utc>) -> NewEntry {
    e.ended_at = Some(end);
    e
}

#[test]
fn prune_deletes_only_entries_older_than_the_cutoff() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opsdeck.sqlite");
    let mut store = Store::open(&path).unwrap();
    let cutoff = at(20, 0, 0);
    let ms = Duration::milliseconds(1);
    let mut open_page = page("OPEN", at(1, 0, 0), &["ancient open page"]);
    open_page.status = Some(Status::Acknowledged);
    open_page.ended_at = None;
    let mut resolved_old = page("GONE", at(1, 0, 0), &["ancient resolved page"]);
    resolved_old.ended_at = Some(at(1, 1, 0));
    let k8s = |id: &str, start: DateTime<Utc>| {
        entry(
            SourceKind::Kubernetes,
            EntryKind::K8sEvent,
            id,
            "BackOff",
            start,
            json!({}),
        )
    };
    store
        .upsert_entries(&[
            ended(k8s("just-before", at(19, 0, 0)), cutoff - ms),
            ended(k8s("just-after", at(19, 0, 0)), cutoff + ms),
            ended(k8s("long", at(5, 0, 0)), at(25, 0, 0)),
            k8s("point-before", cutoff - ms),
            k8s("point-at", cutoff),
            k8s("later", at(21, 0, 0)),
            open_page,
            resolved_old,
        ])
        .unwrap();
    store
        .mark_notified_for("page:OPEN:triggered", "OPEN", at(1, 0, 0), at(1, 0, 0))
        .unwrap();
    store
        .mark_notified("page:OPEN:reminder:1", at(1, 0, 5))
        .unwrap();
    store
        .mark_notified_for("page:GONE:triggered", "GONE", at(1, 0, 0), at(1, 0, 0))
        .unwrap();
    store.mark_notified("batch:abc", at(19, 0, 0)).unwrap();
    store.mark_notified("batch:new", at(21, 0, 0)).unwrap();

    let report = store.prune(cutoff).unwrap();
    assert_eq!(report.entries, 3, "{report:?}");
    assert_eq!(report.search_rows, 3);
    assert_eq!(report.notifications, 2, "GONE's and the old batch");
    assert!(report.vacuumed);
    let left: Vec<String> = store
        .entries_between(at(1, 0, 0), at(28, 0, 0))
        .unwrap()
        .into_iter()
        .map(|e| e.external_id)
        .collect();
    assert_eq!(left, ["OPEN", "long", "just-after", "point-at", "later"]);
    // Pruned entries are gone from the index too; kept ones are still found.
    assert_eq!(index_rows(&path), 5);
    assert!(find(&store, "resolved").is_empty());
    assert_eq!(find(&store, "ancient"), ["OPEN"]);
    assert_eq!(find(&store, "backoff").len(), 4);
    // The open page will not notify again: its records stay.
    assert!(!store
        .mark_notified("page:OPEN:triggered", at(22, 0, 0))
        .unwrap());
    assert!(!store
        .mark_notified("page:OPEN:reminder:1", at(22, 0, 0))
        .unwrap());
    assert!(store.mark_notified("batch:abc", at(22, 0, 0)).unwrap());

    // Nothing older left: nothing deleted, no vacuum.
    let again = store.prune(cutoff).unwrap();
    assert_eq!(again.total(), 0);
    assert!(!again.vacuumed);
}

#[test]
fn prune_in_small_batches_gets_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opsdeck.sqlite");
    let mut store = Store::open(&path).unwrap();
    let entries: Vec<NewEntry> = (0..25_000)
        .map(|i| {
            entry(
                SourceKind::Github,
                EntryKind::CiRun,
                &i.to_string(),
                "build",
                at(1, 0, 0) + Duration::seconds(i),
                json!({}),
            )
        })
        .collect();
    store.upsert_entries(&entries).unwrap();
    let cutoff = at(1, 0, 0) + Duration::seconds(21_000);
    let report = store.prune(cutoff).unwrap();
    assert_eq!(report.entries, 21_000);
    assert_eq!(report.search_rows, 21_000);
    assert_eq!(store.count_entries().unwrap(), 4_000);
    assert_eq!(index_rows(&path), 4_000);
    assert_eq!(
        store
            .search(&SearchQuery {
                limit: Some(1000),
                ..SearchQuery::words("build")
            })
            .unwrap()
            .len(),
        1000
    );
}

fn record(action_id: &str, at: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        seq: 0,
        action_id: action_id.into(),
        event: AuditEvent::Planned,
        at,
        real_at: at,
        kind: None,
        source: Some("pagerduty".into()),
        target: Some("Q1".into()),
        actor: None,
        message: "planned".into(),
    }
}

fn shift(id: &str, start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Shift {
    Shift {
        id: id.into(),
        origin: if end.is_some() {
            ShiftOrigin::Schedule
        } else {
            ShiftOrigin::Manual
        },
        user_name: "Sam".into(),
        user_email: None,
        schedule: Some("primary".into()),
        escalation_policy: None,
        start,
        end,
        summary: None,
        watch_next: vec![],
        edited_at: None,
    }
}

fn silence(id: &str, starts: DateTime<Utc>, ends: DateTime<Utc>) -> Silence {
    Silence {
        source: "prod".into(),
        id: id.into(),
        matchers: "alertname=\"X\"".into(),
        comment: "maintenance".into(),
        created_by: "sam".into(),
        starts_at: starts,
        ends_at: ends,
    }
}

#[test]
fn prune_deletes_old_runs_shifts_and_silences_and_never_the_audit_log() {
    let mut store = Store::open_in_memory().unwrap();
    let cutoff = at(20, 0, 0);
    let ms = Duration::milliseconds(1);
    let run = |id: &'static str, start: DateTime<Utc>| NewRun {
        id,
        runbook: "api-latency",
        title: "API latency",
        steps: 3,
        entry_id: None,
        started_at: start,
        started_by: None,
    };
    let event = |at: DateTime<Utc>| opsdeck_domain::RunEvent {
        kind: opsdeck_domain::RunEventKind::Tick,
        step: Some(0),
        text: None,
        action_id: None,
        ok: None,
        at,
        by: None,
    };
    // Old run, last event just before: goes. Old run with a late event: stays. Old run with
    // no events: goes. New run: stays.
    store.start_run(&run("r-old", at(1, 0, 0))).unwrap();
    store
        .append_run_event("r-old", &event(cutoff - ms))
        .unwrap();
    store.link_step_action("a-old", "r-old", 0).unwrap();
    store.start_run(&run("r-late", at(1, 0, 0))).unwrap();
    store
        .append_run_event("r-late", &event(at(2, 0, 0)))
        .unwrap();
    store
        .append_run_event("r-late", &event(cutoff + ms))
        .unwrap();
    store.start_run(&run("r-bare", at(2, 0, 0))).unwrap();
    store.start_run(&run("r-new", at(21, 0, 0))).unwrap();

    store
        .record_shifts(&[
            shift("s-old", at(1, 0, 0), Some(cutoff - ms)),
            shift("s-across", at(19, 0, 0), Some(cutoff + ms)),
        ])
        .unwrap();
    store
        .start_manual_shift(&shift("manual-1", at(2, 0, 0), None))
        .unwrap();
    store
        .record_silences(&[
            silence("old", at(1, 0, 0), cutoff - ms),
            silence("across", at(1, 0, 0), cutoff + ms),
        ])
        .unwrap();
    let seq = store.append_audit(&record("a-old", at(1, 0, 0))).unwrap();

    let report = store.prune(cutoff).unwrap();
    assert_eq!(
        (
            report.runbook_runs,
            report.runbook_run_events,
            report.runbook_step_actions
        ),
        (2, 1, 1),
        "{report:?}"
    );
    assert_eq!((report.shifts, report.silences), (1, 1), "{report:?}");
    assert!(report.vacuumed);
    assert!(store.run("r-old").unwrap().is_none());
    assert!(store.run("r-bare").unwrap().is_none());
    assert!(store.step_of_action("a-old").unwrap().is_none());
    assert_eq!(store.runs_of_entry("none").unwrap().len(), 0);
    assert!(store.run("r-late").unwrap().is_some());
    assert!(store.run("r-new").unwrap().is_some());
    assert!(store.shift("s-old").unwrap().is_none());
    assert!(store.shift("s-across").unwrap().is_some());
    assert!(store.shift("manual-1").unwrap().is_some(), "still running");
    let silences = store.silences_at(cutoff).unwrap();
    assert_eq!(silences.len(), 1);
    assert_eq!(silences[0].id, "across");
    // The audit trail is whole.
    let audit = store.audit_of("a-old").unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].seq, seq);
}

#[test]
fn prune_deletes_spent_action_plans_with_their_token_use() {
    use opsdeck_domain::{ActionKind, ActionRequest, Effect, Protection, Risk, StoredPlan};
    use opsdeck_store::NewPlan;
    let mut store = Store::open_in_memory().unwrap();
    let plan = |id: &str, expires: DateTime<Utc>| StoredPlan {
        action_id: id.into(),
        request: ActionRequest {
            kind: ActionKind::PagerdutyAcknowledge,
            target: "Q1".into(),
            params: Default::default(),
        },
        source: "pagerduty".into(),
        effect: Effect {
            summary: "Acknowledge Q1".into(),
            target: "Q1".into(),
            target_name: "Q1".into(),
            environment: "PagerDuty".into(),
            service: None,
            risk: Risk::Low,
            undo: None,
            details: vec![],
        },
        protection: Protection::Confirm,
        expires_at: expires,
        used_at: None,
    };
    let cutoff = at(20, 0, 0);
    let old = plan("a-old", at(1, 0, 2));
    let new = plan("a-new", at(21, 0, 2));
    store
        .insert_plan(&NewPlan {
            token_hash: "h-old",
            plan: &old,
            planned_at: at(1, 0, 0),
        })
        .unwrap();
    store
        .insert_plan(&NewPlan {
            token_hash: "h-new",
            plan: &new,
            planned_at: at(21, 0, 0),
        })
        .unwrap();
    assert!(store.use_token("h-old", at(1, 0, 1)).unwrap());
    store.append_audit(&record("a-old", at(1, 0, 0))).unwrap();
    let report = store.prune(cutoff).unwrap();
    assert_eq!(
        (report.action_plans, report.action_token_uses),
        (1, 1),
        "{report:?}"
    );
    assert!(store.plan_by_token_hash("h-old").unwrap().is_none());
    assert!(store.plan_by_token_hash("h-new").unwrap().is_some());
    assert_eq!(store.audit_of("a-old").unwrap().len(), 1);
}
