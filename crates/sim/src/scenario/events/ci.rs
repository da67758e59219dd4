//! `ci` events: GitHub Actions workflow runs, created by the first event with a run id.

use std::collections::BTreeMap;

use super::super::error::ErrorKind;
use super::super::event::{CiConclusion, CiEvent, CiRun, CiRunUpdate, CiState};
use super::super::fields::Fields;
use super::super::ScenarioError;
use super::unchanged;

const KEYS: &[&str] = &[
    "id",
    "repo",
    "workflow",
    "branch",
    "commit",
    "title",
    "state",
    "conclusion",
    "environment",
];

/// The keys that make a run what it is; later events may repeat but not change them.
const FIXED: &[&str] = &["repo", "workflow", "branch", "commit"];

/// Run id -> its fixed keys (in `FIXED` order).
#[derive(Default)]
pub(super) struct KnownRuns(BTreeMap<u64, [String; 4]>);

pub(super) fn parse(body: &Fields<'_, '_>, runs: &mut KnownRuns) -> Result<CiEvent, ScenarioError> {
    body.only(KEYS)?;
    let id = body.u64("id")?;
    if let Some(fixed) = runs.0.get(&id) {
        for (key, current) in FIXED.iter().zip(fixed) {
            unchanged(body, key, current, "a workflow run")?;
        }
        let state = state(body)?;
        return Ok(CiEvent::Update(CiRunUpdate {
            id,
            title: body.opt_string("title")?,
            state,
            conclusion: conclusion(body, state)?,
            environment: body.opt_string("environment")?,
        }));
    }
    let fixed = [
        body.string("repo")?,
        body.string("workflow")?,
        body.string("branch")?,
        body.string("commit")?,
    ];
    let title = body.string("title")?;
    let state = state(body)?.ok_or_else(|| body.error("state", ErrorKind::MissingKey))?;
    let conclusion = conclusion(body, Some(state))?;
    let [repo, workflow, branch, commit] = fixed.clone();
    runs.0.insert(id, fixed);
    Ok(CiEvent::Start(CiRun {
        id,
        repo,
        workflow,
        branch,
        commit,
        title,
        state,
        conclusion,
        environment: body.opt_string("environment")?,
    }))
}

fn state(body: &Fields<'_, '_>) -> Result<Option<CiState>, ScenarioError> {
    body.opt_word("state", CiState::ALL_NAMES, CiState::from_name)
}

/// A conclusion belongs to a completed run: required with `state: completed`, refused with any
/// other state.
fn conclusion(
    body: &Fields<'_, '_>,
    state: Option<CiState>,
) -> Result<Option<CiConclusion>, ScenarioError> {
    let conclusion = body.opt_word(
        "conclusion",
        CiConclusion::ALL_NAMES,
        CiConclusion::from_name,
    )?;
    match (state, conclusion) {
        (Some(CiState::Completed), None) => {
            Err(body.error("conclusion", ErrorKind::ConclusionRequired))
        }
        (Some(other), Some(_)) if other != CiState::Completed => Err(body.error(
            "conclusion",
            ErrorKind::Invalid(format!("a run that is {other} has no conclusion yet")),
        )),
        _ => Ok(conclusion),
    }
}
