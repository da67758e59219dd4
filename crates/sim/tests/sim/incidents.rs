//! `/incidents` and `/incidents/{id}` on the shared day.

use serde_json::Value;

use crate::harness::{shared_day_at, ACCEPT};

fn ids(body: &Value) -> Vec<&str> {
    body["incidents"]
        .as_array()
        .expect("incidents array")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect()
}

#[tokio::test]
async fn at_six_the_morning_page_is_acknowledged_with_its_times() {
    let sim = shared_day_at("06:00").await;
    let body = sim.ok("/incidents").await;
    assert_eq!(ids(&body), ["Q0PAY0001"], "{body}");
    assert_eq!(body["limit"], 25);
    assert_eq!(body["offset"], 0);
    assert_eq!(body["more"], false);
    assert_eq!(body["total"], Value::Null);

    let incident = &body["incidents"][0];
    let base = sim.running.url("pagerduty").expect("url");
    assert_eq!(incident["type"], "incident");
    assert_eq!(incident["incident_number"], 1);
    assert_eq!(
        incident["summary"],
        "[#1] API response time critical: 40% of API calls time out"
    );
    assert_eq!(incident["status"], "acknowledged");
    assert_eq!(incident["urgency"], "high");
    assert_eq!(incident["created_at"], "2026-05-04T05:47:00Z");
    assert_eq!(incident["last_status_change_at"], "2026-05-04T05:52:00Z");
    assert_eq!(incident["updated_at"], "2026-05-04T05:52:00Z");
    assert_eq!(incident["resolved_at"], Value::Null);
    assert_eq!(incident["self"], format!("{base}/incidents/Q0PAY0001"));
    assert_eq!(
        incident["html_url"],
        "https://day-in-the-life.pagerduty.example.test/incidents/Q0PAY0001"
    );
    assert_eq!(incident["service"]["id"], "PPAYAPI");
    assert_eq!(incident["service"]["type"], "service_reference");
    assert_eq!(incident["service"]["summary"], "payments-api");
    assert_eq!(incident["escalation_policy"]["summary"], "Payments Primary");
    let assignments = incident["assignments"].as_array().expect("assignments");
    assert_eq!(assignments.len(), 1, "{incident}");
    assert_eq!(assignments[0]["at"], "2026-05-04T05:47:00Z");
    assert_eq!(assignments[0]["assignee"]["summary"], "Sam Okafor");
    let acks = incident["acknowledgements"].as_array().expect("acks");
    assert_eq!(acks.len(), 1, "{incident}");
    assert_eq!(acks[0]["at"], "2026-05-04T05:52:00Z");
    assert_eq!(acks[0]["acknowledger"]["type"], "user_reference");
    assert_eq!(incident["last_status_change_by"]["summary"], "Sam Okafor");
    assert_eq!(
        incident["first_trigger_log_entry"]["type"],
        "trigger_log_entry_reference"
    );
    let key = incident["incident_key"].as_str().expect("incident_key");
    assert_eq!(key.len(), 32);

    // The same object alone, under `incident`.
    let single = sim.ok("/incidents/Q0PAY0001").await;
    assert_eq!(&single["incident"], incident);
    sim.finish().await;
}

#[tokio::test]
async fn resolved_incidents_drop_assignments_and_carry_resolved_at() {
    let sim = shared_day_at("09:00").await;
    let body = sim.ok("/incidents/Q0PAY0001").await;
    let incident = &body["incident"];
    assert_eq!(incident["status"], "resolved");
    assert_eq!(incident["resolved_at"], "2026-05-04T08:52:00Z");
    assert_eq!(incident["assignments"], serde_json::json!([]));
    assert_eq!(incident["acknowledgements"], serde_json::json!([]));
    assert_eq!(incident["alert_counts"]["resolved"], 1);
    sim.finish().await;
}

#[tokio::test]
async fn since_until_statuses_and_other_filters_select_incidents() {
    // By midnight all three pages exist and are resolved.
    let sim = shared_day_at("23:59").await;
    assert_eq!(
        ids(&sim.ok("/incidents").await),
        ["Q0PAY0001", "Q0SEC0002", "Q0DB00003"]
    );
    // `since` is inclusive, `until` exclusive, both on created_at.
    let window = sim
        .ok("/incidents?since=2026-05-04T05:47:00Z&until=2026-05-04T22:30:00Z")
        .await;
    assert_eq!(ids(&window), ["Q0PAY0001", "Q0SEC0002"]);
    let offset = sim.ok("/incidents?since=2026-05-04T13:31:00%2B02:00").await;
    assert_eq!(ids(&offset), ["Q0DB00003"]);
    // Naive times are read in time_zone.
    let zoned = sim
        .ok("/incidents?since=2026-05-04T13:31:00&time_zone=Europe/Berlin")
        .await;
    assert_eq!(ids(&zoned), ["Q0DB00003"]);
    // date_range=all ignores since/until.
    let all = sim
        .ok("/incidents?since=2026-05-05T00:00:00Z&date_range=all")
        .await;
    assert_eq!(all["incidents"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        ids(&sim
            .ok("/incidents?statuses[]=triggered&statuses[]=acknowledged")
            .await),
        Vec::<&str>::new()
    );
    assert_eq!(
        ids(&sim.ok("/incidents?statuses%5B%5D=resolved").await).len(),
        3
    );
    assert_eq!(
        ids(&sim
            .ok("/incidents?service_ids[]=PSECIDS&service_ids[]=PORDRDB")
            .await),
        ["Q0SEC0002", "Q0DB00003"]
    );
    assert_eq!(
        ids(&sim.ok("/incidents?urgencies[]=low").await),
        Vec::<&str>::new()
    );
    sim.finish().await;
}

#[tokio::test]
async fn user_ids_select_open_incidents_assigned_to_them() {
    let sim = shared_day_at("11:40").await;
    let me = sim.ok("/users/me").await["user"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Q0PAY0001 is resolved (assigned to nobody), Q0SEC0002 acknowledged by me.
    let mine = sim.ok(&format!("/incidents?user_ids[]={me}")).await;
    assert_eq!(ids(&mine), ["Q0SEC0002"]);
    let nobody = sim.ok("/incidents?user_ids[]=PNOBODY").await;
    assert_eq!(ids(&nobody), Vec::<&str>::new());
    sim.finish().await;
}

#[tokio::test]
async fn actions_on_the_shared_world_show_at_once() {
    let sim = shared_day_at("11:31").await;
    let before = sim.ok("/incidents/Q0SEC0002").await;
    assert_eq!(before["incident"]["status"], "triggered");
    assert_eq!(
        before["incident"]["acknowledgements"],
        serde_json::json!([])
    );
    {
        let mut world = sim.running.world.lock().expect("world");
        let now = sim.running.now();
        world
            .resolve("Q0SEC0002", "sam.okafor@example.test", now)
            .expect("resolves");
    }
    let after = sim.ok("/incidents/Q0SEC0002").await;
    assert_eq!(after["incident"]["status"], "resolved");
    assert_eq!(after["incident"]["resolved_at"], "2026-05-04T11:31:00Z");
    // The versioned Accept and plain JSON are both fine.
    let plain = sim
        .client
        .get(sim.url("/incidents/Q0SEC0002"))
        .header("authorization", "Token token=x")
        .header("accept", "application/json")
        .send()
        .await
        .expect("sent");
    assert_eq!(plain.status().as_u16(), 200);
    assert_ne!(ACCEPT, "application/json");
    sim.finish().await;
}

#[tokio::test]
async fn sort_by_orders_the_list_and_a_bad_one_is_refused() {
    // The end of the day: all three incidents exist.
    let sim = shared_day_at("+1 04:00").await;
    let all = "/incidents?date_range=all";
    assert_eq!(
        ids(&sim.ok(all).await),
        ["Q0PAY0001", "Q0SEC0002", "Q0DB00003"]
    );
    let newest_first = sim.ok(&format!("{all}&sort_by=created_at:desc")).await;
    assert_eq!(ids(&newest_first), ["Q0DB00003", "Q0SEC0002", "Q0PAY0001"]);
    // The newest one alone, as the quick poll for new pages asks.
    let newest = sim
        .ok(&format!("{all}&sort_by=created_at%3Adesc&limit=1"))
        .await;
    assert_eq!(ids(&newest), ["Q0DB00003"]);
    let by_number = sim.ok(&format!("{all}&sort_by=incident_number")).await;
    assert_eq!(ids(&by_number), ["Q0PAY0001", "Q0SEC0002", "Q0DB00003"]);

    for bad in [
        "created:desc",
        "created_at:down",
        "urgency,created_at,incident_number",
    ] {
        let reply = sim.get(&format!("{all}&sort_by={bad}")).await;
        assert_eq!(reply.status, 400, "sort_by={bad}: {}", reply.text);
        assert!(
            reply.text.contains("sort_by"),
            "sort_by={bad}: {}",
            reply.text
        );
    }
    sim.finish().await;
}
