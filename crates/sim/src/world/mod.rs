//! The simulated world: the mutable state the simulated vendors serve, moved forward by the
//! scenario's events as the simulated clock passes them, and changed at once by opsdeck's
//! actions. Each vendor's state is a sibling module (PagerDuty now; alerts, CI and Kubernetes
//! join the same way), and `World` routes each event kind to its module.

mod error;
pub mod ids;
pub mod oncall;
pub mod pagerduty;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

pub use error::WorldError;
use ids::{Ids, Origin};
pub use oncall::{OnCall, ScheduleRef};
pub use pagerduty::{
    Agent, Channel, EscalationPolicyRef, Incident, IncidentStatus, LogEntry, LogEntryKind,
    PagerDuty, ServiceRef, User,
};

use crate::scenario::{EventKind, EventKindName, PageState, Scenario};

/// What applying one scripted event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// It does what already happened (an action got there first).
    AlreadyDone,
    /// It no longer applies; the reason is also in [`World::skipped`].
    Skipped(String),
    /// No simulated vendor serves this kind yet.
    NotSimulated,
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
    actions_taken: u64,
    pagerduty: PagerDuty,
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
        World {
            pagerduty: PagerDuty::new(&scenario, ids.clone()),
            scenario,
            date,
            ids,
            instants,
            next_event: 0,
            actions_taken: 0,
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

    /// Applies, in order and once each, every event whose instant is at or before `now`.
    pub fn advance_to(&mut self, now: DateTime<Utc>) -> Vec<Applied> {
        let mut applied = Vec::new();
        while let Some(&at) = self.instants.get(self.next_event).filter(|at| **at <= now) {
            let index = self.next_event;
            self.next_event += 1;
            let Some(event) = self.scenario.events.get(index) else {
                break;
            };
            let kind = event.kind.name();
            let outcome = match &event.kind {
                EventKind::Page(page) => self.pagerduty.apply(page, Origin::Event(index), at),
                _ => Outcome::NotSimulated,
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

    /// When the next unapplied event happens, if any is left.
    pub fn next_event_at(&self) -> Option<DateTime<Utc>> {
        self.instants.get(self.next_event).copied()
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

    /// Acknowledges from outside (opsdeck); refused for a resolved incident. Like every action,
    /// it first applies the scripted events due by `at`.
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
        let origin = self.next_action(at);
        self.pagerduty
            .set_status_by_action(incident_id, PageState::Resolved, by_email, origin, at)
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
