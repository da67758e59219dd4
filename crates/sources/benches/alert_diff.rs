//! Diffing a big Alertmanager answer (a plain binary, not a timed test).
//!
//! `cargo bench -p opsdeck-sources --bench alert_diff` (cargo passes `--bench`) measures one
//! Alertmanager poll's own work on 10,000 firing alerts: decoding the `GET /api/v2/alerts`
//! body, reading the previous state from the cursor, the diff, and writing the next cursor —
//! everything but the HTTP round trip and the store. Three polls:
//! - first: nothing known, every alert new (10,000 entries to store);
//! - steady: Prometheus resent everything with a later `endsAt` (nothing to store);
//! - churn: 1 % changed annotations, 1 % resolved, 1 % new.
//!
//! Without `--bench` (`cargo test --benches` in CI) it runs each once on 1,000 alerts.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use opsdeck_sources::alertmanager::diff::{diff, Observed, State};
use opsdeck_sources::alertmanager::map::Mapping;
use opsdeck_sources::alertmanager::wire::Alert;
use serde_json::{json, Value};

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap() + Duration::minutes(minutes)
}

/// The body Alertmanager would send: `n` alerts, `changed` of them with a new summary,
/// `resolved` of the first ones gone and `new` more at the end.
fn body(n: usize, ends: DateTime<Utc>, changed: usize, resolved: usize, new: usize) -> Vec<u8> {
    let alerts: Vec<Value> = (resolved..n + new)
        .map(|i| {
            let summary = if i >= resolved && i < resolved + changed {
                format!("instance {i} is down (again)")
            } else {
                format!("instance {i} is down")
            };
            json!({
                "labels": {
                    "alertname": "InstanceDown",
                    "severity": if i % 10 == 0 { "critical" } else { "warning" },
                    "service": format!("svc-{}", i % 40),
                    "instance": format!("10.0.{}.{}:9100", i / 250, i % 250),
                    "job": "node",
                },
                "annotations": {
                    "summary": summary,
                    "runbook_url": "https://runbooks.example.test/instance-down",
                },
                "receivers": [{"name": "default"}],
                "fingerprint": format!("{:016x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
                "startsAt": t(0),
                "updatedAt": t(0),
                "endsAt": ends,
                "generatorURL": "http://prometheus:9090/graph?g0.expr=up%3D%3D0",
                "status": {"state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": []},
            })
        })
        .collect();
    serde_json::to_vec(&alerts).expect("serializes")
}

/// Milliseconds per phase of one poll.
#[derive(Default, Clone, Copy)]
struct Phases {
    decode: f64,
    cursor_in: f64,
    diff: f64,
    cursor_out: f64,
}

impl Phases {
    fn total(&self) -> f64 {
        self.decode + self.cursor_in + self.diff + self.cursor_out
    }
}

/// One poll's work: decode, read the cursor, diff, write the cursor. Returns the entries
/// emitted, the next cursor, and how long each phase took.
fn poll(
    body: &[u8],
    cursor: Option<&str>,
    now: DateTime<Utc>,
    mapping: &Mapping,
) -> (usize, String, Phases) {
    let ms = |since: Instant| since.elapsed().as_secs_f64() * 1000.0;
    let mut phases = Phases::default();
    let started = Instant::now();
    let raws: Vec<Value> = serde_json::from_slice(body).expect("decodes");
    let observed: Vec<Observed> = raws
        .into_iter()
        .map(|raw| Observed {
            alert: serde_json::from_value::<Alert>(raw.clone()).expect("an alert"),
            raw,
        })
        .collect();
    phases.decode = ms(started);
    let started = Instant::now();
    let previous = State::from_cursor(cursor);
    phases.cursor_in = ms(started);
    let started = Instant::now();
    let d = diff(previous, observed, &HashMap::new(), now, mapping);
    phases.diff = ms(started);
    let started = Instant::now();
    let next = d.next.to_cursor().expect("cursor serializes");
    phases.cursor_out = ms(started);
    (d.entries.len(), next, phases)
}

fn summary(name: &str, runs: &[Phases], entries: usize) {
    let pick = |f: fn(&Phases) -> f64, p: f64| {
        let mut v: Vec<f64> = runs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[((p / 100.0) * (v.len() - 1) as f64).round() as usize]
    };
    println!(
        "{name}: {entries} entries; n={} total p50 {:.1} ms, p99 {:.1} ms \
         (p50: decode {:.1}, cursor in {:.1}, diff {:.1}, cursor out {:.1})",
        runs.len(),
        pick(Phases::total, 50.0),
        pick(Phases::total, 99.0),
        pick(|p| p.decode, 50.0),
        pick(|p| p.cursor_in, 50.0),
        pick(|p| p.diff, 50.0),
        pick(|p| p.cursor_out, 50.0),
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (n, runs) = if full { (10_000, 20) } else { (1_000, 1) };
    let mapping = Mapping {
        source: opsdeck_domain::SourceKind::Alertmanager,
        source_name: "am-eu".into(),
        services: HashMap::new(),
    };
    println!(
        "opsdeck alert diff bench ({}): {n} firing alerts per poll, {runs} runs each",
        if full {
            "full"
        } else {
            "smoke: pass --bench for the real run"
        }
    );
    let first_body = body(n, t(5), 0, 0, 0);
    let steady_body = body(n, t(9), 0, 0, 0);
    let churn = n / 100;
    let churn_body = body(n, t(9), churn, churn, churn);

    let (mut first, mut steady, mut churned) = (Vec::new(), Vec::new(), Vec::new());
    let (mut first_n, mut steady_n, mut churn_n, mut cursor_len) = (0, 0, 0, 0);
    for _ in 0..runs {
        let (e, cursor, ms) = poll(&first_body, None, t(1), &mapping);
        first.push(ms);
        first_n = e;
        cursor_len = cursor.len();
        let (e, _, ms) = poll(&steady_body, Some(&cursor), t(4), &mapping);
        steady.push(ms);
        steady_n = e;
        let (e, _, ms) = poll(&churn_body, Some(&cursor), t(4), &mapping);
        churned.push(ms);
        churn_n = e;
    }
    assert_eq!(first_n, n, "every alert is new on the first poll");
    assert_eq!(steady_n, 0, "a resend changes nothing");
    assert_eq!(churn_n, 3 * churn, "changed, resolved and new ones");
    summary("first poll (all new)", &first, first_n);
    summary("steady (resent, nothing changed)", &steady, steady_n);
    summary(
        "churn (1 % changed, 1 % resolved, 1 % new)",
        &churned,
        churn_n,
    );
    println!(
        "cursor: {:.1} MB for {n} firing alerts",
        cursor_len as f64 / 1e6
    );
}
