//! The GitHub source against the simulated GitHub of the shared day: what a first poll tells
//! (runs with their failed jobs, deployments, services), conditional requests that make an idle
//! poll cost 304s and store nothing, runs updating in place, pagination over hundreds of runs,
//! a run deleted between list and jobs, renamed and deleted repositories, rate limits, and the
//! actions.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use opsdeck_domain::{ActionKind, ActionRequest, EntryKind, NewEntry, Severity, Status};
use opsdeck_sim::faults::{Fault, PathMatch};
use opsdeck_sim::run::{start, RunningSim, SimOptions};
use opsdeck_sim::scenario::bundled_day;
use opsdeck_sources::github::{GithubConfig, GithubSource};
use opsdeck_sources::http::HttpOptions;
use opsdeck_sources::{ActionContext, ActionError, PollContext, Source, SourceError};

const PAYMENTS: &str = "acme/payments-api";
const DASHBOARD: &str = "acme/user-dashboard";

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 4).expect("date")
}

fn at(hh: u32, mm: u32) -> DateTime<Utc> {
    date().and_hms_opt(hh, mm, 0).expect("time").and_utc()
}

async fn day_at(time: &str) -> RunningSim {
    let scenario = bundled_day();
    let t = scenario.parse_time(time).expect("valid time");
    start(SimOptions {
        scenario: Arc::new(scenario),
        date: date(),
        at: t,
        speed: 0.0,
        port_base: None,
    })
    .await
    .expect("simulator starts")
}

fn source(sim: &RunningSim, repos: &[&str]) -> GithubSource {
    GithubSource::new(GithubConfig {
        name: "github".into(),
        url: sim.url("github").expect("github is simulated").into(),
        token: "sim-token".into(),
        repos: repos.iter().map(|r| r.to_string()).collect(),
        services: [
            (PAYMENTS.to_string(), "payments-api".to_string()),
            (DASHBOARD.to_string(), "user-dashboard".to_string()),
        ]
        .into(),
        http: HttpOptions {
            timeout: StdDuration::from_secs(5),
            retries: 1,
            min_backoff: StdDuration::from_millis(10),
            ..HttpOptions::default()
        },
    })
    .expect("builds")
}

fn ctx(now: DateTime<Utc>) -> PollContext {
    PollContext {
        now,
        cursor: None,
        backfill: Duration::hours(24),
    }
}

async fn poll(source: &GithubSource, now: DateTime<Utc>) -> Vec<NewEntry> {
    source
        .poll(&ctx(now))
        .await
        .unwrap_or_else(|e| panic!("poll failed: {e}"))
        .entries
}

fn by_id<'a>(entries: &'a [NewEntry], id: &str) -> &'a NewEntry {
    entries
        .iter()
        .find(|e| e.external_id == id)
        .unwrap_or_else(|| panic!("no entry {id} in {:#?}", titles(entries)))
}

fn titles(entries: &[NewEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| format!("{} {} [{}] {:?}", e.kind, e.title, e.external_id, e.status))
        .collect()
}

fn request(kind: ActionKind, target: &str) -> ActionRequest {
    ActionRequest {
        kind,
        target: target.into(),
        params: Default::default(),
    }
}

fn action_ctx(now: DateTime<Utc>) -> ActionContext {
    ActionContext {
        now,
        me: Some("sam@example.test".into()),
    }
}

#[tokio::test]
async fn the_days_runs_and_deployments_then_an_idle_poll_costs_only_304s() {
    let sim = day_at("17:00").await;
    let github = source(&sim, &[PAYMENTS, DASHBOARD]);
    let entries = poll(&github, at(17, 0)).await;

    let runs: Vec<&NewEntry> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::CiRun)
        .collect();
    let mut ids: Vec<&str> = runs.iter().map(|e| e.external_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        ["9001", "9002", "9003", "9010", "9011"],
        "{:#?}",
        titles(&entries)
    );

    let failed = by_id(&entries, "9011");
    assert_eq!(failed.status, Some(Status::Failure));
    assert_eq!(failed.severity, Severity::Warning);
    assert_eq!(failed.service.as_deref(), Some("payments-api"));
    assert!(failed.title.contains("failed at “"), "{}", failed.title);
    assert_eq!(failed.details["branch"], "main");
    assert!(failed.details["commit"]
        .as_str()
        .is_some_and(|c| c.starts_with("9e0d4c1")));
    let jobs = failed.details["failed_jobs"]
        .as_array()
        .expect("failed jobs read");
    assert!(
        !jobs.is_empty()
            && !jobs[0]["failed_steps"]
                .as_array()
                .expect("steps")
                .is_empty(),
        "{jobs:?}"
    );

    let hotfix = by_id(&entries, "9001");
    assert_eq!(hotfix.status, Some(Status::Success));
    assert_eq!(hotfix.details["duration_seconds"], 300, "07:31 → 07:36");
    assert_eq!(
        by_id(&entries, "9010").service.as_deref(),
        Some("user-dashboard")
    );

    let deploys: Vec<&NewEntry> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Deployment)
        .collect();
    let envs: Vec<(&str, bool)> = deploys
        .iter()
        .map(|e| {
            (
                e.details["environment"].as_str().unwrap_or(""),
                e.details["production"] == true,
            )
        })
        .collect();
    assert_eq!(deploys.len(), 2, "{envs:?}");
    assert!(
        envs.contains(&("staging", false)) && envs.contains(&("production", true)),
        "{envs:?}"
    );
    assert!(deploys
        .iter()
        .all(|d| d.details["state"] == "success" && d.ended_at.is_some()));
    assert_eq!(by_id(&entries, "9003").details["environment"], "production");

    // Nothing changed: every request is a 304, nothing is handed on, and GitHub's count of
    // requests left does not move.
    let before = github
        .budget()
        .and_then(|b| b.vendor_remaining)
        .expect("rate-limit headers kept");
    assert!(poll(&github, at(17, 1)).await.is_empty());
    let after = github
        .budget()
        .and_then(|b| b.vendor_remaining)
        .expect("kept");
    assert_eq!(after, before, "304s cost nothing of the rate limit");
    sim.stop().await;
}

#[tokio::test]
async fn a_run_updates_in_place_as_it_completes() {
    let sim = day_at("07:33").await;
    let github = source(&sim, &[PAYMENTS]);
    let first = poll(&github, at(7, 33)).await;
    assert_eq!(by_id(&first, "9001").status, Some(Status::InProgress));
    assert_eq!(by_id(&first, "9001").ended_at, None);

    drop(sim.live().advance_to(at(7, 41)));
    let next = poll(&github, at(7, 41)).await;
    let ids: Vec<&str> = next.iter().map(|e| e.external_id.as_str()).collect();
    assert_eq!(
        by_id(&next, "9001").status,
        Some(Status::Success),
        "{ids:?}"
    );
    assert_eq!(
        by_id(&next, "9001").id(),
        by_id(&first, "9001").id(),
        "the same entry"
    );
    assert!(ids.contains(&"9002"), "the staging run arrived: {ids:?}");
    sim.stop().await;
}

#[tokio::test]
async fn hundreds_of_runs_come_in_pages_and_a_deleted_run_is_no_failure() {
    let sim = day_at("17:00").await;
    let added = {
        let mut world = sim.live().advance();
        world
            .add_workflow_runs(PAYMENTS, 250, at(17, 0))
            .expect("runs added")
    };
    // The newest failed one disappears before its jobs are read.
    let doomed = added
        .iter()
        .rev()
        .copied()
        .find(|id| {
            let world = sim.live().advance();
            let repo = world.github().repository(PAYMENTS).expect("repo").id;
            world
                .github()
                .run(repo, *id)
                .is_some_and(|r| r.conclusion.map(|c| c.as_str()) == Some("failure"))
        })
        .expect("every seventh fails");
    sim.github.faults().push(
        PathMatch::exact(&format!("/repos/{PAYMENTS}/actions/runs/{doomed}/jobs")),
        Fault::Status(404),
        None,
    );

    let github = source(&sim, &[PAYMENTS]);
    let entries = poll(&github, at(17, 0)).await;
    let runs = entries
        .iter()
        .filter(|e| e.kind == EntryKind::CiRun)
        .count();
    assert_eq!(runs, 250 + 4, "three pages of 100, every run once");
    let gone = by_id(&entries, &doomed.to_string());
    assert_eq!(gone.status, Some(Status::Failure));
    assert_eq!(
        gone.details["failed_jobs"],
        serde_json::json!([]),
        "its jobs are gone"
    );
    sim.stop().await;
}

#[tokio::test]
async fn renamed_deleted_and_rate_limited_repositories() {
    let sim = day_at("17:00").await;
    sim.live()
        .advance()
        .rename_repository(PAYMENTS, "acme/payments")
        .expect("renamed");
    // GitHub redirects the old name; the runs still come.
    let github = source(&sim, &[PAYMENTS]);
    let entries = poll(&github, at(17, 0)).await;
    assert!(
        entries.iter().any(|e| e.external_id == "9011"),
        "{:#?}",
        titles(&entries)
    );

    sim.live()
        .advance()
        .delete_repository("acme/payments")
        .expect("deleted");
    let err = source(&sim, &[PAYMENTS])
        .poll(&ctx(at(17, 0)))
        .await
        .expect_err("a deleted repository");
    assert!(matches!(err, SourceError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(PAYMENTS), "{err}");

    // A secondary rate limit longer than a poll waits: the poll fails as rate-limited, saying
    // how long GitHub asked for.
    let dashboard = source(&sim, &[DASHBOARD]);
    sim.github.faults().push(
        PathMatch::prefix("/repos/"),
        Fault::SecondaryRateLimit(StdDuration::from_secs(90)),
        Some(1),
    );
    let limited = dashboard.poll(&ctx(at(17, 0))).await.expect_err("limited");
    match limited {
        SourceError::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, StdDuration::from_secs(90))
        }
        other => panic!("not a rate limit: {other:?}"),
    }
    // The primary limit spent: a 403 with no requests left is a wait, not a permission.
    sim.github.set_rate_limit(0);
    let spent = dashboard.poll(&ctx(at(17, 0))).await.expect_err("spent");
    assert!(
        matches!(spent, SourceError::RateLimited { .. }),
        "{spent:?}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn rerun_failed_jobs_cancel_and_approve_through_the_source() {
    let sim = day_at("17:00").await;
    let github = source(&sim, &[PAYMENTS]);
    poll(&github, at(17, 0)).await;
    let now = action_ctx(at(17, 0));

    let plan = github
        .plan_action(
            &request(ActionKind::GithubRerunFailed, "acme/payments-api/9011"),
            &now,
        )
        .await
        .expect("plan");
    assert!(
        plan.summary.starts_with("Re-run the failed jobs of ci #"),
        "{}",
        plan.summary
    );
    assert_eq!(plan.target_name, PAYMENTS);
    assert_eq!(plan.service.as_deref(), Some("payments-api"));
    assert!(
        plan.details.iter().any(|d| d.starts_with("re-runs ")),
        "{:?}",
        plan.details
    );
    github
        .execute_action(
            &request(ActionKind::GithubRerunFailed, "acme/payments-api/9011"),
            &now,
        )
        .await
        .expect("re-run");
    let after = poll(&github, at(17, 0)).await;
    assert_eq!(
        by_id(&after, "9011").status,
        Some(Status::InProgress),
        "a new attempt runs"
    );
    assert_eq!(by_id(&after, "9011").details["run_attempt"], 2);

    // Cancelling the re-run is allowed now; cancelling a finished run is refused at the plan.
    let refused = github
        .plan_action(
            &request(ActionKind::GithubCancel, "acme/payments-api/9003"),
            &now,
        )
        .await
        .expect_err("finished");
    assert!(matches!(refused, ActionError::Invalid(_)), "{refused}");
    assert!(
        refused.to_string().contains("nothing to cancel"),
        "{refused}"
    );
    github
        .execute_action(
            &request(ActionKind::GithubCancel, "acme/payments-api/9011"),
            &now,
        )
        .await
        .expect("cancelled");
    let cancelled = poll(&github, at(17, 0)).await;
    assert_eq!(by_id(&cancelled, "9011").status, Some(Status::Cancelled));

    // A run waiting for a reviewer of production: approved by name.
    {
        let mut world = sim.live().advance();
        world
            .rerun_workflow_run(PAYMENTS, 9003, at(17, 0))
            .expect("re-run");
        world
            .wait_for_approval(PAYMENTS, 9003, "production", at(17, 0))
            .expect("waits");
    }
    let approve = request(
        ActionKind::GithubApproveDeployment,
        "acme/payments-api/9003",
    );
    let plan = github.plan_action(&approve, &now).await.expect("plan");
    assert!(plan.summary.contains("to production"), "{}", plan.summary);
    assert!(plan.environment.contains("environment production"));
    let mut wrong = approve.clone();
    wrong.params.insert("environment".into(), "staging".into());
    let err = github
        .plan_action(&wrong, &now)
        .await
        .expect_err("not waiting there");
    assert!(
        err.to_string()
            .contains("waits for no environment \"staging\""),
        "{err}"
    );
    let done = github
        .execute_action(&approve, &now)
        .await
        .expect("approved");
    assert!(done.contains("approved the deployment"), "{done}");

    let bad = github
        .plan_action(
            &request(ActionKind::GithubRerun, "acme/payments-api/nope"),
            &now,
        )
        .await
        .expect_err("bad target");
    assert!(bad.to_string().contains("owner/repo/run_id"), "{bad}");
    let elsewhere = github
        .plan_action(&request(ActionKind::GithubRerun, "acme/other/1"), &now)
        .await
        .expect_err("not watched");
    assert!(
        elsewhere
            .to_string()
            .contains("not a repository this source watches"),
        "{elsewhere}"
    );
    let missing = github
        .plan_action(
            &request(ActionKind::GithubRerun, "acme/payments-api/424242"),
            &now,
        )
        .await
        .expect_err("no such run");
    assert!(
        missing.is_bad_input() && missing.to_string().contains("no workflow run 424242"),
        "{missing}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn error_statuses_say_what_github_said() {
    let sim = day_at("17:00").await;
    let github = source(&sim, &[PAYMENTS]);
    let runs = format!("/repos/{PAYMENTS}/actions/runs");
    for (status, expect) in [
        (401u16, "rejected the token"),
        (403, "refused access"),
        (422, "refused the request"),
    ] {
        sim.github
            .faults()
            .push(PathMatch::exact(&runs), Fault::Status(status), Some(1));
        let err = github
            .poll(&ctx(at(17, 0)))
            .await
            .expect_err("the fault answers");
        let text = err.to_string();
        assert!(
            text.contains(expect) && text.contains(&runs),
            "{status}: {text}"
        );
        assert!(!text.contains("sim-token"), "no token in errors: {text}");
    }
    // Recovered: the next poll reads everything (nothing was handed on by the failed ones).
    let entries = poll(&github, at(17, 0)).await;
    assert!(entries.iter().any(|e| e.external_id == "9011"));
    sim.stop().await;
}
