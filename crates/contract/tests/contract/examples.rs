//! The vendors' own example payloads (shared/specs/examples/*/INDEX.tsv) against their
//! operations. The failing set is pinned exactly, so a regression and an unexpected fix both
//! show up.

use std::collections::BTreeMap;
use std::fs;

use opsdeck_contract::{Spec, Violation};
use serde_json::Value;

use crate::specs::{self, Loaded};

struct Example {
    file: String,
    method: String,
    path: String,
    kind: String,
}

fn index(vendor: &str) -> Vec<Example> {
    let path = specs::specs_dir()
        .join("examples")
        .join(vendor)
        .join("INDEX.tsv");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 4, "short line in {}: {line}", path.display());
            Example {
                file: cols[0].to_string(),
                method: cols[1].to_string(),
                path: cols[2].to_string(),
                kind: cols[3].to_string(),
            }
        })
        .collect()
}

fn validate(spec: &Spec, vendor: &str, example: &Example) -> Result<(), Violation> {
    let file = specs::specs_dir()
        .join("examples")
        .join(vendor)
        .join(&example.file);
    let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    match example.kind.strip_prefix("response-") {
        Some(status) => {
            // A range example (`5XX`) stands for the first code of its range.
            let status = status.replace("XX", "00");
            let status = status
                .parse()
                .unwrap_or_else(|e| panic!("{}: status {status}: {e}", example.file));
            spec.validate_response(&example.method, &example.path, status, &body)
        }
        None => {
            assert_eq!(example.kind, "request", "{}", example.file);
            spec.validate_request(&example.method, &example.path, &body)
        }
    }
}

/// Validates the examples `keep` selects; returns how many and the failures by file.
fn run(
    loaded: &Loaded,
    vendor: &str,
    keep: impl Fn(&Example) -> bool,
) -> (usize, BTreeMap<String, Violation>) {
    let examples: Vec<Example> = index(vendor).into_iter().filter(|e| keep(e)).collect();
    let failed = examples
        .iter()
        .filter_map(|e| {
            validate(&loaded.spec, vendor, e)
                .err()
                .map(|v| (e.file.clone(), v))
        })
        .collect();
    (examples.len(), failed)
}

/// Fails unless exactly `expected` (file → why it is broken, what the error must mention) fail.
fn assert_failures(failed: &BTreeMap<String, Violation>, expected: &[(&str, &str, &str)]) {
    let report: String = failed
        .iter()
        .map(|(f, v)| format!("== {f}\n{v}\n"))
        .collect();
    let expected_files: Vec<&str> = expected.iter().map(|(f, _, _)| *f).collect();
    let failed_files: Vec<&str> = failed.keys().map(String::as_str).collect();
    assert_eq!(
        failed_files, expected_files,
        "failing examples changed:\n{report}"
    );
    for (file, why, mentions) in expected {
        let violation = failed[*file].to_string();
        assert!(
            violation.contains(mentions),
            "{file} ({why}) should fail mentioning {mentions:?}, got:\n{violation}"
        );
    }
}

fn is_rest(e: &Example) -> bool {
    !e.file.starts_with("events-v2.") && !e.file.starts_with("webhooks-v3.")
}

#[test]
fn pagerduty_examples_pass_except_known_broken_ones() {
    // REST examples, plus the webhooks-v3 subscription request (a REST call); the other
    // webhooks-v3 files are delivery payloads, which no PagerDuty schema describes.
    let (rest, mut failed) = run(specs::pagerduty(), "pagerduty", |e| {
        is_rest(e) || (e.file.starts_with("webhooks-v3.") && e.kind == "request")
    });
    let (events, events_failed) = run(specs::pagerduty_events(), "pagerduty", |e| {
        e.file.starts_with("events-v2.")
    });
    failed.extend(events_failed);
    assert_eq!((rest, events), (45, 7), "example index changed");
    assert_failures(
        &failed,
        &[
            (
                "events-v2.createChangeEvent.request.build-change-event.json",
                "timestamp offset +0000 is not RFC 3339 (needs +00:00)",
                "/payload/timestamp: \"2015-07-17T08:42:58.315+0000\" is not a \"date-time\"",
            ),
            (
                "events-v2.createChangeEvent.request.git-change-event.json",
                "timestamp offset +0000 is not RFC 3339",
                "/payload/timestamp",
            ),
            (
                "events-v2.createV2Event.request.json",
                "timestamp offset +0000 is not RFC 3339",
                "/payload/timestamp",
            ),
            (
                "getCurrentUser.response-200.json",
                "typo: created_via_sso is the string \"true,\"",
                "/user/created_via_sso: \"true,\" is not of type \"boolean\"",
            ),
        ],
    );
    assert_eq!(rest + events - failed.len(), 48);
}

#[test]
fn github_examples_pass_except_stale_ones() {
    let (total, failed) = run(specs::github(), "github", |_| true);
    assert_eq!(total, 32, "example index changed");
    assert_failures(
        &failed,
        &[
            (
                "actions_get-job-for-workflow-run.response-200.json",
                "stale: job.created_at became required after the example was written",
                "\"created_at\" is a required property",
            ),
            (
                "actions_get-pending-deployments-for-run.response-200.json",
                "stale: the team reviewer lacks the now-required team.type",
                "/0/reviewers/1/reviewer",
            ),
            (
                "actions_list-jobs-for-workflow-run-attempt.response-200.json",
                "stale: job.created_at",
                "at /jobs/0: \"created_at\" is a required property",
            ),
            (
                "actions_list-jobs-for-workflow-run.response-200.json",
                "stale: job.created_at",
                "at /jobs/0: \"created_at\" is a required property",
            ),
            (
                "repos_get-commit.response-200.json",
                "stale: diff entries lack the now-required sha and contents_url",
                "at /files/0: \"sha\" is a required property",
            ),
        ],
    );
}
