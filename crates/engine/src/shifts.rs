//! Shifts, their handoff reports, the morning read and postmortem timelines: the queries that
//! gather what the domain's pure builders need from the store.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use opsdeck_domain::{
    build_handoff, ci_failures, current_or_last, handoff_due, manual_shift_id, postmortem_markdown,
    postmortem_window, suspects, unhealthy, EntryKind, HandoffReport, MorningRead, OnCallShift,
    PostmortemFacts, Shift, ShiftFacts, ShiftOrigin, SourceHealth, SourceKind, Status,
    TimelineEntry, WorkingHours,
};
use opsdeck_store::{Store, StoreError};

/// How far back before a moment the open items look for the CI runs, rollouts and nodes whose
/// latest state they report.
const CI_LOOKBACK_DAYS: i64 = 14;
const WORKLOAD_LOOKBACK_DAYS: i64 = 2;
const NODE_LOOKBACK_DAYS: i64 = 14;
/// The morning read's window the first time (nothing marked read yet).
const FIRST_READ_HOURS: i64 = 12;
/// How many shifts "the shift" is chosen among.
const RECENT_SHIFTS: u32 = 200;
/// Limits on what the engineer writes into a handoff.
pub const SUMMARY_MAX_CHARS: usize = 500;
pub const WATCH_NEXT_MAX_ITEMS: usize = 30;
pub const WATCH_NEXT_MAX_CHARS: usize = 500;

/// The cursor (of the pseudo-source "opsdeck") holding when the morning read was last read.
pub(crate) const OWN_CURSORS: &str = "opsdeck";
pub(crate) const LOOKED_KEY: &str = "morning_read";

#[derive(Debug, thiserror::Error)]
pub enum ShiftError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "no shift yet: no PagerDuty on-call entry for you has been fetched and none was started \
         by hand (start one with `opsdeck shift start` or from the Shifts view)"
    )]
    NoShift,
    #[error("no shift {0}; `opsdeck shifts` lists them")]
    UnknownShift(String),
    #[error("a shift started by hand is already running since {0}; stop it first")]
    AlreadyRunning(DateTime<Utc>),
    #[error("no shift started by hand is running")]
    NoneRunning,
    #[error("no incident {0} in the cache (give its PagerDuty id or opsdeck entry id)")]
    UnknownIncident(String),
    #[error("{0}")]
    BadEdit(String),
}

/// What the handoff needs beyond the store.
pub(crate) struct HandoffSettings<'a> {
    pub me: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub working_hours: &'a WorkingHours,
    pub tz: Tz,
}

/// "The shift" at `now`: the current one, else the last ended.
pub(crate) fn current(store: &Store, now: DateTime<Utc>) -> Result<Option<Shift>, ShiftError> {
    let recent = store.shifts(now, RECENT_SHIFTS)?;
    Ok(current_or_last(&recent, now).cloned())
}

pub(crate) fn resolve(
    store: &Store,
    id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Shift, ShiftError> {
    match id {
        Some(id) => store
            .shift(id)?
            .ok_or_else(|| ShiftError::UnknownShift(id.to_string())),
        None => current(store, now)?.ok_or(ShiftError::NoShift),
    }
}

pub(crate) fn start_manual(
    store: &mut Store,
    now: DateTime<Utc>,
    settings: &HandoffSettings<'_>,
) -> Result<Shift, ShiftError> {
    let recent = store.shifts(now, RECENT_SHIFTS)?;
    if let Some(running) = recent
        .iter()
        .find(|s| s.origin == ShiftOrigin::Manual && s.end.is_none())
    {
        return Err(ShiftError::AlreadyRunning(running.start));
    }
    let shift = Shift {
        id: manual_shift_id(now),
        origin: ShiftOrigin::Manual,
        user_name: settings
            .user_name
            .or(settings.me)
            .unwrap_or("me")
            .to_string(),
        user_email: settings.me.map(str::to_string),
        schedule: None,
        escalation_policy: None,
        start: now,
        end: None,
        summary: None,
        watch_next: Vec::new(),
        edited_at: None,
    };
    store.start_manual_shift(&shift)?;
    Ok(shift)
}

pub(crate) fn stop_manual(store: &mut Store, now: DateTime<Utc>) -> Result<Shift, ShiftError> {
    store.stop_manual_shift(now)?.ok_or(ShiftError::NoneRunning)
}

/// Checks and tidies what the engineer wrote: one line of summary, non-empty items.
pub(crate) fn clean_edit(
    summary: Option<&str>,
    watch_next: &[String],
) -> Result<(Option<String>, Vec<String>), ShiftError> {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let summary = summary.map(one_line).filter(|s| !s.is_empty());
    if let Some(s) = &summary {
        if s.chars().count() > SUMMARY_MAX_CHARS {
            return Err(ShiftError::BadEdit(format!(
                "the summary is {} characters; keep it to one line of at most {SUMMARY_MAX_CHARS}",
                s.chars().count()
            )));
        }
    }
    let items: Vec<String> = watch_next
        .iter()
        .map(|w| one_line(w))
        .filter(|w| !w.is_empty())
        .collect();
    if items.len() > WATCH_NEXT_MAX_ITEMS {
        return Err(ShiftError::BadEdit(format!(
            "{} \"watch next\" items; at most {WATCH_NEXT_MAX_ITEMS}",
            items.len()
        )));
    }
    if let Some((i, w)) = items
        .iter()
        .enumerate()
        .find(|(_, w)| w.chars().count() > WATCH_NEXT_MAX_CHARS)
    {
        return Err(ShiftError::BadEdit(format!(
            "\"watch next\" item {} is {} characters; at most {WATCH_NEXT_MAX_CHARS}",
            i + 1,
            w.chars().count()
        )));
    }
    Ok((summary, items))
}

/// The escalation policies I am on, from the on-call entries and the shift itself.
fn my_policies(oncall: &[OnCallShift], me: Option<&str>, shift: &Shift) -> Vec<String> {
    let mut policies: Vec<String> = oncall
        .iter()
        .filter(|o| {
            matches!((me, o.user_email.as_deref()), (Some(me), Some(e)) if e.eq_ignore_ascii_case(me))
        })
        .filter_map(|o| o.escalation_policy.clone())
        .chain(shift.escalation_policy.clone())
        .collect();
    policies.sort();
    policies.dedup();
    policies
}

/// Entries of the kinds open items are read from, in the lookback before `at`.
fn recent_for_open_items(
    store: &Store,
    at: DateTime<Utc>,
) -> Result<Vec<TimelineEntry>, ShiftError> {
    let until = at + Duration::milliseconds(1);
    let mut recent = store.entries_of_kind(
        EntryKind::CiRun,
        at - Duration::days(CI_LOOKBACK_DAYS),
        until,
    )?;
    recent.extend(store.entries_of_kind(
        EntryKind::Rollout,
        at - Duration::days(WORKLOAD_LOOKBACK_DAYS),
        until,
    )?);
    recent.extend(store.entries_of_kind(
        EntryKind::Node,
        at - Duration::days(NODE_LOOKBACK_DAYS),
        until,
    )?);
    recent.extend(store.entries_of_kind(
        EntryKind::K8sEvent,
        at - Duration::days(WORKLOAD_LOOKBACK_DAYS),
        until,
    )?);
    Ok(recent)
}

pub(crate) fn handoff(
    store: &Store,
    shift: &Shift,
    now: DateTime<Utc>,
    settings: &HandoffSettings<'_>,
) -> Result<HandoffReport, ShiftError> {
    let (start, as_of) = shift.window_until(now);
    // The window's end is inclusive: an event at the shift's last instant belongs to it.
    let entries = store.entries_between(start, as_of + Duration::milliseconds(1))?;
    let (oncall, _) = store.oncall()?;
    let policies = my_policies(&oncall, settings.me, shift);
    let open_pages: Vec<TimelineEntry> = store
        .pages_open_at(as_of)?
        .into_iter()
        .filter(|p| {
            let policy = p.details.get("escalation_policy").and_then(|v| v.as_str());
            let mine = p.details.get("assigned_to_me") == Some(&serde_json::Value::Bool(true));
            // Without a schedule there are no policies to go by: everything open is handed over.
            policies.is_empty() || mine || policy.is_some_and(|p| policies.iter().any(|m| m == p))
        })
        .collect();
    let recent = recent_for_open_items(store, as_of)?;
    let silences = store.silences_at(as_of)?;
    let runs: Vec<_> = store
        .runs_since(start)?
        .into_iter()
        .filter(|r| r.started_at <= as_of)
        .collect();
    Ok(build_handoff(&ShiftFacts {
        shift,
        now,
        entries: &entries,
        open_pages: &open_pages,
        recent: &recent,
        silences: &silences,
        runs: &runs,
        policies: &policies,
        working_hours: settings.working_hours,
        tz: settings.tz,
    }))
}

pub(crate) fn morning_read(
    store: &Store,
    now: DateTime<Utc>,
    sources: Vec<SourceHealth>,
) -> Result<MorningRead, ShiftError> {
    let looked = store
        .cursor(OWN_CURSORS, LOOKED_KEY)?
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| *t <= now);
    let since = looked.unwrap_or(now - Duration::hours(FIRST_READ_HOURS));
    let until = now + Duration::milliseconds(1);
    let paged = store.entries_of_kind(EntryKind::Page, since, until)?;
    let open_pages = store.open_pages()?;
    let mut firing: Vec<TimelineEntry> = store
        .entries_of_kind(EntryKind::Alert, now - Duration::days(7), until)?
        .into_iter()
        .filter(|a| a.status == Some(Status::Firing) && a.ended_at.is_none())
        .collect();
    firing.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.started_at.cmp(&b.started_at))
    });
    let recent = recent_for_open_items(store, now)?;
    let shift = current(store, now)?;
    Ok(MorningRead {
        now,
        since,
        looked_before: looked.is_some(),
        paged,
        open_pages,
        firing,
        ci_failures: ci_failures(&recent, now),
        unhealthy: unhealthy(&recent, now),
        sources,
        handoff_due: shift.as_ref().is_some_and(|s| handoff_due(s, now)),
        shift,
    })
}

pub(crate) fn mark_read(store: &mut Store, now: DateTime<Utc>) -> Result<(), ShiftError> {
    store.set_cursor(
        OWN_CURSORS,
        LOOKED_KEY,
        &now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )?;
    Ok(())
}

/// The incident by opsdeck entry id or PagerDuty incident id.
pub(crate) fn incident(store: &Store, id: &str) -> Result<TimelineEntry, ShiftError> {
    let found = match store.entry(id)? {
        Some(e) => Some(e),
        None => store.entry_by_external(SourceKind::Pagerduty, id)?,
    };
    found
        .filter(|e| e.kind == EntryKind::Page)
        .ok_or_else(|| ShiftError::UnknownIncident(id.to_string()))
}

pub(crate) fn postmortem(
    store: &Store,
    incident_id: &str,
    now: DateTime<Utc>,
    changes_window: Duration,
    tz: &Tz,
) -> Result<String, ShiftError> {
    let inc = incident(store, incident_id)?;
    let (from, until) = postmortem_window(&inc, now);
    let entries = store.entries_between(from, until)?;
    let candidates = store.entries_between(
        inc.started_at - changes_window,
        inc.started_at + Duration::seconds(1),
    )?;
    let found = suspects(&inc, &candidates, changes_window);
    let mut runs = store.runs_of_entry(&inc.id)?;
    for a in entries
        .iter()
        .filter(|e| e.kind == EntryKind::Alert && inc.service.is_some() && e.service == inc.service)
    {
        runs.extend(store.runs_of_entry(&a.id)?);
    }
    Ok(postmortem_markdown(
        &PostmortemFacts {
            incident: &inc,
            entries: &entries,
            suspects: &found,
            runs: &runs,
            now,
        },
        tz,
    ))
}
