//! The whole way from a real rule: Debian's Prometheus evaluates an alerting rule and sends it
//! to Debian's Alertmanager, and the source puts it on the timeline with what the rule said.

use std::time::{Duration, Instant};

use opsdeck_domain::{EntryKind, NewEntry, Severity, Status};
use opsdeck_testkit::Prometheus;
use serde_json::json;

use crate::harness::{Harness, Poller};

const RULES: &str = r#"groups:
  - name: checkout
    interval: 1s
    rules:
      - alert: CheckoutErrorsHigh
        expr: vector(1)
        labels:
          service: payments-api
          severity: critical
        annotations:
          summary: "5xx above 5% on /v1/checkout"
          runbook_url: "https://runbooks.example.test/checkout"
"#;

#[tokio::test]
async fn a_rule_that_fires_in_prometheus_reaches_the_timeline() {
    let h = Harness::start().await;
    let config = format!(
        "global:\n  evaluation_interval: 1s\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [\"127.0.0.1:{}\"]\n",
        h.am.port()
    );
    let prometheus =
        tokio::task::spawn_blocking(move || Prometheus::start(&config, &[("checkout.yml", RULES)]))
            .await
            .expect("joins")
            .unwrap_or_else(|e| panic!("{e}"));

    let source = h.source("alertmanager");
    let mut poller = Poller::new(&source);
    // Prometheus sends it after its first evaluations (seconds with a 1 s resend delay).
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen: Vec<NewEntry> = Vec::new();
    while !seen
        .iter()
        .any(|e| e.title.starts_with("CheckoutErrorsHigh"))
    {
        assert!(
            Instant::now() < deadline,
            "the rule's alert never reached the timeline; Prometheus said:\n{}",
            prometheus.stderr()
        );
        seen.extend(poller.poll().await);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let e = seen
        .iter()
        .find(|e| e.title.starts_with("CheckoutErrorsHigh"))
        .expect("found");
    assert_eq!(e.title, "CheckoutErrorsHigh: 5xx above 5% on /v1/checkout");
    assert_eq!(e.kind, EntryKind::Alert);
    assert_eq!(e.status, Some(Status::Firing));
    assert_eq!(e.severity, Severity::Critical);
    assert_eq!(e.service.as_deref(), Some("payments-api"));
    assert_eq!(
        e.details["labels"]["alertname"],
        json!("CheckoutErrorsHigh")
    );
    assert_eq!(
        e.details["annotations"]["runbook_url"],
        json!("https://runbooks.example.test/checkout")
    );
    // Prometheus links back to the rule's expression in its own UI.
    let url = e.url.as_deref().expect("a generator URL");
    assert!(
        url.starts_with(&format!("{}/graph?", prometheus.url())),
        "{url}"
    );
    // Alertmanager's fingerprint is Prometheus' fingerprint of the labels it was sent.
    let labels = e.details["labels"]
        .as_object()
        .expect("labels")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_string()))
        .collect();
    assert_eq!(
        e.details["fingerprint"],
        json!(opsdeck_domain::matchers::fingerprint(&labels))
    );
    h.check_contract();
}
