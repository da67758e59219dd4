//! Alerts posted to the real Alertmanager as Prometheus posts them, through the source onto
//! the timeline: firing, unchanged, resolved (explicitly or by timing out), each exactly once.

use chrono::Duration;
use opsdeck_domain::{EntryKind, Severity, SourceKind, Status};
use serde_json::json;

use crate::harness::{entry, fingerprint_of, now, Harness, Poller};

fn latency(starts: &str) -> serde_json::Value {
    json!({
        "labels": {"alertname": "HighLatency", "severity": "critical", "service": "payments-api",
                   "instance": "api-1:9100"},
        "annotations": {"summary": "p99 latency above 2s",
                        "runbook_url": "https://runbooks.example.test/api-latency"},
        "generatorURL": "http://prometheus.example.test:9090/graph?g0.expr=latency",
        "startsAt": starts
    })
}

#[tokio::test]
async fn a_posted_alert_is_a_firing_entry_and_resolves_once() {
    let h = Harness::start().await;
    let source = h.source("am-eu");
    let mut poller = Poller::new(&source);
    let started = now() - Duration::minutes(10);
    h.post_alerts(json!([latency(&started.to_rfc3339())])).await;

    let entries = poller.poll().await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let fingerprint = fingerprint_of(&entries, "HighLatency");
    let id = format!("{fingerprint}@{}", started.format("%Y-%m-%dT%H:%M:%SZ"));
    let e = entry(&entries, &id);
    assert_eq!(
        (e.source, e.kind),
        (SourceKind::Alertmanager, EntryKind::Alert)
    );
    assert_eq!(
        (e.severity, e.status),
        (Severity::Critical, Some(Status::Firing))
    );
    assert_eq!(e.title, "HighLatency: p99 latency above 2s");
    assert_eq!(e.service.as_deref(), Some("payments-api"));
    assert_eq!(
        e.url.as_deref(),
        Some("http://prometheus.example.test:9090/graph?g0.expr=latency")
    );
    assert_eq!((e.started_at, e.ended_at), (started, None));
    let d = &e.details;
    assert_eq!(d["alertmanager"], json!("am-eu"));
    assert_eq!(d["state"], json!("active"));
    assert_eq!(d["labels"]["instance"], json!("api-1:9100"));
    assert_eq!(
        d["annotations"],
        json!({"summary": "p99 latency above 2s",
               "runbook_url": "https://runbooks.example.test/api-latency"})
    );
    assert_eq!(d["receivers"], json!(["opsdeck-test"]));
    assert_eq!(d["silenced_by"], json!([]));
    assert_eq!(e.raw["fingerprint"], json!(fingerprint));

    // Nothing changed: nothing to store.
    assert!(poller.poll().await.is_empty());
    // Prometheus resends it (a new endsAt, nothing else): still nothing.
    h.post_alerts(json!([latency(&started.to_rfc3339())])).await;
    assert!(poller.poll().await.is_empty());

    // Resolved, as Prometheus says it: the same alert with endsAt now. Alertmanager stops
    // listing it; its last endsAt was still ahead, so it ends at this poll.
    let mut resolved = latency(&started.to_rfc3339());
    resolved["endsAt"] = json!((now() - Duration::seconds(1)).to_rfc3339());
    h.post_alerts(json!([resolved])).await;
    let at = now();
    let entries = poller.poll_at(at).await.expect("poll");
    let e = entry(&entries, &id);
    assert_eq!(e.status, Some(Status::Resolved));
    assert_eq!(e.ended_at, Some(at));
    assert_eq!(e.started_at, started);
    assert_eq!(e.title, "HighLatency: p99 latency above 2s");
    assert_eq!(e.details["labels"]["instance"], json!("api-1:9100"));
    assert_eq!(
        e.details["annotations"]["runbook_url"],
        json!("https://runbooks.example.test/api-latency")
    );
    assert_eq!(entries.len(), 1);
    // Once.
    assert!(poller.poll().await.is_empty());
    h.check_contract();
}

#[tokio::test]
async fn an_alert_nobody_renews_ends_at_its_own_end() {
    let h = Harness::start().await;
    let source = h.source("am");
    let mut poller = Poller::new(&source);
    let started = now() - Duration::minutes(1);
    // Valid for a few seconds unless resent, like an alert whose Prometheus went away.
    let ends = now() + Duration::seconds(3);
    let mut alert = latency(&started.to_rfc3339());
    alert["endsAt"] = json!(ends.to_rfc3339());
    h.post_alerts(json!([alert])).await;
    let entries = poller.poll().await;
    let fingerprint = fingerprint_of(&entries, "HighLatency");

    crate::harness::wait_until("Alertmanager drops the expired alert", || async {
        !h.lists(&fingerprint).await
    })
    .await;
    let entries = poller.poll().await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].status, Some(Status::Resolved));
    assert_eq!(entries[0].ended_at, Some(ends));
    h.check_contract();
}

#[tokio::test]
async fn an_alert_that_fires_again_is_a_new_occurrence() {
    let h = Harness::start().await;
    let source = h.source("am");
    let mut poller = Poller::new(&source);
    let first = now() - Duration::minutes(30);
    h.post_alerts(json!([latency(&first.to_rfc3339())])).await;
    let entries = poller.poll().await;
    let fingerprint = fingerprint_of(&entries, "HighLatency");

    let mut resolved = latency(&first.to_rfc3339());
    resolved["endsAt"] = json!((now() - Duration::minutes(20)).to_rfc3339());
    h.post_alerts(json!([resolved])).await;
    let second = now() - Duration::minutes(5);
    h.post_alerts(json!([latency(&second.to_rfc3339())])).await;

    let entries = poller.poll().await;
    let at = |t: chrono::DateTime<chrono::Utc>| {
        format!("{fingerprint}@{}", t.format("%Y-%m-%dT%H:%M:%SZ"))
    };
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entry(&entries, &at(second)).status, Some(Status::Firing));
    let old = entry(&entries, &at(first));
    assert_eq!(old.status, Some(Status::Resolved));
    // It had ended by the time it fired again.
    assert_eq!(old.ended_at, Some(second));
    h.check_contract();
}

#[tokio::test]
async fn several_alertmanagers_are_separate_sources() {
    let (eu, us) = (Harness::start().await, Harness::start().await);
    let (eu_source, us_source) = (eu.source("am-eu"), us.source("am-us"));
    let started = now() - Duration::minutes(3);
    let mut a = latency(&started.to_rfc3339());
    a["labels"]["cluster"] = json!("eu-1");
    eu.post_alerts(json!([a])).await;
    let mut b = latency(&started.to_rfc3339());
    b["labels"]["cluster"] = json!("us-1");
    b["labels"]["alertname"] = json!("DiskFull");
    us.post_alerts(json!([b])).await;

    let (mut eu_poller, mut us_poller) = (Poller::new(&eu_source), Poller::new(&us_source));
    let from_eu = eu_poller.poll().await;
    let from_us = us_poller.poll().await;
    assert_eq!(from_eu.len(), 1);
    assert_eq!(from_us.len(), 1);
    assert_eq!(from_eu[0].details["alertmanager"], json!("am-eu"));
    assert_eq!(from_us[0].details["alertmanager"], json!("am-us"));
    assert_eq!(from_us[0].details["labels"]["cluster"], json!("us-1"));
    assert_ne!(from_eu[0].external_id, from_us[0].external_id);
    eu.check_contract();
    us.check_contract();
}

#[tokio::test]
async fn a_proxy_token_goes_out_as_a_bearer_token_and_only_when_configured() {
    let h = Harness::start().await;
    let with = h.source_with_token("am-behind-proxy");
    Poller::new(&with).poll().await;
    let sent: Vec<Option<String>> = h.exchanges().into_iter().map(|x| x.authorization).collect();
    assert_eq!(sent.len(), 2, "alerts and silences");
    assert!(
        sent.iter()
            .all(|a| a.as_deref() == Some(&format!("Bearer {}", crate::harness::TOKEN)[..])),
        "{sent:?}"
    );

    let h = Harness::start().await;
    let without = h.source("am");
    Poller::new(&without).poll().await;
    assert!(h.exchanges().iter().all(|x| x.authorization.is_none()));
    h.check_contract();
}
