//! From a firing alert to its runbooks (and why), to a step's filled action, and the JSON the
//! shells receive.

use std::collections::BTreeMap;
use std::fs;

use opsdeck_domain::ActionKind;
use opsdeck_runbooks::{
    alert_vars, fill_step, links, match_alert, runbooks_for_service, AlertRef, FillError, Library,
    MatchReason, Runbook,
};

const API_LATENCY: &str = r#"---
title: API latency
services: [payments-api]
alerts:
  - APIResponseTimeCritical
aliases:
  - HTTPS://Wiki.Example.test/Payments/API-Latency/
tags: [latency]
---
# API latency

## Mitigate
- [ ] Acknowledge the page
- [ ] Scale {{service}} up
```opsdeck
action: kubernetes.scale
target: "{{context}}/{{namespace}}/{{service}}"
replicas: 6
```
- [ ] Look at the slow instance
  ```sh
  curl -s http://{{labels.instance}}/debug/vars
  ```
"#;

const DB: &str = r#"---
title: Database performance
services: [orders-db]
alerts:
  - 'alertname="DBQueryRateHigh", service=~"orders.*"'
  - '{alertname="DBHighCPU", severity!="info"}'
---
- [ ] Find the top queries
"#;

const POOL: &str = "---\nservices: [payments-api]\n---\n- [ ] Check the pool\n";

fn library() -> (tempfile::TempDir, Library) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("api-latency.md", API_LATENCY),
        ("db-performance.md", DB),
        ("connection-pool.md", POOL),
    ] {
        fs::write(dir.path().join(name), text).unwrap();
    }
    let lib = Library::load(&[dir.path().to_path_buf()]);
    assert!(lib.problems().is_empty(), "{:?}", lib.problems());
    (dir, lib)
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn matched<'a>(lib: &'a Library, alert: &AlertRef<'_>) -> Vec<(&'a str, Vec<MatchReason>)> {
    lib.for_alert(alert)
        .into_iter()
        .map(|m| (m.runbook.slug.as_str(), m.reasons))
        .collect()
}

#[test]
fn alerts_link_to_runbooks_with_their_reasons_best_first() {
    use MatchReason::*;
    let (_dir, lib) = library();
    let payments = labels(&[("service", "payments-api"), ("severity", "critical")]);

    // The simulator's annotation: the URL ends in the slug.
    let alert = AlertRef {
        name: "APIResponseTimeCritical",
        labels: &payments,
        runbook_url: Some("https://runbooks.example.test/api-latency"),
    };
    assert_eq!(
        matched(&lib, &alert),
        [
            ("api-latency", vec![Slug, AlertName, Service]),
            ("connection-pool", vec![Service])
        ]
    );

    // An alias, normalized: scheme and host case, trailing slash.
    let alert = AlertRef {
        name: "SomethingElse",
        labels: &payments,
        runbook_url: Some("https://wiki.example.test/Payments/API-Latency"),
    };
    let m = matched(&lib, &alert);
    // The alias's last segment is the slug as well.
    assert_eq!(m[0], ("api-latency", vec![Alias, Slug, Service]));
    // Path case matters: it is not the same page.
    let alert = AlertRef {
        runbook_url: Some("https://wiki.example.test/payments/api-latency-old"),
        ..alert
    };
    assert_eq!(matched(&lib, &alert)[0].1, [Service]);

    // Matchers, with Alertmanager's anchored regexes and != on a missing label.
    let orders = labels(&[("service", "orders-db")]);
    let alert = AlertRef {
        name: "DBQueryRateHigh",
        labels: &orders,
        runbook_url: None,
    };
    assert_eq!(
        matched(&lib, &alert),
        [("db-performance", vec![Matcher, Service])]
    );
    let alert = AlertRef {
        name: "DBHighCPU",
        labels: &orders,
        runbook_url: None,
    };
    assert_eq!(
        matched(&lib, &alert),
        [("db-performance", vec![Matcher, Service])]
    );
    let info = labels(&[("service", "ordersdb-replica"), ("severity", "info")]);
    let alert = AlertRef {
        name: "DBHighCPU",
        labels: &info,
        runbook_url: None,
    };
    assert!(matched(&lib, &alert).is_empty());
    let replica = labels(&[("service", "orders-db-replica")]);
    let alert = AlertRef {
        name: "DBQueryRateHigh",
        labels: &replica,
        runbook_url: None,
    };
    assert_eq!(matched(&lib, &alert), [("db-performance", vec![Matcher])]);
    // Anchored: "xorders-db" is not orders.*
    let anchored = labels(&[("service", "xorders-db")]);
    let alert = AlertRef {
        name: "DBQueryRateHigh",
        labels: &anchored,
        runbook_url: None,
    };
    assert!(matched(&lib, &alert).is_empty());

    // Nothing links an unrelated alert.
    let none = labels(&[("service", "web")]);
    let alert = AlertRef {
        name: "Watchdog",
        labels: &none,
        runbook_url: Some("https://x/y"),
    };
    assert!(matched(&lib, &alert).is_empty());

    // The pure functions work on any runbooks, not just a library's.
    let runbooks: Vec<&Runbook> = lib.runbooks().iter().collect();
    assert_eq!(match_alert(runbooks.iter().copied(), &alert).len(), 0);
    let for_service: Vec<&str> = runbooks_for_service(runbooks.iter().copied(), "payments-api")
        .iter()
        .map(|r| r.slug.as_str())
        .collect();
    assert_eq!(for_service, ["api-latency", "connection-pool"]);
    assert_eq!(lib.for_service("orders-db").len(), 1);
    assert!(lib.for_service("nobody").is_empty());
}

#[test]
fn a_steps_action_fills_from_the_alert_or_names_what_is_missing() {
    let (_dir, lib) = library();
    let rb = lib.get("api-latency").unwrap();
    let scale = rb.step(1).unwrap();
    assert_eq!(
        scale.action.as_ref().unwrap().kind,
        ActionKind::KubernetesScale
    );

    let alert_labels = labels(&[
        ("service", "payments-api"),
        ("namespace", "payments"),
        ("instance", "10.0.3.7:8080"),
    ]);
    let alert = AlertRef {
        name: "APIResponseTimeCritical",
        labels: &alert_labels,
        runbook_url: None,
    };
    let mut vars = alert_vars(&alert);

    // No `context` in the alert: not runnable, and the error says which placeholder.
    let err = fill_step(scale, &vars).action.unwrap().unwrap_err();
    assert_eq!(
        err,
        FillError::Unfilled {
            placeholders: vec!["context".into()]
        }
    );
    assert!(err.to_string().contains("{{context}}"), "{err}");

    vars.insert("context".into(), "prod-eu".into());
    let filled = fill_step(scale, &vars).action.unwrap().unwrap();
    let request = filled.to_request(|_| None).unwrap();
    assert_eq!(request.kind, ActionKind::KubernetesScale);
    assert_eq!(request.target, "prod-eu/payments/payments-api");
    assert_eq!(
        request.params,
        BTreeMap::from([("replicas".to_string(), "6".to_string())])
    );

    let look = fill_step(rb.step(2).unwrap(), &vars);
    assert!(look.action.is_none());
    let command = look.command.unwrap();
    assert_eq!(command.text, "curl -s http://10.0.3.7:8080/debug/vars\n");
    assert!(command.unfilled.is_empty());
}

#[test]
fn the_json_the_shells_get() {
    let (_dir, lib) = library();
    let rb = lib.get("api-latency").unwrap();
    let json = serde_json::to_value(rb).unwrap();
    assert_eq!(json["slug"], "api-latency");
    assert_eq!(json["title"], "API latency");
    assert_eq!(json["services"], serde_json::json!(["payments-api"]));
    assert_eq!(json["tags"], serde_json::json!(["latency"]));
    assert!(
        json.get("source").is_none(),
        "the text is not sent: the HTML is"
    );
    let section = &json["sections"][0];
    assert_eq!(section["heading"], "Mitigate");
    assert_eq!(section["level"], 2);
    let step = &section["steps"][1];
    assert_eq!(step["index"], 1);
    assert_eq!(step["line"], 14);
    assert_eq!(step["checked"], false);
    assert_eq!(step["problem"], serde_json::Value::Null);
    assert_eq!(
        step["action"],
        serde_json::json!({
            "kind": "kubernetes.scale",
            "target": "{{context}}/{{namespace}}/{{service}}",
            "service": null,
            "params": {"replicas": "6"}
        })
    );
    let reasons = serde_json::to_value([MatchReason::AlertName, MatchReason::Alias]).unwrap();
    assert_eq!(reasons, serde_json::json!(["alert_name", "alias"]));

    assert_eq!(
        links(rb),
        [
            "service payments-api",
            "alert APIResponseTimeCritical",
            "alias HTTPS://Wiki.Example.test/Payments/API-Latency/",
        ]
    );
    assert_eq!(
        links(lib.get("db-performance").unwrap())[1],
        "alerts matching alertname=\"DBQueryRateHigh\", service=~\"orders.*\""
    );
}
