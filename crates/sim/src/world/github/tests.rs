//! The shared day's CI runs and deployments, and how scripted events meet actions.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone};

use super::*;
use crate::scenario::{bundled_day, parse_str, EventKindName};
use crate::world::{Review, World};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap()
}

fn day() -> World {
    World::new(
        Arc::new(bundled_day()),
        NaiveDate::from_ymd_opt(2026, 5, 4).expect("date"),
    )
}

const PAYMENTS: &str = "acme/payments-api";

fn payments(world: &World) -> u64 {
    world
        .github()
        .repository(PAYMENTS)
        .expect("payments-api")
        .id
}

fn run(world: &World, id: u64) -> &WorkflowRun {
    let github = world.github();
    let repo = github.runs.get(&id).expect("run exists").repo_id;
    github.run(repo, id).expect("run")
}

#[test]
fn the_days_ci_events_make_runs_and_deployments() {
    let mut world = day();
    let applied = world.advance_to(at(17, 0));
    let ci: Vec<&Outcome> = applied
        .iter()
        .filter(|a| a.kind == EventKindName::Ci)
        .map(|a| &a.outcome)
        .collect();
    assert_eq!(ci, [&Outcome::Applied; 6]);
    let github = world.github();
    let names: Vec<String> = github
        .repositories()
        .iter()
        .map(Repository::full_name)
        .collect();
    assert_eq!(names, ["acme/payments-api", "acme/user-dashboard"]);
    let repo = payments(&world);
    let summary: Vec<(u64, &str, &str, RunStatus, Option<Conclusion>)> = github
        .runs(repo)
        .map(|r| {
            (
                r.id,
                r.workflow.as_str(),
                r.head_branch.as_str(),
                r.status,
                r.conclusion,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                9001,
                "hotfix",
                "hotfix/async-payment-calls",
                RunStatus::Completed,
                Some(Conclusion::Success)
            ),
            (
                9002,
                "deploy-staging",
                "hotfix/async-payment-calls",
                RunStatus::Completed,
                Some(Conclusion::Success)
            ),
            (
                9003,
                "deploy-production",
                "main",
                RunStatus::Completed,
                Some(Conclusion::Success)
            ),
            (
                9011,
                "ci",
                "main",
                RunStatus::Completed,
                Some(Conclusion::Failure)
            ),
        ]
    );
    // 9001 ran from 07:31 to 07:36, its jobs inside that.
    let hotfix = run(&world, 9001);
    assert_eq!(
        (hotfix.created_at, hotfix.updated_at),
        (at(7, 31), at(7, 36))
    );
    assert!(hotfix.head_sha.starts_with("4f1c2ab") && hotfix.head_sha.len() == 40);
    assert_eq!(run(&world, 9002).head_sha, hotfix.head_sha);
    assert_eq!(hotfix.jobs[0].started_at, at(7, 31));
    assert_eq!(hotfix.jobs[1].completed_at, Some(at(7, 36)));
    let deployments: Vec<(&str, &str, u64, Vec<DeploymentState>)> = github
        .deployments(repo)
        .map(|d| {
            (
                d.environment.as_str(),
                d.git_ref.as_str(),
                d.run_id,
                d.statuses.iter().map(|s| s.state).collect(),
            )
        })
        .collect::<Vec<_>>();
    let mut deployments = deployments;
    deployments.sort_by_key(|d| d.2);
    assert_eq!(
        deployments,
        [
            (
                "staging",
                "hotfix/async-payment-calls",
                9002,
                vec![DeploymentState::InProgress, DeploymentState::Success]
            ),
            (
                "production",
                "main",
                9003,
                vec![DeploymentState::InProgress, DeploymentState::Success]
            ),
        ]
    );
}

#[test]
fn ids_are_the_same_on_every_replay_and_runs_are_numbered_per_workflow() {
    let (mut a, mut b) = (day(), day());
    a.advance_to(at(17, 0));
    b.advance_to(at(17, 0));
    let ids = |w: &World| -> Vec<(u64, u64, u64, String)> {
        let repo = payments(w);
        w.github()
            .runs(repo)
            .map(|r| {
                (
                    r.workflow_id,
                    r.run_number,
                    r.jobs[0].id,
                    r.head_sha.clone(),
                )
            })
            .chain(
                w.github()
                    .deployments(repo)
                    .map(|d| (d.id, 0, d.statuses[0].id, d.sha.clone())),
            )
            .collect()
    };
    assert_eq!(ids(&a), ids(&b));
    let repo = payments(&a);
    let workflows: BTreeSet<u64> = a.github().runs(repo).map(|r| r.workflow_id).collect();
    assert_eq!(workflows.len(), 4, "one workflow per name");
    let n = a.add_workflow_runs(PAYMENTS, 2, at(17, 0)).expect("adds");
    let numbers: Vec<u64> = n.iter().map(|id| run(&a, *id).run_number).collect();
    assert_eq!(numbers[1], numbers[0] + 1);
    assert_eq!(
        numbers[0],
        run(&a, 9011).run_number + 1,
        "same workflow, next number"
    );
    assert_eq!(n, [9012, 9013]);
}

#[test]
fn a_cancelled_run_skips_the_scripted_completion() {
    let mut world = day();
    world.advance_to(at(7, 33));
    world
        .cancel_workflow_run(PAYMENTS, 9001, at(7, 33))
        .expect("cancels a running run");
    assert_eq!(
        world.cancel_workflow_run(PAYMENTS, 9001, at(7, 34)),
        Err(GitHubError::CannotCancel)
    );
    let applied = world.advance_to(at(7, 40));
    let outcome = &applied
        .iter()
        .find(|a| a.kind == EventKindName::Ci)
        .unwrap()
        .outcome;
    assert!(
        matches!(outcome, Outcome::Skipped(r) if r == "workflow run 9001 was cancelled from outside"),
        "{outcome:?}"
    );
    assert_eq!(run(&world, 9001).conclusion, Some(Conclusion::Cancelled));
    assert!(world
        .skipped()
        .iter()
        .any(|l| l.contains("9001 was cancelled")));
}

#[test]
fn a_scripted_update_repeating_the_state_is_already_done() {
    let scenario = parse_str(
        r#"version: 1
name: t
summary: s
clock: {tz: UTC, day_starts: "05:00"}
me: {name: Me, email: me@example.test}
events:
  - {at: "06:00", ci: {id: 1, repo: a/b, workflow: ci, branch: main, commit: abc, title: t, state: in_progress}}
  - {at: "06:05", ci: {id: 1, state: in_progress}}
  - {at: "06:10", ci: {id: 1, state: completed, conclusion: failure}}
  - {at: "06:20", ci: {id: 1, state: completed, conclusion: success}}
"#,
        "t.yaml",
    )
    .expect("loads");
    let mut world = World::new(
        Arc::new(scenario),
        NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
    );
    let outcomes: Vec<Outcome> = world
        .advance_to(at(7, 0))
        .into_iter()
        .map(|a| a.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Applied,
            Outcome::AlreadyDone,
            Outcome::Applied,
            Outcome::Applied
        ]
    );
    let r = run(&world, 1);
    // The script ran it again: a second attempt that succeeded.
    assert_eq!((r.attempt, r.conclusion), (2, Some(Conclusion::Success)));
    assert_eq!(r.head_sha.len(), 40);
    assert!(r.head_sha.starts_with("abc"));
}

#[test]
fn an_attempt_started_from_outside_completes_two_minutes_later() {
    let mut world = day();
    world.advance_to(at(17, 0));
    world
        .rerun_failed_jobs(PAYMENTS, 9011, at(17, 0))
        .expect("re-runs");
    let r = run(&world, 9011);
    assert_eq!((r.attempt, r.status), (2, RunStatus::InProgress));
    assert_eq!(
        world.rerun_workflow_run(PAYMENTS, 9011, at(17, 1)),
        Err(GitHubError::AlreadyRunning)
    );
    world.advance_to(at(17, 2));
    let r = run(&world, 9011);
    assert_eq!(
        (r.status, r.conclusion),
        (RunStatus::Completed, Some(Conclusion::Success))
    );
    assert_eq!(r.updated_at, at(17, 2));
    assert_eq!(
        world.rerun_failed_jobs(PAYMENTS, 9011, at(17, 3)),
        Err(GitHubError::NothingToRerun)
    );
    // Re-running a deploy run deploys again and retires the previous deployment.
    world
        .rerun_workflow_run(PAYMENTS, 9003, at(17, 5))
        .expect("re-runs");
    world.advance_to(at(17, 7));
    let repo = payments(&world);
    let production: Vec<Vec<DeploymentState>> = world
        .github()
        .deployments(repo)
        .filter(|d| d.environment == "production")
        .map(|d| d.statuses.iter().map(|s| s.state).collect())
        .collect();
    assert_eq!(production.len(), 2);
    assert!(production.contains(&vec![
        DeploymentState::InProgress,
        DeploymentState::Success,
        DeploymentState::Inactive
    ]));
    assert!(production.contains(&vec![DeploymentState::InProgress, DeploymentState::Success]));
}

#[test]
fn a_pending_deployment_is_approved_or_rejected() {
    let mut world = day();
    world.advance_to(at(17, 0));
    let new = |id| CiRun {
        id,
        repo: PAYMENTS.to_owned(),
        workflow: "deploy-production".to_owned(),
        branch: "main".to_owned(),
        commit: "9e0d4c1".to_owned(),
        title: "Deploy 1.42.0".to_owned(),
        state: CiState::Queued,
        conclusion: None,
        environment: Some("production".to_owned()),
    };
    world.add_workflow_run(&new(9100), at(17, 0)).expect("adds");
    assert_eq!(
        world.add_workflow_run(&new(9001), at(17, 0)),
        Err(GitHubError::RunExists(9001))
    );
    world
        .wait_for_approval(PAYMENTS, 9100, "production", at(17, 1))
        .expect("waits");
    let env = run(&world, 9100)
        .pending
        .as_ref()
        .expect("pending")
        .environment_id;
    assert_eq!(
        world.review_pending_deployments(PAYMENTS, 9100, &[env + 1], Review::Approved, at(17, 2)),
        Err(GitHubError::NoPendingDeployment)
    );
    let made = world
        .review_pending_deployments(PAYMENTS, 9100, &[env], Review::Approved, at(17, 2))
        .expect("approves");
    assert_eq!(made.len(), 1);
    assert_eq!(run(&world, 9100).status, RunStatus::InProgress);
    world.advance_to(at(17, 4));
    let repo = payments(&world);
    let deployment = world
        .github()
        .deployment(repo, made[0])
        .expect("deployment");
    assert_eq!(deployment.latest_state(), Some(DeploymentState::Success));
    assert_eq!(deployment.created_at, at(17, 2));

    world.add_workflow_run(&new(9101), at(17, 5)).expect("adds");
    world
        .wait_for_approval(PAYMENTS, 9101, "production", at(17, 5))
        .expect("waits");
    let none = world
        .review_pending_deployments(PAYMENTS, 9101, &[env], Review::Rejected, at(17, 6))
        .expect("rejects");
    assert!(none.is_empty());
    let r = run(&world, 9101);
    assert_eq!(
        (r.status, r.conclusion),
        (RunStatus::Completed, Some(Conclusion::Failure))
    );
    assert_eq!(
        world.wait_for_approval(PAYMENTS, 9101, "production", at(17, 7)),
        Err(GitHubError::NotWaitable(9101))
    );
}

#[test]
fn renamed_and_deleted_repositories() {
    let mut world = day();
    world.advance_to(at(7, 0));
    world
        .rename_repository(PAYMENTS, "acme/payments")
        .expect("renames");
    let github = world.github();
    assert!(github.repository(PAYMENTS).is_none());
    assert_eq!(
        github
            .renamed_from("ACME/Payments-API")
            .map(Repository::full_name),
        Some("acme/payments".to_owned())
    );
    // Scripted events still find it under its old name.
    world.advance_to(at(7, 36));
    assert_eq!(run(&world, 9001).conclusion, Some(Conclusion::Success));
    world
        .delete_workflow_run("acme/payments", 9001)
        .expect("deletes");
    world
        .delete_repository("acme/user-dashboard")
        .expect("deletes");
    let applied = world.advance_to(at(17, 0));
    let skipped: Vec<&Outcome> = applied
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Skipped(_)))
        .map(|a| &a.outcome)
        .collect();
    assert_eq!(
        skipped,
        [&Outcome::Skipped(
            "repository acme/user-dashboard was deleted".into()
        )]
    );
    assert_eq!(
        world.delete_repository("acme/user-dashboard"),
        Err(GitHubError::UnknownRepository("acme/user-dashboard".into()))
    );
    assert_eq!(
        world.rename_repository("acme/payments", "nope"),
        Err(GitHubError::BadRepositoryName("nope".into()))
    );
}

#[test]
fn logins_and_shas() {
    assert_eq!(login_from_email("sam.okafor@example.test"), "sam-okafor");
    assert_eq!(login_from_email("@x"), "opsdeck");
    let sha = head_sha(1, "4F1C2AB");
    assert!(sha.starts_with("4f1c2ab"));
    assert_eq!(sha, head_sha(1, "4f1c2ab"));
    assert_ne!(sha, head_sha(2, "4f1c2ab"));
    let odd = head_sha(1, "not-hex");
    assert!(odd.len() == 40 && odd.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(tree_sha(&sha).len(), 40);
}
