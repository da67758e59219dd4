//! `/incidents/{id}/log_entries`.

use serde_json::Value;

use crate::harness::shared_day_at;

fn types(body: &Value) -> Vec<&str> {
    body["log_entries"]
        .as_array()
        .expect("log_entries array")
        .iter()
        .map(|e| e["type"].as_str().expect("type"))
        .collect()
}

#[tokio::test]
async fn the_morning_page_has_trigger_assign_and_acknowledge_newest_first() {
    let sim = shared_day_at("06:00").await;
    let body = sim.ok("/incidents/Q0PAY0001/log_entries").await;
    assert_eq!(
        types(&body),
        [
            "acknowledge_log_entry",
            "assign_log_entry",
            "trigger_log_entry"
        ],
        "{body}"
    );
    assert_eq!(body["more"], false);
    let entries = body["log_entries"].as_array().expect("entries");
    let ack = &entries[0];
    assert_eq!(ack["created_at"], "2026-05-04T05:52:00Z");
    assert_eq!(ack["agent"]["type"], "user_reference");
    assert_eq!(ack["agent"]["summary"], "Sam Okafor");
    assert_eq!(ack["summary"], "Acknowledged by Sam Okafor");
    assert_eq!(ack["incident"]["id"], "Q0PAY0001");
    assert_eq!(ack["incident"]["type"], "incident_reference");
    let assign = &entries[1];
    assert_eq!(assign["assignees"][0]["summary"], "Sam Okafor");
    let trigger = &entries[2];
    assert_eq!(trigger["created_at"], "2026-05-04T05:47:00Z");
    assert_eq!(trigger["agent"]["type"], "service_reference");
    assert_eq!(trigger["channel"]["type"], "api");
    let id = trigger["id"].as_str().expect("id");
    assert!(
        trigger["self"]
            .as_str()
            .is_some_and(|s| s.ends_with(&format!("/log_entries/{id}?incident_id=Q0PAY0001"))),
        "{trigger}"
    );

    // The incident points at its trigger entry.
    let incident = sim.ok("/incidents/Q0PAY0001").await;
    assert_eq!(incident["incident"]["first_trigger_log_entry"]["id"], id);
    sim.finish().await;
}

#[tokio::test]
async fn resolution_adds_the_note_and_entries_page_and_filter() {
    let sim = shared_day_at("09:00").await;
    let body = sim.ok("/incidents/Q0PAY0001/log_entries?total=true").await;
    assert_eq!(
        types(&body),
        [
            "resolve_log_entry",
            "annotate_log_entry",
            "acknowledge_log_entry",
            "assign_log_entry",
            "trigger_log_entry"
        ]
    );
    assert_eq!(body["total"], 5);
    assert_eq!(
        body["log_entries"][1]["note"],
        "Async payment calls deployed in 1.41.1; scaled to 6 replicas as a stop-gap."
    );
    let page = sim
        .ok("/incidents/Q0PAY0001/log_entries?limit=2&offset=2")
        .await;
    assert_eq!(types(&page), ["acknowledge_log_entry", "assign_log_entry"]);
    assert_eq!(page["more"], true);
    let window = sim
        .ok("/incidents/Q0PAY0001/log_entries?since=2026-05-04T05:50:00Z&until=2026-05-04T08:52:00Z")
        .await;
    assert_eq!(types(&window), ["acknowledge_log_entry"]);
    sim.finish().await;
}
