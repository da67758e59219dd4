//! The mapping rules without HTTP: statuses, failures first, the flaky hint, deployments.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use opsdeck_domain::{EntryKind, Severity, SourceKind, Status};
use serde_json::json;

use super::map::*;
use super::wire::*;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap()
}

fn run(id: u64, sha: &str, status: &str, conclusion: Option<&str>, minute: u32) -> Run {
    Run {
        id,
        name: Some("ci".into()),
        workflow_id: Some(7),
        path: Some(".github/workflows/ci.yml".into()),
        run_number: Some(id - 9000),
        run_attempt: Some(1),
        head_branch: Some("main".into()),
        head_sha: sha.into(),
        display_title: Some("Add payment latency and pool metrics".into()),
        event: Some("push".into()),
        status: Some(status.into()),
        conclusion: conclusion.map(str::to_string),
        html_url: Some(format!(
            "https://github.com/acme/payments-api/actions/runs/{id}"
        )),
        created_at: at(16, minute),
        updated_at: Some(at(16, minute + 4)),
        run_started_at: Some(at(16, minute)),
        actor: Some(User {
            login: "sam".into(),
        }),
        triggering_actor: None,
        head_commit: None,
    }
}

fn ctx<'a>(failed: Option<&'a [FailedJob]>, flaky: Option<&'a Flaky>) -> RunContext<'a> {
    RunContext {
        repo: "acme/payments-api",
        service: Some("payments-api"),
        failed_jobs: failed,
        flaky,
        environment: None,
    }
}

#[test]
fn statuses_follow_the_run_then_its_conclusion() {
    let s = |status, conclusion| run_status(&run(9011, "9e0d4c1", status, conclusion, 5));
    assert_eq!(s("queued", None), Status::Queued);
    assert_eq!(s("waiting", None), Status::Queued);
    assert_eq!(s("in_progress", None), Status::InProgress);
    assert_eq!(s("completed", Some("success")), Status::Success);
    assert_eq!(s("completed", Some("failure")), Status::Failure);
    assert_eq!(s("completed", Some("timed_out")), Status::Failure);
    assert_eq!(s("completed", Some("cancelled")), Status::Cancelled);
    assert_eq!(s("completed", Some("skipped")), Status::Cancelled);
}

#[test]
fn a_failed_run_names_its_failed_job_and_step_and_is_a_warning() {
    let jobs = vec![
        Job {
            id: 1,
            name: "build".into(),
            status: Some("completed".into()),
            conclusion: Some("success".into()),
            html_url: None,
            started_at: None,
            completed_at: None,
            steps: vec![],
        },
        Job {
            id: 2,
            name: "test".into(),
            status: Some("completed".into()),
            conclusion: Some("failure".into()),
            html_url: Some("https://github.com/acme/payments-api/actions/runs/9011/job/2".into()),
            started_at: None,
            completed_at: None,
            steps: vec![
                Step {
                    name: "Checkout".into(),
                    number: Some(1),
                    conclusion: Some("success".into()),
                },
                Step {
                    name: "Run tests".into(),
                    number: Some(2),
                    conclusion: Some("failure".into()),
                },
                Step {
                    name: "Upload".into(),
                    number: Some(3),
                    conclusion: Some("skipped".into()),
                },
            ],
        },
    ];
    let failed = failed_jobs(&jobs);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].steps, ["Run tests"]);
    let r = run(9011, "9e0d4c1aaaa", "completed", Some("failure"), 5);
    let e = run_entry(&r, json!({}), &ctx(Some(&failed), None));
    assert_eq!(e.source, SourceKind::Github);
    assert_eq!(e.kind, EntryKind::CiRun);
    assert_eq!(e.external_id, "9011");
    assert_eq!(e.severity, Severity::Warning);
    assert_eq!(e.status, Some(Status::Failure));
    assert_eq!(
        e.title,
        "ci #11 (main): Add payment latency and pool metrics — test failed at “Run tests”"
    );
    assert_eq!(e.service.as_deref(), Some("payments-api"));
    assert_eq!(e.ended_at, Some(at(16, 9)));
    assert_eq!(e.details["duration_seconds"], 240);
    assert_eq!(e.details["commit_short"], "9e0d4c1");
    assert_eq!(
        e.details["failed_jobs"][0]["failed_steps"],
        json!(["Run tests"])
    );
}

#[test]
fn a_running_run_has_no_end_and_is_info() {
    let r = run(9001, "4f1c2ab", "in_progress", None, 31);
    let e = run_entry(&r, json!({}), &ctx(None, None));
    assert_eq!(e.ended_at, None);
    assert_eq!(e.severity, Severity::Info);
    assert_eq!(e.details["duration_seconds"], json!(null));
}

#[test]
fn the_same_commit_failing_then_passing_is_flaky() {
    let failed = run(9020, "abc1234", "completed", Some("failure"), 1);
    let passed = run(9021, "abc1234", "completed", Some("success"), 10);
    let other = run(9022, "def5678", "completed", Some("success"), 12);
    let hints = flaky_runs(&[passed.clone(), failed, other], &HashMap::new());
    assert_eq!(hints.len(), 1, "{hints:?}");
    assert_eq!(
        hints[&9021],
        Flaky {
            failed_run: 9020,
            failed_attempt: None
        }
    );
    let e = run_entry(&passed, json!({}), &ctx(None, hints.get(&9021)));
    assert!(e.title.ends_with("— flaky?"), "{}", e.title);
    assert_eq!(
        e.details["flaky"]["hint"],
        "run 9020 of the same commit failed, this one passed"
    );

    // A re-run that passed after its first attempt failed.
    let mut rerun = run(9030, "fff0000", "completed", Some("success"), 20);
    rerun.run_attempt = Some(2);
    let hints = flaky_runs(&[rerun], &HashMap::from([(9030, 1)]));
    assert_eq!(hints[&9030].failed_attempt, Some(1));
    // Passing first, failing later is no flake, it is a break.
    let first = run(9040, "eee0000", "completed", Some("success"), 1);
    let later = run(9041, "eee0000", "completed", Some("failure"), 9);
    assert!(flaky_runs(&[first, later], &HashMap::new()).is_empty());
}

fn deployment(env: &str, production: Option<bool>) -> Deployment {
    Deployment {
        id: 501,
        sha: "4f1c2ab0000".into(),
        git_ref: "main".into(),
        task: Some("deploy".into()),
        environment: env.into(),
        description: None,
        creator: Some(User {
            login: "sam".into(),
        }),
        created_at: at(8, 47),
        updated_at: None,
        production_environment: production,
        transient_environment: None,
    }
}

fn status(id: u64, state: &str, minute: u32) -> DeploymentStatus {
    DeploymentStatus {
        id,
        state: state.into(),
        description: None,
        environment_url: None,
        log_url: Some("https://github.com/acme/payments-api/actions/runs/9003".into()),
        target_url: None,
        created_at: at(8, minute),
    }
}

#[test]
fn deployments_say_where_and_how_it_went() {
    let d = deployment("production", None);
    let e = deployment_entry(
        &d,
        &[status(1, "in_progress", 47), status(2, "success", 49)],
        json!({}),
        "acme/payments-api",
        Some("payments-api"),
    );
    assert_eq!(e.kind, EntryKind::Deployment);
    assert_eq!(e.status, None, "the contract gives deployments no status");
    assert_eq!(
        e.title,
        "acme/payments-api deployed main (4f1c2ab) to production"
    );
    assert_eq!(e.details["production"], true);
    assert_eq!(e.details["state"], "success");
    assert_eq!(e.ended_at, Some(at(8, 49)));
    assert_eq!(e.external_id, "501");

    let running = deployment_entry(
        &d,
        &[status(1, "in_progress", 47)],
        json!({}),
        "acme/payments-api",
        None,
    );
    assert_eq!(running.ended_at, None);
    assert!(
        running.title.ends_with("(in progress)"),
        "{}",
        running.title
    );

    let failed = deployment_entry(
        &d,
        &[status(3, "failure", 50)],
        json!({}),
        "acme/payments-api",
        None,
    );
    assert_eq!(failed.severity, Severity::Warning);

    assert!(!is_production(&deployment("staging", None)));
    assert!(is_production(&deployment("prod-eu", None)));
    assert!(
        is_production(&deployment("live", Some(true))),
        "GitHub's flag wins"
    );
}
