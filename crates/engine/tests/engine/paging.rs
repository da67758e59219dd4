//! The notification policy through the engine: the whole life of a page (trigger →
//! notification → reminders → acknowledged from opsdeck → reminders stop → resolved), a
//! restart in the middle, a batch after a gap, and the self-alarm when PagerDuty fails while I
//! am on call.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use opsdeck_domain::{ActionKind, ActionRequest, ActionResult, NotifyUrgency, Status};
use opsdeck_engine::{Cockpit, Config};
use opsdeck_sim::pagerduty::{Fault, PathMatch};
use opsdeck_sim::run::{start, SimOptions};
use opsdeck_sim::scenario::parse_str;

use crate::harness::{
    config_for, date, day, pagerduty_source, sim, sync_ok, Home, Recorder, SOURCE,
};

const TIMEOUT: Duration = Duration::from_secs(5);
const ME: &str = "sam.okafor@example.test";

fn request(kind: ActionKind) -> ActionRequest {
    ActionRequest {
        kind,
        target: "Q0PAY0001".into(),
        params: BTreeMap::new(),
    }
}

/// Calls the reminder check until `recorder` holds `count` notifications; fails after 10 s.
async fn until_shown(cockpit: &Cockpit, recorder: &Recorder, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while recorder.keys().len() < count {
        assert!(
            Instant::now() < deadline,
            "only {:?} shown, wanted {count}",
            recorder.keys()
        );
        cockpit.notify_due().await.expect("paging runs");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_page_rings_reminds_until_acknowledged_and_survives_a_restart() {
    // 05:48: Q0PAY0001 (high urgency, mine) was triggered at 05:47.
    let running = sim("05:48", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let mut config = config_for(&running, vec![pagerduty_source(SOURCE, &url, TIMEOUT)]);
    config.me = Some(ME.into());
    config.notifications.remind_every = Duration::from_millis(300);
    let home = Home::new();
    let recorder = Arc::new(Recorder::default());
    let cockpit = home.open(&config, recorder.clone());

    sync_ok(&cockpit).await;
    let first = recorder.all();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].key, "page:Q0PAY0001:triggered");
    assert_eq!(first[0].urgency, NotifyUrgency::Critical);
    assert!(first[0].sound);

    // Still triggered: reminders, each with its own count.
    until_shown(&cockpit, &recorder, 2).await;
    assert_eq!(recorder.keys()[1], "page:Q0PAY0001:reminder:1");
    assert!(recorder.all()[1]
        .summary
        .starts_with("Still unacknowledged"));
    drop(cockpit);

    // A restart: nothing shown again, and the count goes on where it was.
    let after_restart = Arc::new(Recorder::default());
    let cockpit = home.open(&config, after_restart.clone());
    sync_ok(&cockpit).await;
    assert!(
        !after_restart
            .keys()
            .iter()
            .any(|k| k.ends_with(":triggered") || k.ends_with(":reminder:1")),
        "{:?}",
        after_restart.keys()
    );
    until_shown(&cockpit, &after_restart, 1).await;
    assert_eq!(after_restart.keys()[0], "page:Q0PAY0001:reminder:2");

    // Acknowledged from opsdeck: the reminders stop.
    let plan = cockpit
        .plan_action(request(ActionKind::PagerdutyAcknowledge))
        .await
        .expect("plan");
    let outcome = cockpit
        .confirm_action(&plan.token, None)
        .await
        .expect("confirm");
    assert_eq!(outcome.result, ActionResult::Succeeded);
    let shown = after_restart.keys().len();
    // Long enough for several reminders, had the page still been triggered.
    let quiet_until = Instant::now() + Duration::from_millis(1200);
    while Instant::now() < quiet_until {
        cockpit.notify_due().await.expect("paging runs");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        after_restart.keys().len(),
        shown,
        "{:?}",
        after_restart.keys()
    );

    // Resolved from opsdeck too.
    let plan = cockpit
        .plan_action(request(ActionKind::PagerdutyResolve))
        .await
        .expect("plan");
    cockpit
        .confirm_action(&plan.token, None)
        .await
        .expect("confirm");
    let page = day(&cockpit)
        .into_iter()
        .find(|e| e.external_id == "Q0PAY0001")
        .expect("page");
    assert_eq!(page.status, Some(Status::Resolved));
    running.stop().await;
}

const BATCH_DAY: &str = r#"
version: 1
name: batch-after-sleep
summary: Four pages while the laptop slept.
clock: {tz: UTC, day_starts: "05:00"}
me: {name: Sam Okafor, email: sam.okafor@example.test}
oncall:
  - {schedule: Payments Primary, user: me, from: "05:00", to: "+1 05:00"}
services:
  - name: payments-api
    pagerduty: {id: PPAYAPI, escalation_policy: Payments Primary}
events:
  - at: "06:00"
    page: {id: QB1, service: payments-api, title: "Checkout errors", urgency: high, assignee: me, state: triggered}
  - at: "06:01"
    page: {id: QB2, service: payments-api, title: "Slow refunds", urgency: low, assignee: me, state: triggered}
  - at: "06:02"
    page: {id: QB3, service: payments-api, title: "Card auth failing", urgency: high, assignee: me, state: triggered}
  - at: "06:03"
    page: {id: QB4, service: payments-api, title: "Disk 80%", urgency: low, assignee: me, state: triggered}
"#;

#[tokio::test]
async fn pages_found_at_once_give_one_summary_plus_each_high_urgency_page() {
    let scenario = parse_str(BATCH_DAY, "batch.yaml").expect("scenario loads");
    let at = scenario.parse_time("06:30").expect("time");
    let running = start(SimOptions {
        scenario: Arc::new(scenario),
        date: date(),
        at,
        speed: 0.0,
        port_base: None,
    })
    .await
    .expect("simulator starts");
    let url = running.url("pagerduty").expect("url").to_string();
    let mut config: Config = config_for(&running, vec![pagerduty_source(SOURCE, &url, TIMEOUT)]);
    config.notifications.remind_every = Duration::from_secs(3600);
    let home = Home::new();
    let recorder = Arc::new(Recorder::default());
    let cockpit = home.open(&config, recorder.clone());
    sync_ok(&cockpit).await;
    let shown = recorder.all();
    let keys: Vec<&str> = shown.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys[0].starts_with("batch:"), "{keys:?}");
    assert_eq!(shown[0].summary, "4 new pages (2 high urgency)");
    assert_eq!(keys[1..], ["page:QB1:triggered", "page:QB3:triggered"]);

    // Again, and after a restart: nothing twice, and the low-urgency pages do not trickle in.
    sync_ok(&cockpit).await;
    cockpit.notify_due().await.expect("paging runs");
    drop(cockpit);
    let cockpit = home.open(&config, recorder.clone());
    sync_ok(&cockpit).await;
    assert_eq!(recorder.keys().len(), 3, "{:?}", recorder.keys());
    running.stop().await;
}

#[tokio::test]
async fn a_failing_source_raises_one_alarm_while_i_am_on_call() {
    let running = sim("06:00", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let mut config = config_for(&running, vec![pagerduty_source(SOURCE, &url, TIMEOUT)]);
    // The simulated clock is frozen: any failure lasts "long enough".
    config.notifications.self_alarm_after = Duration::ZERO;
    let home = Home::new();
    let recorder = Arc::new(Recorder::default());
    let cockpit = home.open(&config, recorder.clone());
    sync_ok(&cockpit).await;
    assert!(
        cockpit.oncall().expect("reads").current.is_some(),
        "Sam is on call at 06:00"
    );
    assert_eq!(recorder.keys().len(), 0);

    running
        .pagerduty
        .faults()
        .push(PathMatch::prefix("/"), Fault::Status(503), None);
    for _ in 0..2 {
        let syncs = cockpit.sync_once().await;
        assert!(syncs[0].result.is_err());
    }
    let alarms: Vec<_> = recorder
        .all()
        .into_iter()
        .filter(|n| n.key.starts_with("alarm:pagerduty:"))
        .collect();
    assert_eq!(alarms.len(), 1, "{:?}", recorder.keys());
    assert_eq!(
        alarms[0].summary,
        "opsdeck cannot reach PagerDuty since 06:00"
    );
    assert!(alarms[0].body.contains("503"), "{}", alarms[0].body);
    assert!(!alarms[0].body.contains(crate::harness::TOKEN));
    running.stop().await;
}
