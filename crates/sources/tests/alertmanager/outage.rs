//! Alertmanager goes away and comes back on the same port: the poll in between fails saying
//! what it could not reach (never the token), and the next one carries on from the cursor
//! without storing anything twice.

use std::collections::BTreeSet;

use chrono::Duration;
use opsdeck_domain::Status;
use opsdeck_sources::SourceError;
use serde_json::json;

use crate::harness::{now, Harness, Poller, TOKEN};

#[tokio::test]
async fn a_stopped_alertmanager_is_a_clear_error_and_a_restart_recovers() {
    let mut h = Harness::start().await;
    let source = h.direct_source("am-eu");
    let mut poller = Poller::new(&source);
    let alert = json!([{
        "labels": {"alertname": "HighLatency", "severity": "critical"},
        "annotations": {"summary": "p99 above 2s"},
        "startsAt": (now() - Duration::minutes(10)).to_rfc3339(),
    }]);
    h.post_alerts(alert.clone()).await;
    let first = poller.poll().await;
    assert_eq!(first.len(), 1);
    let cursor_before = poller.cursor.clone();

    h.am.stop();
    let err = poller
        .poll_at(now())
        .await
        .expect_err("nothing listens on the port");
    assert!(matches!(err, SourceError::Connect { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("cannot reach Alertmanager at http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.to_lowercase().contains("connection refused"), "{text}");
    assert!(!text.contains(TOKEN), "the token must never show: {text}");
    assert!(
        !format!("{err:?}").contains(TOKEN),
        "not even in Debug: {err:?}"
    );
    assert_eq!(
        poller.cursor, cursor_before,
        "a failed poll keeps the cursor"
    );

    h.am.restart().unwrap_or_else(|e| panic!("{e}"));
    // Alertmanager keeps alerts in memory only: Prometheus sends them again, unchanged.
    h.post_alerts(alert).await;
    let after = poller.poll().await;
    assert!(after.is_empty(), "nothing new, nothing twice: {after:?}");

    // And it goes on working: a resolution is still seen, once.
    let mut ids = BTreeSet::new();
    ids.extend(first.iter().map(|e| e.external_id.clone()));
    let mut resolved = json!([{
        "labels": {"alertname": "HighLatency", "severity": "critical"},
        "annotations": {"summary": "p99 above 2s"},
        "startsAt": first[0].started_at.to_rfc3339(),
        "endsAt": (now() - Duration::seconds(1)).to_rfc3339(),
    }]);
    h.post_alerts(resolved.take()).await;
    let last = poller.poll().await;
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].status, Some(Status::Resolved));
    ids.extend(last.iter().map(|e| e.external_id.clone()));
    assert_eq!(ids.len(), 1, "one occurrence throughout: {ids:?}");
}
