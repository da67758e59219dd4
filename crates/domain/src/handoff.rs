//! The handoff report of a shift: what paged and how fast it was handled, what fired, what was
//! done, what is still open. Built from what the cache holds for the shift's window, so every
//! past shift can be reported again; the field names of the JSON are the handoff contract.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::labels::{EntryKind, Status};
use crate::runbook_run::RunbookRun;
use crate::shift::{Shift, ShiftOrigin, WorkingHours};
use crate::silence::Silence;
use crate::TimelineEntry;

/// How many alert rules "noisiest" lists.
pub const NOISIEST_LISTED: usize = 5;
/// A rollout still progressing after this long is stuck, for the open items.
pub const ROLLOUT_STUCK_AFTER_MINUTES: i64 = 15;
/// A crash-looping pod's Warning event is open for this long after it was last seen.
pub const WARNING_EVENT_OPEN_MINUTES: i64 = 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandoffReport {
    pub shift: HandoffShift,
    /// The moment the report describes: the shift's end, or now while it runs.
    pub as_of: DateTime<Utc>,
    pub in_progress: bool,
    pub summary: Option<String>,
    pub watch_next: Vec<String>,
    pub figures: ShiftFigures,
    pub pages: Vec<HandoffPage>,
    pub open_items: Vec<OpenItem>,
    pub alerts: AlertFigures,
    pub actions: Vec<HandoffAction>,
    pub runbook_runs: Vec<HandoffRun>,
    pub notes: Vec<HandoffNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HandoffShift {
    pub id: String,
    pub user: String,
    pub user_email: Option<String>,
    pub schedule: Option<String>,
    pub origin: ShiftOrigin,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShiftFigures {
    pub pages: u32,
    pub high_urgency: u32,
    pub low_urgency: u32,
    pub out_of_hours: u32,
    /// Medians over the pages that got there, in seconds; null when none did.
    #[ts(type = "number | null")]
    pub median_time_to_acknowledge_s: Option<i64>,
    #[ts(type = "number | null")]
    pub median_time_to_resolve_s: Option<i64>,
    pub actions: u32,
    pub actions_failed: u32,
    pub runbook_runs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HandoffPage {
    /// The incident's id at PagerDuty.
    pub id: String,
    pub entry_id: String,
    pub title: String,
    pub service: Option<String>,
    pub urgency: String,
    pub triggered_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Until the first response: the acknowledgement, or the resolution of a page resolved
    /// without one.
    #[ts(type = "number | null")]
    pub time_to_acknowledge_s: Option<i64>,
    #[ts(type = "number | null")]
    pub time_to_resolve_s: Option<i64>,
    pub out_of_hours: bool,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OpenItemKind {
    /// An unresolved incident on a service of my escalation policies.
    Incident,
    /// A silence still hiding alerts.
    Silence,
    /// The latest run of a workflow on the default branch failed.
    CiFailure,
    /// A rollout failed or stuck, or pods crash-looping.
    Workload,
    /// A node not ready or cordoned.
    Node,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenItem {
    pub kind: OpenItemKind,
    /// The vendor's id: incident id, silence id, run id, `context/namespace/deployment`, node.
    pub id: String,
    pub title: String,
    pub since: DateTime<Utc>,
    /// When it ends by itself (a silence's expiry).
    pub until: Option<DateTime<Utc>>,
    pub service: Option<String>,
    /// The timeline entry to open, when there is one.
    pub entry_id: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AlertFigures {
    /// Firings that started during the shift.
    pub fired: u32,
    /// The rules that fired most and were never acted on (no page, silence, action or runbook
    /// run while they fired), most first.
    pub noisiest: Vec<NoisyAlert>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoisyAlert {
    pub name: String,
    pub service: Option<String>,
    pub fired: u32,
    /// Total time firing during the shift, seconds.
    #[ts(type = "number")]
    pub firing_s: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HandoffAction {
    pub id: String,
    pub at: DateTime<Utc>,
    pub kind: Option<String>,
    pub target: Option<String>,
    pub summary: String,
    /// planned | refused | succeeded | failed
    pub outcome: String,
    pub by: Option<String>,
    pub result: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HandoffRun {
    pub id: String,
    pub runbook: String,
    pub title: String,
    pub entry_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub done: u32,
    pub skipped: u32,
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HandoffNote {
    pub at: DateTime<Utc>,
    /// Where it was written: `pagerduty` (an incident note), `runbook` (a run's note, skip
    /// reason or suggested edit), `grafana` (an annotation).
    pub source: String,
    pub by: Option<String>,
    pub text: String,
    /// What it is about: the incident's or runbook's title.
    pub about: Option<String>,
    pub entry_id: Option<String>,
}

/// Everything the report is built from. `entries` are the timeline entries that started in
/// the shift's window (any order); `open_pages` the pages unresolved at `as_of` on the
/// services of my escalation policies, whenever they started; `recent` the entries of the
/// lookback before `as_of` that open items are read from (CI runs, rollouts, nodes, events);
/// `silences` every silence known; `runs` the runbook runs started in the window.
pub struct ShiftFacts<'a> {
    pub shift: &'a Shift,
    pub now: DateTime<Utc>,
    pub entries: &'a [TimelineEntry],
    pub open_pages: &'a [TimelineEntry],
    pub recent: &'a [TimelineEntry],
    pub silences: &'a [Silence],
    pub runs: &'a [RunbookRun],
    /// The escalation policies I am on (by name).
    pub policies: &'a [String],
    pub working_hours: &'a WorkingHours,
    pub tz: Tz,
}

pub fn build_handoff(f: &ShiftFacts<'_>) -> HandoffReport {
    let (start, as_of) = f.shift.window_until(f.now);
    let in_window = |t: DateTime<Utc>| start <= t && t <= as_of;
    let mut entries: Vec<&TimelineEntry> = f
        .entries
        .iter()
        .filter(|e| in_window(e.started_at))
        .collect();
    entries.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));

    let pages: Vec<HandoffPage> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Page && page_is_mine(e, f.shift, f.policies))
        .map(|e| page_of(e, as_of, f.working_hours, &f.tz))
        .collect();
    let actions: Vec<HandoffAction> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Action)
        .map(|e| action_of(e))
        .collect();
    let mut runs: Vec<HandoffRun> = f
        .runs
        .iter()
        .filter(|r| in_window(r.started_at))
        .map(run_of)
        .collect();
    runs.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));

    let figures = ShiftFigures {
        pages: count(pages.len()),
        high_urgency: count(pages.iter().filter(|p| p.urgency == "high").count()),
        low_urgency: count(pages.iter().filter(|p| p.urgency != "high").count()),
        out_of_hours: count(pages.iter().filter(|p| p.out_of_hours).count()),
        median_time_to_acknowledge_s: median(pages.iter().filter_map(|p| p.time_to_acknowledge_s)),
        median_time_to_resolve_s: median(pages.iter().filter_map(|p| p.time_to_resolve_s)),
        actions: count(actions.len()),
        actions_failed: count(
            actions
                .iter()
                .filter(|a| a.outcome == "failed" || a.outcome == "refused")
                .count(),
        ),
        runbook_runs: count(runs.len()),
    };

    HandoffReport {
        shift: HandoffShift {
            id: f.shift.id.clone(),
            user: f.shift.user_name.clone(),
            user_email: f.shift.user_email.clone(),
            schedule: f.shift.schedule.clone(),
            origin: f.shift.origin,
            start: f.shift.start,
            end: f.shift.end,
        },
        as_of,
        in_progress: f.shift.in_progress(f.now),
        summary: f.shift.summary.clone(),
        watch_next: f.shift.watch_next.clone(),
        figures,
        pages,
        open_items: open_items(f, as_of),
        alerts: alert_figures(&entries, f.runs, as_of),
        actions,
        runbook_runs: runs,
        notes: notes_of(&entries, start, as_of),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The median, with an even count's two middles averaged (rounded down to the second).
pub fn median(values: impl Iterator<Item = i64>) -> Option<i64> {
    let mut v: Vec<i64> = values.collect();
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]).div_euclid(2)
    })
}

/// A page of my shift: assigned to me now, routed through one of my escalation policies, or
/// handled by me (PagerDuty drops the assignments of a resolved incident, so "assigned to me"
/// alone would lose every page already dealt with).
fn page_is_mine(e: &TimelineEntry, shift: &Shift, policies: &[String]) -> bool {
    let d = &e.details;
    let assigned = d.get("assigned_to_me") == Some(&Value::Bool(true));
    let policy = d
        .get("escalation_policy")
        .and_then(Value::as_str)
        .is_some_and(|p| policies.iter().any(|m| m == p));
    let handled = d
        .get("log_entries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|l| {
            matches!(
                l.get("type").and_then(Value::as_str),
                Some("acknowledge" | "resolve" | "assign")
            ) && l.get("agent").and_then(Value::as_str) == Some(shift.user_name.as_str())
        });
    assigned || policy || handled
}

fn time_field(details: &Value, key: &str) -> Option<DateTime<Utc>> {
    details
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn str_field(details: &Value, key: &str) -> Option<String> {
    details.get(key).and_then(Value::as_str).map(str::to_string)
}

fn page_of(e: &TimelineEntry, as_of: DateTime<Utc>, hours: &WorkingHours, tz: &Tz) -> HandoffPage {
    // What had happened by `as_of`: a past shift's report does not know the future.
    let reached = |t: Option<DateTime<Utc>>| t.filter(|t| *t <= as_of);
    let acknowledged_at = reached(time_field(&e.details, "acknowledged_at"));
    let resolved_at = reached(
        time_field(&e.details, "resolved_at")
            .or(e.ended_at.filter(|_| e.status == Some(Status::Resolved))),
    );
    let first_response = match (acknowledged_at, resolved_at) {
        (Some(a), Some(r)) => Some(a.min(r)),
        (a, r) => a.or(r),
    };
    HandoffPage {
        id: e.external_id.clone(),
        entry_id: e.id.clone(),
        title: e.title.clone(),
        service: e.service.clone(),
        urgency: str_field(&e.details, "urgency").unwrap_or_else(|| "high".into()),
        triggered_at: e.started_at,
        acknowledged_at,
        resolved_at,
        time_to_acknowledge_s: first_response.map(|t| (t - e.started_at).num_seconds()),
        time_to_resolve_s: resolved_at.map(|t| (t - e.started_at).num_seconds()),
        out_of_hours: hours.is_out_of_hours(e.started_at, tz),
        url: e.url.clone(),
    }
}

fn action_of(e: &TimelineEntry) -> HandoffAction {
    HandoffAction {
        id: e.external_id.clone(),
        at: e.started_at,
        kind: str_field(&e.details, "action_kind"),
        target: str_field(&e.details, "target"),
        summary: e.title.clone(),
        outcome: e
            .status
            .map_or_else(|| "planned".into(), |s| s.as_str().to_string()),
        by: str_field(&e.details, "actor"),
        result: str_field(&e.details, "result"),
    }
}

fn run_of(r: &RunbookRun) -> HandoffRun {
    HandoffRun {
        id: r.id.clone(),
        runbook: r.runbook.clone(),
        title: r.title.clone(),
        entry_id: r.entry_id.clone(),
        started_at: r.started_at,
        ended_at: r.ended_at,
        done: r.done,
        skipped: r.skipped,
        total: r.total,
    }
}

fn alert_name(e: &TimelineEntry) -> String {
    e.details
        .pointer("/labels/alertname")
        .and_then(Value::as_str)
        .map_or_else(|| e.title.clone(), str::to_string)
}

/// An alert firing was acted on when, while it fired, a page on its service was raised or was
/// already open, or someone silenced it, ran an action on its service or a runbook on it.
fn acted_on(
    alert: &TimelineEntry,
    entries: &[&TimelineEntry],
    runs: &[RunbookRun],
    as_of: DateTime<Utc>,
) -> bool {
    let until = alert.ended_at.unwrap_or(as_of);
    let overlaps = |e: &TimelineEntry| {
        let end = e.ended_at.unwrap_or(as_of);
        e.started_at <= until && end >= alert.started_at
    };
    let fingerprint = alert.details.get("fingerprint").and_then(Value::as_str);
    let same_service = |e: &TimelineEntry| alert.service.is_some() && e.service == alert.service;
    runs.iter()
        .any(|r| r.entry_id.as_deref() == Some(alert.id.as_str()))
        || entries.iter().any(|e| match e.kind {
            EntryKind::Page => same_service(e) && overlaps(e),
            EntryKind::Action => {
                let target = e.details.get("target_id").and_then(Value::as_str);
                (fingerprint.is_some() && target == fingerprint)
                    || (same_service(e)
                        && e.started_at >= alert.started_at
                        && e.started_at <= until)
            }
            _ => false,
        })
}

fn alert_figures(
    entries: &[&TimelineEntry],
    runs: &[RunbookRun],
    as_of: DateTime<Utc>,
) -> AlertFigures {
    let alerts: Vec<&&TimelineEntry> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Alert)
        .collect();
    // name → (service, fired, firing seconds, acted on)
    let mut by_rule: BTreeMap<String, (Option<String>, u32, i64, bool)> = BTreeMap::new();
    for a in &alerts {
        let slot = by_rule
            .entry(alert_name(a))
            .or_insert((a.service.clone(), 0, 0, false));
        slot.1 += 1;
        slot.2 += (a.ended_at.unwrap_or(as_of).min(as_of) - a.started_at)
            .num_seconds()
            .max(0);
        slot.3 |= acted_on(a, entries, runs, as_of);
        if slot.0 != a.service {
            // One rule across services: name no single one.
            slot.0 = None;
        }
    }
    let mut noisiest: Vec<NoisyAlert> = by_rule
        .into_iter()
        .filter(|(_, (_, _, _, acted))| !acted)
        .map(|(name, (service, fired, firing_s, _))| NoisyAlert {
            name,
            service,
            fired,
            firing_s,
        })
        .collect();
    noisiest.sort_by(|a, b| {
        b.fired
            .cmp(&a.fired)
            .then(b.firing_s.cmp(&a.firing_s))
            .then(a.name.cmp(&b.name))
    });
    noisiest.truncate(NOISIEST_LISTED);
    AlertFigures {
        fired: count(alerts.len()),
        noisiest,
    }
}

fn notes_of(
    entries: &[&TimelineEntry],
    start: DateTime<Utc>,
    as_of: DateTime<Utc>,
) -> Vec<HandoffNote> {
    let mut notes = Vec::new();
    for e in entries {
        match e.kind {
            EntryKind::Page => {
                let log = e.details.get("log_entries").and_then(Value::as_array);
                for l in log.into_iter().flatten() {
                    let (Some(at), Some(text)) =
                        (time_field(l, "at"), l.get("note").and_then(Value::as_str))
                    else {
                        continue;
                    };
                    if at < start || at > as_of || text.trim().is_empty() {
                        continue;
                    }
                    notes.push(HandoffNote {
                        at,
                        source: "pagerduty".into(),
                        by: str_field(l, "agent"),
                        text: text.to_string(),
                        about: Some(format!("{} {}", e.external_id, e.title)),
                        entry_id: Some(e.id.clone()),
                    });
                }
            }
            EntryKind::RunbookStep => {
                let event = e.details.get("event").and_then(Value::as_str);
                let Some(text) = e.details.get("text").and_then(Value::as_str) else {
                    continue;
                };
                if !matches!(event, Some("note" | "skip" | "suggest")) {
                    continue;
                }
                let step = e.details.get("step").and_then(Value::as_u64);
                let runbook = str_field(&e.details, "runbook").unwrap_or_default();
                let prefix = match event {
                    Some("skip") => "skipped: ",
                    Some("suggest") => "this step was wrong: ",
                    _ => "",
                };
                notes.push(HandoffNote {
                    at: e.started_at,
                    source: "runbook".into(),
                    by: str_field(&e.details, "by"),
                    text: format!("{prefix}{text}"),
                    about: Some(match step {
                        Some(i) => format!("{runbook} step {}", i + 1),
                        None => runbook,
                    }),
                    entry_id: str_field(&e.details, "entry_id"),
                });
            }
            EntryKind::Annotation => notes.push(HandoffNote {
                at: e.started_at,
                source: e.source.as_str().to_string(),
                by: None,
                text: e.title.clone(),
                about: e.service.clone(),
                entry_id: Some(e.id.clone()),
            }),
            _ => {}
        }
    }
    notes.sort_by_key(|a| a.at);
    notes
}

fn open_items(f: &ShiftFacts<'_>, as_of: DateTime<Utc>) -> Vec<OpenItem> {
    let mut items = Vec::new();
    for p in f.open_pages {
        let resolved = time_field(&p.details, "resolved_at").filter(|t| *t <= as_of);
        if p.started_at > as_of || resolved.is_some() {
            continue;
        }
        let acknowledged = time_field(&p.details, "acknowledged_at").filter(|t| *t <= as_of);
        let holder = p
            .details
            .get("assignees")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(|a| a.get("name"))
            .and_then(Value::as_str);
        let state = if acknowledged.is_some() {
            "acknowledged"
        } else {
            "triggered"
        };
        items.push(OpenItem {
            kind: OpenItemKind::Incident,
            id: p.external_id.clone(),
            title: match holder {
                Some(h) => format!("{} ({state}, {h})", p.title),
                None => format!("{} ({state})", p.title),
            },
            since: p.started_at,
            until: None,
            service: p.service.clone(),
            entry_id: Some(p.id.clone()),
            url: p.url.clone(),
        });
    }
    for s in f.silences.iter().filter(|s| s.active_at(as_of)) {
        let comment = if s.comment.trim().is_empty() {
            String::new()
        } else {
            format!(" — {}", s.comment.trim())
        };
        items.push(OpenItem {
            kind: OpenItemKind::Silence,
            id: s.id.clone(),
            title: format!("Silence {} by {}{comment}", s.matchers, s.created_by),
            since: s.starts_at,
            until: Some(s.ends_at),
            service: None,
            entry_id: None,
            url: None,
        });
    }
    items.extend(ci_failures(f.recent, as_of));
    items.extend(unhealthy(f.recent, as_of));
    items.sort_by(|a, b| (a.kind, a.since, &a.id).cmp(&(b.kind, b.since, &b.id)));
    items
}

fn is_default_branch(branch: Option<&str>) -> bool {
    matches!(branch, Some("main" | "master"))
}

/// The latest run of each (repository, workflow) on the default branch, when it failed.
pub fn ci_failures(recent: &[TimelineEntry], as_of: DateTime<Utc>) -> Vec<OpenItem> {
    let mut latest: BTreeMap<(String, String), &TimelineEntry> = BTreeMap::new();
    for e in recent
        .iter()
        .filter(|e| e.kind == EntryKind::CiRun && e.started_at <= as_of)
    {
        if !is_default_branch(e.details.get("branch").and_then(Value::as_str)) {
            continue;
        }
        let key = (
            str_field(&e.details, "repo").unwrap_or_default(),
            str_field(&e.details, "workflow").unwrap_or_default(),
        );
        let newer = latest
            .get(&key)
            .is_none_or(|l| (l.started_at, &l.id) < (e.started_at, &e.id));
        if newer {
            latest.insert(key, e);
        }
    }
    latest
        .into_values()
        .filter(|e| e.status == Some(Status::Failure))
        .map(|e| OpenItem {
            kind: OpenItemKind::CiFailure,
            id: e.external_id.clone(),
            title: e.title.clone(),
            since: e.ended_at.unwrap_or(e.started_at),
            until: None,
            service: e.service.clone(),
            entry_id: Some(e.id.clone()),
            url: e.url.clone(),
        })
        .collect()
}

/// Rollouts failed or stuck, pods crash-looping lately, and nodes left not ready or cordoned,
/// as the timeline saw them by `as_of`.
pub fn unhealthy(recent: &[TimelineEntry], as_of: DateTime<Utc>) -> Vec<OpenItem> {
    let mut items = Vec::new();
    // The latest rollout of each deployment says how it stands.
    let mut rollouts: BTreeMap<String, &TimelineEntry> = BTreeMap::new();
    let mut nodes: BTreeMap<String, &TimelineEntry> = BTreeMap::new();
    let mut events: BTreeMap<String, &TimelineEntry> = BTreeMap::new();
    for e in recent.iter().filter(|e| e.started_at <= as_of) {
        let d = &e.details;
        let s = |k: &str| str_field(d, k).unwrap_or_default();
        let slot = match e.kind {
            EntryKind::Rollout => Some((
                &mut rollouts,
                format!("{}/{}/{}", s("context"), s("namespace"), s("deployment")),
            )),
            EntryKind::Node => Some((&mut nodes, format!("{}/{}", s("context"), s("node")))),
            EntryKind::K8sEvent if e.severity == crate::Severity::Warning => {
                Some((&mut events, e.title.clone()))
            }
            _ => None,
        };
        if let Some((map, key)) = slot {
            let newer = map
                .get(&key)
                .is_none_or(|l| (l.started_at, &l.id) < (e.started_at, &e.id));
            if newer {
                map.insert(key, e);
            }
        }
    }
    let stuck = Duration::minutes(ROLLOUT_STUCK_AFTER_MINUTES);
    for (key, e) in rollouts {
        let open = match e.status {
            Some(Status::Failed) => true,
            Some(Status::Progressing) => as_of - e.started_at >= stuck,
            _ => false,
        };
        if open {
            items.push(item(OpenItemKind::Workload, key, e));
        }
    }
    for (key, e) in nodes {
        if matches!(e.status, Some(Status::NotReady | Status::Cordoned)) {
            items.push(item(OpenItemKind::Node, key, e));
        }
    }
    let fresh = Duration::minutes(WARNING_EVENT_OPEN_MINUTES);
    for (_, e) in events {
        let last = e.ended_at.unwrap_or(e.started_at);
        let crash_loop = e.details.get("reason").and_then(Value::as_str) == Some("BackOff");
        if crash_loop && last <= as_of && as_of - last <= fresh {
            items.push(item(
                OpenItemKind::Workload,
                str_field(&e.details, "object").unwrap_or_else(|| e.title.clone()),
                e,
            ));
        }
    }
    items
}

fn item(kind: OpenItemKind, id: String, e: &TimelineEntry) -> OpenItem {
    OpenItem {
        kind,
        id,
        title: e.title.clone(),
        since: e.started_at,
        until: None,
        service: e.service.clone(),
        entry_id: Some(e.id.clone()),
        url: e.url.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::labels::{Severity, SourceKind};
    use crate::markdown::handoff_markdown;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn page(id: &str, triggered: &str, ack: Option<&str>, resolved: Option<&str>) -> TimelineEntry {
        TimelineEntry {
            id: format!("e-{id}"),
            source: SourceKind::Pagerduty,
            kind: EntryKind::Page,
            severity: Severity::Critical,
            status: Some(if resolved.is_some() {
                Status::Resolved
            } else {
                Status::Acknowledged
            }),
            title: format!("page {id}"),
            service: Some("api".into()),
            url: None,
            started_at: utc(triggered),
            ended_at: resolved.map(utc),
            external_id: id.into(),
            details: json!({
                "urgency": "high",
                "assigned_to_me": true,
                "acknowledged_at": ack,
                "resolved_at": resolved,
                "log_entries": [],
            }),
        }
    }

    /// Saturday 28 March 2026 20:00 → Sunday 29 March 08:00 in Berlin: across midnight and the
    /// spring-forward gap (02:00 CET → 03:00 CEST), 11 hours long.
    fn night_shift() -> Shift {
        Shift {
            id: "s-night".into(),
            origin: ShiftOrigin::Schedule,
            user_name: "Sam".into(),
            user_email: Some("sam@x.test".into()),
            schedule: Some("Primary".into()),
            escalation_policy: Some("Payments".into()),
            start: utc("2026-03-28T19:00:00Z"),
            end: Some(utc("2026-03-29T06:00:00Z")),
            summary: None,
            watch_next: vec![],
            edited_at: None,
        }
    }

    #[test]
    fn a_shift_across_midnight_and_the_dst_change() {
        let shift = night_shift();
        let entries = vec![
            // 23:30 CET, acknowledged 23:34, resolved 00:10 CET the next day.
            page(
                "P1",
                "2026-03-28T22:30:00Z",
                Some("2026-03-28T22:34:00Z"),
                Some("2026-03-28T23:10:00Z"),
            ),
            // 01:50 CET; acknowledged at 03:05 CEST, which is 15 minutes later, not 75.
            page(
                "P2",
                "2026-03-29T00:50:00Z",
                Some("2026-03-29T01:05:00Z"),
                Some("2026-03-29T02:20:00Z"),
            ),
            // Triggered before the shift: not one of its pages.
            page(
                "P0",
                "2026-03-28T18:59:00Z",
                None,
                Some("2026-03-28T19:30:00Z"),
            ),
            // Still open at the end.
            page("P3", "2026-03-29T05:00:00Z", None, None),
        ];
        let open = vec![entries[3].clone()];
        let hours = WorkingHours::default();
        let tz: Tz = chrono_tz::Europe::Berlin;
        let report = build_handoff(&ShiftFacts {
            shift: &shift,
            now: utc("2026-03-29T12:00:00Z"),
            entries: &entries,
            open_pages: &open,
            recent: &[],
            silences: &[],
            runs: &[],
            policies: &[],
            working_hours: &hours,
            tz,
        });
        let ids: Vec<&str> = report.pages.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["P1", "P2", "P3"]);
        assert_eq!(report.pages[1].time_to_acknowledge_s, Some(15 * 60));
        assert_eq!(report.pages[1].time_to_resolve_s, Some(90 * 60));
        assert_eq!(report.pages[2].time_to_acknowledge_s, None);
        assert_eq!(
            report.figures.median_time_to_acknowledge_s,
            Some((4 * 60 + 15 * 60) / 2)
        );
        assert_eq!(
            report.figures.median_time_to_resolve_s,
            Some((40 * 60 + 90 * 60) / 2)
        );
        assert_eq!(report.figures.out_of_hours, 3, "a weekend night");
        assert_eq!(report.open_items.len(), 1);
        assert_eq!(report.open_items[0].id, "P3");
        assert!(!report.in_progress);
        assert_eq!(report.as_of, utc("2026-03-29T06:00:00Z"));

        let md = handoff_markdown(&report, &tz);
        assert!(
            md.contains("2026-03-28 20:00 CET → 2026-03-29 08:00 CEST"),
            "{md}"
        );
        assert!(md.contains("| P2 | page P2 | api | high, out of hours | 2026-03-29 01:50 CET | 15m 0s | 1h 30m |"), "{md}");
    }

    #[test]
    fn a_past_shift_does_not_know_the_future() {
        let shift = night_shift();
        // Acknowledged after the shift ended: the report of that shift says it was not.
        let entries = vec![page(
            "P4",
            "2026-03-29T05:50:00Z",
            Some("2026-03-29T06:10:00Z"),
            None,
        )];
        let report = build_handoff(&ShiftFacts {
            shift: &shift,
            now: utc("2026-03-30T00:00:00Z"),
            entries: &entries,
            open_pages: &entries,
            recent: &[],
            silences: &[],
            runs: &[],
            policies: &[],
            working_hours: &WorkingHours::default(),
            tz: chrono_tz::UTC,
        });
        assert_eq!(report.pages[0].acknowledged_at, None);
        assert_eq!(report.pages[0].time_to_acknowledge_s, None);
        assert_eq!(report.open_items[0].title, "page P4 (triggered)");
    }

    #[test]
    fn the_report_round_trips_through_json() {
        let shift = night_shift();
        let entries = vec![page(
            "P1",
            "2026-03-28T22:30:00Z",
            Some("2026-03-28T22:34:00Z"),
            None,
        )];
        let report = build_handoff(&ShiftFacts {
            shift: &shift,
            now: utc("2026-03-29T01:00:00Z"),
            entries: &entries,
            open_pages: &entries,
            recent: &[],
            silences: &[],
            runs: &[],
            policies: &[],
            working_hours: &WorkingHours::default(),
            tz: chrono_tz::UTC,
        });
        let text = serde_json::to_string_pretty(&report).unwrap();
        let back: HandoffReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        let v: Value = serde_json::from_str(&text).unwrap();
        for key in [
            "shift",
            "pages",
            "open_items",
            "alerts",
            "actions",
            "runbook_runs",
            "notes",
        ] {
            assert!(v.get(key).is_some(), "{key} missing");
        }
        for key in ["user", "schedule", "start", "end"] {
            assert!(v["shift"].get(key).is_some(), "shift.{key} missing");
        }
        assert!(v["pages"][0]["resolved_at"].is_null());
        assert!(v["pages"][0]["time_to_resolve_s"].is_null());
        assert_eq!(v["pages"][0]["time_to_acknowledge_s"], json!(240));
    }

    #[test]
    fn medians() {
        assert_eq!(median([].into_iter()), None);
        assert_eq!(median([5].into_iter()), Some(5));
        assert_eq!(median([9, 1, 5].into_iter()), Some(5));
        assert_eq!(median([1, 2, 3, 10].into_iter()), Some(2));
    }
}
