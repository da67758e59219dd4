//! The simulated world as PagerDuty REST v2 JSON, shaped like the official examples
//! (`shared/specs/examples/pagerduty/`). Timestamps are RFC 3339 UTC with `Z`.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::world::ids::Ids;
use crate::world::{
    Agent, EscalationPolicyRef, Incident, IncidentStatus, LogEntry, LogEntryKind, OnCall,
    ScheduleRef, ServiceRef, User,
};

/// Where objects live: `self` links point at the simulator's API, `html_url`s at a web app
/// under the reserved `.test` domain, as PagerDuty's point at `<subdomain>.pagerduty.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Urls {
    api: String,
    web: String,
}

impl Urls {
    pub(crate) fn new(api_base: &str, scenario_name: &str) -> Urls {
        Urls {
            api: api_base.trim_end_matches('/').to_owned(),
            web: format!(
                "https://{}.pagerduty.example.test",
                subdomain(scenario_name)
            ),
        }
    }

    fn api(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    fn web(&self, path: &str) -> String {
        format!("{}{path}", self.web)
    }
}

/// A DNS label from the scenario's name.
fn subdomain(name: &str) -> String {
    let label: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(63)
        .collect();
    let label = label.trim_matches('-');
    if label.is_empty() {
        "sim".to_owned()
    } else {
        label.to_owned()
    }
}

pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The context every rendering needs.
pub(crate) struct Render<'a> {
    pub urls: &'a Urls,
    pub scenario_name: &'a str,
    pub date: NaiveDate,
}

impl Render<'_> {
    fn reference(&self, kind: &str, id: &str, summary: &str, api: &str, web: &str) -> Value {
        json!({
            "id": id,
            "type": kind,
            "summary": summary,
            "self": self.urls.api(api),
            "html_url": self.urls.web(web),
        })
    }

    pub(crate) fn user_reference(&self, user: &User) -> Value {
        let path = format!("/users/{}", user.id);
        self.reference("user_reference", &user.id, &user.person.name, &path, &path)
    }

    pub(crate) fn service_reference(&self, service: &ServiceRef) -> Value {
        self.reference(
            "service_reference",
            &service.id,
            &service.name,
            &format!("/services/{}", service.id),
            &format!("/service-directory/{}", service.id),
        )
    }

    pub(crate) fn escalation_policy_reference(&self, policy: &EscalationPolicyRef) -> Value {
        let path = format!("/escalation_policies/{}", policy.id);
        self.reference(
            "escalation_policy_reference",
            &policy.id,
            &policy.name,
            &path,
            &path,
        )
    }

    fn schedule_reference(&self, schedule: &ScheduleRef) -> Value {
        let path = format!("/schedules/{}", schedule.id);
        self.reference(
            "schedule_reference",
            &schedule.id,
            &schedule.name,
            &path,
            &path,
        )
    }

    fn agent_reference(&self, agent: &Agent) -> Value {
        match agent {
            Agent::Service(service) => self.service_reference(service),
            Agent::User(user) => self.user_reference(user),
        }
    }

    fn incident_summary(incident: &Incident) -> String {
        format!("[#{}] {}", incident.incident_number, incident.title)
    }

    fn incident_reference(&self, incident: &Incident) -> Value {
        let path = format!("/incidents/{}", incident.id);
        self.reference(
            "incident_reference",
            &incident.id,
            &Self::incident_summary(incident),
            &path,
            &path,
        )
    }

    fn log_entry_paths(incident: &Incident, entry: &LogEntry) -> (String, String) {
        (
            format!("/log_entries/{}?incident_id={}", entry.id, incident.id),
            format!("/incidents/{}/log_entries/{}", incident.id, entry.id),
        )
    }

    /// A stable de-duplication key, as an integration would send: hex like PagerDuty's.
    fn incident_key(&self, incident: &Incident) -> String {
        let mut hasher = Sha256::new();
        for part in [self.scenario_name, &self.date.to_string(), &incident.id] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        hex::encode(&digest[..16])
    }

    pub(crate) fn incident(&self, incident: &Incident) -> Value {
        let path = format!("/incidents/{}", incident.id);
        let resolved = incident.status == IncidentStatus::Resolved;
        // PagerDuty empties assignments once resolved, and lists acknowledgements only while
        // the incident is acknowledged: the one that acknowledged it this time, which is not
        // the first once a reassignment or a snooze ending has triggered it again.
        let assignments: Vec<Value> = if resolved {
            Vec::new()
        } else {
            vec![json!({
                "at": timestamp(assigned_at(incident)),
                "assignee": self.user_reference(&incident.assignee),
            })]
        };
        let latest_ack = incident
            .log_entries
            .iter()
            .rev()
            .find(|e| e.kind == LogEntryKind::Acknowledge)
            .filter(|_| incident.status == IncidentStatus::Acknowledged);
        let acknowledgements: Vec<Value> = latest_ack
            .map(|entry| {
                json!({
                    "at": timestamp(entry.created_at),
                    "acknowledger": self.agent_reference(&entry.agent),
                })
            })
            .into_iter()
            .collect();
        let first_trigger = incident
            .log_entries
            .iter()
            .find(|e| e.kind == LogEntryKind::Trigger)
            .map(|entry| {
                let (api, web) = Self::log_entry_paths(incident, entry);
                self.reference(
                    "trigger_log_entry_reference",
                    &entry.id,
                    &log_entry_summary(entry),
                    &api,
                    &web,
                )
            });
        let updated_at = incident
            .log_entries
            .iter()
            .map(|e| e.created_at)
            .chain([incident.last_status_change_at, incident.created_at])
            .max()
            .unwrap_or(incident.created_at);
        let mut body = json!({
            "id": incident.id,
            "type": "incident",
            "summary": Self::incident_summary(incident),
            "self": self.urls.api(&path),
            "html_url": self.urls.web(&path),
            "incident_number": incident.incident_number,
            "title": incident.title,
            "created_at": timestamp(incident.created_at),
            "updated_at": timestamp(updated_at),
            "status": incident.status.as_str(),
            "incident_key": self.incident_key(incident),
            "service": self.service_reference(&incident.service),
            "assignments": assignments,
            "assigned_via": "escalation_policy",
            "last_status_change_at": timestamp(incident.last_status_change_at),
            "last_status_change_by": self.agent_reference(&incident.last_status_change_by),
            "resolved_at": incident.resolved_at.map(timestamp),
            "alert_counts": {
                "all": 1,
                "triggered": u32::from(!resolved),
                "resolved": u32::from(resolved),
            },
            "is_mergeable": true,
            "incident_type": {"name": "incident_default"},
            "escalation_policy":
                self.escalation_policy_reference(&incident.service.escalation_policy),
            "teams": [],
            "pending_actions": pending_actions(incident),
            "acknowledgements": acknowledgements,
            "resolve_reason": null,
            "incidents_responders": [],
            "responder_requests": [],
            "urgency": incident.urgency.as_str(),
        });
        if let Some(first_trigger) = first_trigger {
            body["first_trigger_log_entry"] = first_trigger;
        }
        body
    }

    pub(crate) fn log_entry(&self, incident: &Incident, entry: &LogEntry) -> Value {
        let (api, web) = Self::log_entry_paths(incident, entry);
        let mut body = json!({
            "id": entry.id,
            "type": entry.kind.pd_type(),
            "summary": log_entry_summary(entry),
            "self": self.urls.api(&api),
            "html_url": self.urls.web(&web),
            "created_at": timestamp(entry.created_at),
            "agent": self.agent_reference(&entry.agent),
            "channel": {"type": entry.channel.as_str()},
            "service": self.service_reference(&incident.service),
            "incident": self.incident_reference(incident),
            "teams": [],
            "contexts": [],
        });
        if let Some(note) = &entry.note {
            body["note"] = json!(note);
        }
        if let Some(assignee) = &entry.assignee {
            body["assignees"] = json!([self.user_reference(assignee)]);
        }
        if let Some(until) = entry.snoozed_until {
            body["changed_actions"] = json!([unacknowledge_at(until)]);
        }
        if entry.kind == LogEntryKind::Trigger {
            body["event_details"] = json!({"description": incident.title});
        }
        body
    }

    pub(crate) fn oncall(&self, oncall: &OnCall) -> Value {
        json!({
            "user": self.user_reference(&oncall.user),
            "schedule": self.schedule_reference(&oncall.schedule),
            "escalation_policy": self.escalation_policy_reference(&oncall.escalation_policy),
            "escalation_level": oncall.escalation_level,
            "start": timestamp(oncall.start),
            "end": timestamp(oncall.end),
        })
    }

    /// An annotate log entry as PagerDuty's IncidentNote. The note's id is minted from the
    /// entry's, so it is as stable as the entry.
    pub(crate) fn note(&self, entry: &LogEntry) -> Value {
        let id = Ids::new(self.scenario_name, self.date).stable(
            'P',
            7,
            &["pagerduty", "note", &entry.id],
        );
        let user = match &entry.agent {
            Agent::User(user) => self.user_reference(user),
            // PagerDuty names a service that wrote a note as a bot user.
            Agent::Service(service) => self.reference(
                "bot_user_reference",
                &service.id,
                &service.name,
                &format!("/services/{}", service.id),
                &format!("/service-directory/{}", service.id),
            ),
        };
        let at = timestamp(entry.created_at);
        json!({
            "id": id,
            "user": user,
            "channel": {"summary": "The PagerDuty website or APIs"},
            "content": entry.note.as_deref().unwrap_or(""),
            "created_at": at,
            "updated_at": at,
        })
    }

    /// A full User object, as `GET /users/me` returns it.
    pub(crate) fn user(&self, user: &User, time_zone: &str) -> Value {
        let path = format!("/users/{}", user.id);
        let contact_method = format!("{}E", user.id);
        json!({
            "id": user.id,
            "type": "user",
            "summary": user.person.name,
            "self": self.urls.api(&path),
            "html_url": self.urls.web(&path),
            "name": user.person.name,
            "email": user.person.email,
            "time_zone": time_zone,
            "color": "green",
            "role": "user",
            "avatar_url": self.urls.web(&format!("/avatars/{}.png", user.id)),
            "description": null,
            "invitation_sent": false,
            "contact_methods": [{
                "id": contact_method,
                "type": "email_contact_method_reference",
                "summary": "Default",
                "self": self.urls.api(&format!("{path}/contact_methods/{contact_method}")),
                "html_url": null,
            }],
            "notification_rules": [],
            "teams": [],
        })
    }
}

/// What PagerDuty will do on its own: un-acknowledge a snoozed incident when the snooze ends.
fn pending_actions(incident: &Incident) -> Vec<Value> {
    incident
        .snooze
        .iter()
        .map(|snooze| unacknowledge_at(snooze.until))
        .collect()
}

fn unacknowledge_at(at: DateTime<Utc>) -> Value {
    json!({"type": "unacknowledge", "at": timestamp(at)})
}

/// When the current assignee got the incident: the latest assign entry naming them.
fn assigned_at(incident: &Incident) -> DateTime<Utc> {
    incident
        .log_entries
        .iter()
        .rev()
        .find(|e| e.kind == LogEntryKind::Assign && e.assignee.as_ref() == Some(&incident.assignee))
        .map_or(incident.created_at, |e| e.created_at)
}

fn agent_name(agent: &Agent) -> &str {
    match agent {
        Agent::Service(service) => &service.name,
        Agent::User(user) => &user.person.name,
    }
}

fn log_entry_summary(entry: &LogEntry) -> String {
    let by = agent_name(&entry.agent);
    match entry.kind {
        LogEntryKind::Trigger => "Triggered through the API".to_owned(),
        LogEntryKind::Acknowledge => format!("Acknowledged by {by}"),
        LogEntryKind::Resolve => format!("Resolved by {by}"),
        LogEntryKind::Annotate => format!("Note added by {by}"),
        LogEntryKind::Assign => match &entry.assignee {
            Some(user) => format!("Assigned to {} by {by}", user.person.name),
            None => format!("Assigned by {by}"),
        },
        LogEntryKind::Snooze => match entry.snoozed_until {
            Some(until) => format!("Snoozed until {} by {by}", timestamp(until)),
            None => format!("Snoozed by {by}"),
        },
        LogEntryKind::Unacknowledge => "Unacknowledged due to timeout".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_are_dns_labels() {
        assert_eq!(subdomain("day-in-the-life"), "day-in-the-life");
        assert_eq!(subdomain("Paging Storm #2"), "paging-storm--2");
        assert_eq!(subdomain("!!!"), "sim");
        let urls = Urls::new("http://127.0.0.1:9/", "day");
        assert_eq!(urls.api("/incidents"), "http://127.0.0.1:9/incidents");
        assert_eq!(
            urls.web("/incidents/X"),
            "https://day.pagerduty.example.test/incidents/X"
        );
    }
}
