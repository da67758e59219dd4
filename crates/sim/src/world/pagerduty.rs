//! The simulated PagerDuty account: users, services, escalation policies and the incidents that
//! `page` events and opsdeck's actions create and change. Shaped like PagerDuty REST v2 objects,
//! so the HTTP layer only renders them.

use chrono::{DateTime, TimeDelta, Utc};

use super::ids::{Ids, Origin};
use super::{Change, Outcome, WorldError};
use crate::scenario::{PageEvent, PageOpen, PageState, PageUpdate, Person, Scenario, Urgency};

/// PagerDuty's incident statuses are the scenario's page states.
pub type IncidentStatus = PageState;

/// A PagerDuty user: a scenario person with a stable id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub person: Person,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EscalationPolicyRef {
    pub id: String,
    pub name: String,
}

/// A PagerDuty service: `id` is the scenario's `pagerduty.id`, `name` the scenario's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    pub id: String,
    pub name: String,
    pub escalation_policy: EscalationPolicyRef,
}

/// Who did something: the service (its integration triggers incidents) or a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agent {
    Service(ServiceRef),
    User(User),
}

/// How it was done, as PagerDuty's log entry `channel.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Through the API: integrations triggering, and opsdeck's actions.
    Api,
    /// By a person in PagerDuty's own app: the scenario's scripted people.
    Website,
    /// By PagerDuty itself when a timer runs out, such as a snooze.
    Timeout,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Website => "website",
            Channel::Timeout => "timeout",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogEntryKind {
    Trigger,
    Acknowledge,
    Resolve,
    Annotate,
    Assign,
    Snooze,
    /// A snoozed incident whose snooze ran out, back to triggered.
    Unacknowledge,
}

impl LogEntryKind {
    /// The log entry's `type` in PagerDuty REST v2.
    pub fn pd_type(self) -> &'static str {
        match self {
            LogEntryKind::Trigger => "trigger_log_entry",
            LogEntryKind::Acknowledge => "acknowledge_log_entry",
            LogEntryKind::Resolve => "resolve_log_entry",
            LogEntryKind::Annotate => "annotate_log_entry",
            LogEntryKind::Assign => "assign_log_entry",
            LogEntryKind::Snooze => "snooze_log_entry",
            LogEntryKind::Unacknowledge => "unacknowledge_log_entry",
        }
    }

    fn key(self) -> &'static str {
        match self {
            LogEntryKind::Trigger => "trigger",
            LogEntryKind::Acknowledge => "acknowledge",
            LogEntryKind::Resolve => "resolve",
            LogEntryKind::Annotate => "annotate",
            LogEntryKind::Assign => "assign",
            LogEntryKind::Snooze => "snooze",
            LogEntryKind::Unacknowledge => "unacknowledge",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: String,
    pub kind: LogEntryKind,
    pub created_at: DateTime<Utc>,
    pub agent: Agent,
    pub channel: Channel,
    /// The note's text, for annotate entries; the resolution, for resolve entries that carry
    /// one (PagerDuty puts it there as the entry's note).
    pub note: Option<String>,
    /// Who the incident was assigned to, for assign entries.
    pub assignee: Option<User>,
    /// When the snooze ends, for snooze entries.
    pub snoozed_until: Option<DateTime<Utc>>,
}

/// A running snooze: at `until` the incident goes back to triggered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snooze {
    pub until: DateTime<Utc>,
    /// The action that snoozed, which also mints the id of the entry written when it ends.
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// The scenario's id, such as `Q0PAY0001`.
    pub id: String,
    /// 1, 2, 3… in creation order.
    pub incident_number: u32,
    pub title: String,
    pub service: ServiceRef,
    pub urgency: Urgency,
    pub status: IncidentStatus,
    pub assignee: User,
    pub created_at: DateTime<Utc>,
    pub last_status_change_at: DateTime<Utc>,
    pub last_status_change_by: Agent,
    /// The first acknowledgement.
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<User>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Set while the incident is snoozed (it is acknowledged then).
    pub snooze: Option<Snooze>,
    /// Oldest first.
    pub log_entries: Vec<LogEntry>,
}

impl Incident {
    /// The notes added to the incident, oldest first.
    pub fn notes(&self) -> impl Iterator<Item = &LogEntry> {
        self.log_entries
            .iter()
            .filter(|e| e.kind == LogEntryKind::Annotate)
    }
}

/// When and why something is written: the instant, what caused it and through which channel.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    at: DateTime<Utc>,
    origin: Origin,
    channel: Channel,
}

impl Stamp {
    fn entry(&self, ids: &Ids, kind: LogEntryKind, agent: Agent) -> LogEntry {
        LogEntry {
            id: ids.dated(
                'R',
                14,
                self.origin,
                &["pagerduty", "log_entry", kind.key()],
            ),
            kind,
            created_at: self.at,
            agent,
            channel: self.channel,
            note: None,
            assignee: None,
            snoozed_until: None,
        }
    }
}

/// Whether moving an incident to a status makes sense now.
enum Step {
    Change,
    AlreadyDone,
    NoLongerApplies(&'static str),
}

pub(crate) const ALREADY_RESOLVED: &str = "the incident is already resolved";

/// `snoozed`: acknowledging a snoozed incident again is a change, which ends the snooze (it
/// restarts the acknowledgement, as in PagerDuty).
fn step(current: IncidentStatus, snoozed: bool, target: IncidentStatus) -> Step {
    use PageState::{Acknowledged, Resolved, Triggered};
    match (current, target) {
        (Acknowledged, Acknowledged) if snoozed => Step::Change,
        (a, b) if a == b => Step::AlreadyDone,
        (Resolved, _) => Step::NoLongerApplies(ALREADY_RESOLVED),
        (Acknowledged, Triggered) => Step::NoLongerApplies(
            "the incident is acknowledged and PagerDuty does not re-trigger it",
        ),
        _ => Step::Change,
    }
}

fn verb(target: IncidentStatus) -> &'static str {
    match target {
        PageState::Triggered => "trigger",
        PageState::Acknowledged => "acknowledge",
        PageState::Resolved => "resolve",
    }
}

#[derive(Debug, Clone)]
pub struct PagerDuty {
    ids: Ids,
    users: Vec<User>,
    services: Vec<ServiceRef>,
    incidents: Vec<Incident>,
}

impl PagerDuty {
    pub(crate) fn new(scenario: &Scenario, ids: Ids) -> Self {
        let users = scenario
            .everyone()
            .map(|person| User {
                id: user_id(&ids, &person.email),
                person: person.clone(),
            })
            .collect();
        let services = scenario
            .services
            .iter()
            .filter_map(|s| {
                let pd = s.pagerduty.as_ref()?;
                Some(ServiceRef {
                    id: pd.id.clone(),
                    name: s.name.clone(),
                    escalation_policy: escalation_policy(&ids, &pd.escalation_policy),
                })
            })
            .collect();
        PagerDuty {
            ids,
            users,
            services,
            incidents: Vec::new(),
        }
    }

    /// `me` first, then `people`.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    pub fn user(&self, email: &str) -> Option<&User> {
        self.users.iter().find(|u| u.person.email == email)
    }

    pub fn services(&self) -> &[ServiceRef] {
        &self.services
    }

    /// A service by its scenario name.
    pub fn service(&self, name: &str) -> Option<&ServiceRef> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The escalation policy of that name, with its stable id.
    pub fn escalation_policy(&self, name: &str) -> EscalationPolicyRef {
        escalation_policy(&self.ids, name)
    }

    /// Every policy the services name, sorted by name.
    pub fn escalation_policies(&self) -> Vec<EscalationPolicyRef> {
        let mut policies: Vec<EscalationPolicyRef> = self
            .services
            .iter()
            .map(|s| s.escalation_policy.clone())
            .collect();
        policies.sort();
        policies.dedup();
        policies
    }

    /// In creation order.
    pub fn incidents(&self) -> &[Incident] {
        &self.incidents
    }

    pub fn incident(&self, id: &str) -> Option<&Incident> {
        self.incidents.iter().find(|i| i.id == id)
    }

    pub(crate) fn apply(
        &mut self,
        event: &PageEvent,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Outcome {
        let stamp = Stamp {
            at,
            origin,
            channel: Channel::Website,
        };
        match event {
            PageEvent::Open(open) => self.open(open, stamp),
            PageEvent::Update(update) => self.update(update, stamp),
        }
    }

    fn open(&mut self, open: &PageOpen, stamp: Stamp) -> Outcome {
        if self.incident(&open.id).is_some() {
            return Outcome::Skipped(format!("incident {} already exists", open.id));
        }
        let (Some(service), Some(assignee)) = (
            self.service(&open.service).cloned(),
            self.user(&open.assignee).cloned(),
        ) else {
            return Outcome::Skipped(format!(
                "incident {} names a service or person the account lacks",
                open.id
            ));
        };
        let trigger_stamp = Stamp {
            channel: Channel::Api,
            ..stamp
        };
        let mut assign = trigger_stamp.entry(
            &self.ids,
            LogEntryKind::Assign,
            Agent::Service(service.clone()),
        );
        assign.assignee = Some(assignee.clone());
        let incident = Incident {
            id: open.id.clone(),
            incident_number: u32::try_from(self.incidents.len() + 1).unwrap_or(u32::MAX),
            title: open.title.clone(),
            urgency: open.urgency,
            status: PageState::Triggered,
            assignee: assignee.clone(),
            created_at: stamp.at,
            last_status_change_at: stamp.at,
            last_status_change_by: Agent::Service(service.clone()),
            acknowledged_at: None,
            acknowledged_by: None,
            resolved_at: None,
            snooze: None,
            log_entries: vec![
                trigger_stamp.entry(
                    &self.ids,
                    LogEntryKind::Trigger,
                    Agent::Service(service.clone()),
                ),
                assign,
            ],
            service,
        };
        self.incidents.push(incident);
        let by = open.by.as_deref().unwrap_or(&open.assignee);
        let rest = PageUpdate {
            id: open.id.clone(),
            title: None,
            urgency: None,
            assignee: None,
            state: Some(open.state),
            by: Some(by.to_owned()),
            note: open.note.clone(),
        };
        match self.update(&rest, stamp) {
            Outcome::Skipped(reason) => Outcome::Skipped(reason),
            _ => Outcome::Applied,
        }
    }

    /// A scripted change: one that no longer applies is skipped whole; one whose state change
    /// already happened still adds what else it carries (a note, a new title).
    fn update(&mut self, update: &PageUpdate, stamp: Stamp) -> Outcome {
        let Some(index) = self.incidents.iter().position(|i| i.id == update.id) else {
            return Outcome::Skipped(format!("there is no incident {}", update.id));
        };
        let by = match update.by.as_deref() {
            Some(email) => self.user(email).cloned(),
            None => Some(self.incidents[index].assignee.clone()),
        };
        let Some(by) = by else {
            return Outcome::Skipped(format!(
                "{} is not a PagerDuty user",
                update.by.as_deref().unwrap_or("")
            ));
        };
        let new_assignee = match update.assignee.as_deref() {
            Some(email) => match self.user(email) {
                Some(user) => Some(user.clone()),
                None => return Outcome::Skipped(format!("{email} is not a PagerDuty user")),
            },
            None => None,
        };
        let incident = &mut self.incidents[index];
        let new_assignee = new_assignee.filter(|a| *a != incident.assignee);
        if new_assignee.is_some() && incident.status == PageState::Resolved {
            return Outcome::Skipped(format!("reassign {}: {ALREADY_RESOLVED}", incident.id));
        }
        // The status once the reassignment (which comes first, and ends a snooze) is done.
        let (status_then, snoozed_then) = match (&new_assignee, incident.status) {
            (Some(_), PageState::Acknowledged) => (PageState::Triggered, false),
            (_, status) => (status, incident.snooze.is_some()),
        };
        let status_step = update
            .state
            .map(|target| (target, step(status_then, snoozed_then, target)));
        if let Some((target, Step::NoLongerApplies(reason))) = status_step {
            return Outcome::Skipped(format!("{} {}: {reason}", verb(target), incident.id));
        }
        let mut changed = false;
        if let Some(title) = update.title.as_ref().filter(|t| **t != incident.title) {
            incident.title = title.clone();
            changed = true;
        }
        if let Some(urgency) = update.urgency.filter(|u| *u != incident.urgency) {
            incident.urgency = urgency;
            changed = true;
        }
        if let Some(assignee) = new_assignee {
            let agent = if update.by.is_some() {
                Agent::User(by.clone())
            } else {
                Agent::Service(incident.service.clone())
            };
            assign(incident, &self.ids, stamp, agent, assignee);
            changed = true;
        }
        if let Some(note) = &update.note {
            add_note(incident, &self.ids, stamp, &by, note);
            changed = true;
        }
        if let Some((target, Step::Change)) = status_step {
            set_status(incident, &self.ids, stamp, &by, target, None);
            changed = true;
        }
        if changed {
            Outcome::Applied
        } else {
            Outcome::AlreadyDone
        }
    }

    fn act(
        &mut self,
        incident_id: &str,
        by_email: &str,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Result<(&mut Incident, User, Stamp), WorldError> {
        let by = self
            .user(by_email)
            .cloned()
            .ok_or_else(|| WorldError::UnknownPerson(by_email.to_owned()))?;
        let incident = self
            .incidents
            .iter_mut()
            .find(|i| i.id == incident_id)
            .ok_or_else(|| WorldError::UnknownIncident(incident_id.to_owned()))?;
        let stamp = Stamp {
            at,
            origin,
            channel: Channel::Api,
        };
        Ok((incident, by, stamp))
    }

    /// `resolution` goes on the resolve entry as its note, as PagerDuty does with the
    /// `resolution` of a resolving update; it is dropped when nothing is resolved.
    pub(crate) fn set_status_by_action(
        &mut self,
        incident_id: &str,
        target: IncidentStatus,
        by_email: &str,
        resolution: Option<&str>,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        let ids = self.ids.clone();
        let (incident, by, stamp) = self.act(incident_id, by_email, origin, at)?;
        match step(incident.status, incident.snooze.is_some(), target) {
            Step::AlreadyDone => Ok(Change::AlreadyDone),
            Step::NoLongerApplies(reason) => Err(WorldError::NotApplicable {
                incident: incident_id.to_owned(),
                action: verb(target),
                reason,
            }),
            Step::Change => {
                set_status(incident, &ids, stamp, &by, target, resolution);
                Ok(Change::Changed)
            }
        }
    }

    /// Hands the incident to the user with `to_email`; handing it to its assignee changes
    /// nothing.
    pub(crate) fn reassign_by_action(
        &mut self,
        incident_id: &str,
        by_email: &str,
        to_email: &str,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        let ids = self.ids.clone();
        let to = self
            .user(to_email)
            .cloned()
            .ok_or_else(|| WorldError::UnknownPerson(to_email.to_owned()))?;
        let (incident, by, stamp) = self.act(incident_id, by_email, origin, at)?;
        if incident.status == PageState::Resolved {
            return Err(WorldError::NotApplicable {
                incident: incident_id.to_owned(),
                action: "reassign",
                reason: ALREADY_RESOLVED,
            });
        }
        if incident.assignee == to {
            return Ok(Change::AlreadyDone);
        }
        assign(incident, &ids, stamp, Agent::User(by), to);
        Ok(Change::Changed)
    }

    /// Snoozes an acknowledged incident for `duration` (1 s to 7 days, as PagerDuty allows);
    /// snoozing a snoozed incident starts the snooze again from `at`.
    pub(crate) fn snooze_by_action(
        &mut self,
        incident_id: &str,
        by_email: &str,
        duration: TimeDelta,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        let out_of_range = || WorldError::SnoozeOutOfRange {
            seconds: duration.num_seconds(),
        };
        if duration <= TimeDelta::zero() || duration > TimeDelta::days(7) {
            return Err(out_of_range());
        }
        let until = at.checked_add_signed(duration).ok_or_else(out_of_range)?;
        let ids = self.ids.clone();
        let (incident, by, stamp) = self.act(incident_id, by_email, origin, at)?;
        let reason = match incident.status {
            PageState::Acknowledged => None,
            PageState::Resolved => Some(ALREADY_RESOLVED),
            PageState::Triggered => Some(
                "the incident is not acknowledged, and only an acknowledged incident can be snoozed",
            ),
        };
        if let Some(reason) = reason {
            return Err(WorldError::NotApplicable {
                incident: incident_id.to_owned(),
                action: "snooze",
                reason,
            });
        }
        let mut entry = stamp.entry(&ids, LogEntryKind::Snooze, Agent::User(by));
        entry.snoozed_until = Some(until);
        incident.log_entries.push(entry);
        incident.snooze = Some(Snooze { until, origin });
        Ok(Change::Changed)
    }

    /// When the earliest running snooze ends, if any runs.
    pub(crate) fn next_timer(&self) -> Option<DateTime<Utc>> {
        self.incidents
            .iter()
            .filter_map(|i| i.snooze.map(|s| s.until))
            .min()
    }

    /// Ends every snooze due by `now`: PagerDuty un-acknowledges the incident on its own
    /// (agent: the service, channel: timeout), so it pages again.
    pub(crate) fn fire_timers(&mut self, now: DateTime<Utc>) {
        for incident in &mut self.incidents {
            let Some(snooze) = incident.snooze.filter(|s| s.until <= now) else {
                continue;
            };
            incident.snooze = None;
            let stamp = Stamp {
                at: snooze.until,
                origin: snooze.origin,
                channel: Channel::Timeout,
            };
            let agent = Agent::Service(incident.service.clone());
            incident.status = PageState::Triggered;
            incident.last_status_change_at = snooze.until;
            incident.last_status_change_by = agent.clone();
            incident
                .log_entries
                .push(stamp.entry(&self.ids, LogEntryKind::Unacknowledge, agent));
        }
    }

    pub(crate) fn add_note_by_action(
        &mut self,
        incident_id: &str,
        by_email: &str,
        note: &str,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        let ids = self.ids.clone();
        let (incident, by, stamp) = self.act(incident_id, by_email, origin, at)?;
        add_note(incident, &ids, stamp, &by, note);
        Ok(Change::Changed)
    }
}

fn set_status(
    incident: &mut Incident,
    ids: &Ids,
    stamp: Stamp,
    by: &User,
    target: IncidentStatus,
    resolution: Option<&str>,
) {
    let kind = match target {
        PageState::Acknowledged => {
            if incident.acknowledged_at.is_none() {
                incident.acknowledged_at = Some(stamp.at);
                incident.acknowledged_by = Some(by.clone());
            }
            LogEntryKind::Acknowledge
        }
        PageState::Resolved => {
            incident.resolved_at = Some(stamp.at);
            LogEntryKind::Resolve
        }
        // Only a new incident is triggered, and `open` writes its trigger entry.
        PageState::Triggered => return,
    };
    incident.status = target;
    incident.last_status_change_at = stamp.at;
    incident.last_status_change_by = Agent::User(by.clone());
    // Only an acknowledged incident is snoozed; any change of status ends the snooze.
    incident.snooze = None;
    let mut entry = stamp.entry(ids, kind, Agent::User(by.clone()));
    if kind == LogEntryKind::Resolve {
        entry.note = resolution.map(str::to_owned);
    }
    incident.log_entries.push(entry);
}

/// Hands the incident to `assignee`. PagerDuty keeps the status, except that an acknowledged
/// incident is triggered again so that the new assignee is paged.
fn assign(incident: &mut Incident, ids: &Ids, stamp: Stamp, agent: Agent, assignee: User) {
    let mut entry = stamp.entry(ids, LogEntryKind::Assign, agent.clone());
    entry.assignee = Some(assignee.clone());
    incident.log_entries.push(entry);
    incident.assignee = assignee;
    if incident.status == PageState::Acknowledged {
        incident.status = PageState::Triggered;
        incident.last_status_change_at = stamp.at;
        incident.last_status_change_by = agent;
        incident.snooze = None;
    }
}

fn add_note(incident: &mut Incident, ids: &Ids, stamp: Stamp, by: &User, note: &str) {
    let mut entry = stamp.entry(ids, LogEntryKind::Annotate, Agent::User(by.clone()));
    entry.note = Some(note.to_owned());
    incident.log_entries.push(entry);
}

pub(crate) fn user_id(ids: &Ids, email: &str) -> String {
    ids.stable('P', 7, &["pagerduty", "user", email])
}

pub(crate) fn escalation_policy(ids: &Ids, name: &str) -> EscalationPolicyRef {
    EscalationPolicyRef {
        id: ids.stable('P', 7, &["pagerduty", "escalation_policy", name]),
        name: name.to_owned(),
    }
}
