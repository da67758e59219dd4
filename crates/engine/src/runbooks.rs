//! The runbook library as the cockpit serves it, and runbook runs: started on an alert or a
//! page (or on their own), ticked, unticked, skipped, noted and corrected step by step, with a
//! step's action planned like any other and its outcome written back to the step. Every step
//! event is also a `runbook_step` entry on the timeline, on the incident's service.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use opsdeck_domain::{
    ActionKind, EntryKind, EntryRunbooks, LinkedRunbook, NewEntry, RunEvent, RunEventKind,
    RunbookLibrary, RunbookRun, RunbookStepView, RunbookSummary, RunbookView, Severity, SourceKind,
    Status, TimelineEntry,
};
use opsdeck_runbooks::{
    alert_vars, fill_step, links, render_html, AlertRef, Library, MatchReason, Runbook, Vars,
};
use opsdeck_store::{NewRun, Store};

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum RunbookError {
    #[error("no runbook {slug:?} in the library (there are: {known})")]
    NoRunbook { slug: String, known: String },
    #[error("no runbook run {0}")]
    NoRun(String),
    #[error("runbook run {run} has no step {step} (it has {count}, numbered from 0)")]
    NoStep { run: String, step: u32, count: u32 },
    #[error("no timeline entry {0}")]
    NoEntry(String),
    #[error("runbook run {0} has ended; start a new run to go on")]
    Ended(String),
    #[error("{what} needs a text")]
    NeedsText { what: &'static str },
    #[error("step {step} of runbook {runbook} has no action to run")]
    NoAction { runbook: String, step: u32 },
    #[error("step {step} of runbook {runbook}: {message}")]
    Unrunnable {
        runbook: String,
        step: u32,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] opsdeck_store::StoreError),
}

impl RunbookError {
    /// The request was wrong (exit 2), rather than the cache failing.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, RunbookError::Store(_))
    }
}

/// The library, re-read whenever its folders changed on disk.
pub struct Shelf {
    library: Mutex<Library>,
}

impl Shelf {
    pub fn load(config: &Config) -> Shelf {
        Shelf {
            library: Mutex::new(Library::load(&config.runbooks.folders())),
        }
    }

    /// The library, fresh: a file added, edited or removed since is taken into account.
    pub fn library(&self) -> MutexGuard<'_, Library> {
        let mut library = self.library.lock().unwrap_or_else(PoisonError::into_inner);
        if library.has_changed() {
            library.reload_changed();
        }
        library
    }
}

/// The runbook `slug` of `library`, or an error naming the ones there are.
pub fn find<'a>(library: &'a Library, slug: &str) -> Result<&'a Runbook, RunbookError> {
    library.get(slug).ok_or_else(|| {
        let known: Vec<&str> = library.runbooks().iter().map(|r| r.slug.as_str()).collect();
        RunbookError::NoRunbook {
            slug: slug.to_string(),
            known: if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            },
        }
    })
}

pub fn summary(r: &Runbook) -> RunbookSummary {
    RunbookSummary {
        slug: r.slug.clone(),
        title: r.title.clone(),
        services: r.services.clone(),
        alerts: r.alerts.clone(),
        tags: r.tags.clone(),
        steps: r.step_count() as u32,
        links: links(r),
    }
}

pub fn library_view(library: &Library) -> RunbookLibrary {
    let mut problems: Vec<String> = library.problems().iter().map(|p| p.to_string()).collect();
    problems.extend(library.warnings().iter().map(|p| p.to_string()));
    RunbookLibrary {
        folders: library
            .folders()
            .iter()
            .map(|f| f.display().to_string())
            .collect(),
        runbooks: library.runbooks().iter().map(summary).collect(),
        problems,
    }
}

fn reason_word(reason: MatchReason) -> &'static str {
    match reason {
        MatchReason::Alias => "alias",
        MatchReason::Slug => "slug",
        MatchReason::AlertName => "alert_name",
        MatchReason::Matcher => "matcher",
        MatchReason::Service => "service",
    }
}

/// An alert entry's name, labels and runbook URL, as linking needs them.
fn alert_parts(entry: &TimelineEntry) -> (String, BTreeMap<String, String>, Option<String>) {
    let labels: BTreeMap<String, String> = entry
        .details
        .get("labels")
        .and_then(|l| l.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let name = labels.get("alertname").cloned().unwrap_or_else(|| {
        entry
            .title
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string()
    });
    (
        name,
        labels,
        entry
            .link(opsdeck_domain::EntryLink::Runbook)
            .map(str::to_string),
    )
}

/// The runbooks an alert or a page links to, best first.
pub fn entry_runbooks(library: &Library, entry: &TimelineEntry) -> EntryRunbooks {
    let linked_of = |r: &Runbook, reason: MatchReason| LinkedRunbook {
        slug: r.slug.clone(),
        title: r.title.clone(),
        reason: reason_word(reason).to_string(),
        steps: r.step_count() as u32,
    };
    if entry.kind == EntryKind::Alert {
        let (name, mut labels, url) = alert_parts(entry);
        if let Some(service) = &entry.service {
            labels.entry("service".into()).or_insert(service.clone());
        }
        let alert = AlertRef {
            name: &name,
            labels: &labels,
            runbook_url: url.as_deref(),
        };
        let matches = library.for_alert(&alert);
        let by_url = matches
            .iter()
            .any(|m| matches!(m.best(), MatchReason::Alias | MatchReason::Slug));
        return EntryRunbooks {
            linked: matches
                .iter()
                .map(|m| linked_of(m.runbook, m.best()))
                .collect(),
            unmatched_url: url.filter(|_| !by_url),
        };
    }
    EntryRunbooks {
        linked: entry
            .service
            .as_deref()
            .map(|s| library.for_service(s))
            .unwrap_or_default()
            .into_iter()
            .map(|r| linked_of(r, MatchReason::Service))
            .collect(),
        unmatched_url: None,
    }
}

/// The variables an entry offers a runbook's placeholders: an alert's labels and name, the
/// incident's id, and the service's mapping (namespace, context, deployment, repository).
pub fn vars_of(config: &Config, entry: Option<&TimelineEntry>) -> Vars {
    let mut vars = Vars::new();
    let Some(entry) = entry else { return vars };
    if entry.kind == EntryKind::Alert {
        let (name, labels, url) = alert_parts(entry);
        vars = alert_vars(&AlertRef {
            name: &name,
            labels: &labels,
            runbook_url: url.as_deref(),
        });
    }
    if entry.kind == EntryKind::Page {
        vars.insert("incident".into(), entry.external_id.clone());
    }
    if let Some(service) = entry
        .service
        .as_deref()
        .or(vars.get("service").map(String::as_str))
    {
        let service = service.to_string();
        if let Some(svc) = config.services.iter().find(|s| s.name == service) {
            if let Some(k) = &svc.kubernetes {
                vars.entry("namespace".into())
                    .or_insert(k.namespace.clone());
                vars.entry("context".into()).or_insert(k.context.clone());
                vars.entry("deployment".into())
                    .or_insert(k.deployment.clone());
            }
            if let Some(repo) = &svc.github {
                vars.entry("repo".into()).or_insert(repo.clone());
            }
        }
        vars.insert("service".into(), service);
    }
    vars
}

/// The target a step's `service` means for its action's kind: the service's workload for
/// Kubernetes, the run's own page or alert for PagerDuty and the silences.
fn resolve_target(
    config: &Config,
    kind: ActionKind,
    service: &str,
    entry: Option<&TimelineEntry>,
) -> Option<String> {
    let vendor = kind.source();
    match vendor {
        SourceKind::Kubernetes => {
            let k = config
                .services
                .iter()
                .find(|s| s.name == service)?
                .kubernetes
                .as_ref()?;
            Some(format!("{}/{}/{}", k.context, k.namespace, k.deployment))
        }
        _ => entry
            .filter(|e| e.source == vendor && e.service.as_deref() == Some(service))
            .map(|e| e.external_id.clone()),
    }
}

/// One runbook with its steps, filled from `entry` when given.
pub fn runbook_view(config: &Config, r: &Runbook, entry: Option<&TimelineEntry>) -> RunbookView {
    let vars = vars_of(config, entry);
    let steps = r
        .sections
        .iter()
        .flat_map(|section| section.steps.iter().map(move |s| (section, s)))
        .map(|(section, step)| {
            let filled = fill_step(step, &vars);
            let (action, problem) = match (&step.action, filled.action) {
                (Some(a), Some(Ok(f))) => {
                    let words =
                        action_words(a.kind, f.target.as_deref(), f.service.as_deref(), &f.params);
                    let problem = f
                        .to_request(|s| resolve_target(config, f.kind, s, entry))
                        .err()
                        .map(|e| e.to_string());
                    (Some(words), problem)
                }
                (Some(a), Some(Err(e))) => (
                    Some(action_words(
                        a.kind,
                        a.target.as_deref(),
                        a.service.as_deref(),
                        &a.params,
                    )),
                    Some(e.to_string()),
                ),
                _ => (None, step.problem.clone()),
            };
            RunbookStepView {
                index: step.index as u32,
                text: step.text.clone(),
                section: section.heading.clone(),
                action,
                command: filled.command.map(|c| c.text),
                problem,
            }
        })
        .collect();
    RunbookView {
        slug: r.slug.clone(),
        title: r.title.clone(),
        path: r.path.display().to_string(),
        html: render_html(r),
        steps,
        problems: r.warnings().iter().map(|p| p.to_string()).collect(),
    }
}

fn action_words(
    kind: ActionKind,
    target: Option<&str>,
    service: Option<&str>,
    params: &BTreeMap<String, String>,
) -> String {
    let mut words = format!("{kind} {}", target.or(service).unwrap_or("?"));
    for (k, v) in params {
        words.push_str(&format!(" {k}={v}"));
    }
    words
}

/// The request a run's step plans, filled from the run's entry.
pub fn step_request(
    config: &Config,
    r: &Runbook,
    step: u32,
    entry: Option<&TimelineEntry>,
) -> Result<opsdeck_domain::ActionRequest, RunbookError> {
    let s = r.step(step as usize).ok_or_else(|| RunbookError::NoStep {
        run: r.slug.clone(),
        step,
        count: r.step_count() as u32,
    })?;
    let unrunnable = |message: String| RunbookError::Unrunnable {
        runbook: r.slug.clone(),
        step,
        message,
    };
    if let Some(problem) = &s.problem {
        return Err(unrunnable(problem.clone()));
    }
    let filled = fill_step(s, &vars_of(config, entry));
    match filled.action {
        None => Err(RunbookError::NoAction {
            runbook: r.slug.clone(),
            step,
        }),
        Some(Err(e)) => Err(unrunnable(e.to_string())),
        Some(Ok(action)) => action
            .to_request(|svc| resolve_target(config, action.kind, svc, entry))
            .map_err(|e| unrunnable(e.to_string())),
    }
}

/// Starts a run of `r` on `entry` (or on its own).
pub fn start(
    store: &mut Store,
    r: &Runbook,
    entry: Option<&TimelineEntry>,
    id: &str,
    at: DateTime<Utc>,
    by: Option<&str>,
) -> Result<RunbookRun, RunbookError> {
    store.start_run(&NewRun {
        id,
        runbook: &r.slug,
        title: &r.title,
        steps: r.step_count() as u32,
        entry_id: entry.map(|e| e.id.as_str()),
        started_at: at,
        started_by: by,
    })?;
    store
        .run(id)?
        .ok_or_else(|| RunbookError::NoRun(id.to_string()))
}

/// Appends `event` to run `run_id` after checking it applies; the run as it stands after, and
/// the event's sequence number.
pub fn record(
    store: &mut Store,
    run_id: &str,
    event: &RunEvent,
) -> Result<(RunbookRun, i64), RunbookError> {
    let run = store
        .run(run_id)?
        .ok_or_else(|| RunbookError::NoRun(run_id.to_string()))?;
    if run.ended_at.is_some() {
        return Err(RunbookError::Ended(run_id.to_string()));
    }
    if let Some(step) = event.step {
        if step >= run.total {
            return Err(RunbookError::NoStep {
                run: run_id.to_string(),
                step,
                count: run.total,
            });
        }
    } else if event.kind != RunEventKind::End {
        return Err(RunbookError::NoStep {
            run: run_id.to_string(),
            step: u32::MAX,
            count: run.total,
        });
    }
    let needs_text = match event.kind {
        RunEventKind::Skip => Some("skipping a step (say why)"),
        RunEventKind::Note => Some("a note"),
        RunEventKind::Suggest => Some("a suggested edit"),
        _ => None,
    };
    if let Some(what) = needs_text {
        if event.text.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Err(RunbookError::NeedsText { what });
        }
    }
    let seq = store
        .append_run_event(run_id, event)?
        .ok_or_else(|| RunbookError::NoRun(run_id.to_string()))?;
    let run = store
        .run(run_id)?
        .ok_or_else(|| RunbookError::NoRun(run_id.to_string()))?;
    Ok((run, seq))
}

/// The timeline entry of one step event: `api-latency ✓ 3/9 Look at the vitals…`.
pub fn step_entry(
    run: &RunbookRun,
    seq: i64,
    event: &RunEvent,
    service: Option<&str>,
    step_text: Option<&str>,
) -> NewEntry {
    let (mark, status) = match event.kind {
        RunEventKind::Tick => ("✓", Some(Status::Success)),
        RunEventKind::Untick => ("↺ unticked", None),
        RunEventKind::Skip => ("⤼ skipped", Some(Status::Cancelled)),
        RunEventKind::Note => ("✎ note on", None),
        RunEventKind::Action => match event.ok {
            Some(true) => ("⚡ ran", Some(Status::Succeeded)),
            _ => ("⚡ failed", Some(Status::Failed)),
        },
        RunEventKind::Suggest => ("✎ suggested an edit to", None),
        RunEventKind::End => ("■ ended", None),
    };
    let what = match (event.step, step_text) {
        (Some(i), Some(text)) => format!("step {}: {}", i + 1, first_line(text)),
        (Some(i), None) => format!("step {}", i + 1),
        (None, _) => format!("the run ({}/{} done)", run.done, run.total),
    };
    let mut title = format!("{} {mark} {what}", run.runbook);
    if let Some(text) = event
        .text
        .as_deref()
        .filter(|_| event.kind != RunEventKind::Action)
    {
        title.push_str(&format!(" — {}", first_line(text)));
    }
    NewEntry {
        source: SourceKind::Opsdeck,
        kind: EntryKind::RunbookStep,
        severity: Severity::Info,
        status,
        title,
        service: service.map(str::to_string),
        url: None,
        started_at: event.at,
        ended_at: None,
        // One entry per event of the log: its sequence number is unique in the cache.
        external_id: format!("{}#{seq}", run.id),
        details: serde_json::json!({
            "run_id": run.id,
            "runbook": run.runbook,
            "entry_id": run.entry_id,
            "step": event.step,
            "event": event.kind,
            "text": event.text,
            "action_id": event.action_id,
            "by": event.by,
            "done": run.done,
            "skipped": run.skipped,
            "total": run.total,
        }),
        raw: serde_json::Value::Null,
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(79).collect::<String>())
    } else {
        line.to_string()
    }
}

/// Records `event` on run `run_id` and puts it on the timeline (on the run's entry's service);
/// the run after, and the new entry's id.
pub fn record_and_enter(
    store: &mut Store,
    run_id: &str,
    event: &RunEvent,
    step_text: Option<&str>,
) -> Result<(RunbookRun, String), RunbookError> {
    let (run, seq) = record(store, run_id, event)?;
    let service = match &run.entry_id {
        Some(id) => store.entry(id)?.and_then(|e| e.service),
        None => None,
    };
    let entry = step_entry(&run, seq, event, service.as_deref(), step_text);
    store.upsert_entries(std::slice::from_ref(&entry))?;
    Ok((run, entry.id()))
}
