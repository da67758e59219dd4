//! Store benchmarks (a plain binary, not a timed test).
//!
//! `cargo bench -p opsdeck-store` (cargo passes `--bench`) runs the real measurement:
//! - ingest rate: entries/s upserted in batches of 1,000 into a fresh file database, plus the
//!   rate of re-syncing unchanged data;
//! - the day query over a file store of 1,000,000 entries spread over a year (~2,740 a day):
//!   p50 / p99 / max over 200 random local days.
//!
//! Without `--bench` (`cargo test --benches` in CI) it runs a tiny version so the code stays
//! exercised without the cost.

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use opsdeck_domain::{
    local_date_of, local_day_bounds, EntryKind, NewEntry, Severity, SourceKind, Status,
};
use opsdeck_store::Store;

mod support;
use serde_json::json;
use support::{mix, ms, Timer, XorShift};

struct Plan {
    entries: usize,
    ingest_sample: usize,
    queries: usize,
}

const FULL: Plan = Plan {
    entries: 1_000_000,
    ingest_sample: 100_000,
    queries: 200,
};

const SMOKE: Plan = Plan {
    entries: 10_000,
    ingest_sample: 5_000,
    queries: 5,
};

const BATCH: usize = 1_000;

fn main() {
    let args = support::Args::parse();
    let full = args.full;
    let mut plan = if full { FULL } else { SMOKE };
    if let Some(n) = args.entries {
        plan.entries = n;
        plan.ingest_sample = plan.ingest_sample.min(n);
    }
    plan.queries = args.queries.unwrap_or(plan.queries);
    let tz: Tz = chrono_tz::Europe::Berlin;
    let year_start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let year = Duration::days(365);

    println!(
        "opsdeck-store bench ({}): {} entries over a year, batches of {BATCH}",
        if full {
            "full"
        } else {
            "smoke, pass --bench for the real run"
        },
        plan.entries
    );

    ingest(&plan, year_start, year);
    day_query(&plan, year_start, year, &tz);
}

/// Ingest into a fresh file, then the same data again (a re-sync where nothing changed).
fn ingest(plan: &Plan, year_start: DateTime<Utc>, year: Duration) {
    let dir = tempfile::tempdir().expect("temp dir for the bench database");
    let mut store = Store::open(dir.path().join("ingest.sqlite")).expect("open bench database");
    let entries = generate(plan.ingest_sample, plan.ingest_sample, year_start, year);

    let mut timer = Timer::default();
    timer.start();
    for batch in entries.chunks(BATCH) {
        let outcome = store.upsert_entries(batch).expect("upsert");
        assert_eq!(outcome.inserted.len(), batch.len());
    }
    timer.stop();
    timer.report_rate("ingest, new entries into a fresh file", entries.len());

    let mut timer = Timer::default();
    timer.start();
    for batch in entries.chunks(BATCH) {
        let outcome = store.upsert_entries(batch).expect("re-upsert");
        assert_eq!(outcome.unchanged, batch.len());
    }
    timer.stop();
    timer.report_rate("re-sync of the same entries, all unchanged", entries.len());
}

fn day_query(plan: &Plan, year_start: DateTime<Utc>, year: Duration, tz: &Tz) {
    let dir = tempfile::tempdir().expect("temp dir for the bench database");
    let path = dir.path().join("year.sqlite");
    let mut store = Store::open(&path).expect("open bench database");

    // Generated and written a chunk at a time so memory stays flat at a million entries;
    // only the upserts are timed.
    let chunk = 50_000.min(plan.entries);
    let mut written = 0;
    let mut timer = Timer::default();
    while written < plan.entries {
        let n = chunk.min(plan.entries - written);
        let entries = generate_range(written, n, plan.entries, year_start, year);
        timer.start();
        for batch in entries.chunks(BATCH) {
            store.upsert_entries(batch).expect("upsert");
        }
        timer.stop();
        written += n;
    }
    timer.report_rate("building the year store", written);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "  store: {} entries, {:.0} MiB on disk",
        store.count_entries().expect("count"),
        size as f64 / (1024.0 * 1024.0)
    );

    // Reopen so the queries run on a fresh connection, as the app does after a start.
    drop(store);
    let store = Store::open(&path).expect("reopen bench database");

    let first_day = local_date_of(year_start, tz) + Duration::days(1);
    let mut rng = XorShift(0x005E_ED0F_0DEC);
    let mut times = Vec::with_capacity(plan.queries);
    let mut rows = 0usize;
    for _ in 0..plan.queries {
        let day: NaiveDate = first_day + Duration::days((rng.next() % 360) as i64);
        let (from, to) = local_day_bounds(day, tz);
        let started = Instant::now();
        let entries = store.entries_between(from, to).expect("day query");
        times.push(started.elapsed());
        assert!(!entries.is_empty(), "no entries on {day}");
        rows += entries.len();
    }
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "day query ({} random days, {:.0} entries/day on average): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        rows as f64 / times.len() as f64,
        ms(pick(0.50)),
        ms(pick(0.99)),
        ms(pick(1.0)),
    );
}

fn generate(n: usize, total: usize, year_start: DateTime<Utc>, year: Duration) -> Vec<NewEntry> {
    generate_range(0, n, total, year_start, year)
}

/// Entries `first..first + n` of `total` spread evenly over the year with some jitter, in
/// roughly chronological order (as syncs deliver them), with payloads of realistic size.
fn generate_range(
    first: usize,
    n: usize,
    total: usize,
    year_start: DateTime<Utc>,
    year: Duration,
) -> Vec<NewEntry> {
    let spacing_ms = year.num_milliseconds() / total as i64;
    let mut rng = XorShift(0x000D_5DEC ^ first as u64);
    (first..first + n)
        .map(|i| {
            let jitter = (rng.next() % (10 * spacing_ms as u64).max(1)) as i64;
            let started_at = year_start + Duration::milliseconds(i as i64 * spacing_ms + jitter);
            let (source, kind, status) = match i % 5 {
                0 => (
                    SourceKind::Pagerduty,
                    EntryKind::Page,
                    Some(Status::Resolved),
                ),
                1 => (
                    SourceKind::Alertmanager,
                    EntryKind::Alert,
                    Some(Status::Firing),
                ),
                2 => (SourceKind::Github, EntryKind::CiRun, Some(Status::Success)),
                3 => (SourceKind::Kubernetes, EntryKind::K8sEvent, None),
                _ => (SourceKind::Grafana, EntryKind::Annotation, None),
            };
            let service = format!("service-{}", i % 23);
            NewEntry {
                source,
                kind,
                severity: [Severity::Info, Severity::Warning, Severity::Critical][i % 3],
                status,
                title: format!("{kind} on {service}: something happened #{i}"),
                service: Some(service.clone()),
                url: Some(format!("https://vendor.example.test/{source}/{i}")),
                started_at,
                ended_at: Some(started_at + Duration::minutes(7)),
                // Vendor ids (uids, fingerprints, incident ids) are random-looking, so the
                // (source, external_id) index sees random inserts as it does in real use.
                external_id: format!("{:016x}@{}", mix(i as u64), started_at.timestamp()),
                details: json!({
                    "labels": {"service": service, "severity": "warning", "team": "payments"},
                    "annotations": {"summary": "p99 latency above 800 ms for 5 minutes"},
                }),
                raw: json!({
                    "id": i,
                    "fingerprint": format!("{:016x}", rng.next()),
                    "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
                    "labels": {"alertname": "APIResponseTimeCritical", "service": service},
                    "annotations": {"runbook_url": "https://runbooks.example.test/api-latency"},
                    "startsAt": started_at.to_rfc3339(),
                    "generatorURL": "http://prometheus.example.test/graph?g0.expr=...",
                }),
            }
        })
        .collect()
}
