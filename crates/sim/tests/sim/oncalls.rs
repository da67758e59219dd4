//! `/oncalls` and `/users/me` on the shared day.

use serde_json::Value;

use crate::harness::shared_day_at;

fn schedules(body: &Value) -> Vec<&str> {
    body["oncalls"]
        .as_array()
        .expect("oncalls")
        .iter()
        .map(|o| o["schedule"]["summary"].as_str().expect("schedule"))
        .collect()
}

#[tokio::test]
async fn users_me_is_the_scenarios_me_as_a_full_user() {
    let sim = shared_day_at("06:00").await;
    let user = sim.ok("/users/me").await["user"].clone();
    assert_eq!(user["type"], "user");
    assert_eq!(user["name"], "Sam Okafor");
    assert_eq!(user["summary"], "Sam Okafor");
    assert_eq!(user["email"], "sam.okafor@example.test");
    assert_eq!(user["time_zone"], "UTC");
    let id = user["id"].as_str().expect("id");
    assert!(id.starts_with('P') && id.len() == 7, "{id}");
    assert_eq!(
        user["html_url"],
        format!("https://day-in-the-life.pagerduty.example.test/users/{id}")
    );
    sim.finish().await;
}

#[tokio::test]
async fn me_is_on_call_for_payments_primary_now() {
    let sim = shared_day_at("06:00").await;
    let me = sim.ok("/users/me").await["user"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let now = sim.ok("/oncalls").await;
    assert_eq!(
        schedules(&now),
        ["Payments Primary", "Payments Secondary"],
        "{now}"
    );
    let mine = sim.ok(&format!("/oncalls?user_ids[]={me}")).await;
    assert_eq!(schedules(&mine), ["Payments Primary"]);
    let entry = &mine["oncalls"][0];
    assert_eq!(entry["user"]["id"], me.as_str());
    assert_eq!(entry["user"]["type"], "user_reference");
    assert_eq!(entry["escalation_policy"]["summary"], "Payments Primary");
    assert_eq!(entry["escalation_level"], 1);
    assert_eq!(entry["start"], "2026-05-04T05:00:00Z");
    assert_eq!(entry["end"], "2026-05-05T09:00:00Z");

    // The incident's escalation policy is the on-call entry's.
    let incident = sim.ok("/incidents/Q0PAY0001").await;
    assert_eq!(
        incident["incident"]["escalation_policy"]["id"],
        entry["escalation_policy"]["id"]
    );
    let policy = entry["escalation_policy"]["id"].as_str().expect("policy");
    let schedule = entry["schedule"]["id"].as_str().expect("schedule");
    let by_policy = sim
        .ok(&format!("/oncalls?escalation_policy_ids[]={policy}"))
        .await;
    assert_eq!(schedules(&by_policy), ["Payments Primary"]);
    let by_schedule = sim
        .ok(&format!("/oncalls?schedule_ids[]={schedule}&earliest=true"))
        .await;
    assert_eq!(schedules(&by_schedule), ["Payments Primary"]);
    sim.finish().await;
}

#[tokio::test]
async fn since_and_until_select_overlapping_shifts() {
    let sim = shared_day_at("06:00").await;
    let before = sim
        .ok("/oncalls?since=2026-05-04T01:00:00Z&until=2026-05-04T04:00:00Z")
        .await;
    assert_eq!(schedules(&before), Vec::<&str>::new());
    let overlapping = sim
        .ok("/oncalls?since=2026-05-04T04:00:00Z&until=2026-05-04T05:30:00Z")
        .await;
    assert_eq!(overlapping["oncalls"].as_array().map(Vec::len), Some(2));
    let after = sim.ok("/oncalls?since=2026-05-05T09:00:00Z").await;
    assert_eq!(schedules(&after), Vec::<&str>::new());
    sim.finish().await;
}
