//! "What changed?" through the Cockpit: the page synced from the simulator, changes stored
//! beside it, ranked from the real cache.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use opsdeck_domain::{EntryKind, NewEntry, ServiceMatch, Severity, SourceKind, Status};
use opsdeck_store::Store;
use serde_json::json;

use crate::harness::{at, config_for, day, pagerduty_source, sim, sync_ok, Home, Recorder};

fn change(
    external_id: &str,
    source: SourceKind,
    kind: EntryKind,
    service: Option<&str>,
    started_at: DateTime<Utc>,
) -> NewEntry {
    NewEntry {
        source,
        kind,
        severity: Severity::Info,
        status: None,
        title: format!("{kind} {external_id}"),
        service: service.map(str::to_string),
        url: None,
        started_at,
        ended_at: None,
        external_id: external_id.into(),
        details: json!({}),
        raw: json!({}),
    }
}

#[tokio::test]
async fn the_changes_before_a_page_ranked_from_the_cache() {
    let running = sim("06:00", 0.0).await;
    let url = running.url("pagerduty").expect("pagerduty url").to_string();
    let config = config_for(
        &running,
        vec![pagerduty_source("pagerduty", &url, Duration::from_secs(5))],
    );
    let home = Home::new();
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    sync_ok(&cockpit).await;
    let page = day(&cockpit)
        .into_iter()
        .find(|e| e.external_id == "Q0PAY0001")
        .expect("the 05:47 page is cached");

    // Changes from sources still to come, stored as their sync would.
    let mut store = Store::open(home.db()).expect("the same cache opens");
    let mut cordon = change(
        "node-1",
        SourceKind::Kubernetes,
        EntryKind::Node,
        None,
        at(5, 44),
    );
    cordon.status = Some(Status::Cordoned);
    store
        .upsert_entries(&[
            change(
                "deploy-1",
                SourceKind::Github,
                EntryKind::Deployment,
                Some("payments-api"),
                at(5, 20),
            ),
            change(
                "scale-1",
                SourceKind::Kubernetes,
                EntryKind::Scale,
                Some("orders-db"),
                at(5, 46),
            ),
            cordon,
            change(
                "old-deploy",
                SourceKind::Github,
                EntryKind::Deployment,
                Some("payments-api"),
                at(4, 40),
            ),
            change(
                "later",
                SourceKind::Github,
                EntryKind::Deployment,
                Some("payments-api"),
                at(5, 50),
            ),
        ])
        .expect("changes stored");

    let suspects = cockpit
        .suspects(&page.id)
        .expect("reads")
        .expect("the page exists");
    let found: Vec<(&str, ServiceMatch)> = suspects
        .iter()
        .map(|s| (s.entry.external_id.as_str(), s.service))
        .collect();
    assert_eq!(
        found,
        [
            ("deploy-1", ServiceMatch::Same),
            ("node-1", ServiceMatch::Unknown),
            ("scale-1", ServiceMatch::Other),
        ]
    );
    assert_eq!(suspects[0].seconds_before, 27 * 60);
    assert_eq!(
        suspects[0].reason,
        "deploy on payments-api, 27 min before (same service)"
    );
    assert_eq!(cockpit.suspects("no-such-entry").expect("reads"), None);
    running.stop().await;
}
