//! Actions through PagerDuty's write endpoints: `PUT /incidents/{id}`,
//! `POST /incidents/{id}/snooze`, `POST`/`GET /incidents/{id}/notes`, and `GET /users` to find
//! whom to reassign to. The world changes at once; every request and response is checked
//! against the spec when each test finishes.

use chrono::{DateTime, TimeZone, Utc};
use opsdeck_sim::pagerduty::{Fault, PathMatch};
use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{shared_day_at, spec, Reply, Sim, PRIYA, SAM};

const Q: &str = "/incidents/Q0PAY0001";

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0)
        .single()
        .expect("valid")
}

fn status_update(status: &str) -> Value {
    json!({"incident": {"type": "incident_reference", "status": status}})
}

/// The log, newest first, as (type, created_at).
async fn log(sim: &Sim) -> Vec<(String, String)> {
    sim.ok(&format!("{Q}/log_entries")).await["log_entries"]
        .as_array()
        .expect("log_entries")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().expect("type").to_owned(),
                e["created_at"].as_str().expect("created_at").to_owned(),
            )
        })
        .collect()
}

/// The newest log entry of the incident.
async fn newest_entry(sim: &Sim) -> Value {
    sim.ok(&format!("{Q}/log_entries")).await["log_entries"][0].clone()
}

async fn user_id(sim: &Sim, query: &str) -> String {
    let body = sim.ok(&format!("/users?query={query}")).await;
    body["users"][0]["id"].as_str().expect("a user").to_owned()
}

fn ok_json(reply: &Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "{}", reply.text);
    reply.json()
}

/// A 400 with PagerDuty's error body: `message`, and an `errors` entry containing `detail`.
fn assert_refused(reply: &Reply, message: &str, detail: &str) {
    assert_eq!(reply.status, 400, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["error"]["message"], message, "{body}");
    let errors = body["error"]["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().is_some_and(|e| e.contains(detail))),
        "{detail:?} not in {body}"
    );
}

#[tokio::test]
async fn acknowledging_changes_the_incident_and_its_log_at_once() {
    // 05:48: the page is a minute old and triggered.
    let sim = shared_day_at("05:48").await;
    let body = status_update("acknowledged");
    assert_eq!(
        spec().validate_request("PUT", Q, &body),
        Ok(()),
        "what opsdeck sends is what PagerDuty documents"
    );
    let incident = ok_json(&sim.put(Q, Some(SAM), &body).await, 200)["incident"].clone();
    assert_eq!(incident["status"], "acknowledged");
    assert_eq!(
        incident["acknowledgements"][0]["at"],
        "2026-05-04T05:48:00Z"
    );
    assert_eq!(
        incident["acknowledgements"][0]["acknowledger"]["summary"],
        "Sam Okafor"
    );
    assert_eq!(incident["last_status_change_at"], "2026-05-04T05:48:00Z");
    assert_eq!(
        sim.ok(Q).await["incident"]["status"],
        "acknowledged",
        "a read sees it"
    );
    let ack = newest_entry(&sim).await;
    assert_eq!(ack["type"], "acknowledge_log_entry");
    assert_eq!(ack["agent"]["summary"], "Sam Okafor");
    assert_eq!(ack["channel"]["type"], "api");

    // Acknowledging again changes nothing and still answers with the incident.
    let again = ok_json(&sim.put(Q, Some(SAM), &body).await, 200);
    assert_eq!(again["incident"]["status"], "acknowledged");
    assert_eq!(log(&sim).await.len(), 3);
    // The exchange carries the request body for the contract check.
    let put = sim
        .exchanges()
        .into_iter()
        .find(|e| e.method == "PUT")
        .expect("the PUT was observed");
    assert_eq!(put.request_body, Some(body));
    assert_eq!(put.status, 200);
    sim.finish().await;
}

#[tokio::test]
async fn resolving_puts_the_resolution_on_the_resolve_entry() {
    let sim = shared_day_at("06:00").await;
    let body = json!({"incident": {"type": "incident_reference", "status": "resolved",
                                   "resolution": "Pool resized to 400."}});
    let incident = ok_json(&sim.put(Q, Some(SAM), &body).await, 200)["incident"].clone();
    assert_eq!(incident["status"], "resolved");
    assert_eq!(incident["resolved_at"], "2026-05-04T06:00:00Z");
    assert_eq!(incident["assignments"], json!([]));
    let resolve = newest_entry(&sim).await;
    assert_eq!(resolve["type"], "resolve_log_entry");
    assert_eq!(resolve["note"], "Pool resized to 400.");
    assert_eq!(resolve["summary"], "Resolved by Sam Okafor");
    // A resolution is not one of the incident's notes.
    assert_eq!(sim.ok(&format!("{Q}/notes")).await, json!({"notes": []}));
    sim.finish().await;
}

#[tokio::test]
async fn reassigning_to_a_user_triggers_the_acknowledged_incident_for_them() {
    let sim = shared_day_at("06:00").await;
    let priya = user_id(&sim, "priya").await;
    let body = json!({"incident": {"type": "incident_reference",
        "assignments": [{"assignee": {"id": priya, "type": "user_reference"}}]}});
    assert_eq!(spec().validate_request("PUT", Q, &body), Ok(()));
    let incident = ok_json(&sim.put(Q, Some(SAM), &body).await, 200)["incident"].clone();
    assert_eq!(incident["status"], "triggered");
    assert_eq!(incident["acknowledgements"], json!([]));
    assert_eq!(incident["assignments"][0]["assignee"]["id"], priya.as_str());
    assert_eq!(incident["assignments"][0]["at"], "2026-05-04T06:00:00Z");
    let assign = newest_entry(&sim).await;
    assert_eq!(assign["type"], "assign_log_entry");
    assert_eq!(assign["agent"]["summary"], "Sam Okafor");
    assert_eq!(assign["assignees"][0]["id"], priya.as_str());
    assert_eq!(
        assign["summary"],
        "Assigned to Priya Natarajan by Sam Okafor"
    );
    // Priya's incidents now include it.
    let hers = sim.ok(&format!("/incidents?user_ids[]={priya}")).await;
    assert_eq!(hers["incidents"][0]["id"], "Q0PAY0001");
    sim.finish().await;
}

#[tokio::test]
async fn escalating_to_level_two_reaches_the_secondary_on_call() {
    let sim = shared_day_at("06:00").await;
    let body = json!({"incident": {"type": "incident_reference", "escalation_level": 2}});
    assert_eq!(spec().validate_request("PUT", Q, &body), Ok(()));
    let incident = ok_json(&sim.put(Q, Some(SAM), &body).await, 200)["incident"].clone();
    assert_eq!(
        incident["assignments"][0]["assignee"]["summary"],
        "Priya Natarajan"
    );
    assert_eq!(incident["status"], "triggered");
    assert_eq!(newest_entry(&sim).await["type"], "assign_log_entry");

    for (level, detail) in [
        (3, "escalation policy Payments Primary has no level 3"),
        (0, "incident.escalation_level: must be 1 or more, got 0"),
    ] {
        let body = json!({"incident": {"type": "incident_reference", "escalation_level": level}});
        assert_refused(
            &sim.put(Q, Some(SAM), &body).await,
            "Invalid Input Provided",
            detail,
        );
    }
    sim.finish().await;
}

#[tokio::test]
async fn a_snooze_ends_when_the_clock_passes_it() {
    let sim = shared_day_at("06:00").await;
    let body = json!({"duration": 3600});
    assert_eq!(
        spec().validate_request("POST", &format!("{Q}/snooze"), &body),
        Ok(())
    );
    let reply = sim.post(&format!("{Q}/snooze"), Some(SAM), &body).await;
    let incident = ok_json(&reply, 201)["incident"].clone();
    assert_eq!(incident["status"], "acknowledged");
    assert_eq!(
        incident["pending_actions"],
        json!([{"type": "unacknowledge", "at": "2026-05-04T07:00:00Z"}])
    );
    let snooze = newest_entry(&sim).await;
    assert_eq!(snooze["type"], "snooze_log_entry");
    assert_eq!(
        snooze["changed_actions"],
        json!([{"type": "unacknowledge", "at": "2026-05-04T07:00:00Z"}])
    );
    assert_eq!(snooze["agent"]["summary"], "Sam Okafor");

    // The clock is frozen at 06:00; move the shared world on as the clock would.
    drop(sim.running.live().advance_to(at(6, 59)));
    assert_eq!(sim.ok(Q).await["incident"]["status"], "acknowledged");
    drop(sim.running.live().advance_to(at(7, 0)));
    let incident = sim.ok(Q).await["incident"].clone();
    assert_eq!(incident["status"], "triggered");
    assert_eq!(incident["pending_actions"], json!([]));
    assert_eq!(incident["last_status_change_at"], "2026-05-04T07:00:00Z");
    assert_eq!(
        incident["last_status_change_by"]["type"],
        "service_reference"
    );
    let unack = newest_entry(&sim).await;
    assert_eq!(unack["type"], "unacknowledge_log_entry");
    assert_eq!(unack["agent"]["id"], "PPAYAPI");
    assert_eq!(unack["channel"]["type"], "timeout");

    // A later action is stamped no earlier than the world has come, so the log stays in order,
    // and the incident shows this acknowledgement, not the first.
    let incident = ok_json(
        &sim.put(Q, Some(PRIYA), &status_update("acknowledged"))
            .await,
        200,
    )["incident"]
        .clone();
    let acks = incident["acknowledgements"].as_array().expect("acks");
    assert_eq!(acks.len(), 1, "{incident}");
    assert_eq!(acks[0]["at"], "2026-05-04T07:00:00Z");
    assert_eq!(acks[0]["acknowledger"]["summary"], "Priya Natarajan");
    assert_eq!(
        log(&sim).await[..3],
        [
            (
                "acknowledge_log_entry".into(),
                "2026-05-04T07:00:00Z".into()
            ),
            (
                "unacknowledge_log_entry".into(),
                "2026-05-04T07:00:00Z".into()
            ),
            ("snooze_log_entry".into(), "2026-05-04T06:00:00Z".into()),
        ]
    );
    sim.finish().await;
}

#[tokio::test]
async fn notes_are_added_and_listed_oldest_first() {
    let sim = shared_day_at("06:00").await;
    let path = format!("{Q}/notes");
    let body = json!({"note": {"content": "DB pool at 200/200."}});
    assert_eq!(spec().validate_request("POST", &path, &body), Ok(()));
    let note = ok_json(&sim.post(&path, Some(SAM), &body).await, 200)["note"].clone();
    assert_eq!(note["content"], "DB pool at 200/200.");
    assert_eq!(note["user"]["summary"], "Sam Okafor");
    assert_eq!(note["user"]["type"], "user_reference");
    assert_eq!(note["created_at"], "2026-05-04T06:00:00Z");
    let id = note["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with('P') && id.len() == 7, "{id}");
    ok_json(
        &sim.post(
            &path,
            Some(PRIYA),
            &json!({"note": {"content": "Raising the pool."}}),
        )
        .await,
        200,
    );
    let notes = sim.ok(&path).await["notes"].clone();
    let listed: Vec<(&str, &str)> = notes
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| {
            (
                n["user"]["summary"].as_str().expect("user"),
                n["content"].as_str().expect("content"),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Sam Okafor", "DB pool at 200/200."),
            ("Priya Natarajan", "Raising the pool.")
        ]
    );
    assert_eq!(notes[0]["id"], id.as_str(), "note ids are stable");
    let entry = newest_entry(&sim).await;
    assert_eq!(entry["type"], "annotate_log_entry");
    assert_eq!(entry["note"], "Raising the pool.");
    sim.finish().await;
}

#[tokio::test]
async fn the_log_shows_each_actions_entry() {
    let sim = shared_day_at("05:48").await;
    let priya = user_id(&sim, "natarajan").await;
    ok_json(
        &sim.put(Q, Some(SAM), &status_update("acknowledged")).await,
        200,
    );
    ok_json(
        &sim.post(&format!("{Q}/snooze"), Some(SAM), &json!({"duration": 60}))
            .await,
        201,
    );
    ok_json(
        &sim.post(
            &format!("{Q}/notes"),
            Some(SAM),
            &json!({"note": {"content": "handing over"}}),
        )
        .await,
        200,
    );
    ok_json(
        &sim.put(
            Q,
            Some(SAM),
            &json!({"incident": {"type": "incident",
                "assignments": [{"assignee": {"id": priya, "type": "user_reference"}}]}}),
        )
        .await,
        200,
    );
    ok_json(
        &sim.put(
            Q,
            Some("Priya.Natarajan@example.test"),
            &status_update("resolved"),
        )
        .await,
        200,
    );
    let types: Vec<String> = log(&sim).await.into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        types,
        [
            "resolve_log_entry",
            "assign_log_entry",
            "annotate_log_entry",
            "snooze_log_entry",
            "acknowledge_log_entry",
            "assign_log_entry",
            "trigger_log_entry",
        ]
    );
    let resolve = newest_entry(&sim).await;
    assert_eq!(
        resolve["agent"]["summary"], "Priya Natarajan",
        "From matches whatever the case"
    );
    // The scripted 05:52 acknowledgement of the resolved incident is skipped, not applied.
    drop(sim.running.live().advance_to(at(6, 0)));
    assert_eq!(sim.ok(Q).await["incident"]["status"], "resolved");
    sim.finish().await;
}

#[tokio::test]
async fn users_are_found_by_name_or_email_and_paged() {
    let sim = shared_day_at("06:00").await;
    let names = |body: &Value| -> Vec<String> {
        body["users"]
            .as_array()
            .expect("users")
            .iter()
            .map(|u| u["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let all = sim.ok("/users?total=true").await;
    assert_eq!(names(&all), ["Sam Okafor", "Priya Natarajan", "Lee Dubois"]);
    assert_eq!(all["total"], 3);
    assert_eq!(all["users"][0], sim.ok("/users/me").await["user"]);
    assert_eq!(
        names(&sim.ok("/users?query=PRIYA").await),
        ["Priya Natarajan"]
    );
    assert_eq!(
        names(&sim.ok("/users?query=lee.dubois%40example").await),
        ["Lee Dubois"]
    );
    assert_eq!(
        names(&sim.ok("/users?query=nobody").await),
        Vec::<String>::new()
    );
    let page = sim.ok("/users?query=example.test&limit=2&offset=1").await;
    assert_eq!(names(&page), ["Priya Natarajan", "Lee Dubois"]);
    assert_eq!(page["more"], false);
    let first = sim.ok("/users?limit=1").await;
    assert_eq!(first["more"], true);
    assert_eq!(sim.get("/users?limit=x").await.status, 400);
    sim.finish().await;
}

#[tokio::test]
async fn writes_need_a_from_header_naming_a_user() {
    let sim = shared_day_at("06:00").await;
    let writes = [
        (Method::PUT, Q.to_owned(), status_update("resolved")),
        (Method::POST, format!("{Q}/snooze"), json!({"duration": 60})),
        (
            Method::POST,
            format!("{Q}/notes"),
            json!({"note": {"content": "x"}}),
        ),
    ];
    for (method, path, body) in &writes {
        let missing = Sim::send(sim.write(method.clone(), path, None).json(body)).await;
        assert_eq!(missing.status, 400, "{path}: {}", missing.text);
        assert_eq!(
            missing.json(),
            json!({"error": {"code": 2016, "message":
                "You must specify a user's email address in the \"From\" header to perform this action"}}),
            "{path}"
        );
        let unknown = Sim::send(
            sim.write(method.clone(), path, Some("ghost@example.test"))
                .json(body),
        )
        .await;
        assert_refused(&unknown, "Requester User Not Found", "ghost@example.test");
        assert_eq!(unknown.json()["error"]["code"], 1008);
    }
    // Nothing changed.
    assert_eq!(sim.ok(Q).await["incident"]["status"], "acknowledged");
    assert_eq!(log(&sim).await.len(), 3);
    sim.finish().await;
}

#[tokio::test]
async fn bad_bodies_get_400_naming_the_field() {
    let sim = shared_day_at("06:00").await;
    let snooze = format!("{Q}/snooze");
    let notes = format!("{Q}/notes");
    let cases: Vec<(&str, Value, &str)> = vec![
        (Q, json!({}), "incident: required"),
        (Q, json!({"incident": []}), "incident: must be an object"),
        (
            Q,
            json!({"incident": {"status": "resolved"}}),
            "incident.type: required",
        ),
        (
            Q,
            json!({"incident": {"type": "incident_reference", "status": "snoozed"}}),
            "incident.status: unknown value \"snoozed\"",
        ),
        (
            Q,
            json!({"incident": {"type": "incident_reference", "status": true}}),
            "incident.status: must be a string",
        ),
        (
            Q,
            json!({"incident": {"type": "incident_reference", "escalation_level": "2"}}),
            "incident.escalation_level: must be an integer",
        ),
        (
            Q,
            json!({"incident": {"type": "incident_reference",
                "assignments": [{"assignee": {"id": "PNOBODY", "type": "user_reference"}}]}}),
            "incident.assignments[0].assignee.id: no user PNOBODY",
        ),
        (&snooze, json!({}), "duration: required"),
        (
            &snooze,
            json!({"duration": "60"}),
            "duration: must be an integer",
        ),
        (
            &snooze,
            json!({"duration": 1.5}),
            "duration: must be an integer",
        ),
        (
            &snooze,
            json!({"duration": 0}),
            "duration: must be from 1 to 604800",
        ),
        (
            &snooze,
            json!({"duration": 604_801}),
            "duration: must be from 1 to 604800",
        ),
        (&notes, json!({}), "note: required"),
        (
            &notes,
            json!({"note": {"content": 5}}),
            "note.content: must be a string",
        ),
        (&notes, json!({"note": {}}), "note.content: required"),
        (
            &notes,
            json!({"note": {"content": " "}}),
            "note.content: must not be empty",
        ),
    ];
    for (path, body, detail) in cases {
        let method = if path == Q { Method::PUT } else { Method::POST };
        let reply = Sim::send(sim.write(method, path, Some(SAM)).json(&body)).await;
        assert_refused(&reply, "Invalid Input Provided", detail);
        assert_eq!(reply.json()["error"]["code"], 2001);
    }
    // Not JSON, not labelled JSON, or no body at all.
    let raw = |content_type: Option<&str>, text: &'static str| {
        let request = sim.write(Method::PUT, Q, Some(SAM)).body(text);
        match content_type {
            Some(ct) => request.header("content-type", ct),
            None => request,
        }
    };
    for (request, detail) in [
        (
            raw(Some("application/json"), "{\"incident\": "),
            "request body: not valid JSON",
        ),
        (
            raw(Some("text/plain"), "{\"incident\": {}}"),
            "Content-Type: \"text/plain\" is not supported",
        ),
        (raw(None, "{\"incident\": {}}"), "Content-Type: required"),
        (raw(Some("application/json"), ""), "request body: required"),
        (
            raw(Some("application/json"), "[1, 2]"),
            "request body: must be a JSON object",
        ),
    ] {
        assert_refused(&Sim::send(request).await, "Invalid Input Provided", detail);
    }
    assert_eq!(sim.ok(Q).await["incident"]["status"], "acknowledged");
    sim.finish().await;
}

#[tokio::test]
async fn unknown_incidents_get_404() {
    let sim = shared_day_at("06:00").await;
    let missing = "/incidents/QNOPE";
    let not_found = json!({"error": {"message": "Not Found", "code": 2100}});
    for reply in [
        sim.put(missing, Some(SAM), &status_update("acknowledged"))
            .await,
        sim.post(
            &format!("{missing}/snooze"),
            Some(SAM),
            &json!({"duration": 60}),
        )
        .await,
        sim.post(
            &format!("{missing}/notes"),
            Some(SAM),
            &json!({"note": {"content": "x"}}),
        )
        .await,
        sim.get(&format!("{missing}/notes")).await,
        // Not created until 11:31.
        sim.put(
            "/incidents/Q0SEC0002",
            Some(SAM),
            &status_update("resolved"),
        )
        .await,
    ] {
        assert_eq!(reply.status, 404, "{}", reply.text);
        assert_eq!(reply.json(), not_found);
    }
    sim.finish().await;
}

#[tokio::test]
async fn actions_that_no_longer_apply_say_why() {
    let sim = shared_day_at("05:48").await;
    let snooze = format!("{Q}/snooze");
    let reply = sim.post(&snooze, Some(SAM), &json!({"duration": 60})).await;
    assert_refused(
        &reply,
        "Incident Not Acknowledged",
        "only an acknowledged incident can be snoozed",
    );
    assert_eq!(reply.json()["error"]["code"], 2001);
    // "triggered" keeps a triggered incident so, and is refused once it is acknowledged.
    ok_json(
        &sim.put(Q, Some(SAM), &status_update("triggered")).await,
        200,
    );
    ok_json(
        &sim.put(Q, Some(SAM), &status_update("acknowledged")).await,
        200,
    );
    assert_refused(
        &sim.put(Q, Some(SAM), &status_update("triggered")).await,
        "Incident Already Acknowledged",
        "does not un-acknowledge",
    );

    ok_json(
        &sim.put(Q, Some(SAM), &status_update("resolved")).await,
        200,
    );
    for (reply, action) in [
        (
            sim.put(Q, Some(SAM), &status_update("acknowledged")).await,
            "cannot acknowledge incident Q0PAY0001: the incident is already resolved",
        ),
        (
            sim.post(&snooze, Some(SAM), &json!({"duration": 60})).await,
            "cannot snooze incident Q0PAY0001: the incident is already resolved",
        ),
        (
            sim.put(
                Q,
                Some(SAM),
                &json!({"incident": {"type": "incident_reference", "escalation_level": 2}}),
            )
            .await,
            "cannot reassign incident Q0PAY0001: the incident is already resolved",
        ),
        (
            sim.put(Q, Some(SAM), &status_update("triggered")).await,
            "does not reopen incidents",
        ),
    ] {
        assert_refused(&reply, "Incident Already Resolved", action);
    }
    // Resolving again is fine, and notes still go on.
    ok_json(
        &sim.put(Q, Some(SAM), &status_update("resolved")).await,
        200,
    );
    ok_json(
        &sim.post(
            &format!("{Q}/notes"),
            Some(SAM),
            &json!({"note": {"content": "postmortem Tuesday"}}),
        )
        .await,
        200,
    );
    sim.finish().await;
}

#[tokio::test]
async fn writes_go_through_the_same_gate_as_reads() {
    let sim = shared_day_at("06:00").await;
    let body = status_update("resolved");
    let no_token = Sim::send(sim.client.put(sim.url(Q)).header("from", SAM).json(&body)).await;
    assert_eq!(no_token.status, 401);
    assert!(no_token.header("ratelimit-limit").is_some());

    let faults = sim.running.pagerduty.faults();
    faults.push(PathMatch::exact(Q), Fault::Status(503), Some(1));
    let failed = sim.put(Q, Some(SAM), &body).await;
    assert_eq!(failed.status, 503);
    assert_eq!(
        sim.ok(Q).await["incident"]["status"],
        "acknowledged",
        "a request the fault answered did not reach the world"
    );
    let done = sim.put(Q, Some(SAM), &body).await;
    assert_eq!(done.status, 200);
    let remaining: u32 = done
        .header("ratelimit-remaining")
        .expect("ratelimit-remaining")
        .parse()
        .expect("number");
    assert!(remaining < 960);
    let methods: Vec<(String, u16, bool)> = sim
        .exchanges()
        .iter()
        .map(|e| (e.method.clone(), e.status, e.request_body.is_some()))
        .collect();
    assert_eq!(
        methods,
        [
            ("PUT".into(), 401, true),
            ("PUT".into(), 503, true),
            ("GET".into(), 200, false),
            ("PUT".into(), 200, true),
        ]
    );
    sim.finish().await;
}
