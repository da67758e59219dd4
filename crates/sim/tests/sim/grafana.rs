//! The simulated Grafana on the shared day: its built-in Alertmanager serves the `via: grafana`
//! alerts with Grafana's labels and its own silences, the rules API follows them, annotations
//! hold the scenario's annotations and the alerts' state history, and everything but
//! `/api/health` wants a token. Every exchange is checked against Grafana's specs when each
//! test finishes.

use chrono::{TimeZone, Utc};
use opsdeck_sim::world::fingerprint;
use opsdeck_sim::world::ids::Origin;
use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{shared_day_at, Reply, Sim, SAM};

const AM: &str = "/api/alertmanager/grafana/api/v2";

async fn get(sim: &Sim, path: &str) -> Value {
    let reply = Sim::send(sim.grafana(Method::GET, path)).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply.json()
}

async fn alerts(sim: &Sim, query: &str) -> Vec<Value> {
    get(sim, &format!("{AM}/alerts{query}"))
        .await
        .as_array()
        .expect("an array")
        .clone()
}

fn names(alerts: &[Value]) -> Vec<&str> {
    alerts
        .iter()
        .map(|a| a["labels"]["alertname"].as_str().expect("alertname"))
        .collect()
}

/// The uid of the rule behind alerts named `name`.
fn rule_uid(sim: &Sim, name: &str) -> String {
    let world = sim.running.world.lock().expect("world");
    world.grafana_rule(name).expect("rule").uid.clone()
}

/// Epoch milliseconds of `h:m` on the shared day (UTC).
fn ms(h: u32, m: u32) -> i64 {
    Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0)
        .single()
        .expect("valid")
        .timestamp_millis()
}

fn advance_to(sim: &Sim, h: u32, m: u32) {
    let at = Utc
        .with_ymd_and_hms(2026, 5, 4, h, m, 0)
        .single()
        .expect("valid");
    drop(sim.running.live().advance_to(at));
}

fn message(reply: &Reply) -> String {
    reply.json()["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message: {}", reply.text))
        .to_owned()
}

#[tokio::test]
async fn grafana_alerts_are_listed_with_grafana_labels_until_they_resolve() {
    let sim = shared_day_at("06:00").await;
    let firing = alerts(&sim, "").await;
    // DBConnectionPoolExhausted fires via Prometheus: Alertmanager's, not Grafana's.
    assert_eq!(names(&firing), ["APIResponseTimeCritical"]);
    let alert = &firing[0];
    let uid = rule_uid(&sim, "APIResponseTimeCritical");
    assert_eq!(uid.len(), 14);
    assert!(
        uid.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()),
        "{uid}"
    );
    let labels = json!({
        "alertname": "APIResponseTimeCritical",
        "route": "/v1/checkout",
        "service": "payments-api",
        "severity": "critical",
        "__alert_rule_uid__": uid,
        "grafana_folder": "opsdeck-sim",
    });
    assert_eq!(alert["labels"], labels);
    let label_set = serde_json::from_value(labels).expect("labels");
    assert_eq!(alert["fingerprint"], fingerprint(&label_set));
    assert_eq!(
        alert["annotations"],
        json!({"summary": "p99 latency 2.4s over the 2s threshold",
               "runbook_url": "https://runbooks.example.test/api-latency"})
    );
    assert_eq!(alert["startsAt"], "2026-05-04T05:30:00.000Z");
    assert_eq!(alert["status"]["state"], "active");
    assert_eq!(
        alert["receivers"],
        json!([{"name": "grafana-default-email"}])
    );
    let base = sim.running.url("grafana").expect("grafana url");
    assert_eq!(
        alert["generatorURL"],
        format!("{base}/alerting/grafana/{uid}/view")
    );

    // Alertmanager's filters, on the labels as Grafana shows them.
    let folder = "?filter=grafana_folder%3D%22opsdeck-sim%22";
    assert_eq!(alerts(&sim, folder).await.len(), 1);
    assert!(alerts(&sim, "?filter=service%3D%22orders-db%22")
        .await
        .is_empty());
    assert!(alerts(&sim, "?receiver=default").await.is_empty());
    // Grafana reads a flag it cannot parse as its default, where Alertmanager refuses it.
    assert_eq!(alerts(&sim, "?active=maybe").await.len(), 1);
    assert!(alerts(&sim, "?active=false").await.is_empty());
    assert_eq!(alerts(&sim, "?receiver=grafana-.*").await.len(), 1);
    let bad = Sim::send(sim.grafana(Method::GET, &format!("{AM}/alerts?filter=%3D%22x%22"))).await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert!(message(&bad).contains("bad matcher"), "{}", bad.text);

    // 06:11 resolves it, and Grafana's Alertmanager forgets it.
    advance_to(&sim, 6, 12);
    assert!(alerts(&sim, "").await.is_empty());
    sim.finish_grafana().await;
}

#[tokio::test]
async fn grafana_silences_suppress_until_expired_and_are_grafanas_own() {
    let sim = shared_day_at("06:00").await;
    let now = sim.running.now();
    // Grafana's own label is there to match.
    let body = json!({
        "matchers": [
            {"name": "grafana_folder", "value": "opsdeck-sim", "isRegex": false, "isEqual": true},
            {"name": "alertname", "value": "APIResponse.*", "isRegex": true, "isEqual": true},
        ],
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::TimeDelta::hours(2)).to_rfc3339(),
        "createdBy": SAM,
        "comment": "scaling out",
    });
    let reply = Sim::send(
        sim.grafana(Method::POST, &format!("{AM}/silences"))
            .json(&body),
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let id = reply.json()["silenceID"]
        .as_str()
        .expect("silenceID")
        .to_owned();
    {
        let world = sim.running.world.lock().expect("world");
        assert_eq!(
            id,
            world.ids().uuid(Origin::Action(1), &["grafana", "silence"])
        );
        assert!(
            world.alertmanager_silences().all().is_empty(),
            "a Grafana silence stays in Grafana"
        );
    }

    let firing = alerts(&sim, "").await;
    assert_eq!(firing[0]["status"]["state"], "suppressed");
    assert_eq!(firing[0]["status"]["silencedBy"], json!([id]));
    assert!(alerts(&sim, "?silenced=false").await.is_empty());
    let listed = get(&sim, &format!("{AM}/silences")).await;
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["status"]["state"], "active");
    let one = get(&sim, &format!("{AM}/silence/{id}")).await;
    assert_eq!(one["createdBy"], SAM);
    assert_eq!(one["matchers"][1]["value"], "APIResponse.*");

    let expired = Sim::send(sim.grafana(Method::DELETE, &format!("{AM}/silence/{id}"))).await;
    assert_eq!(expired.status, 200, "{}", expired.text);
    assert_eq!(expired.json(), json!({"message": "silence deleted"}));
    assert_eq!(alerts(&sim, "").await[0]["status"]["state"], "active");
    let again = Sim::send(sim.grafana(Method::DELETE, &format!("{AM}/silence/{id}"))).await;
    assert_eq!(again.status, 500, "{}", again.text);
    assert!(
        message(&again).contains("already expired"),
        "{}",
        again.text
    );
    let one = get(&sim, &format!("{AM}/silence/{id}")).await;
    assert_eq!(one["status"]["state"], "expired");

    let unknown = format!("{AM}/silence/00000000-0000-4000-8000-000000000000");
    let missing = Sim::send(sim.grafana(Method::GET, &unknown)).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json(), json!({"message": "silence not found"}));
    let mut everything = body.clone();
    everything["matchers"] = json!([{"name": "alertname", "value": ".*", "isRegex": true}]);
    let refused = Sim::send(
        sim.grafana(Method::POST, &format!("{AM}/silences"))
            .json(&everything),
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(
        message(&refused).contains("must not match the empty string"),
        "{}",
        refused.text
    );
    let status = get(&sim, &format!("{AM}/status")).await;
    assert_eq!(
        status["config"]["route"]["receiver"],
        "grafana-default-email"
    );
    sim.finish_grafana().await;
}

#[tokio::test]
async fn everything_but_health_wants_a_bearer_token() {
    let sim = shared_day_at("06:00").await;
    for path in [
        format!("{AM}/alerts"),
        format!("{AM}/silences"),
        "/api/prometheus/grafana/api/v1/rules".to_owned(),
        "/api/annotations".to_owned(),
    ] {
        let anonymous = Sim::send(sim.grafana_anonymous(Method::GET, &path)).await;
        assert_eq!(anonymous.status, 401, "{path}: {}", anonymous.text);
        assert_eq!(anonymous.json(), json!({"message": "Unauthorized"}));
    }
    let annotations = "/api/annotations";
    for authorization in ["Bearer ", "Bearer   ", "Basic YWRtaW46YWRtaW4=", "glsa_x"] {
        let reply = Sim::send(
            sim.grafana_anonymous(Method::GET, annotations)
                .header("authorization", authorization),
        )
        .await;
        assert_eq!(reply.status, 401, "{authorization:?}: {}", reply.text);
    }
    let lower = Sim::send(
        sim.grafana_anonymous(Method::GET, annotations)
            .header("authorization", "bearer glsa_x"),
    )
    .await;
    assert_eq!(lower.status, 200, "{}", lower.text);

    let health = Sim::send(sim.grafana_anonymous(Method::GET, "/api/health")).await;
    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(
        health.json(),
        json!({"commit": "opsdeck-sim", "database": "ok", "version": "9.5.0"})
    );
    let unknown = Sim::send(sim.grafana(Method::GET, "/api/dashboards/uid/nope")).await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert_eq!(unknown.json(), json!({"message": "Not found"}));
    sim.finish_grafana().await;
}

/// Rules by group name, then rule name.
fn rule<'a>(body: &'a Value, group: &str, name: &str) -> &'a Value {
    let groups = body["data"]["groups"].as_array().expect("groups");
    let group = groups
        .iter()
        .find(|g| g["name"] == group)
        .unwrap_or_else(|| panic!("no group {group}: {body}"));
    group["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no rule {name}: {body}"))
}

#[tokio::test]
async fn rules_fire_while_their_alerts_do() {
    let sim = shared_day_at("06:00").await;
    const RULES: &str = "/api/prometheus/grafana/api/v1/rules";
    let body = get(&sim, RULES).await;
    assert_eq!(body["status"], "success");
    let groups: Vec<(&str, Vec<&str>)> = body["data"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            assert_eq!(g["file"], "opsdeck-sim");
            assert_eq!(g["interval"], 60);
            assert_eq!(g["lastEvaluation"], "2026-05-04T06:00:00Z");
            let rules = g["rules"].as_array().expect("rules");
            (
                g["name"].as_str().expect("name"),
                rules
                    .iter()
                    .map(|r| r["name"].as_str().expect("name"))
                    .collect(),
            )
        })
        .collect();
    // Every Grafana rule of the day exists from the start, grouped by service.
    assert_eq!(
        groups,
        [
            ("orders-db", vec!["DBQueryRateHigh", "DBHighCPU"]),
            ("payments-api", vec!["APIResponseTimeCritical"]),
        ]
    );
    let latency = rule(&body, "payments-api", "APIResponseTimeCritical");
    assert_eq!(latency["state"], "firing");
    assert_eq!(latency["health"], "ok");
    assert_eq!(latency["type"], "alerting");
    assert_eq!(
        latency["labels"],
        json!({"service": "payments-api", "severity": "critical"})
    );
    assert_eq!(
        latency["annotations"]["runbook_url"],
        "https://runbooks.example.test/api-latency"
    );
    let alert = &latency["alerts"][0];
    assert_eq!(latency["alerts"].as_array().map(Vec::len), Some(1));
    assert_eq!(alert["state"], "Alerting");
    assert_eq!(alert["activeAt"], "2026-05-04T05:30:00Z");
    assert_eq!(
        alert["labels"],
        json!({"alertname": "APIResponseTimeCritical", "grafana_folder": "opsdeck-sim",
               "route": "/v1/checkout", "service": "payments-api", "severity": "critical"}),
        "no private labels unless asked"
    );
    let cpu = rule(&body, "orders-db", "DBHighCPU");
    assert_eq!(cpu["state"], "inactive");
    assert_eq!(cpu["alerts"], json!([]));

    let internal = get(&sim, &format!("{RULES}?includeInternalLabels=true")).await;
    let uid = rule_uid(&sim, "APIResponseTimeCritical");
    assert_eq!(
        rule(&internal, "payments-api", "APIResponseTimeCritical")["alerts"][0]["labels"]
            ["__alert_rule_uid__"],
        uid
    );

    advance_to(&sim, 7, 0);
    let later = get(&sim, RULES).await;
    let latency = rule(&later, "payments-api", "APIResponseTimeCritical");
    assert_eq!(latency["state"], "inactive");
    assert_eq!(latency["alerts"], json!([]));
    assert_eq!(latency["lastEvaluation"], "2026-05-04T07:00:00Z");
    {
        let world = sim.running.world.lock().expect("world");
        let ids: Vec<(u64, &str)> = world
            .grafana_rules()
            .iter()
            .map(|r| (r.id, r.name.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                (1, "APIResponseTimeCritical"),
                (2, "DBQueryRateHigh"),
                (3, "DBHighCPU")
            ]
        );
    }
    sim.finish_grafana().await;
}

async fn annotations(sim: &Sim, query: &str) -> Vec<Value> {
    get(sim, &format!("/api/annotations{query}"))
        .await
        .as_array()
        .expect("an array")
        .clone()
}

fn ids(list: &[Value]) -> Vec<u64> {
    list.iter().map(|a| a["id"].as_u64().expect("id")).collect()
}

#[tokio::test]
async fn annotations_hold_the_days_annotations_and_alert_history_newest_first() {
    let sim = shared_day_at("15:00").await;
    let all = annotations(&sim, "").await;
    // 05:30 latency fires (1), 06:11 it resolves (2), 14:16 the release note (3), 14:40 the
    // query rate fires (4).
    assert_eq!(ids(&all), [4, 3, 2, 1]);
    assert_eq!(
        all[1],
        json!({
            "id": 3, "alertId": 0, "alertName": "", "dashboardId": 0, "dashboardUID": "",
            "panelId": 0, "userId": 0, "newState": "", "prevState": "",
            "created": ms(14, 16), "updated": ms(14, 16), "time": ms(14, 16),
            "timeEnd": ms(14, 16),
            "text": "user-dashboard 2.8.0: new dashboard enabled for 10% of users",
            "tags": ["deploy", "feature-flag"], "login": "", "email": "", "avatarUrl": "",
            "data": {},
        })
    );
    let rate = &all[0];
    assert_eq!(rate["alertId"], 2);
    assert_eq!(rate["alertName"], "DBQueryRateHigh");
    assert_eq!(
        (&rate["prevState"], &rate["newState"]),
        (&json!("Normal"), &json!("Alerting"))
    );
    assert_eq!(rate["time"], ms(14, 40));
    assert_eq!(
        rate["text"],
        "DBQueryRateHigh {alertname=DBQueryRateHigh, grafana_folder=opsdeck-sim, \
         service=orders-db, severity=warning} - firing"
    );
    assert_eq!(rate["tags"], json!([]));
    let resolved = &all[2];
    assert_eq!(resolved["alertId"], 1);
    assert_eq!(
        (&resolved["prevState"], &resolved["newState"]),
        (&json!("Alerting"), &json!("Normal"))
    );
    assert_eq!(resolved["time"], ms(6, 11));
    assert!(
        resolved["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("APIResponseTimeCritical {alertname=")
                && t.contains("route=/v1/checkout")
                && t.ends_with("} - resolved")),
        "{resolved}"
    );

    assert_eq!(ids(&annotations(&sim, "?type=annotation").await), [3]);
    assert_eq!(ids(&annotations(&sim, "?type=alert").await), [4, 2, 1]);
    assert_eq!(
        ids(&annotations(&sim, "?type=alert&alertId=1").await),
        [2, 1]
    );
    assert_eq!(ids(&annotations(&sim, "?tags=deploy").await), [3]);
    assert_eq!(
        ids(&annotations(&sim, "?tags=deploy&tags=feature-flag").await),
        [3]
    );
    assert!(annotations(&sim, "?tags=deploy&tags=db").await.is_empty());
    assert_eq!(
        ids(&annotations(&sim, "?tags=deploy&tags=db&matchAny=true").await),
        [3]
    );
    let window = format!("?from={}&to={}", ms(6, 0), ms(14, 16));
    assert_eq!(
        ids(&annotations(&sim, &window).await),
        [3, 2],
        "both ends count"
    );
    assert_eq!(ids(&annotations(&sim, "?limit=2").await), [4, 3]);
    // Grafana applies a window only with both ends.
    let from_only = format!("?from={}", ms(14, 0));
    assert_eq!(ids(&annotations(&sim, &from_only).await), [4, 3, 2, 1]);

    for (query, parameter) in [("?from=yesterday", "from"), ("?limit=ten", "limit")] {
        let bad = Sim::send(sim.grafana(Method::GET, &format!("/api/annotations{query}"))).await;
        assert_eq!(bad.status, 400, "{query}: {}", bad.text);
        assert!(message(&bad).contains(parameter), "{}", bad.text);
    }

    // By the end of the day: 15:30 the query rate resolves (5), 22:24 DBHighCPU fires (6),
    // 22:50 the late-night note (7), 23:41 DBHighCPU resolves (8).
    drop(
        sim.running.live().advance_to(
            Utc.with_ymd_and_hms(2026, 5, 5, 4, 0, 0)
                .single()
                .expect("valid"),
        ),
    );
    let night = annotations(&sim, "?tags=db&tags=manual").await;
    assert_eq!(ids(&night), [7]);
    assert_eq!(night[0]["time"], ms(22, 50));
    let cpu = annotations(&sim, "?alertId=3").await;
    assert_eq!(ids(&cpu), [8, 6]);
    assert_eq!(cpu[0]["newState"], "Normal");
    sim.finish_grafana().await;
}
