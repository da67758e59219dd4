//! Vendor text is data: markup, bidirectional controls, emoji, very long values and very many
//! labels go through Alertmanager and the source unchanged — escaping is the UI's job, and it
//! can only do it right if nothing was altered on the way.

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{json, Value};

use crate::harness::{now, Harness, Poller};

#[tokio::test]
async fn hostile_label_values_round_trip_unchanged() {
    let h = Harness::start().await;
    let source = h.source("am");
    let long = "x".repeat(4_999) + "🔥";
    let labels = json!({
        "alertname": "<img src=x onerror=\"alert(1)\">",
        "severity": "critical",
        "service": "pay\u{202E}ments\u{2066}-api\u{2069}",
        "emoji": "🔥🚨 über ✓",
        "long": long,
        "quotes": "say \"hi\", \\ now\nnext line",
    });
    let annotations = json!({
        "summary": "<script>alert('x')</script> & </div>",
        "description": "\u{200B}hidden\u{FEFF} zero-width",
        "runbook_url": "javascript:alert(1)",
    });
    h.post_alerts(json!([{
        "labels": labels,
        "annotations": annotations,
        "generatorURL": "javascript:alert(document.cookie)",
        "startsAt": (now() - Duration::minutes(1)).to_rfc3339(),
    }]))
    .await;

    let entries = Poller::new(&source).poll().await;
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.details["labels"], labels);
    assert_eq!(e.details["annotations"], annotations);
    assert_eq!(
        e.details["labels"]["long"]
            .as_str()
            .map(|s| s.chars().count()),
        Some(5_000)
    );
    assert_eq!(
        e.title,
        "<img src=x onerror=\"alert(1)\">: <script>alert('x')</script> & </div>"
    );
    assert_eq!(
        e.service.as_deref(),
        Some("pay\u{202E}ments\u{2066}-api\u{2069}")
    );
    // Kept as data, never offered as a link.
    assert_eq!(e.url, None);
    assert_eq!(
        e.details["generator_url"],
        json!("javascript:alert(document.cookie)")
    );
    h.check_contract();
}

#[tokio::test]
async fn a_huge_label_set_round_trips_unchanged() {
    let h = Harness::start().await;
    let source = h.source("am");
    let mut labels: BTreeMap<String, String> = (0..500)
        .map(|i| {
            (
                format!("label_{i:03}"),
                format!("value {i} {}", "y".repeat(200)),
            )
        })
        .collect();
    labels.insert("alertname".into(), "ManyLabels".into());
    let labels = serde_json::to_value(&labels).expect("labels");
    h.post_alerts(json!([{
        "labels": labels,
        "annotations": {"summary": "five hundred labels"},
        "startsAt": (now() - Duration::minutes(1)).to_rfc3339(),
    }]))
    .await;
    let mut poller = Poller::new(&source);
    let entries = poller.poll().await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].details["labels"], labels);
    assert_eq!(
        entries[0].details["labels"]
            .as_object()
            .map(serde_json::Map::len),
        Some(501)
    );
    // The cursor holds it, and the next poll finds nothing new.
    assert!(poller
        .cursor
        .as_deref()
        .is_some_and(|c| c.contains("label_499")));
    assert!(poller.poll().await.is_empty());
    let _: &Value = &entries[0].raw;
    h.check_contract();
}
