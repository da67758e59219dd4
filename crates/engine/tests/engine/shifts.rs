//! The shift of the replayed day, its handoff report checked figure by figure, and the
//! postmortem timeline of one of its incidents. The day is synced at checkpoints (a frozen
//! simulator restarted at each, on the same cache), the way a laptop that sleeps between
//! looks sees it.

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Span;
use opsdeck_domain::{ActionKind, ActionResult, OpenItemKind, ShiftOrigin, SourceKind};
use opsdeck_engine::config::SourceConfig;
use opsdeck_engine::{Cockpit, ShiftError};
use opsdeck_sim::run::RunningSim;

use crate::harness::{
    at, config_for, day, pagerduty_source, request, sim, sync_ok, Home, Recorder,
};

fn next_day(h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
    at(h, m) + Span::days(1)
}

async fn checkpoint(home: &Home, time: &str) -> (RunningSim, Cockpit) {
    let running = sim(time, 0.0).await;
    let url = |v: &str| {
        running
            .url(v)
            .unwrap_or_else(|| panic!("{v} url"))
            .to_string()
    };
    let mut pd = pagerduty_source("pagerduty", &url("pagerduty"), Duration::from_secs(5));
    // The shift began 28 hours before its end: reach back far enough to see all of it.
    pd.backfill = Duration::from_secs(48 * 3600);
    let mut am = SourceConfig::new(SourceKind::Alertmanager, &url("alertmanager"));
    am.name = Some("alertmanager".into());
    let mut grafana = SourceConfig::new(SourceKind::Grafana, &url("grafana"));
    grafana.name = Some("grafana".into());
    grafana.token = Some("sim-token".into());
    let mut github = SourceConfig::new(SourceKind::Github, &url("github"));
    github.token = Some("sim-token".into());
    github.repos = vec!["acme/payments-api".into(), "acme/user-dashboard".into()];
    github.backfill = Duration::from_secs(48 * 3600);
    let config = config_for(&running, vec![pd, am, grafana, github]);
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    sync_ok(&cockpit).await;
    (running, cockpit)
}

#[tokio::test]
async fn the_days_handoff_figures_exactly() {
    let home = Home::new();
    for time in ["06:00", "11:45", "14:50"] {
        let (running, cockpit) = checkpoint(&home, time).await;
        cockpit.shutdown().await;
        running.stop().await;
    }
    // 22:40: the database page is open; a 24-hour silence on its alert outlives the shift.
    let (running, cockpit) = checkpoint(&home, "22:40").await;
    let cpu = day(&cockpit)
        .into_iter()
        .find(|e| e.title.starts_with("DBHighCPU") && e.ended_at.is_none())
        .expect("DBHighCPU fires at 22:40");
    let plan = cockpit
        .plan_action(request(
            ActionKind::GrafanaSilence,
            cpu.details["fingerprint"].as_str().expect("fingerprint"),
            &[("comment", "index build running"), ("duration", "24h")],
        ))
        .await
        .expect("plans");
    let done = cockpit
        .confirm_action(&plan.token, None)
        .await
        .expect("confirms");
    assert_eq!(done.result, ActionResult::Succeeded, "{}", done.message);
    sync_ok(&cockpit).await;
    let during = cockpit.handoff(None).expect("the shift in progress");
    assert!(during.in_progress);
    assert_eq!(during.as_of, at(22, 40));
    let open: Vec<&str> = during
        .open_items
        .iter()
        .filter(|i| i.kind == OpenItemKind::Incident)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(open, ["Q0DB00003"], "{:#?}", during.open_items);
    let read = cockpit.morning_read().expect("reads");
    let firing: Vec<&str> = read.firing.iter().map(|a| a.title.as_str()).collect();
    assert!(
        firing.iter().any(|t| t.starts_with("DBHighCPU")),
        "{firing:?}"
    );
    assert!(!read.handoff_due, "ten hours before the shift ends");
    cockpit.shutdown().await;
    running.stop().await;

    let (running, cockpit) = checkpoint(&home, "+1 09:30").await;
    let shifts = cockpit.shifts(10).expect("reads");
    assert_eq!(shifts.len(), 1, "{shifts:#?}");
    let shift = &shifts[0];
    assert_eq!(shift.origin, ShiftOrigin::Schedule);
    assert_eq!(shift.schedule.as_deref(), Some("Payments Primary"));
    assert_eq!((shift.start, shift.end), (at(5, 0), Some(next_day(9, 0))));

    // The default shift after it ended is the last one.
    let r = cockpit.handoff(None).expect("report");
    assert_eq!(r.shift.id, shift.id);
    assert!(!r.in_progress);
    assert_eq!(r.as_of, next_day(9, 0));
    let pages: Vec<(&str, Option<i64>, Option<i64>, bool)> = r
        .pages
        .iter()
        .map(|p| {
            (
                p.id.as_str(),
                p.time_to_acknowledge_s,
                p.time_to_resolve_s,
                p.out_of_hours,
            )
        })
        .collect();
    assert_eq!(
        pages,
        [
            ("Q0PAY0001", Some(5 * 60), Some(3 * 3600 + 5 * 60), true),
            ("Q0SEC0002", Some(3 * 60), Some(55 * 60), false),
            ("Q0DB00003", Some(8 * 60), Some(3600 + 28 * 60), true),
        ]
    );
    let f = &r.figures;
    assert_eq!(
        (f.pages, f.high_urgency, f.low_urgency, f.out_of_hours),
        (3, 3, 0, 2)
    );
    assert_eq!(f.median_time_to_acknowledge_s, Some(300));
    assert_eq!(f.median_time_to_resolve_s, Some(88 * 60));
    assert_eq!(r.pages[0].acknowledged_at, Some(at(5, 52)));
    assert_eq!(r.pages[0].resolved_at, Some(at(8, 52)));

    // Five alert rules fired once each; only the query-rate alert on orders-db paged no one.
    assert_eq!(r.alerts.fired, 5, "{:#?}", r.alerts);
    let noisy: Vec<(&str, u32)> = r
        .alerts
        .noisiest
        .iter()
        .map(|n| (n.name.as_str(), n.fired))
        .collect();
    assert_eq!(noisy, [("DBQueryRateHigh", 1)]);

    // Still open at 09:00: the failed CI on payments-api's main and the silence set at 22:40.
    let open: Vec<(OpenItemKind, &str)> = r
        .open_items
        .iter()
        .map(|i| (i.kind, i.id.as_str()))
        .collect();
    assert_eq!(open.len(), 2, "{:#?}", r.open_items);
    assert_eq!(open[1], (OpenItemKind::CiFailure, "9011"));
    assert_eq!(open[0].0, OpenItemKind::Silence);
    assert_eq!(r.open_items[0].until, Some(at(22, 40) + Span::hours(24)));

    assert_eq!(r.actions.len(), 1, "{:#?}", r.actions);
    assert_eq!(r.actions[0].outcome, "succeeded");
    let resolve_notes: Vec<&str> = r
        .notes
        .iter()
        .filter(|n| n.source == "pagerduty")
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(
        resolve_notes,
        [
            "Async payment calls deployed in 1.41.1; scaled to 6 replicas as a stop-gap.",
            "Credentials rotated; secret scanning to be added to CI.",
            "Index created; batch job restarted and finished in 20 minutes.",
        ]
    );

    // What the engineer writes is kept, tidied to one line, and shows in the Markdown.
    let edited = cockpit
        .edit_handoff(
            &shift.id,
            Some("  Quiet night\nafter the index fix "),
            &["Watch orders-db CPU at the 22:00 batch".into(), "  ".into()],
        )
        .expect("saves");
    assert_eq!(
        edited.summary.as_deref(),
        Some("Quiet night after the index fix")
    );
    assert_eq!(
        edited.watch_next,
        ["Watch orders-db CPU at the 22:00 batch"]
    );
    let md = cockpit.handoff_markdown(&edited);
    assert!(md.contains("> Quiet night after the index fix"), "{md}");
    assert!(
        md.contains("- Median time to acknowledge: 5m 0s; to resolve: 1h 28m"),
        "{md}"
    );
    assert!(md.contains("| failed CI |"), "{md}");
    let too_long = "x".repeat(501);
    let refused = cockpit
        .edit_handoff(&shift.id, Some(&too_long), &[])
        .expect_err("a summary is one line");
    assert!(refused.to_string().contains("501 characters"), "{refused}");
    assert!(matches!(
        cockpit.handoff(Some("s-nope")),
        Err(ShiftError::UnknownShift(_))
    ));

    // The postmortem timeline of the first page, in Berlin time.
    let pm = cockpit
        .postmortem("Q0PAY0001", Some(chrono_tz::Europe::Berlin))
        .expect("timeline");
    assert!(pm.starts_with("# Postmortem timeline: Q0PAY0001 "), "{pm}");
    assert!(pm.contains("times in Europe/Berlin (UTC+02:00)"), "{pm}");
    // 05:30 UTC is 07:30 in Berlin (summer time).
    assert!(
        pm.contains("- **07:30:00** alert: fired: APIResponseTimeCritical"),
        "{pm}"
    );
    assert!(
        pm.contains("- **07:47:00** page: triggered: Q0PAY0001"),
        "{pm}"
    );
    assert!(
        pm.contains("note: Async payment calls deployed in 1.41.1"),
        "{pm}"
    );
    assert!(matches!(
        cockpit.postmortem("Q0NOPE", None),
        Err(ShiftError::UnknownIncident(_))
    ));

    // The morning read at 09:30: the first look covers the last 12 hours.
    let read = cockpit.morning_read().expect("reads");
    assert!(!read.looked_before);
    assert_eq!(read.since, next_day(9, 30) - Span::hours(12));
    let paged: Vec<&str> = read.paged.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(paged, ["Q0DB00003"]);
    assert!(read.open_pages.is_empty(), "{:#?}", read.open_pages);
    assert!(read.firing.is_empty(), "{:#?}", read.firing);
    let failed: Vec<&str> = read.ci_failures.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(failed, ["9011"]);
    assert_eq!(read.sources.len(), 4);
    assert_eq!(
        read.shift.as_ref().map(|s| s.id.as_str()),
        Some(shift.id.as_str())
    );
    assert!(!read.handoff_due, "the shift has ended");
    cockpit.mark_morning_read().expect("marks");
    let again = cockpit.morning_read().expect("reads");
    assert!(again.looked_before);
    assert_eq!(again.since, next_day(9, 30));
    assert!(again.paged.is_empty());
    cockpit.shutdown().await;
    running.stop().await;
}

#[tokio::test]
async fn a_shift_started_by_hand() {
    let home = Home::new();
    let running = sim("10:00", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let config = config_for(
        &running,
        vec![pagerduty_source("pagerduty", &url, Duration::from_secs(5))],
    );
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    // Nothing synced yet: no schedule known, so no shift.
    assert!(matches!(cockpit.handoff(None), Err(ShiftError::NoShift)));
    let started = cockpit.start_shift().expect("starts");
    assert_eq!(started.origin, ShiftOrigin::Manual);
    assert_eq!(started.start, at(10, 0));
    assert!(matches!(
        cockpit.start_shift(),
        Err(ShiftError::AlreadyRunning(_))
    ));
    let report = cockpit.handoff(None).expect("the running shift");
    assert_eq!(report.shift.id, started.id);
    assert!(report.in_progress);
    let stopped = cockpit.stop_shift().expect("stops");
    assert_eq!(stopped.id, started.id);
    assert!(stopped.end.is_some());
    assert!(matches!(cockpit.stop_shift(), Err(ShiftError::NoneRunning)));
    cockpit.shutdown().await;
    running.stop().await;
}
