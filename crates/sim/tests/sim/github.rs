//! The simulated GitHub REST API on the shared day: workflow runs, jobs and deployments from
//! the scenario's `ci` events, pagination, conditional requests, the rate limits, the
//! actions, errors and faults. Every test ends with `finish_github`, which checks every
//! exchange against GitHub's description.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::TimeDelta;
use opsdeck_sim::github::{Exchange, Fault, PathMatch};
use opsdeck_sim::scenario::{CiRun, CiState};
use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{github_problem, shared_day_at, Reply, Sim};

const PAYMENTS: &str = "acme/payments-api";
const RUNS: &str = "/repos/acme/payments-api/actions/runs";
const DEPLOYMENTS: &str = "/repos/acme/payments-api/deployments";

fn ids(items: &Value) -> Vec<u64> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"))
        .iter()
        .map(|i| i["id"].as_u64().expect("numeric id"))
        .collect()
}

async fn run_ids(sim: &Sim, query: &str) -> Vec<u64> {
    ids(&sim.github_ok(&format!("{RUNS}{query}")).await["workflow_runs"])
}

async fn post(sim: &Sim, path: &str, body: Option<Value>) -> Reply {
    let request = sim.github(Method::POST, path);
    Sim::send(match body {
        Some(body) => request.json(&body),
        None => request,
    })
    .await
}

fn header_u64(reply: &Reply, name: &str) -> u64 {
    reply
        .header(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .parse()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ci_run(id: u64, state: CiState, environment: &str) -> CiRun {
    CiRun {
        id,
        repo: PAYMENTS.to_owned(),
        workflow: "deploy-production".to_owned(),
        branch: "main".to_owned(),
        commit: "9e0d4c1".to_owned(),
        title: "Deploy 1.42.0 to production".to_owned(),
        state,
        conclusion: None,
        environment: Some(environment.to_owned()),
    }
}

#[tokio::test]
async fn the_days_runs_are_listed_newest_first_with_their_outcomes() {
    let sim = shared_day_at("17:00").await;
    let body = sim.github_ok(RUNS).await;
    assert_eq!(body["total_count"], 4);
    let summary: Vec<(u64, &str, &str, &str, &str)> = body["workflow_runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| {
            (
                r["id"].as_u64().unwrap(),
                r["name"].as_str().unwrap(),
                r["head_branch"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["conclusion"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (9011, "ci", "main", "completed", "failure"),
            (9003, "deploy-production", "main", "completed", "success"),
            (
                9002,
                "deploy-staging",
                "hotfix/async-payment-calls",
                "completed",
                "success"
            ),
            (
                9001,
                "hotfix",
                "hotfix/async-payment-calls",
                "completed",
                "success"
            ),
        ]
    );
    let failed = &body["workflow_runs"][0];
    let sha = failed["head_sha"].as_str().expect("sha");
    assert!(sha.len() == 40 && sha.starts_with("9e0d4c1"), "{sha}");
    assert_eq!(
        failed["display_title"],
        "Add payment latency and pool metrics"
    );
    assert_eq!(failed["path"], ".github/workflows/ci.yml");
    assert_eq!(failed["event"], "push");
    assert_eq!(failed["created_at"], "2026-05-04T16:05:00Z");
    assert_eq!(failed["run_attempt"], 1);
    assert_eq!(failed["actor"]["login"], "sam-okafor");
    assert_eq!(failed["repository"]["full_name"], PAYMENTS);
    assert_eq!(failed["head_commit"]["id"], sha);
    // One get answers the same run.
    assert_eq!(&sim.github_ok(&format!("{RUNS}/9011")).await, failed);
    let hotfix = &body["workflow_runs"][3];
    assert_eq!(
        (
            &hotfix["created_at"],
            &hotfix["run_started_at"],
            &hotfix["updated_at"]
        ),
        (
            &json!("2026-05-04T07:31:00Z"),
            &json!("2026-05-04T07:31:00Z"),
            &json!("2026-05-04T07:36:00Z")
        )
    );
    let dashboard = sim
        .github_ok("/repos/acme/user-dashboard/actions/runs")
        .await;
    assert_eq!(ids(&dashboard["workflow_runs"]), [9010]);
    assert_eq!(dashboard["workflow_runs"][0]["conclusion"], "success");

    assert_eq!(run_ids(&sim, "?branch=main").await, [9011, 9003]);
    assert_eq!(run_ids(&sim, "?status=failure").await, [9011]);
    assert_eq!(run_ids(&sim, "?status=completed").await.len(), 4);
    assert!(run_ids(&sim, "?status=in_progress").await.is_empty());
    assert_eq!(
        run_ids(&sim, "?created=%3E%3D2026-05-04T08:00:00Z").await,
        [9011, 9003]
    );
    assert_eq!(
        run_ids(&sim, "?created=2026-05-04T07:00:00Z..2026-05-04T08:00:00Z").await,
        [9002, 9001]
    );
    assert!(run_ids(&sim, "?created=2026-05-03").await.is_empty());
    let hotfix_sha = hotfix["head_sha"].as_str().expect("sha");
    assert_eq!(
        run_ids(&sim, &format!("?head_sha={hotfix_sha}")).await,
        [9003, 9002, 9001]
    );
    assert_eq!(run_ids(&sim, "?actor=sam-okafor&event=push").await.len(), 4);
    assert!(run_ids(&sim, "?actor=someone-else").await.is_empty());
    assert!(run_ids(&sim, "?event=schedule").await.is_empty());
    let bad = Sim::send(sim.github(Method::GET, &format!("{RUNS}?status=done"))).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.json()["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Invalid request.\n\nFor 'status'")));
    sim.finish_github().await;
}

#[tokio::test]
async fn a_running_run_has_a_running_job_and_a_queued_one() {
    let sim = shared_day_at("07:33").await;
    let run = sim.github_ok(&format!("{RUNS}/9001")).await;
    assert_eq!(
        (&run["status"], &run["conclusion"]),
        (&json!("in_progress"), &Value::Null)
    );
    let jobs = sim.github_ok(&format!("{RUNS}/9001/jobs")).await;
    let build = &jobs["jobs"][0];
    assert_eq!(
        (&build["name"], &build["status"]),
        (&json!("build"), &json!("in_progress"))
    );
    assert_eq!(build["steps"][0]["status"], "in_progress");
    assert_eq!(build["steps"][1]["status"], "queued");
    let test = &jobs["jobs"][1];
    assert_eq!(
        (&test["name"], &test["status"]),
        (&json!("test"), &json!("queued"))
    );
    assert_eq!(test["steps"], json!([]));
    assert_eq!(test["runner_name"], Value::Null);
    // Not yet: the other runs start later.
    assert_eq!(run_ids(&sim, "").await, [9001]);
    sim.finish_github().await;
}

#[tokio::test]
async fn the_failed_run_shows_its_failed_step_and_jobs_paginate() {
    let sim = shared_day_at("17:00").await;
    let body = sim.github_ok(&format!("{RUNS}/9011/jobs")).await;
    assert_eq!(body["total_count"], 2);
    let jobs: Vec<(&str, &str)> = body["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| {
            (
                j["name"].as_str().unwrap(),
                j["conclusion"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(jobs, [("build", "success"), ("test", "failure")]);
    let steps: Vec<(&str, &str)> = body["jobs"][1]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["conclusion"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("Set up job", "success"),
            ("Checkout", "success"),
            ("Run tests", "failure"),
            ("Complete job", "skipped"),
        ]
    );
    for job in body["jobs"].as_array().expect("jobs") {
        assert_eq!(job["run_id"], 9011);
        assert_eq!(job["workflow_name"], "ci");
        for key in ["started_at", "completed_at"] {
            assert_eq!(
                job[key], "2026-05-04T16:05:00Z",
                "created completed: no time passed"
            );
        }
    }
    // The 07:31–07:36 run spread its jobs over those five minutes.
    let hotfix = sim.github_ok(&format!("{RUNS}/9001/jobs")).await;
    let times: Vec<(&str, &str)> = hotfix["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| {
            (
                j["started_at"].as_str().unwrap(),
                j["completed_at"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        times,
        [
            ("2026-05-04T07:31:00Z", "2026-05-04T07:33:30Z"),
            ("2026-05-04T07:33:30Z", "2026-05-04T07:36:00Z"),
        ]
    );

    let first = Sim::send(sim.github(Method::GET, &format!("{RUNS}/9011/jobs?per_page=1"))).await;
    assert_eq!(first.status, 200);
    assert_eq!(ids(&first.json()["jobs"]).len(), 1);
    let base = sim.running.github.url();
    let link = first.header("link").expect("a Link header");
    assert_eq!(
        link,
        format!(
            "<{base}{RUNS}/9011/jobs?per_page=1&page=2>; rel=\"next\", \
             <{base}{RUNS}/9011/jobs?per_page=1&page=2>; rel=\"last\""
        )
    );
    let second = sim
        .github_ok(&format!("{RUNS}/9011/jobs?per_page=1&page=2"))
        .await;
    assert_eq!(second["jobs"][0]["name"], "test");
    let bad = Sim::send(sim.github(Method::GET, &format!("{RUNS}/9011/jobs?filter=some"))).await;
    assert_eq!(bad.status, 422);
    sim.finish_github().await;
}

#[tokio::test]
async fn successful_deploy_runs_made_deployments_with_success_statuses() {
    let sim = shared_day_at("17:00").await;
    let list = sim.github_ok(DEPLOYMENTS).await;
    let summary: Vec<(&str, &str, bool)> = list
        .as_array()
        .expect("deployments")
        .iter()
        .map(|d| {
            (
                d["environment"].as_str().unwrap(),
                d["ref"].as_str().unwrap(),
                d["production_environment"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("production", "main", true),
            ("staging", "hotfix/async-payment-calls", false),
        ]
    );
    let run = sim.github_ok(&format!("{RUNS}/9003")).await;
    let production = &list[0];
    assert_eq!(production["sha"], run["head_sha"]);
    assert_eq!(production["task"], "deploy");
    assert_eq!(production["created_at"], "2026-05-04T08:47:00Z");
    assert_eq!(production["creator"]["login"], "sam-okafor");
    let id = production["id"].as_u64().expect("id");
    assert_eq!(
        &sim.github_ok(&format!("{DEPLOYMENTS}/{id}")).await,
        production
    );
    let statuses = sim.github_ok(&format!("{DEPLOYMENTS}/{id}/statuses")).await;
    let states: Vec<&str> = statuses
        .as_array()
        .expect("statuses")
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["success", "in_progress"], "newest first");
    assert_eq!(statuses[0]["environment"], "production");

    let filtered = |q: &'static str| {
        let sim = &sim;
        async move { ids(&sim.github_ok(&format!("{DEPLOYMENTS}{q}")).await) }
    };
    assert_eq!(filtered("?environment=production").await, [id]);
    assert_eq!(filtered("?ref=refs/heads/main").await, [id]);
    assert_eq!(filtered("?task=deploy&sha=none").await.len(), 2);
    assert!(filtered("?environment=qa").await.is_empty());
    let sha = production["sha"].as_str().expect("sha");
    assert_eq!(
        ids(&sim.github_ok(&format!("{DEPLOYMENTS}?sha={sha}")).await).len(),
        2
    );
    assert_eq!(
        sim.github_ok("/repos/acme/user-dashboard/deployments")
            .await,
        json!([])
    );
    for path in [
        format!("{DEPLOYMENTS}/1"),
        format!("{DEPLOYMENTS}/1/statuses"),
    ] {
        let missing = Sim::send(sim.github(Method::GET, &path)).await;
        assert_eq!(missing.status, 404, "{path}");
    }
    sim.finish_github().await;
}

#[tokio::test]
async fn hundreds_of_runs_are_walked_page_by_page_through_link() {
    let sim = shared_day_at("17:00").await;
    let now = sim.running.now();
    let added = sim
        .running
        .world
        .lock()
        .expect("world")
        .add_workflow_runs(PAYMENTS, 250, now)
        .expect("adds runs");
    assert_eq!(added.len(), 250);
    let mut next = Some(format!(
        "{}{RUNS}?branch=main&per_page=100",
        sim.running.github.url()
    ));
    let mut seen = Vec::new();
    let mut created = Vec::new();
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        assert!(pages <= 3, "more pages than 252 runs need");
        let reply = Sim::send(
            sim.client
                .get(&url)
                .bearer_auth(crate::harness::GITHUB_TOKEN),
        )
        .await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text);
        let body = reply.json();
        assert_eq!(body["total_count"], 252, "{url}");
        for run in body["workflow_runs"].as_array().expect("runs") {
            assert_eq!(run["head_branch"], "main");
            created.push(run["created_at"].as_str().expect("time").to_owned());
        }
        seen.extend(ids(&body["workflow_runs"]));
        let link = reply
            .header("link")
            .expect("a Link header on every page")
            .to_owned();
        assert!(link.contains("branch=main"), "{link}");
        next = link
            .split(", ")
            .find(|l| l.ends_with("rel=\"next\""))
            .map(|l| l[1..l.find('>').expect("<url>")].to_owned());
        if pages == 1 {
            assert!(link.contains("page=3>; rel=\"last\""), "{link}");
        }
        if next.is_none() {
            assert!(
                link.contains("rel=\"prev\"") && link.contains("rel=\"first\""),
                "{link}"
            );
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 252);
    let distinct: BTreeSet<u64> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), 252, "no run twice");
    assert!(added.iter().all(|id| distinct.contains(id)));
    assert!(distinct.contains(&9011) && distinct.contains(&9003));
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // Above 100 per page is 100; past the end is empty.
    assert_eq!(run_ids(&sim, "?per_page=500").await.len(), 100);
    let beyond = sim.github_ok(&format!("{RUNS}?page=99")).await;
    assert_eq!(beyond["total_count"], 254);
    assert_eq!(beyond["workflow_runs"], json!([]));
    sim.finish_github().await;
}

#[tokio::test]
async fn a_matching_etag_answers_304_and_costs_no_rate_limit() {
    let sim = shared_day_at("17:00").await;
    let first = Sim::send(sim.github(Method::GET, RUNS)).await;
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(
        first.header("cache-control"),
        Some("private, max-age=60, s-maxage=60")
    );
    assert_eq!(first.header("vary"), Some("Accept, Authorization"));
    assert_eq!(first.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(first.header("x-ratelimit-resource"), Some("core"));
    let remaining = header_u64(&first, "x-ratelimit-remaining");
    assert_eq!(header_u64(&first, "x-ratelimit-used"), 5000 - remaining);

    let cached = Sim::send(sim.github(Method::GET, RUNS).header("if-none-match", &etag)).await;
    assert_eq!(cached.status, 304);
    assert_eq!(cached.text, "");
    assert_eq!(cached.header("etag"), Some(etag.as_str()));
    assert_eq!(header_u64(&cached, "x-ratelimit-remaining"), remaining);

    let again = Sim::send(sim.github(Method::GET, RUNS)).await;
    assert_eq!(again.status, 200);
    assert_eq!(header_u64(&again, "x-ratelimit-remaining"), remaining - 1);

    // A change makes a new entity: the old tag gets the whole list again.
    let rerun = post(&sim, &format!("{RUNS}/9011/rerun-failed-jobs"), None).await;
    assert_eq!(rerun.status, 201, "{}", rerun.text);
    let changed = Sim::send(sim.github(Method::GET, RUNS).header("if-none-match", &etag)).await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));

    // /rate_limit costs nothing and tells the same budget.
    let before = header_u64(&changed, "x-ratelimit-remaining");
    let limits = Sim::send(sim.github(Method::GET, "/rate_limit")).await;
    assert_eq!(limits.status, 200);
    let core = &limits.json()["resources"]["core"];
    assert_eq!(core["remaining"], before);
    assert_eq!(core["limit"], 5000);
    assert_eq!(header_u64(&limits, "x-ratelimit-remaining"), before);
    let reset = core["reset"].as_u64().expect("reset");
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert!(
        (wall..=wall + 3600).contains(&reset),
        "reset {reset}, now {wall}"
    );
    let limits_tag = limits.header("etag").expect("etag").to_owned();
    let unchanged = Sim::send(
        sim.github(Method::GET, "/rate_limit")
            .header("if-none-match", &limits_tag),
    )
    .await;
    assert_eq!(unchanged.status, 304);
    let after = Sim::send(sim.github(Method::GET, &format!("{RUNS}/9011"))).await;
    assert_eq!(header_u64(&after, "x-ratelimit-remaining"), before - 1);
    sim.finish_github().await;
}

#[tokio::test]
async fn rerun_rerun_failed_and_cancel_change_the_run() {
    let sim = shared_day_at("17:00").await;
    let created = post(&sim, &format!("{RUNS}/9011/rerun-failed-jobs"), None).await;
    assert_eq!((created.status, created.json()), (201, json!({})));
    let run = sim.github_ok(&format!("{RUNS}/9011")).await;
    assert_eq!(
        (&run["status"], &run["conclusion"], &run["run_attempt"]),
        (&json!("in_progress"), &Value::Null, &json!(2))
    );
    assert!(run["previous_attempt_url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/actions/runs/9011/attempts/1")));
    let latest = sim.github_ok(&format!("{RUNS}/9011/jobs")).await;
    let jobs: Vec<(&str, u64, &str)> = latest["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| {
            (
                j["name"].as_str().unwrap(),
                j["run_attempt"].as_u64().unwrap(),
                j["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        jobs,
        [("build", 1, "completed"), ("test", 2, "in_progress")]
    );
    let all = sim.github_ok(&format!("{RUNS}/9011/jobs?filter=all")).await;
    assert_eq!(all["total_count"], 3);

    let running = post(&sim, &format!("{RUNS}/9011/rerun"), None).await;
    assert_eq!(running.status, 403);
    assert_eq!(
        running.json()["message"],
        "This workflow is already running"
    );

    let cancelled = post(&sim, &format!("{RUNS}/9011/cancel"), None).await;
    assert_eq!((cancelled.status, cancelled.json()), (202, json!({})));
    let run = sim.github_ok(&format!("{RUNS}/9011")).await;
    assert_eq!(
        (&run["status"], &run["conclusion"]),
        (&json!("completed"), &json!("cancelled"))
    );
    let again = post(&sim, &format!("{RUNS}/9011/cancel"), None).await;
    assert_eq!(again.status, 409);
    assert_eq!(
        again.json()["message"],
        "Cannot cancel a workflow run that is completed."
    );

    let nothing_failed = post(&sim, &format!("{RUNS}/9002/rerun-failed-jobs"), None).await;
    assert_eq!(nothing_failed.status, 403, "{}", nothing_failed.text);

    // Re-running a deploy deploys again two simulated minutes later and retires the old one.
    let rerun = post(
        &sim,
        &format!("{RUNS}/9003/rerun"),
        Some(json!({"enable_debug_logging": true})),
    )
    .await;
    assert_eq!(rerun.status, 201, "{}", rerun.text);
    assert_eq!(
        sim.github_ok(&format!("{RUNS}/9003")).await["status"],
        "in_progress"
    );
    drop(
        sim.running
            .live()
            .advance_to(sim.running.now() + TimeDelta::minutes(3)),
    );
    let run = sim.github_ok(&format!("{RUNS}/9003")).await;
    assert_eq!(
        (&run["status"], &run["conclusion"], &run["updated_at"]),
        (
            &json!("completed"),
            &json!("success"),
            &json!("2026-05-04T17:02:00Z")
        )
    );
    let production = sim
        .github_ok(&format!("{DEPLOYMENTS}?environment=production"))
        .await;
    assert_eq!(ids(&production).len(), 2);
    let old = production[1]["id"].as_u64().expect("id");
    let states: Vec<String> = sim
        .github_ok(&format!("{DEPLOYMENTS}/{old}/statuses"))
        .await
        .as_array()
        .expect("statuses")
        .iter()
        .map(|s| s["state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(states, ["inactive", "success", "in_progress"]);

    let bad = post(
        &sim,
        &format!("{RUNS}/9001/rerun"),
        Some(json!({"enable_debug_logging": "yes"})),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let not_json = Sim::send(
        sim.github(Method::POST, &format!("{RUNS}/9001/rerun"))
            .header("content-type", "application/json")
            .body("{enable"),
    )
    .await;
    assert_eq!(not_json.status, 400);
    assert_eq!(not_json.json()["message"], "Problems parsing JSON");
    let unknown = post(&sim, &format!("{RUNS}/424242/rerun"), None).await;
    assert_eq!(unknown.status, 404);
    sim.finish_github().await;
}

#[tokio::test]
async fn a_pending_deployment_is_shown_and_approved_or_rejected() {
    let sim = shared_day_at("17:00").await;
    let now = sim.running.now();
    {
        let mut world = sim.running.world.lock().expect("world");
        for id in [9100, 9101] {
            world
                .add_workflow_run(&ci_run(id, CiState::Queued, "production"), now)
                .expect("adds a run");
            world
                .wait_for_approval(PAYMENTS, id, "production", now)
                .expect("waits");
        }
    }
    let pending = sim
        .github_ok(&format!("{RUNS}/9100/pending_deployments"))
        .await;
    assert_eq!(pending.as_array().map(Vec::len), Some(1));
    let environment = &pending[0]["environment"];
    assert_eq!(environment["name"], "production");
    assert_eq!(pending[0]["wait_timer"], 0);
    assert_eq!(pending[0]["wait_timer_started_at"], "2026-05-04T17:00:00Z");
    assert_eq!(pending[0]["current_user_can_approve"], true);
    let env = environment["id"].as_u64().expect("environment id");
    assert_eq!(
        sim.github_ok(&format!("{RUNS}/9100")).await["status"],
        "waiting"
    );
    assert_eq!(
        sim.github_ok(&format!("{RUNS}/9100/jobs")).await["jobs"][0]["status"],
        "waiting"
    );

    let path = format!("{RUNS}/9100/pending_deployments");
    for (body, says) in [
        (json!({}), "\"environment_ids\" wasn't supplied."),
        (
            json!({"environment_ids": [env], "state": "maybe", "comment": "x"}),
            "For 'properties/state', \"maybe\" is not one of",
        ),
        (
            json!({"environment_ids": ["production"], "state": "approved", "comment": "x"}),
            "For 'items', \"production\" is not an integer.",
        ),
        (
            json!({"environment_ids": [env], "state": "approved"}),
            "\"comment\" wasn't supplied.",
        ),
        (
            json!({"environment_ids": [env + 1], "state": "approved", "comment": "Ship it!"}),
            "No pending deployment requests to approve or reject",
        ),
    ] {
        let refused = post(&sim, &path, Some(body.clone())).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.text);
        let message = refused.json()["message"].as_str().unwrap_or("").to_owned();
        assert!(message.contains(says), "{body}: {message}");
    }

    let approved = post(
        &sim,
        &path,
        Some(json!({"environment_ids": [env], "state": "approved", "comment": "Ship it!"})),
    )
    .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let made = approved.json();
    assert_eq!(made.as_array().map(Vec::len), Some(1));
    let run = sim.github_ok(&format!("{RUNS}/9100")).await;
    assert_eq!(made[0]["environment"], "production");
    assert_eq!(made[0]["sha"], run["head_sha"]);
    assert_eq!(made[0]["ref"], "main");
    assert_eq!(run["status"], "in_progress");
    assert_eq!(sim.github_ok(&path).await, json!([]));
    let id = made[0]["id"].as_u64().expect("id");
    let statuses = sim.github_ok(&format!("{DEPLOYMENTS}/{id}/statuses")).await;
    assert_eq!(statuses[0]["state"], "in_progress");

    let rejected = post(
        &sim,
        &format!("{RUNS}/9101/pending_deployments"),
        Some(json!({"environment_ids": [env], "state": "rejected", "comment": "Not today"})),
    )
    .await;
    assert_eq!((rejected.status, rejected.json()), (200, json!([])));
    let run = sim.github_ok(&format!("{RUNS}/9101")).await;
    assert_eq!(
        (&run["status"], &run["conclusion"]),
        (&json!("completed"), &json!("failure"))
    );
    sim.finish_github().await;
}

#[tokio::test]
async fn authentication_unknown_ids_deleted_and_renamed_repositories() {
    let sim = shared_day_at("17:00").await;
    let anonymous = Sim::send(sim.github_anonymous(Method::GET, RUNS)).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.json()["message"], "Requires authentication");
    assert_eq!(anonymous.header("x-ratelimit-limit"), Some("60"));
    let token = Sim::send(
        sim.github_anonymous(Method::GET, RUNS)
            .header("authorization", "token ghp_other"),
    )
    .await;
    assert_eq!(token.status, 200, "the `token` scheme works too");

    let wrong_method = Sim::send(sim.github(Method::DELETE, RUNS)).await;
    assert_eq!(wrong_method.status, 404);
    assert_eq!(wrong_method.json()["message"], "Not Found");
    for path in [
        format!("{RUNS}/424242"),
        format!("{RUNS}/abc"),
        "/repos/acme/nothing/actions/runs".to_owned(),
        "/repos/acme/payments-api/issues".to_owned(),
    ] {
        let missing = Sim::send(sim.github(Method::GET, &path)).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_eq!(missing.json()["message"], "Not Found", "{path}");
    }

    // Deleted between the list and the get.
    assert!(run_ids(&sim, "").await.contains(&9001));
    sim.running
        .world
        .lock()
        .expect("world")
        .delete_workflow_run(PAYMENTS, 9001)
        .expect("deletes");
    for path in [format!("{RUNS}/9001"), format!("{RUNS}/9001/jobs")] {
        assert_eq!(Sim::send(sim.github(Method::GET, &path)).await.status, 404);
    }

    sim.running
        .world
        .lock()
        .expect("world")
        .rename_repository(PAYMENTS, "acme/payments")
        .expect("renames");
    let base = sim.running.github.url().to_owned();
    let direct = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let moved = Sim::send(
        direct
            .get(format!("{base}{RUNS}?branch=main"))
            .bearer_auth(crate::harness::GITHUB_TOKEN),
    )
    .await;
    let location = format!("{base}/repos/acme/payments/actions/runs?branch=main");
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("location"), Some(location.as_str()));
    assert_eq!(moved.json()["message"], "Moved Permanently");
    assert_eq!(moved.json()["url"], location);
    let write = Sim::send(
        direct
            .post(format!("{base}{RUNS}/9011/rerun-failed-jobs"))
            .bearer_auth(crate::harness::GITHUB_TOKEN),
    )
    .await;
    assert_eq!(write.status, 307, "writes keep their method");
    assert_eq!(
        write.header("location"),
        Some(format!("{base}/repos/acme/payments/actions/runs/9011/rerun-failed-jobs").as_str())
    );
    // A client that follows redirects lands on the new name; names ignore case.
    let followed = sim.github_ok(&format!("{RUNS}?branch=main")).await;
    assert_eq!(
        followed["workflow_runs"][0]["repository"]["full_name"],
        "acme/payments"
    );
    assert_eq!(
        sim.github_ok("/repos/ACME/Payments/actions/runs").await["total_count"],
        3
    );

    sim.running
        .world
        .lock()
        .expect("world")
        .delete_repository("acme/user-dashboard")
        .expect("deletes");
    let gone = Sim::send(sim.github(Method::GET, "/repos/acme/user-dashboard/actions/runs")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.json(),
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})
    );
    sim.finish_github().await;
}

#[tokio::test]
async fn rate_limits_primary_and_secondary_and_other_faults() {
    let sim = shared_day_at("17:00").await;
    let faults = sim.running.github.faults();
    faults.push(
        PathMatch::prefix("/repos/"),
        Fault::SecondaryRateLimit(Duration::from_secs(60)),
        Some(1),
    );
    let secondary = Sim::send(sim.github(Method::GET, RUNS)).await;
    assert_eq!(secondary.status, 403);
    assert_eq!(secondary.header("retry-after"), Some("60"));
    let body = secondary.json();
    assert!(body["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("You have exceeded a secondary rate limit")));
    assert_eq!(
        body["documentation_url"],
        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
    );
    assert_eq!(Sim::send(sim.github(Method::GET, RUNS)).await.status, 200);

    faults.push(
        PathMatch::Any,
        Fault::RateLimited(Duration::from_secs(30)),
        Some(1),
    );
    let too_many = Sim::send(sim.github(Method::GET, RUNS)).await;
    assert_eq!(
        (too_many.status, too_many.header("retry-after")),
        (429, Some("30"))
    );
    faults.push(PathMatch::Any, Fault::Status(502), Some(1));
    let bad_gateway = Sim::send(sim.github(Method::GET, RUNS)).await;
    assert_eq!(bad_gateway.status, 502);
    assert_eq!(bad_gateway.json()["message"], "Server Error");

    let whole = Sim::send(sim.github(Method::GET, &format!("{RUNS}/9011")))
        .await
        .text;
    faults.push(PathMatch::prefix(RUNS), Fault::Truncated, Some(1));
    let cut = Sim::send(sim.github(Method::GET, &format!("{RUNS}/9011"))).await;
    assert_eq!(
        (cut.status, cut.text.as_str()),
        (200, &whole[..whole.len() / 2])
    );
    faults.push(PathMatch::prefix(RUNS), Fault::WrongTypes, Some(1));
    let wrong = Sim::send(sim.github(Method::GET, &format!("{RUNS}/9011")))
        .await
        .json();
    assert_eq!(
        (&wrong["id"], &wrong["run_number"].is_string()),
        (&json!("9011"), &true)
    );
    assert!(wrong["created_at"].is_i64());
    faults.push(
        PathMatch::exact(RUNS),
        Fault::Hang(Duration::from_millis(300)),
        Some(1),
    );
    let started = std::time::Instant::now();
    let slow = Sim::send(sim.github(Method::GET, RUNS)).await;
    assert_eq!(slow.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "answered before the hang ended"
    );
    faults.push(PathMatch::Any, Fault::Malformed, Some(1));
    let html = Sim::send(sim.github(Method::GET, RUNS)).await;
    assert!(html.text.starts_with("<html>"));
    assert_eq!(faults.pending(), 0);

    // A fresh token with an hourly limit of 3.
    sim.running.github.set_rate_limit(3);
    let fresh = |method, path: &str| sim.github_anonymous(method, path).bearer_auth("ghp_fresh");
    for left in [2, 1, 0] {
        let ok = Sim::send(fresh(Method::GET, RUNS)).await;
        assert_eq!(ok.status, 200);
        assert_eq!(header_u64(&ok, "x-ratelimit-remaining"), left);
    }
    let limited = Sim::send(fresh(Method::GET, RUNS)).await;
    assert_eq!(limited.status, 403);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(header_u64(&limited, "x-ratelimit-used"), 3);
    assert!(limited.json()["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("API rate limit exceeded for user ID ")));
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert!(header_u64(&limited, "x-ratelimit-reset") > wall);
    // Writes are refused too; /rate_limit still answers, and costs nothing.
    let write = Sim::send(fresh(
        Method::POST,
        &format!("{RUNS}/9011/rerun-failed-jobs"),
    ))
    .await;
    assert_eq!(write.status, 403);
    let limits = Sim::send(fresh(Method::GET, "/rate_limit")).await;
    assert_eq!(limits.status, 200);
    assert_eq!(limits.json()["rate"]["remaining"], 0);
    // Raising the limit lets the token through again, its hour's requests still counted.
    sim.running.github.set_rate_limit(5000);
    let again = Sim::send(fresh(Method::GET, RUNS)).await;
    assert_eq!(again.status, 200);
    assert_eq!(header_u64(&again, "x-ratelimit-used"), 4);
    sim.finish_github().await;
}

#[test]
fn the_github_check_catches_drift_and_odd_error_bodies() {
    let drifted = Exchange {
        method: "GET".into(),
        path_and_query: "/repos/a/b/actions/runs/1".into(),
        request_body: None,
        status: 200,
        body: Some(json!({"id": 1, "status": "completed"})),
        fault: None,
    };
    let problem = github_problem(&drifted).expect("a run without its fields must fail");
    assert!(problem.contains("repository"), "{problem}");
    let corrupted = Exchange {
        fault: Some(Fault::Truncated),
        body: None,
        ..drifted.clone()
    };
    assert_eq!(github_problem(&corrupted), None);
    let not_modified = Exchange {
        status: 304,
        body: Some(Value::Null),
        ..drifted.clone()
    };
    assert_eq!(github_problem(&not_modified), None);
    let odd_error = Exchange {
        status: 404,
        body: Some(json!({"message": 404})),
        ..drifted.clone()
    };
    assert!(github_problem(&odd_error).is_some());
    let error = Exchange {
        status: 401,
        body: Some(json!({"message": "Requires authentication", "status": "401"})),
        ..drifted
    };
    assert_eq!(github_problem(&error), None);
}
