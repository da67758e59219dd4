//! The Grafana source against the simulated Grafana on the shared day: Grafana-managed alerts
//! (and only those) onto the timeline, annotations as markers, a silence planned, created and
//! expired through Grafana's Alertmanager API. Every response the source received is checked
//! against Grafana's specs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDate};
use opsdeck_contract::shared::{grafana_for, served_problem, Served};
use opsdeck_domain::{
    ActionKind, ActionRequest, EntryKind, NewEntry, Severity, SourceKind, Status,
};
use opsdeck_sim::observe::Exchange;
use opsdeck_sim::run::{start, RunningSim, SimOptions};
use opsdeck_sim::scenario::bundled_day;
use opsdeck_sources::grafana::{GrafanaConfig, GrafanaSource};
use opsdeck_sources::http::HttpOptions;
use opsdeck_sources::{ActionContext, PollContext, Source};

const ME: &str = "sam.okafor@example.test";

struct Sim {
    running: RunningSim,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

async fn shared_day_at(at: &str) -> Sim {
    let scenario = bundled_day();
    let at = scenario.parse_time(at).expect("valid time");
    let running = start(SimOptions {
        scenario: Arc::new(scenario),
        date: NaiveDate::from_ymd_opt(2026, 5, 4).expect("date"),
        at,
        speed: 0.0,
        port_base: None,
    })
    .await
    .expect("simulator starts");
    let exchanges = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&exchanges);
    running.grafana.observe(Arc::new(move |e: &Exchange| {
        seen.lock().expect("exchanges").push(e.clone());
    }));
    Sim { running, exchanges }
}

impl Sim {
    fn source(&self) -> GrafanaSource {
        GrafanaSource::new(GrafanaConfig {
            name: "grafana".into(),
            url: self.running.url("grafana").expect("grafana url").into(),
            token: "glsa_sim_token".into(),
            services: HashMap::new(),
            http: HttpOptions {
                timeout: StdDuration::from_secs(10),
                ..HttpOptions::default()
            },
        })
        .expect("builds")
    }

    fn ctx(&self, cursor: Option<String>) -> PollContext {
        PollContext {
            now: self.world_now(),
            cursor,
            backfill: Duration::hours(24),
        }
    }

    fn world_now(&self) -> chrono::DateTime<chrono::Utc> {
        let world = self.running.live().advance();
        world.advanced_to().unwrap_or_else(|| self.running.now())
    }

    fn move_to(&self, at: &str) {
        let scenario = bundled_day();
        let t = scenario.instant(
            NaiveDate::from_ymd_opt(2026, 5, 4).expect("date"),
            scenario.parse_time(at).expect("time"),
        );
        drop(self.running.live().advance_to(t));
    }

    async fn finish(self) {
        self.running.stop().await;
        let exchanges = self.exchanges.lock().expect("exchanges").clone();
        assert!(!exchanges.is_empty(), "the source sent no request");
        let problems: Vec<String> = exchanges
            .iter()
            .filter_map(|e| {
                served_problem(
                    grafana_for(&e.path_and_query),
                    &Served {
                        method: &e.method,
                        path_and_query: &e.path_and_query,
                        status: e.status,
                        body: e.body.as_ref(),
                        injected: false,
                        corrupted: false,
                    },
                )
            })
            .collect();
        assert!(
            problems.is_empty(),
            "{} of {} responses break Grafana's specs:\n{}",
            problems.len(),
            exchanges.len(),
            problems.join("\n")
        );
    }
}

fn titled<'a>(entries: &'a [NewEntry], start: &str) -> Vec<&'a NewEntry> {
    entries
        .iter()
        .filter(|e| e.title.starts_with(start))
        .collect()
}

#[tokio::test]
async fn grafana_alerts_and_annotations_reach_the_timeline() {
    let sim = shared_day_at("15:00").await;
    let source = sim.source();
    let first = source.poll(&sim.ctx(None)).await.expect("polls");
    let alerts: Vec<&NewEntry> = first
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Alert)
        .collect();
    // Only Grafana-managed alerts: DBConnectionPoolExhausted fires via Prometheus.
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let rate = alerts[0];
    assert_eq!(rate.source, SourceKind::Grafana);
    assert!(
        rate.title.starts_with("DBQueryRateHigh: orders-db at 31k"),
        "{}",
        rate.title
    );
    assert_eq!(rate.service.as_deref(), Some("orders-db"));
    assert_eq!(rate.severity, Severity::Warning);
    assert_eq!(rate.status, Some(Status::Firing));
    assert_eq!(rate.details["grafana"], "grafana");
    // Its rule, from Grafana's rules API: where it lives and whether it evaluates cleanly.
    assert_eq!(rate.details["rule"]["group"], "orders-db");
    assert_eq!(rate.details["rule"]["state"], "firing");
    assert_eq!(rate.details["rule"]["health"], "ok");
    assert!(rate.details["rule"]["query"]
        .as_str()
        .is_some_and(|q| q.contains("DBQueryRateHigh")));
    let deploy = titled(&first.entries, "user-dashboard 2.8.0: new dashboard");
    assert_eq!(deploy.len(), 1, "{:#?}", first.entries);
    assert_eq!(deploy[0].kind, EntryKind::Annotation);
    assert_eq!(deploy[0].details["tags"][0], "deploy");
    assert!(
        titled(&first.entries, "Killed batch query").is_empty(),
        "a 22:50 annotation at 15:00"
    );

    // 15:30 resolves it; the next poll ends the entry and repeats no annotation as new.
    sim.move_to("15:31");
    let second = source
        .poll(&sim.ctx(first.cursor.clone()))
        .await
        .expect("polls");
    let resolved = titled(&second.entries, "DBQueryRateHigh");
    assert_eq!(resolved.len(), 1, "{:#?}", second.entries);
    assert_eq!(resolved[0].status, Some(Status::Resolved));
    assert_eq!(resolved[0].external_id, rate.external_id);
    sim.finish().await;
}

#[tokio::test]
async fn a_silence_is_planned_created_and_expired_through_grafana() {
    let sim = shared_day_at("22:30").await;
    let source = sim.source();
    let polled = source.poll(&sim.ctx(None)).await.expect("polls");
    let cpu = titled(&polled.entries, "DBHighCPU")
        .first()
        .copied()
        .expect("DBHighCPU fires at 22:30")
        .clone();
    let fingerprint = cpu.details["fingerprint"].as_str().expect("fingerprint");
    let ctx = ActionContext {
        now: sim.world_now(),
        me: Some(ME.into()),
    };
    let request = ActionRequest {
        kind: ActionKind::GrafanaSilence,
        target: fingerprint.into(),
        params: [("comment".to_string(), "index being built".to_string())].into(),
    };
    let plan = source.plan_action(&request, &ctx).await.expect("plans");
    assert!(
        plan.summary.contains("on Grafana grafana"),
        "{}",
        plan.summary
    );
    assert!(
        plan.details.iter().any(|d| d.contains("DBHighCPU")),
        "{plan:#?}"
    );
    let done = source
        .execute_action(&request, &ctx)
        .await
        .expect("silences");
    assert!(done.contains("grafana.expire_silence"), "{done}");
    let silence_id = done
        .split_whitespace()
        .last()
        .expect("the id closes the message")
        .to_string();

    let after = source
        .poll(&sim.ctx(polled.cursor.clone()))
        .await
        .expect("polls");
    let cpu = titled(&after.entries, "DBHighCPU");
    assert_eq!(
        cpu[0].details["state"], "suppressed",
        "{:#?}",
        cpu[0].details
    );

    let expire = ActionRequest {
        kind: ActionKind::GrafanaExpireSilence,
        target: silence_id.clone(),
        params: Default::default(),
    };
    let done = source.execute_action(&expire, &ctx).await.expect("expires");
    assert!(done.contains(&silence_id), "{done}");
    let last = source
        .poll(&sim.ctx(after.cursor.clone()))
        .await
        .expect("polls");
    assert_eq!(
        titled(&last.entries, "DBHighCPU")[0].details["state"],
        "active"
    );
    sim.finish().await;
}

#[tokio::test]
async fn what_fired_and_resolved_during_a_gap_comes_from_grafanas_state_history() {
    let sim = shared_day_at("22:00").await;
    let source = sim.source();
    let before = source.poll(&sim.ctx(None)).await.expect("polls at 22:00");
    assert!(titled(&before.entries, "DBHighCPU").is_empty());
    // The laptop sleeps through DBHighCPU (22:24–23:41).
    sim.move_to("23:50");
    let after = source
        .poll(&sim.ctx(before.cursor.clone()))
        .await
        .expect("polls at 23:50");
    let cpu = titled(&after.entries, "DBHighCPU");
    assert_eq!(cpu.len(), 1, "{:#?}", after.entries);
    let e = cpu[0];
    assert_eq!(e.source, SourceKind::Grafana);
    assert_eq!(e.kind, EntryKind::Alert);
    assert_eq!(e.status, Some(Status::Resolved));
    assert_eq!(e.severity, Severity::Critical);
    assert_eq!(e.service.as_deref(), Some("orders-db"));
    let day = |h, m| {
        NaiveDate::from_ymd_opt(2026, 5, 4)
            .expect("date")
            .and_hms_opt(h, m, 0)
            .expect("time")
            .and_utc()
    };
    assert_eq!(e.started_at, day(22, 24));
    assert_eq!(e.ended_at, Some(day(23, 41)));
    assert!(
        e.details["backfilled_from"]
            .as_str()
            .is_some_and(|s| s.contains("state history")),
        "{}",
        e.details
    );
    // No gap the next time: nothing more.
    let again = source
        .poll(&sim.ctx(after.cursor.clone()))
        .await
        .expect("polls");
    assert!(titled(&again.entries, "DBHighCPU").is_empty());
    sim.finish().await;
}
