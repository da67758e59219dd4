//! The handoff report over a year of history (a plain binary, not a timed test).
//!
//! `cargo bench -p opsdeck-engine --bench history` builds a file cache of 1,000,000 entries
//! spread over a year (~2,740 a day: alerts, Kubernetes events, CI runs, rollouts, nodes,
//! pages with their logs, actions, runbook steps, annotations) and a daily 24-hour shift, then
//! builds the handoff report of random shifts through the Cockpit, as `opsdeck handoff` does:
//! p50 / p99 / max. Without `--bench` (`cargo test --benches` in CI) it runs a tiny version.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};
use opsdeck_domain::{
    shift_id, EntryKind, NewEntry, Severity, Shift, ShiftOrigin, SourceKind, Status,
};
use opsdeck_engine::config::{ClockConfig, NotificationsConfig};
use opsdeck_engine::{Cockpit, CockpitOptions, Config};
use opsdeck_store::Store;
use serde_json::json;

const SERVICES: [&str; 8] = [
    "payments-api",
    "orders-db",
    "user-dashboard",
    "checkout",
    "search",
    "ledger",
    "auth",
    "notifications",
];

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn entry(i: usize, at: DateTime<Utc>, rng: &mut XorShift) -> NewEntry {
    let service = SERVICES[(rng.next() % SERVICES.len() as u64) as usize];
    let roll = rng.next() % 100;
    let (source, kind, status, severity, details, ended) = match roll {
        0 => (
            SourceKind::Pagerduty,
            EntryKind::Page,
            Some(Status::Resolved),
            Severity::Critical,
            json!({
                "urgency": "high",
                "assigned_to_me": rng.next().is_multiple_of(2),
                "escalation_policy": "Payments Primary",
                "acknowledged_at": at + Duration::minutes(4),
                "resolved_at": at + Duration::minutes(50),
                "log_entries": [
                    {"type": "trigger", "at": at, "agent": null, "summary": "Triggered", "note": null},
                    {"type": "acknowledge", "at": at + Duration::minutes(4), "agent": "Sam Okafor", "summary": "Acknowledged", "note": null},
                    {"type": "resolve", "at": at + Duration::minutes(50), "agent": "Sam Okafor", "summary": "Resolved", "note": format!("fixed {i}")},
                ],
            }),
            Some(at + Duration::minutes(50)),
        ),
        1..=40 => (
            SourceKind::Alertmanager,
            EntryKind::Alert,
            Some(Status::Resolved),
            Severity::Warning,
            json!({
                "fingerprint": format!("{:016x}", rng.next()),
                "labels": {"alertname": format!("Rule{}", rng.next() % 60), "service": service},
                "annotations": {"summary": "over threshold"},
            }),
            Some(at + Duration::minutes((rng.next() % 90) as i64)),
        ),
        41..=65 => (
            SourceKind::Kubernetes,
            EntryKind::K8sEvent,
            None,
            Severity::Warning,
            json!({"context": "prod", "namespace": "default", "object": format!("Pod/{service}-{}", rng.next() % 50), "reason": if rng.next().is_multiple_of(3) { "BackOff" } else { "Unhealthy" }, "message": "probe failed"}),
            Some(at + Duration::minutes(5)),
        ),
        66..=80 => (
            SourceKind::Github,
            EntryKind::CiRun,
            Some(if rng.next().is_multiple_of(5) {
                Status::Failure
            } else {
                Status::Success
            }),
            Severity::Info,
            json!({"repo": format!("acme/{service}"), "workflow": format!("wf{}", rng.next() % 4), "branch": if rng.next().is_multiple_of(2) { "main" } else { "feature" }}),
            Some(at + Duration::minutes(6)),
        ),
        81..=85 => (
            SourceKind::Kubernetes,
            EntryKind::Rollout,
            Some(Status::Complete),
            Severity::Info,
            json!({"context": "prod", "namespace": "default", "deployment": service}),
            Some(at + Duration::minutes(3)),
        ),
        86..=87 => (
            SourceKind::Kubernetes,
            EntryKind::Node,
            Some(Status::Ready),
            Severity::Info,
            json!({"context": "prod", "node": format!("node-{}", rng.next() % 30)}),
            None,
        ),
        88..=89 => (
            SourceKind::Opsdeck,
            EntryKind::Action,
            Some(Status::Succeeded),
            Severity::Info,
            json!({"action_kind": "kubernetes.scale", "target": service, "actor": "sam@example.test", "result": "scaled"}),
            Some(at),
        ),
        90..=91 => (
            SourceKind::Opsdeck,
            EntryKind::RunbookStep,
            None,
            Severity::Info,
            json!({"event": "note", "text": format!("checked pool {i}"), "runbook": "connection-pool", "step": 1}),
            None,
        ),
        _ => (
            SourceKind::Grafana,
            EntryKind::Annotation,
            None,
            Severity::Info,
            json!({"tags": ["deploy"]}),
            None,
        ),
    };
    NewEntry {
        source,
        kind,
        severity,
        status,
        title: format!("{kind} {i} on {service}"),
        service: Some(service.to_string()),
        url: None,
        started_at: at,
        ended_at: ended,
        external_id: format!("e{i}"),
        details,
        raw: serde_json::Value::Null,
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (entries, reports) = if full { (1_000_000, 100) } else { (5_000, 3) };
    let end = Utc.with_ymd_and_hms(2026, 5, 4, 9, 0, 0).unwrap();
    let start = end - Duration::days(365);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("year.sqlite");
    println!(
        "opsdeck-engine history bench ({}): {entries} entries over a year",
        if full {
            "full"
        } else {
            "smoke, pass --bench for the real run"
        }
    );
    {
        let mut store = Store::open(&db).expect("open");
        let step = (end - start).num_milliseconds() / entries as i64;
        let mut rng = XorShift(0x0DDC_0FFE_E15E_ED00);
        let mut batch = Vec::with_capacity(1000);
        let built = Instant::now();
        for i in 0..entries {
            let at = start + Duration::milliseconds(step * i as i64);
            batch.push(entry(i, at, &mut rng));
            if batch.len() == 1000 {
                store.upsert_entries(&batch).expect("upsert");
                batch.clear();
            }
        }
        store.upsert_entries(&batch).expect("upsert");
        let shifts: Vec<Shift> = (0..365)
            .map(|d| {
                let s = start + Duration::days(d) + Duration::hours(9);
                Shift {
                    id: shift_id("sam@example.test", "Payments Primary", s),
                    origin: ShiftOrigin::Schedule,
                    user_name: "Sam Okafor".into(),
                    user_email: Some("sam@example.test".into()),
                    schedule: Some("Payments Primary".into()),
                    escalation_policy: Some("Payments Primary".into()),
                    start: s,
                    end: Some(s + Duration::days(1)),
                    summary: None,
                    watch_next: vec![],
                    edited_at: None,
                }
            })
            .collect();
        store.record_shifts(&shifts).expect("shifts");
        println!(
            "  built the cache in {:.1} s ({:.0} MiB)",
            built.elapsed().as_secs_f64(),
            std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0
        );
    }

    let config = Config {
        version: 1,
        timezone: Some("Europe/Berlin".into()),
        me: Some("sam@example.test".into()),
        clock: Some(ClockConfig {
            simulated_at: end,
            real_at: Utc::now(),
            speed: 0.0,
        }),
        sources: Vec::new(),
        services: Vec::new(),
        notifications: NotificationsConfig {
            enabled: false,
            ..Default::default()
        },
        actions: Default::default(),
        desktop: Default::default(),
        changes: Default::default(),
        runbooks: Default::default(),
        shifts: Default::default(),
        history: Default::default(),
    };
    let cockpit = Cockpit::open(CockpitOptions {
        config,
        config_path: dir.path().join("config.toml"),
        db_path: db,
        notifier: None,
    })
    .expect("cockpit");
    let shifts = cockpit.shifts(400).expect("shifts");
    let mut rng = XorShift(0x5EED);
    let mut times: Vec<StdDuration> = Vec::with_capacity(reports);
    let mut pages = 0usize;
    for _ in 0..reports {
        let s = &shifts[(rng.next() % shifts.len() as u64) as usize];
        let t = Instant::now();
        let report = cockpit.handoff(Some(&s.id)).expect("report");
        let md = cockpit.handoff_markdown(&report);
        times.push(t.elapsed());
        pages += report.pages.len();
        assert!(md.starts_with("# Handoff"));
    }
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let ms = |d: StdDuration| d.as_secs_f64() * 1000.0;
    println!(
        "handoff report of a 24-hour shift (JSON model + Markdown), {} random shifts, {:.0} pages each: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        pages as f64 / times.len() as f64,
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(pick(1.0))
    );
}
