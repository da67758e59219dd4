//! Paging latency (a plain binary, not a timed test).
//!
//! `cargo bench -p opsdeck-engine --bench paging` (cargo passes `--bench`) replays a day of
//! high-urgency pages, one a minute of simulated time at 60× (one a second of real time),
//! against the engine running at its default settings (the supervisor with its quick and full
//! polls, the rate limiter, the notification policy), and prints:
//! - processing: from the simulator serving the first poll response that holds a new page to
//!   the engine's `Notify` call for it (p50 / p99 / max; aim ≤ 50 ms);
//! - end to end: from the incident's creation in the simulator (the real instant its simulated
//!   time passed) to the `Notify` call (aim: p99 ≤ 5 s);
//! - the request rate opsdeck used, against PagerDuty's 960 requests/minute per user (aim
//!   ≤ 10 %).
//!
//! Without `--bench` (`cargo test --benches` in CI) it replays a handful of pages so the code
//! stays exercised without the cost.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use opsdeck_domain::{Notification, SourceKind};
use opsdeck_engine::config::{ClockConfig, SourceConfig};
use opsdeck_engine::{Cockpit, CockpitOptions, Config, Notifier, NotifyError};
use opsdeck_sim::pagerduty::Exchange;
use opsdeck_sim::run::{start, SimOptions};
use opsdeck_sim::scenario::parse_str;

/// PagerDuty's REST budget per user.
const VENDOR_BUDGET_PER_MINUTE: f64 = 960.0;
const SPEED: f64 = 60.0;

/// Records, per incident, when its first notification was shown.
#[derive(Default)]
struct Stopwatch {
    shown: Mutex<HashMap<String, (Instant, DateTime<Utc>)>>,
}

impl Notifier for Stopwatch {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        let (mono, wall) = (Instant::now(), Utc::now());
        if !n.incident_id.is_empty() {
            self.shown
                .lock()
                .map_err(|_| NotifyError("stopwatch poisoned".into()))?
                .entry(n.incident_id.clone())
                .or_insert((mono, wall));
        }
        Ok(())
    }
}

fn scenario(pages: usize) -> String {
    let mut yaml = String::from(
        "version: 1\nname: bench-paging\nsummary: One high-urgency page a minute.\n\
         clock: {tz: UTC, day_starts: \"05:00\"}\n\
         me: {name: Sam Okafor, email: sam.okafor@example.test}\n\
         oncall:\n  - {schedule: Payments Primary, user: me, from: \"05:00\", to: \"+1 05:00\"}\n\
         services:\n  - name: payments-api\n    pagerduty: {id: PPAYAPI, escalation_policy: Payments Primary}\n\
         events:\n",
    );
    for i in 0..pages {
        let minute = 5 * 60 + 1 + i;
        yaml.push_str(&format!(
            "  - at: \"{:02}:{:02}\"\n    page: {{id: QBENCH{i:04}, service: payments-api, \
             title: \"Bench page {i}\", urgency: high, assignee: me, state: triggered}}\n",
            minute / 60,
            minute % 60
        ));
    }
    yaml
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn summary(name: &str, unit: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    println!(
        "{name}: n={} p50 {:.1} {unit}, p99 {:.1} {unit}, max {:.1} {unit}",
        values.len(),
        percentile(&values, 50.0),
        percentile(&values, 99.0),
        values.last().copied().unwrap_or(f64::NAN)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let pages = if full { 120 } else { 4 };
    let scenario = parse_str(&scenario(pages), "bench-paging.yaml").expect("bench scenario loads");
    let date = NaiveDate::from_ymd_opt(2026, 5, 4).expect("date");
    let at = scenario.parse_time("05:00").expect("time");
    let running = start(SimOptions {
        scenario: Arc::new(scenario),
        date,
        at,
        speed: SPEED,
        port_base: None,
    })
    .await
    .expect("simulator starts");

    // When the simulator first served each incident in a response, and how many requests it
    // answered in all.
    let first_served: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let requests = Arc::new(AtomicUsize::new(0));
    {
        let (first_served, requests) = (first_served.clone(), requests.clone());
        running.pagerduty.observe(Arc::new(move |x: &Exchange| {
            let now = Instant::now();
            requests.fetch_add(1, Ordering::Relaxed);
            if !x.path_and_query.starts_with("/incidents?") {
                return;
            }
            let Some(list) = x.body.as_ref().and_then(|b| b["incidents"].as_array()) else {
                return;
            };
            if let Ok(mut seen) = first_served.lock() {
                for i in list {
                    if let Some(id) = i["id"].as_str() {
                        seen.entry(id.to_string()).or_insert(now);
                    }
                }
            }
        }));
    }

    let url = running.url("pagerduty").expect("pagerduty url").to_string();
    let mut source = SourceConfig::new(SourceKind::Pagerduty, &url);
    source.token = Some("bench-token".into());
    let config = Config {
        version: 1,
        timezone: Some("UTC".into()),
        me: Some("sam.okafor@example.test".into()),
        clock: Some(ClockConfig {
            simulated_at: running.clock.simulated_at,
            real_at: running.clock.real_at,
            speed: running.clock.speed,
        }),
        sources: vec![source],
        services: Vec::new(),
        notifications: Default::default(),
        actions: Default::default(),
        desktop: Default::default(),
        changes: Default::default(),
        runbooks: Default::default(),
        shifts: Default::default(),
        history: Default::default(),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let stopwatch = Arc::new(Stopwatch::default());
    let cockpit = Cockpit::open(CockpitOptions {
        config,
        config_path: dir.path().join("bench.toml"),
        db_path: dir.path().join("bench.sqlite"),
        notifier: Some(stopwatch.clone()),
    })
    .expect("cockpit opens");
    println!(
        "opsdeck paging bench ({}): {pages} high-urgency pages, one per {:.1} s real, default settings",
        if full { "full" } else { "smoke: pass --bench for the real run" },
        60.0 / SPEED
    );
    let started = Instant::now();
    cockpit.start().await;

    // Wait for every page's notification, bounded by the replay's length plus a margin.
    let replay = Duration::from_secs_f64(pages as f64 * 60.0 / SPEED);
    let deadline = Instant::now() + replay + Duration::from_secs(60);
    loop {
        let shown = stopwatch.shown.lock().map(|s| s.len()).unwrap_or(0);
        if shown >= pages {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {shown} of {pages} pages were notified"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed();
    let used = requests.load(Ordering::Relaxed);
    cockpit.shutdown().await;

    let shown = stopwatch.shown.lock().expect("stopwatch").clone();
    let served = first_served.lock().expect("observer").clone();
    let mut processing = Vec::new();
    let mut end_to_end = Vec::new();
    let clock = running.clock;
    for (id, (mono, wall)) in &shown {
        if let Some(first) = served.get(id) {
            processing.push(mono.saturating_duration_since(*first).as_secs_f64() * 1000.0);
        }
        let Some(created) = running
            .world
            .lock()
            .expect("world")
            .incident(id)
            .map(|i| i.created_at)
        else {
            continue;
        };
        // The real instant the simulated clock passed the incident's creation.
        let created_real = clock.real_at
            + chrono::Duration::milliseconds(
                ((created - clock.simulated_at).num_milliseconds() as f64 / clock.speed) as i64,
            );
        end_to_end.push((*wall - created_real).num_milliseconds() as f64 / 1000.0);
    }
    summary("poll response with a new page → Notify", "ms", processing);
    summary("incident created → Notify", "s", end_to_end);
    let per_minute = used as f64 / elapsed.as_secs_f64() * 60.0;
    println!(
        "requests: {used} in {:.1} s = {per_minute:.1}/min, {:.1} % of PagerDuty's {VENDOR_BUDGET_PER_MINUTE}/min",
        elapsed.as_secs_f64(),
        per_minute / VENDOR_BUDGET_PER_MINUTE * 100.0
    );
    running.stop().await;
}
