//! Search and retention benchmark (a plain binary, not a timed test).
//!
//! `cargo bench -p opsdeck-store --bench search` (cargo passes `--bench`) runs the real
//! measurement on a file store of 1,000,000 entries spread over a year, whose titles, notes,
//! labels and messages draw words from a Zipf-distributed vocabulary of 200,000 words (a few
//! words in most entries, most words in a handful):
//! - the ingest rate with the search index kept in step;
//! - search latency, p50 / p99 / max over 200 queries of seven kinds: a rare word, a common
//!   word (the last word is a prefix), the same followed by a space (a whole word), two words,
//!   a prefix, a word with a service filter, and filters without words;
//! - a prune of the oldest month, with the vacuum it ends with.
//!
//! Without `--bench` (`cargo test --all-targets` in CI) it runs a tiny version (5,000 entries,
//! one query of each kind) so the code stays exercised without the cost.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};
use opsdeck_domain::{EntryKind, NewEntry, SearchQuery, Severity, SourceKind, Status};
use opsdeck_store::Store;

mod support;
use serde_json::{json, Value};
use support::{mix, ms, Timer, XorShift};

struct Plan {
    entries: usize,
    queries: usize,
}

const FULL: Plan = Plan {
    entries: 1_000_000,
    queries: 200,
};

const SMOKE: Plan = Plan {
    entries: 5_000,
    queries: 7,
};

const BATCH: usize = 1_000;
const VOCABULARY: usize = 200_000;
const SERVICES: usize = 60;

fn main() {
    let args = support::Args::parse();
    let full = args.full;
    let mut plan = if full { FULL } else { SMOKE };
    if let Some(n) = args.entries {
        plan.entries = n;
    }
    plan.queries = args.queries.unwrap_or(plan.queries);
    let year_start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let year = Duration::days(365);
    println!(
        "opsdeck-store search bench ({}): {} entries over a year, {VOCABULARY} words, \
         batches of {BATCH}",
        if full {
            "full"
        } else {
            "smoke, pass --bench for the real run"
        },
        plan.entries
    );

    let words = Words::new();
    let dir = tempfile::tempdir().expect("temp dir for the bench database");
    let path = dir.path().join("history.sqlite");
    build(&plan, &path, &words, year_start, year);

    // Reopen so the queries run on a fresh connection, as the app does after a start.
    let store = Store::open(&path).expect("reopen bench database");
    queries(&plan, &store, &words, year_start);
    drop(store);

    backfill(&path);

    prune_month(&path, year_start);
}

fn build(plan: &Plan, path: &std::path::Path, words: &Words, start: DateTime<Utc>, year: Duration) {
    let mut store = Store::open(path).expect("open bench database");
    // Generated and written a chunk at a time so memory stays flat at a million entries;
    // only the upserts are timed.
    let chunk = 50_000.min(plan.entries);
    let mut written = 0;
    let mut timer = Timer::default();
    while written < plan.entries {
        let n = chunk.min(plan.entries - written);
        let entries = generate(written, n, plan.entries, words, start, year);
        timer.start();
        for batch in entries.chunks(BATCH) {
            store.upsert_entries(batch).expect("upsert");
        }
        timer.stop();
        written += n;
    }
    timer.report_rate(
        "ingest with the search index (building the year store)",
        written,
    );
    println!(
        "  store: {} entries, {:.0} MiB on disk",
        store.count_entries().expect("count"),
        file_mib(path)
    );
    drop(store);
    // What the index takes: its FTS5 shadow tables, by dbstat (bundled SQLite has it).
    let conn = rusqlite::Connection::open(path).expect("open for dbstat");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    let (index, all): (i64, i64) = conn
        .query_row(
            "SELECT sum(pgsize) FILTER (WHERE name GLOB 'entries_search*'), sum(pgsize) \
             FROM dbstat",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("dbstat");
    let mib = |b: i64| b as f64 / (1024.0 * 1024.0);
    println!(
        "  of which the search index: {:.0} MiB ({:.0}% of the pages, {:.0} bytes an entry)",
        mib(index),
        100.0 * index as f64 / all as f64,
        index as f64 / plan.entries as f64
    );
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QueryKind {
    Rare,
    Common,
    CommonComplete,
    TwoWords,
    Prefix,
    WordAndService,
    FiltersOnly,
}

const QUERY_KINDS: [(QueryKind, &str); 7] = [
    (QueryKind::Rare, "a rare word"),
    (QueryKind::Common, "a common word"),
    (QueryKind::CommonComplete, "a common word + space"),
    (QueryKind::TwoWords, "two words"),
    (QueryKind::Prefix, "a prefix (3-5 letters)"),
    (QueryKind::WordAndService, "a word + service filter"),
    (QueryKind::FiltersOnly, "filters only"),
];

fn queries(plan: &Plan, store: &Store, words: &Words, year_start: DateTime<Utc>) {
    let mut rng = XorShift(0x5EA2_C4ED);
    let mut results: Vec<(QueryKind, StdDuration, usize)> = Vec::new();
    let mut texts = Vec::new();
    for i in 0..plan.queries {
        let (kind, _) = QUERY_KINDS[i % QUERY_KINDS.len()];
        let mut q = SearchQuery::default();
        match kind {
            QueryKind::Rare => q.text = words.word(100_000 + rng.below(VOCABULARY - 100_000)),
            QueryKind::Common => q.text = words.word(rng.below(20)),
            // A space after the last word: a whole word, not a prefix.
            QueryKind::CommonComplete => q.text = format!("{} ", words.word(rng.below(20))),
            QueryKind::TwoWords => {
                q.text = format!(
                    "{} {}",
                    words.word(rng.below(100)),
                    words.word(100 + rng.below(1_900))
                )
            }
            QueryKind::Prefix => {
                let word = words.word(50 + rng.below(5_000));
                let len = (3 + rng.below(3)).min(word.len());
                q.text = word[..len].to_owned();
            }
            QueryKind::WordAndService => {
                q.text = words.word(rng.below(500));
                q.services = vec![service(rng.below(SERVICES))];
            }
            QueryKind::FiltersOnly => {
                q.kinds =
                    vec![[EntryKind::Page, EntryKind::RunbookStep, EntryKind::CiRun][rng.below(3)]];
                match rng.below(3) {
                    0 => q.services = vec![service(rng.below(SERVICES))],
                    1 => q.severities = vec![Severity::Critical],
                    _ => {
                        let month = rng.below(12) as i64;
                        q.since = Some(year_start + Duration::days(30 * month));
                        q.until = Some(year_start + Duration::days(30 * month + 7));
                    }
                }
            }
        }
        texts.push(describe(&q));
        let started = Instant::now();
        let hits = store.search(&q).expect("search");
        results.push((kind, started.elapsed(), hits.len()));
        assert!(
            hits.windows(2)
                .all(|w| w[0].entry.started_at >= w[1].entry.started_at),
            "newest first"
        );
    }

    println!(
        "search ({} queries, limit 100):\n  {:<26} {:>5} {:>9} {:>9} {:>9} {:>9}",
        results.len(),
        "query",
        "n",
        "p50 ms",
        "p99 ms",
        "max ms",
        "avg hits"
    );
    let row = |label: &str, picked: Vec<&(QueryKind, StdDuration, usize)>| {
        if picked.is_empty() {
            return;
        }
        let mut times: Vec<StdDuration> = picked.iter().map(|r| r.1).collect();
        times.sort();
        let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        let hits: usize = picked.iter().map(|r| r.2).sum();
        println!(
            "  {label:<26} {:>5} {:>9.2} {:>9.2} {:>9.2} {:>9.1}",
            times.len(),
            ms(pick(0.50)),
            ms(pick(0.99)),
            ms(pick(1.0)),
            hits as f64 / picked.len() as f64
        );
    };
    for (kind, label) in QUERY_KINDS {
        row(label, results.iter().filter(|r| r.0 == kind).collect());
    }
    row("all", results.iter().collect());
    if let Some((i, slowest)) = results.iter().enumerate().max_by_key(|(_, r)| r.1) {
        let label = QUERY_KINDS
            .iter()
            .find(|k| k.0 == slowest.0)
            .map_or("", |k| k.1);
        println!(
            "  slowest: query #{i} ({label}, {:?}): {:.2} ms",
            texts[i],
            ms(slowest.1)
        );
    }
}

/// Opening a cache that predates the index (as after an upgrade): the index is dropped and
/// the migration run again, so the next open indexes every entry.
fn backfill(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).expect("open for the backfill");
    conn.execute_batch("DROP TABLE entries_search; DROP TABLE search_backfill;")
        .expect("drop the index");
    conn.execute_batch(include_str!("../migrations/0009_search.sql"))
        .expect("re-create the index");
    drop(conn);
    let mut timer = Timer::default();
    timer.start();
    let store = Store::open(path).expect("open and fill the index");
    timer.stop();
    timer.report_rate(
        "filling the index of an older cache on open",
        store.count_entries().expect("count") as usize,
    );
}

fn describe(q: &SearchQuery) -> String {
    let mut parts = Vec::new();
    if !q.text.is_empty() {
        parts.push(q.text.clone());
    }
    parts.extend(q.kinds.iter().map(|k| format!("kind={k}")));
    parts.extend(q.services.iter().map(|s| format!("service={s}")));
    parts.extend(q.severities.iter().map(|s| format!("severity={s}")));
    if let (Some(since), Some(until)) = (q.since, q.until) {
        parts.push(format!("{}..{}", since.date_naive(), until.date_naive()));
    }
    parts.join(" ")
}

fn prune_month(path: &std::path::Path, year_start: DateTime<Utc>) {
    let before = file_mib(path);
    let mut store = Store::open(path).expect("reopen bench database");
    let total = store.count_entries().expect("count");
    let cutoff = year_start + Duration::days(30);
    let started = Instant::now();
    let report = store.prune(cutoff).expect("prune");
    let took = started.elapsed();
    let left = store.count_entries().expect("count");
    assert_eq!(left + report.entries, total);
    assert_eq!(report.search_rows, report.entries);
    let hits = store
        .search(&SearchQuery {
            until: Some(cutoff),
            kinds: vec![EntryKind::Alert],
            ..SearchQuery::default()
        })
        .expect("search after prune");
    // Left before the cutoff: only entries that ended after it.
    assert!(
        hits.iter()
            .all(|h| h.entry.ended_at.unwrap_or(h.entry.started_at) >= cutoff),
        "a pruned entry was found"
    );
    drop(store);
    println!(
        "prune of the oldest month: {} entries (+ {} index rows) in {:.2} s including the \
         vacuum ({}), file {before:.0} → {:.0} MiB",
        report.entries,
        report.search_rows,
        took.as_secs_f64(),
        if report.vacuumed {
            "done"
        } else {
            "not needed"
        },
        file_mib(path)
    );
    // The vacuum alone, once more on the pruned file: what the prune's last step costs.
    let conn = rusqlite::Connection::open(path).expect("open for vacuum");
    let started = Instant::now();
    conn.execute_batch("VACUUM").expect("vacuum");
    println!(
        "  of which the vacuum: about {:.2} s (a second VACUUM of the pruned file)",
        started.elapsed().as_secs_f64()
    );
}

/// The database file and its WAL.
fn file_mib(path: &std::path::Path) -> f64 {
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let wal = path.with_extension("sqlite-wal");
    (size(path) + size(&wal)) as f64 / (1024.0 * 1024.0)
}

fn service(i: usize) -> String {
    const NAMED: [&str; 10] = [
        "payments-api",
        "checkout",
        "search",
        "auth",
        "ledger",
        "notifications",
        "catalog",
        "inventory",
        "shipping",
        "gateway",
    ];
    NAMED
        .get(i)
        .map_or_else(|| format!("svc-{i:02}"), |s| s.to_string())
}

/// The vocabulary, most common first: a few hundred operations words, then made-up words of
/// syllables; drawn with Zipf weights (rank r with weight 1/(r+1)).
struct Words {
    cumulative: Vec<f64>,
    ops: Vec<&'static str>,
}

const OPS_WORDS: &str = "error latency timeout database connection pool restart deploy \
    rollback memory cpu disk full request failed upstream service pod node cluster queue lag \
    consumer producer cache miss hit retry backoff throttle limit quota certificate expired \
    dns resolve network partition replica primary failover leader election slow query index \
    lock deadlock migration schema version release canary traffic shift region zone outage \
    degraded healthy unhealthy probe liveness readiness oom killed evicted scheduled pending \
    crash loop image pull secret config map volume mount permission denied token auth login \
    session checkout payment invoice order cart search catalog inventory shipping email sms \
    push webhook batch job cron nightly backup restore snapshot storage bucket object upload \
    download bandwidth packet loss jitter gateway proxy ingress egress tls handshake socket \
    thread heap gc pause spike drop saturation throughput p99 p95 budget burn slo sla alert";

impl Words {
    fn new() -> Words {
        let mut total = 0.0;
        let cumulative = (0..VOCABULARY)
            .map(|r| {
                total += 1.0 / (r as f64 + 1.0);
                total
            })
            .collect();
        Words {
            cumulative,
            ops: OPS_WORDS.split_whitespace().collect(),
        }
    }

    fn word(&self, rank: usize) -> String {
        if let Some(w) = self.ops.get(rank) {
            return (*w).to_owned();
        }
        const SYLLABLES: [&str; 16] = [
            "ka", "lo", "mi", "nu", "re", "si", "to", "va", "zu", "be", "do", "fe", "gi", "ho",
            "ju", "qy",
        ];
        let mut n = rank;
        let mut w = String::new();
        loop {
            w.push_str(SYLLABLES[n % 16]);
            n /= 16;
            if n == 0 {
                break;
            }
        }
        w
    }

    fn draw(&self, rng: &mut XorShift) -> String {
        let total = *self.cumulative.last().unwrap();
        let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let rank = self.cumulative.partition_point(|c| *c < x);
        self.word(rank.min(VOCABULARY - 1))
    }

    fn sentence(&self, rng: &mut XorShift, n: usize) -> String {
        (0..n).map(|_| self.draw(rng)).collect::<Vec<_>>().join(" ")
    }
}

/// Entries `first..first + n` of `total`, spread evenly over the year with some jitter, in
/// roughly chronological order (as syncs deliver them).
fn generate(
    first: usize,
    n: usize,
    total: usize,
    words: &Words,
    year_start: DateTime<Utc>,
    year: Duration,
) -> Vec<NewEntry> {
    let spacing_ms = year.num_milliseconds() / total as i64;
    let mut rng = XorShift(0x005E_A2C4 ^ (first as u64).wrapping_mul(0x9E37_79B9));
    (first..first + n)
        .map(|i| {
            let jitter = (rng.next() % (10 * spacing_ms as u64).max(1)) as i64;
            let started_at = year_start + Duration::milliseconds(i as i64 * spacing_ms + jitter);
            let service = service(rng.below(SERVICES));
            let severity = [Severity::Info, Severity::Warning, Severity::Critical][rng.below(3)];
            let (source, kind, status, title, details) = match rng.below(20) {
                0..=3 => {
                    let log: Vec<Value> = (0..2 + rng.below(4))
                        .map(|j| {
                            json!({
                                "id": format!("R{i}x{j}"),
                                "type": "annotate",
                                "summary": "Note added by Sam Okafor",
                                "note": (j % 2 == 1).then(|| words.sentence(&mut rng, 8)),
                            })
                        })
                        .collect();
                    (
                        SourceKind::Pagerduty,
                        EntryKind::Page,
                        Some(Status::Resolved),
                        format!("{} {} critical", words.draw(&mut rng), words.draw(&mut rng)),
                        json!({"urgency": "high", "escalation_policy": "Primary",
                               "log_entries": log}),
                    )
                }
                4..=9 => (
                    SourceKind::Alertmanager,
                    EntryKind::Alert,
                    Some(Status::Resolved),
                    format!(
                        "High{}: {}",
                        words.draw(&mut rng),
                        words.sentence(&mut rng, 4)
                    ),
                    json!({
                        "labels": {"alertname": words.draw(&mut rng), "service": service,
                                   "severity": severity.as_str(), "team": words.draw(&mut rng),
                                   "instance": format!("10.0.{}.{}:9100", i % 255, i % 7)},
                        "annotations": {"summary": words.sentence(&mut rng, 8),
                                        "description": words.sentence(&mut rng, 12),
                                        "runbook_url": "https://runbooks.example.test/x"},
                    }),
                ),
                10..=12 => (
                    SourceKind::Github,
                    EntryKind::CiRun,
                    Some(Status::Failure),
                    format!("CI {} on main", words.draw(&mut rng)),
                    json!({"workflow": "CI", "branch": "main", "failed_jobs": [
                        {"name": words.draw(&mut rng),
                         "failed_steps": [words.sentence(&mut rng, 3)]}]}),
                ),
                13..=16 => (
                    SourceKind::Kubernetes,
                    EntryKind::K8sEvent,
                    None,
                    format!("BackOff {} in {service}", words.draw(&mut rng)),
                    json!({"reason": "BackOff", "message": words.sentence(&mut rng, 10),
                           "object": format!("Pod/{service}-{}", i % 13), "namespace": service}),
                ),
                17 => (
                    SourceKind::Opsdeck,
                    EntryKind::RunbookStep,
                    Some(Status::Success),
                    format!("{service} ✓ step {}", i % 9),
                    json!({"runbook": service, "text": words.sentence(&mut rng, 8)}),
                ),
                _ => (
                    SourceKind::Grafana,
                    EntryKind::Annotation,
                    None,
                    format!("{service} {} deployed", words.draw(&mut rng)),
                    json!({"text": words.sentence(&mut rng, 8), "tags": ["deploy", service]}),
                ),
            };
            NewEntry {
                source,
                kind,
                severity,
                status,
                title,
                service: Some(service.clone()),
                url: Some(format!("https://vendor.example.test/{source}/{i}")),
                started_at,
                ended_at: Some(started_at + Duration::minutes(7)),
                external_id: format!("{:016x}@{}", mix(i as u64), started_at.timestamp()),
                details,
                raw: json!({
                    "id": i,
                    "fingerprint": format!("{:016x}", rng.next()),
                    "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
                    "labels": {"alertname": "APIResponseTimeCritical", "service": service},
                    "startsAt": started_at.to_rfc3339(),
                    "generatorURL": "http://prometheus.example.test/graph?g0.expr=...",
                }),
            }
        })
        .collect()
}
