//! The simulated world: the mutable state the simulated vendors serve, moved forward by the
//! scenario's events as the simulated clock passes them, and changed at once by opsdeck's
//! actions. Each vendor's state is a sibling module (PagerDuty, alerts, silences, Grafana's
//! rules and annotations, GitHub, Kubernetes), and `World` routes each event kind to its
//! module.

pub mod alerts;
pub mod annotations;
mod error;
pub mod github;
pub mod ids;
pub mod kubernetes;
pub mod oncall;
pub mod pagerduty;
pub mod rules;
pub mod silences;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

pub use alerts::{fingerprint, AlertOccurrence, Alerts, StateChange};
pub use annotations::{Annotations, GrafanaAnnotation, RuleState, StateTransition};
pub use error::WorldError;
pub use github::{GitHub, GitHubError, Review};
use ids::{Ids, Origin};
pub use oncall::{OnCall, ScheduleRef};
pub use pagerduty::{
    Agent, Channel, EscalationPolicyRef, Incident, IncidentStatus, LogEntry, LogEntryKind,
    PagerDuty, ServiceRef, Snooze, User,
};
pub use rules::GrafanaRule;
pub use silences::{PostedSilence, Silence, SilenceError, SilenceState, Silences};

use crate::scenario::{EventKind, EventKindName, PageState, Scenario};

/// Which simulated vendor's silences: the simulated Alertmanager and Grafana's built-in
/// Alertmanager each keep their own, as the real ones do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SilenceStore {
    Alertmanager,
    Grafana,
}

impl SilenceStore {
    /// The vendor's name, which also keeps the two stores' minted ids apart.
    pub fn vendor(self) -> &'static str {
        match self {
            SilenceStore::Alertmanager => "alertmanager",
            SilenceStore::Grafana => "grafana",
        }
    }
}

/// What applying one scripted event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// It does what already happened (an action got there first).
    AlreadyDone,
    /// It no longer applies; the reason is also in [`World::skipped`].
    Skipped(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub index: usize,
    pub kind: EventKindName,
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
}

/// The result of an action that was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Changed,
    /// It was already so (acknowledging an acknowledged incident).
    AlreadyDone,
}

/// Whom [`World::reassign`] hands an incident to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reassign {
    /// The user with this email.
    User(String),
    /// Whoever is on call at that level (from 1) of the incident's escalation policy; see
    /// [`World::reassign`] for how the scenario's schedules make up the levels.
    EscalationLevel(u32),
}

#[derive(Debug, Clone)]
pub struct World {
    scenario: Arc<Scenario>,
    date: NaiveDate,
    ids: Ids,
    /// Each event's instant, never earlier than the one before: wall-clock order can differ
    /// from instant order around a DST gap, and events apply in the file's order.
    instants: Vec<DateTime<Utc>>,
    /// How many events have been applied.
    next_event: usize,
    /// The latest instant the world was moved to.
    advanced_to: Option<DateTime<Utc>>,
    actions_taken: u64,
    pagerduty: PagerDuty,
    github: GitHub,
    alerts: Alerts,
    kubernetes: kubernetes::Kubernetes,
    /// The simulated Alertmanager's silences.
    alertmanager_silences: Silences,
    /// Grafana's built-in Alertmanager's silences.
    grafana_silences: Silences,
    /// Grafana's alert rules, fixed by the scenario.
    grafana_rules: Vec<GrafanaRule>,
    /// Grafana's annotations: scenario annotations and alert state history.
    annotations: Annotations,
    skipped: Vec<String>,
}

impl World {
    /// The scenario replayed on `date`, before any event.
    pub fn new(scenario: Arc<Scenario>, date: NaiveDate) -> Self {
        let ids = Ids::new(&scenario.name, date);
        let mut instants: Vec<DateTime<Utc>> = Vec::with_capacity(scenario.events.len());
        for event in &scenario.events {
            let at = scenario.instant(date, event.at);
            instants.push(instants.last().map_or(at, |prev| at.max(*prev)));
        }
        let kubernetes =
            kubernetes::Kubernetes::new(&scenario, ids.clone(), scenario.day_start(date));
        World {
            pagerduty: PagerDuty::new(&scenario, ids.clone()),
            github: GitHub::new(&scenario, ids.clone()),
            grafana_rules: rules::grafana_rules(&scenario, &ids),
            kubernetes,
            scenario,
            date,
            ids,
            instants,
            next_event: 0,
            advanced_to: None,
            actions_taken: 0,
            alerts: Alerts::default(),
            alertmanager_silences: Silences::default(),
            grafana_silences: Silences::default(),
            annotations: Annotations::default(),
            skipped: Vec::new(),
        }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    pub fn ids(&self) -> &Ids {
        &self.ids
    }

    /// Applies, in order and once each, every event whose instant is at or before `now`, and
    /// runs out the timers due by then (snoozes ending, GitHub attempts started from outside
    /// completing), all in time order (a timer due at an event's instant goes first). Only
    /// events are reported.
    pub fn advance_to(&mut self, now: DateTime<Utc>) -> Vec<Applied> {
        self.advanced_to = Some(self.advanced_to.map_or(now, |t| t.max(now)));
        let mut applied = Vec::new();
        loop {
            let event_at = self
                .instants
                .get(self.next_event)
                .copied()
                .filter(|at| *at <= now);
            let timer_at = [self.pagerduty.next_timer(), self.github.next_timer()]
                .into_iter()
                .flatten()
                .min()
                .filter(|at| *at <= now);
            let at = match (event_at, timer_at) {
                (Some(event), Some(timer)) if timer <= event => {
                    self.fire_timers(timer);
                    continue;
                }
                (None, Some(timer)) => {
                    self.fire_timers(timer);
                    continue;
                }
                (Some(event), _) => event,
                (None, None) => break,
            };
            let index = self.next_event;
            self.next_event += 1;
            let Some(event) = self.scenario.events.get(index) else {
                break;
            };
            let kind = event.kind.name();
            let outcome = match &event.kind {
                EventKind::Page(page) => self.pagerduty.apply(page, Origin::Event(index), at),
                EventKind::Alert(alert) => {
                    let (outcome, changes) = self.alerts.apply(alert, Origin::Event(index), at);
                    self.annotations.record_history(
                        &self.alerts,
                        &self.grafana_rules,
                        &changes,
                        at,
                    );
                    outcome
                }
                EventKind::Annotation(annotation) => {
                    self.annotations.annotate(annotation, at);
                    Outcome::Applied
                }
                EventKind::Deploy(d) => self.kubernetes.deploy(d, Origin::Event(index), at),
                EventKind::Scale(s) => self.kubernetes.scale(s, Origin::Event(index), at),
                EventKind::K8sEvent(e) => self.kubernetes.k8s_event(e, Origin::Event(index), at),
                EventKind::Node(n) => self.kubernetes.node(n, at),
                EventKind::Ci(c) => self.github.ci(c, Origin::Event(index), at),
            };
            if let Outcome::Skipped(reason) = &outcome {
                self.skipped.push(format!(
                    "events[{index}] ({kind}) at {}: skipped: {reason}",
                    event.at
                ));
            }
            applied.push(Applied {
                index,
                kind,
                at,
                outcome,
            });
        }
        applied
    }

    /// Runs out every vendor's timers due by `at` (snoozes ending, attempts started from
    /// outside completing).
    fn fire_timers(&mut self, at: DateTime<Utc>) {
        self.pagerduty.fire_timers(at);
        self.github.fire_timers(at);
    }

    /// When the next unapplied event happens, if any is left.
    pub fn next_event_at(&self) -> Option<DateTime<Utc>> {
        self.instants.get(self.next_event).copied()
    }

    /// The latest instant the world has been moved to (by [`World::advance_to`] or an action),
    /// `None` before the first. Servers take actions no earlier than this, so a test that moved
    /// the world past a frozen clock still sees the log in time order.
    pub fn advanced_to(&self) -> Option<DateTime<Utc>> {
        self.advanced_to
    }

    /// How many events have been applied.
    pub fn events_applied(&self) -> usize {
        self.next_event
    }

    /// Scripted events that no longer applied, one human-readable line each.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    pub fn pagerduty(&self) -> &PagerDuty {
        &self.pagerduty
    }

    pub fn incidents(&self) -> &[Incident] {
        self.pagerduty.incidents()
    }

    pub fn incident(&self, id: &str) -> Option<&Incident> {
        self.pagerduty.incident(id)
    }

    /// The scenario's clusters as they stand.
    pub fn kubernetes(&self) -> &kubernetes::Kubernetes {
        &self.kubernetes
    }

    /// Changes a Deployment from outside (the simulated API's patches and scale subresource):
    /// see [`kubernetes::Kubernetes::update_deployment`]. `false` when there is no such
    /// Deployment.
    pub fn update_deployment(
        &mut self,
        target: kubernetes::DeploymentRef<'_>,
        replicas: u32,
        template: kubernetes::Template,
        at: DateTime<Utc>,
    ) -> bool {
        let origin = self.next_action(at);
        self.kubernetes
            .update_deployment(target, replicas, template, origin, at)
            .is_some()
    }

    /// Cordons or uncordons a node from outside (the simulated API's node patches): `None` for
    /// an unknown node, `Some(false)` when it already was so.
    pub fn set_unschedulable(
        &mut self,
        context: &str,
        node: &str,
        unschedulable: bool,
    ) -> Option<bool> {
        self.kubernetes
            .set_unschedulable(context, node, unschedulable)
    }

    /// Forgets a cluster's change history (etcd compaction), so that watches from before now
    /// get 410 Gone; `false` for an unknown context.
    pub fn compact_kubernetes(&mut self, context: &str) -> bool {
        self.kubernetes.compact(context)
    }

    /// Every alert occurrence so far, both vias, resolved ones included.
    pub fn alerts(&self) -> &Alerts {
        &self.alerts
    }

    /// Grafana's alert rules, in id order; they exist all day.
    pub fn grafana_rules(&self) -> &[GrafanaRule] {
        &self.grafana_rules
    }

    /// The Grafana rule whose alerts are named `name`.
    pub fn grafana_rule(&self, name: &str) -> Option<&GrafanaRule> {
        self.grafana_rules.iter().find(|r| r.name == name)
    }

    /// Grafana's annotations so far, both kinds, in id order.
    pub fn annotations(&self) -> &Annotations {
        &self.annotations
    }

    pub fn silences(&self, store: SilenceStore) -> &Silences {
        match store {
            SilenceStore::Alertmanager => &self.alertmanager_silences,
            SilenceStore::Grafana => &self.grafana_silences,
        }
    }

    /// Creates or updates a silence in `store` (see [`Silences::post`]), from outside; returns
    /// its id, minted from the action and the store's vendor.
    pub fn post_silence(
        &mut self,
        store: SilenceStore,
        posted: PostedSilence,
        at: DateTime<Utc>,
    ) -> Result<String, SilenceError> {
        let origin = self.next_action(at);
        let ids = &self.ids;
        let silences = match store {
            SilenceStore::Alertmanager => &mut self.alertmanager_silences,
            SilenceStore::Grafana => &mut self.grafana_silences,
        };
        silences.post(posted, at, || {
            ids.uuid(origin, &[store.vendor(), "silence"])
        })
    }

    /// Expires a silence in `store` now, from outside.
    pub fn expire_silence(
        &mut self,
        store: SilenceStore,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), SilenceError> {
        self.next_action(at);
        match store {
            SilenceStore::Alertmanager => self.alertmanager_silences.expire(id, at),
            SilenceStore::Grafana => self.grafana_silences.expire(id, at),
        }
    }

    pub fn alertmanager_silences(&self) -> &Silences {
        self.silences(SilenceStore::Alertmanager)
    }

    /// Creates or updates a silence at the simulated Alertmanager (see [`Silences::post`]),
    /// from outside; returns its id.
    pub fn post_alertmanager_silence(
        &mut self,
        posted: PostedSilence,
        at: DateTime<Utc>,
    ) -> Result<String, SilenceError> {
        self.post_silence(SilenceStore::Alertmanager, posted, at)
    }

    /// Expires a silence at the simulated Alertmanager now, from outside.
    pub fn expire_alertmanager_silence(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), SilenceError> {
        self.expire_silence(SilenceStore::Alertmanager, id, at)
    }

    pub fn grafana_silences(&self) -> &Silences {
        self.silences(SilenceStore::Grafana)
    }

    /// Creates or updates a silence at Grafana's built-in Alertmanager, from outside.
    pub fn post_grafana_silence(
        &mut self,
        posted: PostedSilence,
        at: DateTime<Utc>,
    ) -> Result<String, SilenceError> {
        self.post_silence(SilenceStore::Grafana, posted, at)
    }

    /// Expires a silence at Grafana's built-in Alertmanager now, from outside.
    pub fn expire_grafana_silence(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), SilenceError> {
        self.expire_silence(SilenceStore::Grafana, id, at)
    }

    /// Every on-call entry of the replayed day, in the scenario's order.
    pub fn oncalls(&self) -> Vec<OnCall> {
        oncall::oncalls(&self.scenario, &self.ids, self.date)
    }

    /// Events due by `at` happen before an action taken at `at`, whatever the caller advanced.
    fn next_action(&mut self, at: DateTime<Utc>) -> Origin {
        self.advance_to(at);
        self.actions_taken += 1;
        Origin::Action(self.actions_taken)
    }

    /// Acknowledges from outside (opsdeck); refused for a resolved incident. Acknowledging a
    /// snoozed incident again ends the snooze. Like every action, it first applies the scripted
    /// events due by `at`.
    pub fn acknowledge(
        &mut self,
        incident_id: &str,
        by_email: &str,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        let origin = self.next_action(at);
        self.pagerduty.set_status_by_action(
            incident_id,
            PageState::Acknowledged,
            by_email,
            None,
            origin,
            at,
        )
    }

    /// Resolves from outside (opsdeck); resolving a resolved incident changes nothing.
    pub fn resolve(
        &mut self,
        incident_id: &str,
        by_email: &str,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        self.resolve_with(incident_id, by_email, None, at)
    }

    /// As [`World::resolve`], with PagerDuty's `resolution`: the text goes on the resolve log
    /// entry as its note (it is not one of the incident's notes).
    pub fn resolve_with(
        &mut self,
        incident_id: &str,
        by_email: &str,
        resolution: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        let origin = self.next_action(at);
        self.pagerduty.set_status_by_action(
            incident_id,
            PageState::Resolved,
            by_email,
            resolution,
            origin,
            at,
        )
    }

    /// Hands the incident to someone else from outside (opsdeck), writing an assign log entry
    /// (agent: `by_email`). The status stays, except that an acknowledged incident is triggered
    /// again for its new assignee, as in PagerDuty. Refused for a resolved incident; handing it
    /// to its assignee changes nothing.
    ///
    /// Escalation levels: level 1 of a policy is whoever is on call at `at` on the schedule
    /// named like the policy; levels 2, 3… are the scenario's other schedules in the order they
    /// first appear (on the shared day, level 2 of "Payments Primary" is "Payments Secondary").
    /// A level beyond the last, or with nobody on call at `at`, is an error naming the level.
    pub fn reassign(
        &mut self,
        incident_id: &str,
        by_email: &str,
        to: Reassign,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        let origin = self.next_action(at);
        let to_email = match to {
            Reassign::User(email) => email,
            Reassign::EscalationLevel(level) => {
                let incident = self
                    .pagerduty
                    .incident(incident_id)
                    .ok_or_else(|| WorldError::UnknownIncident(incident_id.to_owned()))?;
                // A resolved incident is refused as such, whatever the level.
                if incident.status == PageState::Resolved {
                    return Err(WorldError::NotApplicable {
                        incident: incident_id.to_owned(),
                        action: "reassign",
                        reason: pagerduty::ALREADY_RESOLVED,
                    });
                }
                let policy = incident.service.escalation_policy.name.clone();
                oncall::escalation_target(&self.scenario, &self.ids, self.date, &policy, level, at)?
                    .person
                    .email
            }
        };
        self.pagerduty
            .reassign_by_action(incident_id, by_email, &to_email, origin, at)
    }

    /// Snoozes an acknowledged incident from outside (opsdeck) for `duration` (more than 0,
    /// at most 7 days), writing a snooze log entry. When `at + duration` passes,
    /// [`World::advance_to`] triggers it again with an unacknowledge log entry (agent: the
    /// service), unless it was resolved, reassigned or acknowledged again before. Refused for a
    /// triggered or resolved incident.
    pub fn snooze(
        &mut self,
        incident_id: &str,
        by_email: &str,
        duration: TimeDelta,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        let origin = self.next_action(at);
        self.pagerduty
            .snooze_by_action(incident_id, by_email, duration, origin, at)
    }

    /// Adds a note from outside (opsdeck); resolved incidents take notes too, as in PagerDuty.
    pub fn add_note(
        &mut self,
        incident_id: &str,
        by_email: &str,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<Change, WorldError> {
        let origin = self.next_action(at);
        self.pagerduty
            .add_note_by_action(incident_id, by_email, note, origin, at)
    }
}

#[cfg(test)]
mod tests;
