//! Runbooks as the shells show them: the library, one runbook's sanitized HTML with its steps,
//! and the runbooks an alert or a page links to (with why).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunbookSummary {
    pub slug: String,
    pub title: String,
    pub services: Vec<String>,
    pub alerts: Vec<String>,
    pub tags: Vec<String>,
    pub steps: u32,
    /// What it is linked to, in words ("alert APIResponseTimeCritical", "service payments-api").
    pub links: Vec<String>,
}

/// The library: every runbook, and what could not be read (`path:line: message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunbookLibrary {
    pub folders: Vec<String>,
    pub runbooks: Vec<RunbookSummary>,
    pub problems: Vec<String>,
}

/// One step as the run view lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunbookStepView {
    pub index: u32,
    pub text: String,
    pub section: Option<String>,
    /// The step's action in words (`kubernetes.scale payments-api replicas=6`), if it has one.
    pub action: Option<String>,
    /// The command to copy, its placeholders filled from the incident when one is given.
    pub command: Option<String>,
    /// Why the step's action cannot run (an unknown kind, a placeholder the incident does not
    /// fill, a service with no mapping); `None` when it can.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunbookView {
    pub slug: String,
    pub title: String,
    pub path: String,
    /// Sanitized in Rust (no scripts, handlers, frames, styles, remote content); each step an
    /// `<li data-step="N">`.
    pub html: String,
    pub steps: Vec<RunbookStepView>,
    pub problems: Vec<String>,
}

/// A runbook linked to an alert or a page, and the best reason it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LinkedRunbook {
    pub slug: String,
    pub title: String,
    /// `alias`, `slug`, `alert_name`, `matcher` or `service`.
    pub reason: String,
    pub steps: u32,
}

/// An entry's runbooks: the linked ones, and when none, why that matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntryRunbooks {
    pub linked: Vec<LinkedRunbook>,
    /// The alert's `runbook_url` when it names no runbook of the library (a follow-up: write
    /// one, or add the URL to a runbook's `aliases`).
    pub unmatched_url: Option<String>,
}
