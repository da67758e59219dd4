//! Runbook runs: a checklist followed on an incident (or on its own), kept as an append-only
//! log of what was done to each step — ticked, unticked, skipped with a reason, noted, acted
//! on, or found wrong — by whom and when. The state of a run is a fold of its log, so nothing
//! done is ever overwritten and the handoff and postmortem can tell the whole story.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What happened to a step (or to the run, for `End`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunEventKind {
    Tick,
    Untick,
    Skip,
    Note,
    /// The step's action was carried out (or failed); `text` is the outcome in words.
    Action,
    /// "This step was wrong": a suggested replacement text for the step.
    Suggest,
    /// The run was ended (the checklist is done with, whatever is left open).
    End,
}

/// One line of a run's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunEvent {
    pub kind: RunEventKind,
    /// 0-based in document order; `None` for `End`.
    pub step: Option<u32>,
    /// The note, the skip reason, the suggestion, or the action's outcome.
    pub text: Option<String>,
    /// For `Action`: the action's id (its audit trail).
    pub action_id: Option<String>,
    /// For `Action`: whether it succeeded.
    pub ok: Option<bool>,
    pub at: DateTime<Utc>,
    pub by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Open,
    Done,
    Skipped,
}

/// A step as the run stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunStep {
    pub index: u32,
    pub state: StepState,
    /// When and by whom it got its state (ticked or skipped).
    pub at: Option<DateTime<Utc>>,
    pub by: Option<String>,
    pub skip_reason: Option<String>,
    pub notes: Vec<String>,
    /// The latest action run from the step: its id, whether it succeeded, what it said.
    pub action_id: Option<String>,
    pub action_ok: Option<bool>,
    pub action_result: Option<String>,
    pub suggestion: Option<String>,
}

impl RunStep {
    fn open(index: u32) -> RunStep {
        RunStep {
            index,
            state: StepState::Open,
            at: None,
            by: None,
            skip_reason: None,
            notes: Vec::new(),
            action_id: None,
            action_ok: None,
            action_result: None,
            suggestion: None,
        }
    }
}

/// A run as the shells show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunbookRun {
    pub id: String,
    /// The runbook's slug and title when the run started.
    pub runbook: String,
    pub title: String,
    /// The timeline entry it was started on (a page or an alert), or none (standalone).
    pub entry_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub started_by: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Every step of the runbook, in order.
    pub steps: Vec<RunStep>,
    pub done: u32,
    pub skipped: u32,
    pub total: u32,
}

/// A run's state from its log; `steps` is the runbook's step count.
pub fn fold_run(
    id: &str,
    runbook: &str,
    title: &str,
    entry_id: Option<&str>,
    started: (DateTime<Utc>, Option<&str>),
    steps: u32,
    events: &[RunEvent],
) -> RunbookRun {
    let mut by_index: BTreeMap<u32, RunStep> = (0..steps).map(|i| (i, RunStep::open(i))).collect();
    let mut ended_at = None;
    for e in events {
        if e.kind == RunEventKind::End {
            ended_at = Some(e.at);
            continue;
        }
        // A step the runbook no longer has (it was edited since) is kept all the same.
        let Some(index) = e.step else { continue };
        let step = by_index
            .entry(index)
            .or_insert_with(|| RunStep::open(index));
        match e.kind {
            RunEventKind::Tick => {
                step.state = StepState::Done;
                step.at = Some(e.at);
                step.by = e.by.clone();
                step.skip_reason = None;
            }
            RunEventKind::Untick => {
                step.state = StepState::Open;
                step.at = None;
                step.by = None;
                step.skip_reason = None;
            }
            RunEventKind::Skip => {
                step.state = StepState::Skipped;
                step.at = Some(e.at);
                step.by = e.by.clone();
                step.skip_reason = e.text.clone();
            }
            RunEventKind::Note => step.notes.extend(e.text.clone()),
            RunEventKind::Action => {
                step.action_id = e.action_id.clone();
                step.action_ok = e.ok;
                step.action_result = e.text.clone();
                // A step whose action succeeded is done.
                if e.ok == Some(true) && step.state == StepState::Open {
                    step.state = StepState::Done;
                    step.at = Some(e.at);
                    step.by = e.by.clone();
                }
            }
            RunEventKind::Suggest => step.suggestion = e.text.clone(),
            RunEventKind::End => {}
        }
    }
    let steps: Vec<RunStep> = by_index.into_values().collect();
    let count = |s: StepState| steps.iter().filter(|x| x.state == s).count() as u32;
    RunbookRun {
        id: id.to_string(),
        runbook: runbook.to_string(),
        title: title.to_string(),
        entry_id: entry_id.map(str::to_string),
        started_at: started.0,
        started_by: started.1.map(str::to_string),
        ended_at,
        done: count(StepState::Done),
        skipped: count(StepState::Skipped),
        total: steps.len() as u32,
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 6, m, 0).unwrap()
    }

    fn event(kind: RunEventKind, step: Option<u32>, text: Option<&str>, m: u32) -> RunEvent {
        RunEvent {
            kind,
            step,
            text: text.map(str::to_string),
            action_id: None,
            ok: None,
            at: at(m),
            by: Some("sam@example.test".into()),
        }
    }

    #[test]
    fn the_log_folds_into_each_steps_state() {
        use RunEventKind::*;
        let mut action = event(Action, Some(2), Some("scaled to 6 replicas"), 5);
        action.action_id = Some("a1".into());
        action.ok = Some(true);
        let events = vec![
            event(Tick, Some(0), None, 1),
            event(Tick, Some(1), None, 2),
            event(Untick, Some(1), None, 3),
            event(Note, Some(1), Some("pool at 200/200"), 3),
            event(Skip, Some(3), Some("no deploy today"), 4),
            action,
            event(
                Suggest,
                Some(4),
                Some("check p99 for 15 minutes, not 10"),
                6,
            ),
        ];
        let run = fold_run(
            "r1",
            "api-latency",
            "API latency",
            Some("e1"),
            (at(0), None),
            6,
            &events,
        );
        let states: Vec<StepState> = run.steps.iter().map(|s| s.state).collect();
        use StepState::*;
        assert_eq!(states, [Done, Open, Done, Skipped, Open, Open]);
        assert_eq!(run.steps[1].notes, ["pool at 200/200"]);
        assert_eq!(
            run.steps[2].action_result.as_deref(),
            Some("scaled to 6 replicas")
        );
        assert_eq!(run.steps[2].at, Some(at(5)), "done by its action");
        assert_eq!(run.steps[3].skip_reason.as_deref(), Some("no deploy today"));
        assert_eq!(
            run.steps[4].suggestion.as_deref(),
            Some("check p99 for 15 minutes, not 10")
        );
        assert_eq!((run.done, run.skipped, run.total), (2, 1, 6));
        assert_eq!(run.ended_at, None);
    }

    #[test]
    fn a_failed_action_leaves_the_step_open_and_end_ends() {
        use RunEventKind::*;
        let mut failed = event(Action, Some(0), Some("403 Forbidden"), 1);
        failed.ok = Some(false);
        let run = fold_run(
            "r1",
            "x",
            "X",
            None,
            (at(0), None),
            2,
            &[
                failed,
                event(End, None, None, 9),
                event(Tick, Some(7), None, 8),
            ],
        );
        assert_eq!(run.steps[0].state, StepState::Open);
        assert_eq!(run.steps[0].action_ok, Some(false));
        assert_eq!(run.ended_at, Some(at(9)));
        assert_eq!(run.total, 3, "a step the runbook lost since is kept");
    }
}
