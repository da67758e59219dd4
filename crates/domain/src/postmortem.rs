//! The postmortem timeline of an incident, written while it is fresh: everything opsdeck saw
//! around it — the alerts on its service, the page and its log, the changes before it, the
//! actions taken, the runbook steps and the notes — in order, in a chosen timezone.

use std::fmt::Write;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::labels::EntryKind;
use crate::markdown::{duration_words, local_time, md_inline};
use crate::runbook_run::RunbookRun;
use crate::suspects::Suspect;
use crate::TimelineEntry;

/// How far before the page the timeline reaches for the alerts that led to it.
pub const POSTMORTEM_LEAD_MINUTES: i64 = 60;
/// How long after the resolution it keeps going (the alerts clearing, the last notes).
pub const POSTMORTEM_TAIL_MINUTES: i64 = 30;

/// The span of the timeline: from an hour before the page to half an hour after it resolved
/// (or `now`, while it is open).
pub fn postmortem_window(
    incident: &TimelineEntry,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = incident.ended_at.unwrap_or(now).max(incident.started_at);
    (
        incident.started_at - Duration::minutes(POSTMORTEM_LEAD_MINUTES),
        end + Duration::minutes(POSTMORTEM_TAIL_MINUTES),
    )
}

pub struct PostmortemFacts<'a> {
    pub incident: &'a TimelineEntry,
    /// The entries that started in [`postmortem_window`].
    pub entries: &'a [TimelineEntry],
    /// "What changed?" for the incident, most suspicious first.
    pub suspects: &'a [Suspect],
    /// The runbook runs started on the incident or on its alerts.
    pub runs: &'a [RunbookRun],
    pub now: DateTime<Utc>,
}

struct Line {
    at: DateTime<Utc>,
    what: &'static str,
    text: String,
}

fn time_field(details: &Value, key: &str) -> Option<DateTime<Utc>> {
    details
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn str_field<'v>(details: &'v Value, key: &str) -> Option<&'v str> {
    details.get(key).and_then(Value::as_str)
}

pub fn postmortem_markdown(f: &PostmortemFacts<'_>, tz: &Tz) -> String {
    let inc = f.incident;
    let service = inc.service.as_deref();
    let same_service = |e: &TimelineEntry| service.is_some() && e.service.as_deref() == service;
    let (from, until) = postmortem_window(inc, f.now);
    let related_alerts: Vec<&TimelineEntry> = f
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Alert && same_service(e))
        .filter(|e| e.started_at >= from && e.started_at <= until)
        .collect();
    let subjects: Vec<&str> = std::iter::once(inc.id.as_str())
        .chain(related_alerts.iter().map(|a| a.id.as_str()))
        .collect();
    let mut lines: Vec<Line> = Vec::new();

    for a in &related_alerts {
        lines.push(Line {
            at: a.started_at,
            what: "alert",
            text: format!("fired: {}", md_inline(&a.title)),
        });
        if let Some(end) = a.ended_at.filter(|t| *t <= until) {
            lines.push(Line {
                at: end,
                what: "alert",
                text: format!("resolved: {}", md_inline(&a.title)),
            });
        }
    }
    lines.push(Line {
        at: inc.started_at,
        what: "page",
        text: format!(
            "triggered: {} {}",
            md_inline(&inc.external_id),
            md_inline(&inc.title)
        ),
    });
    let log = inc.details.get("log_entries").and_then(Value::as_array);
    for l in log.into_iter().flatten() {
        let Some(at) = time_field(l, "at") else {
            continue;
        };
        let kind = str_field(l, "type").unwrap_or("log entry");
        if kind == "trigger" {
            continue;
        }
        let mut text = match str_field(l, "summary") {
            Some(s) => md_inline(s),
            None => kind.replace('_', " "),
        };
        if let Some(note) = str_field(l, "note").filter(|n| !n.trim().is_empty()) {
            text.push_str(&format!(" — note: {}", md_inline(note)));
        }
        lines.push(Line {
            at,
            what: "page",
            text,
        });
    }
    for s in f.suspects {
        lines.push(Line {
            at: s.entry.started_at,
            what: "change",
            text: md_inline(&s.entry.title),
        });
    }
    for e in f.entries {
        let related_step = e.kind == EntryKind::RunbookStep
            && str_field(&e.details, "entry_id").is_some_and(|id| subjects.contains(&id));
        let related_action = e.kind == EntryKind::Action
            && (same_service(e)
                || str_field(&e.details, "target_id") == Some(inc.external_id.as_str()));
        let note = e.kind == EntryKind::Annotation && (e.service.is_none() || same_service(e));
        let what = match (related_step, related_action, note) {
            (true, _, _) => "runbook",
            (_, true, _) => "action",
            (_, _, true) => "note",
            _ => continue,
        };
        let mut text = md_inline(&e.title);
        if related_action {
            if let Some(by) = str_field(&e.details, "actor") {
                text.push_str(&format!(" (by {})", md_inline(by)));
            }
        }
        lines.push(Line {
            at: e.started_at,
            what,
            text,
        });
    }
    lines.sort_by_key(|a| a.at);

    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Postmortem timeline: {} {}",
        md_inline(&inc.external_id),
        md_inline(&inc.title)
    );
    let _ = writeln!(md);
    let offset = inc.started_at.with_timezone(tz).format("%:z");
    let _ = writeln!(
        md,
        "Service: {} · urgency {} · times in {} (UTC{offset})",
        md_inline(service.unwrap_or("—")),
        str_field(&inc.details, "urgency").unwrap_or("—"),
        tz.name()
    );
    let _ = writeln!(md);
    let ack = time_field(&inc.details, "acknowledged_at");
    let resolved = time_field(&inc.details, "resolved_at").or(inc.ended_at);
    let _ = writeln!(md, "- Triggered: {}", local_time(inc.started_at, tz));
    let _ = writeln!(
        md,
        "- Acknowledged: {}",
        ack.map_or_else(
            || "not yet".into(),
            |t| format!(
                "{} (after {})",
                local_time(t, tz),
                duration_words((t - inc.started_at).num_seconds())
            )
        )
    );
    let _ = writeln!(
        md,
        "- Resolved: {}",
        resolved.map_or_else(
            || "not yet".into(),
            |t| format!(
                "{} (after {})",
                local_time(t, tz),
                duration_words((t - inc.started_at).num_seconds())
            )
        )
    );
    let _ = writeln!(md);

    if !f.suspects.is_empty() {
        let _ = writeln!(md, "## What changed before it (most suspicious first)");
        let _ = writeln!(md);
        for s in f.suspects {
            let _ = writeln!(
                md,
                "- {}: {} — {}",
                local_time(s.entry.started_at, tz),
                md_inline(&s.entry.title),
                md_inline(&s.reason)
            );
        }
        let _ = writeln!(md);
    }

    if !f.runs.is_empty() {
        let _ = writeln!(md, "## Runbooks followed");
        let _ = writeln!(md);
        for r in f.runs {
            let _ = writeln!(
                md,
                "- {}: {} of {} steps done, {} skipped",
                md_inline(&r.title),
                r.done,
                r.total,
                r.skipped
            );
        }
        let _ = writeln!(md);
    }

    let _ = writeln!(md, "## Timeline");
    let mut day: Option<NaiveDate> = None;
    for l in &lines {
        let local = l.at.with_timezone(tz);
        if day != Some(local.date_naive()) {
            day = Some(local.date_naive());
            let _ = writeln!(md);
            let _ = writeln!(md, "### {}", local.format("%A %Y-%m-%d"));
            let _ = writeln!(md);
        }
        let _ = writeln!(
            md,
            "- **{}** {}: {}",
            local.format("%H:%M:%S"),
            l.what,
            l.text
        );
    }
    md
}
