//! The filters of PagerDuty's list endpoints, read from the query and applied to the world.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::error::ApiError;
use super::query::Query;
use crate::scenario::{PageState, Urgency};
use crate::world::{Incident, IncidentStatus, LogEntry, OnCall};

/// `[since, until)`; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Window {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Window {
    fn read(q: &Query, tz: Tz) -> Result<Window, ApiError> {
        let window = Window {
            since: q.time("since", tz)?,
            until: q.time("until", tz)?,
        };
        if let (Some(since), Some(until)) = (window.since, window.until) {
            if until < since {
                return Err(ApiError::invalid("until: must not be before since"));
            }
        }
        Ok(window)
    }

    fn contains(&self, t: DateTime<Utc>) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }
}

/// The query's `time_zone`, else the account's (the scenario's).
fn zone(q: &Query, account: Tz) -> Result<Tz, ApiError> {
    Ok(q.time_zone()?.unwrap_or(account))
}

/// `GET /incidents`: `since`/`until` on `created_at` (ignored with `date_range=all`),
/// `statuses[]`, `urgencies[]`, `service_ids[]`, `user_ids[]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct IncidentFilter {
    window: Window,
    statuses: Vec<IncidentStatus>,
    urgencies: Vec<Urgency>,
    service_ids: BTreeSet<String>,
    user_ids: BTreeSet<String>,
}

impl IncidentFilter {
    pub(crate) fn read(q: &Query, account: Tz) -> Result<IncidentFilter, ApiError> {
        let all = match q.one("date_range") {
            None => false,
            Some("all") => true,
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "date_range: unknown value {other:?}, expected all"
                )))
            }
        };
        let window = Window::read(q, zone(q, account)?)?;
        Ok(IncidentFilter {
            window: if all { Window::default() } else { window },
            statuses: q.words("statuses", PageState::ALL_NAMES, PageState::from_name)?,
            urgencies: q.words("urgencies", Urgency::ALL_NAMES, Urgency::from_name)?,
            service_ids: owned(q.list("service_ids")),
            user_ids: owned(q.list("user_ids")),
        })
    }

    pub(crate) fn keeps(&self, incident: &Incident) -> bool {
        self.window.contains(incident.created_at)
            && (self.statuses.is_empty() || self.statuses.contains(&incident.status))
            && (self.urgencies.is_empty() || self.urgencies.contains(&incident.urgency))
            && (self.service_ids.is_empty() || self.service_ids.contains(&incident.service.id))
            // Resolved incidents are assigned to nobody, so PagerDuty leaves them out here.
            && (self.user_ids.is_empty()
                || (incident.status != IncidentStatus::Resolved
                    && self.user_ids.contains(&incident.assignee.id)))
    }
}

/// `GET /incidents`'s `sort_by`: up to two of `incident_number`, `created_at`, `resolved_at`
/// and `urgency`, each optionally `:asc` (the default) or `:desc`, comma-separated. Without it,
/// creation order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IncidentOrder {
    keys: Vec<(SortField, bool)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortField {
    IncidentNumber,
    CreatedAt,
    ResolvedAt,
    Urgency,
}

impl IncidentOrder {
    pub(crate) fn read(q: &Query) -> Result<IncidentOrder, ApiError> {
        let mut keys = Vec::new();
        for item in q.list("sort_by") {
            for part in item.split(',').filter(|p| !p.is_empty()) {
                let (field, direction) = part.split_once(':').unwrap_or((part, "asc"));
                let field = match field {
                    "incident_number" => SortField::IncidentNumber,
                    "created_at" => SortField::CreatedAt,
                    "resolved_at" => SortField::ResolvedAt,
                    "urgency" => SortField::Urgency,
                    other => {
                        return Err(ApiError::invalid(format!(
                            "sort_by: unknown field {other:?}, expected incident_number, \
                             created_at, resolved_at or urgency"
                        )))
                    }
                };
                let descending = match direction {
                    "asc" => false,
                    "desc" => true,
                    other => {
                        return Err(ApiError::invalid(format!(
                            "sort_by: unknown direction {other:?}, expected asc or desc"
                        )))
                    }
                };
                keys.push((field, descending));
            }
        }
        if keys.len() > 2 {
            return Err(ApiError::invalid("sort_by: at most two fields"));
        }
        Ok(IncidentOrder { keys })
    }

    /// Sorts stably, so ties keep creation order.
    pub(crate) fn apply(&self, incidents: &mut [&Incident]) {
        if self.keys.is_empty() {
            return;
        }
        incidents.sort_by(|a, b| {
            self.keys
                .iter()
                .map(|&(field, descending)| {
                    let order = match field {
                        SortField::IncidentNumber => a.incident_number.cmp(&b.incident_number),
                        SortField::CreatedAt => a.created_at.cmp(&b.created_at),
                        SortField::ResolvedAt => a.resolved_at.cmp(&b.resolved_at),
                        SortField::Urgency => urgency_rank(a.urgency).cmp(&urgency_rank(b.urgency)),
                    };
                    if descending {
                        order.reverse()
                    } else {
                        order
                    }
                })
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
}

fn urgency_rank(u: Urgency) -> u8 {
    match u {
        Urgency::Low => 0,
        Urgency::High => 1,
    }
}

/// `GET /incidents/{id}/log_entries`: `since`/`until` on `created_at`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LogEntryFilter {
    window: Window,
}

impl LogEntryFilter {
    pub(crate) fn read(q: &Query, account: Tz) -> Result<LogEntryFilter, ApiError> {
        Ok(LogEntryFilter {
            window: Window::read(q, zone(q, account)?)?,
        })
    }

    pub(crate) fn keeps(&self, entry: &LogEntry) -> bool {
        self.window.contains(entry.created_at)
    }
}

/// `GET /oncalls`: entries overlapping `[since, until]` (both default to now), `user_ids[]`,
/// `escalation_policy_ids[]`, `schedule_ids[]`, and `earliest`.
#[derive(Debug, Clone)]
pub(crate) struct OnCallFilter {
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    user_ids: BTreeSet<String>,
    escalation_policy_ids: BTreeSet<String>,
    schedule_ids: BTreeSet<String>,
    earliest: bool,
}

impl OnCallFilter {
    pub(crate) fn read(
        q: &Query,
        account: Tz,
        now: DateTime<Utc>,
    ) -> Result<OnCallFilter, ApiError> {
        let window = Window::read(q, zone(q, account)?)?;
        let since = window.since.unwrap_or(now);
        let until = window.until.unwrap_or(since.max(now));
        if until < since {
            return Err(ApiError::invalid("until: must not be before since"));
        }
        Ok(OnCallFilter {
            since,
            until,
            user_ids: owned(q.list("user_ids")),
            escalation_policy_ids: owned(q.list("escalation_policy_ids")),
            schedule_ids: owned(q.list("schedule_ids")),
            earliest: q.flag("earliest")?.unwrap_or(false),
        })
    }

    fn keeps(&self, oncall: &OnCall) -> bool {
        oncall.start <= self.until
            && oncall.end > self.since
            && (self.user_ids.is_empty() || self.user_ids.contains(&oncall.user.id))
            && (self.escalation_policy_ids.is_empty()
                || self
                    .escalation_policy_ids
                    .contains(&oncall.escalation_policy.id))
            && (self.schedule_ids.is_empty() || self.schedule_ids.contains(&oncall.schedule.id))
    }

    /// The matching entries, ordered by start; with `earliest`, only the first of each
    /// (escalation policy, level, user).
    pub(crate) fn apply(&self, oncalls: Vec<OnCall>) -> Vec<OnCall> {
        let mut kept: Vec<OnCall> = oncalls.into_iter().filter(|o| self.keeps(o)).collect();
        kept.sort_by_key(|o| o.start);
        if self.earliest {
            let mut seen = BTreeSet::new();
            kept.retain(|o| {
                seen.insert((
                    o.escalation_policy.id.clone(),
                    o.escalation_level,
                    o.user.id.clone(),
                ))
            });
        }
        kept
    }
}

fn owned(values: Vec<&str>) -> BTreeSet<String> {
    values.into_iter().map(str::to_owned).collect()
}
