//! The runbook as the app, the CLI and the matcher see it: what its front matter links it to,
//! and its checklist steps grouped under their headings.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use opsdeck_domain::ActionKind;
use serde::Serialize;

use crate::link::AlertRule;

/// One Markdown file of the runbook library.
#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    /// The file stem, lowercased: how runbooks are named (`api-latency`), and what a
    /// `runbook_url` ending in that name links to.
    pub slug: String,
    pub path: PathBuf,
    /// The front matter's `title`, else the first level-1 heading, else the slug.
    pub title: String,
    pub services: Vec<String>,
    /// As written: alert names (`APIResponseTimeCritical`) or label matchers
    /// (`alertname="DBQueryRateHigh", service=~"orders.*"`).
    pub alerts: Vec<String>,
    /// Runbook URLs (wiki pages, old locations) that mean this file.
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    /// Only headings that group at least one step; steps before the first heading are in a
    /// section without one.
    pub sections: Vec<Section>,
    /// Problems that belong to no step (an ```` ```opsdeck ```` block outside a checklist);
    /// the runbook loads all the same.
    pub problems: Vec<RunbookProblem>,
    /// The file's text, which `render_html` renders. Not serialized: the app asks for the HTML.
    #[serde(skip)]
    pub source: String,
    /// Byte offset of the Markdown after the front matter.
    #[serde(skip)]
    pub(crate) body_start: usize,
    /// `alerts`, parsed once at load.
    #[serde(skip)]
    pub(crate) rules: Vec<AlertRule>,
    /// `aliases`, normalized once at load.
    #[serde(skip)]
    pub(crate) alias_keys: Vec<String>,
}

/// A heading and the checklist steps under it (up to the next heading of any level).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// The heading's plain text; `None` for steps before the first heading.
    pub heading: Option<String>,
    /// 1–6; 0 when there is no heading.
    pub level: u8,
    pub steps: Vec<Step>,
}

/// One checklist item (`- [ ]` or `- [x]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// 0-based, in document order over the whole file: the `data-step` of its rendered `<li>`.
    pub index: usize,
    /// The item's own text (its first paragraph), as plain text.
    pub text: String,
    /// 1-based line of the item in the file.
    pub line: usize,
    /// Ticked in the file (`[x]`).
    pub checked: bool,
    /// From an ```` ```opsdeck ```` block under the item.
    pub action: Option<ActionStep>,
    /// From a ```` ```sh ````, ```` ```bash ````, ```` ```shell ```` or unlabelled block under the
    /// item: shown with a copy button, never run.
    pub command: Option<String>,
    /// Why this step's action cannot be used (an unknown action kind, bad YAML, …): the step
    /// still loads and shows, with this message beside it, and has no `action`.
    pub problem: Option<String>,
    /// The line `problem` is about (the offending key in the block), for `path:line:` reports.
    #[serde(skip)]
    pub(crate) problem_line: usize,
}

/// An opsdeck action a step offers: `action: kubernetes.scale` plus a `target` (or a `service`
/// the config's service mapping resolves to one) and parameters. Values may hold
/// `{{placeholders}}` that [`crate::fill_step`] fills from the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionStep {
    pub kind: ActionKind,
    pub target: Option<String>,
    pub service: Option<String>,
    /// Every other key of the block (`replicas: 6` → `replicas` = `"6"`).
    pub params: BTreeMap<String, String>,
}

/// A problem in a runbook that loaded, tied to a line but to no step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookProblem {
    pub line: usize,
    pub message: String,
}

/// A file that could not be read as a runbook (with `line` when the problem is in its text),
/// or a folder that could not be read. Also used for the non-fatal problems of runbooks that
/// did load ([`Runbook::warnings`]), so both print as `path:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct LoadProblem {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl Runbook {
    /// Every step in document order (so `steps().nth(i)` has `index == i`).
    pub fn steps(&self) -> impl Iterator<Item = &Step> + '_ {
        self.sections.iter().flat_map(|s| s.steps.iter())
    }

    pub fn step(&self, index: usize) -> Option<&Step> {
        self.steps().find(|s| s.index == index)
    }

    pub fn step_count(&self) -> usize {
        self.sections.iter().map(|s| s.steps.len()).sum()
    }

    /// The problems of a runbook that loaded: each step's and the runbook's own, in line order,
    /// as `path:line: message` reports (a step's message starts with its number).
    pub fn warnings(&self) -> Vec<LoadProblem> {
        let mut out: Vec<LoadProblem> = self
            .steps()
            .filter_map(|step| {
                step.problem.as_ref().map(|problem| LoadProblem {
                    path: self.path.clone(),
                    line: Some(step.problem_line),
                    message: format!("step {}: {problem}", step.index),
                })
            })
            .chain(self.problems.iter().map(|p| LoadProblem {
                path: self.path.clone(),
                line: Some(p.line),
                message: p.message.clone(),
            }))
            .collect();
        out.sort_by_key(|p| p.line);
        out
    }
}
