//! Alerts as the scenario fires them: every occurrence of every alert, `via: prometheus` and
//! `via: grafana` alike, kept for the whole day (Grafana's state history and the generated
//! Prometheus series need the resolved ones too; Alertmanager's own API shows only the firing
//! ones). Fingerprints are Prometheus' own, so a simulated alert and the same alert posted to a
//! real Alertmanager have one identity.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::ids::Origin;
use super::Outcome;
use crate::scenario::{AlertEvent, AlertFiring, AlertIdentity, AlertUpdate, AlertVia};

/// One firing of one alert: from the event that fired it to the one that resolved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertOccurrence {
    pub identity: AlertIdentity,
    pub via: AlertVia,
    pub service: String,
    pub severity: String,
    /// What the vendor shows: the scenario's labels plus `alertname`, `service`, `severity`.
    pub labels: BTreeMap<String, String>,
    /// `summary`, and `runbook_url` when the scenario names a runbook.
    pub annotations: BTreeMap<String, String>,
    /// Prometheus' fingerprint of `labels`, as 16 hex digits.
    pub fingerprint: String,
    pub starts_at: DateTime<Utc>,
    /// The last change: firing, a new summary or runbook, resolving.
    pub updated_at: DateTime<Utc>,
    /// `None` while it fires.
    pub ends_at: Option<DateTime<Utc>>,
    /// The event that fired it.
    pub origin: Origin,
}

impl AlertOccurrence {
    pub fn is_firing(&self) -> bool {
        self.ends_at.is_none()
    }

    /// Whether it fired at some point in `[from, to)`.
    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.starts_at < to && self.ends_at.is_none_or(|end| end > from)
    }
}

/// An occurrence starting or ending, as Grafana's state history records it; the index is into
/// [`Alerts::occurrences`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    Fired(usize),
    Resolved(usize),
}

#[derive(Debug, Clone, Default)]
pub struct Alerts {
    /// In firing order.
    occurrences: Vec<AlertOccurrence>,
    /// Identity → index in `occurrences` of its firing occurrence.
    firing: HashMap<AlertIdentity, usize>,
}

impl Alerts {
    /// Applies one alert event; also says which occurrences started or ended, in order, so the
    /// world can keep Grafana's state history.
    pub fn apply(
        &mut self,
        event: &AlertEvent,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> (Outcome, Vec<StateChange>) {
        match event {
            AlertEvent::Fire(firing) => {
                let index = self.occurrences.len();
                let outcome = self.fire(firing, origin, at);
                let changes = if outcome == Outcome::Applied {
                    vec![StateChange::Fired(index)]
                } else {
                    Vec::new()
                };
                (outcome, changes)
            }
            AlertEvent::Update(update) => (self.update(update, at), Vec::new()),
            AlertEvent::Resolve(resolve) => {
                let mut changes = Vec::new();
                for identity in &resolve.resolves {
                    if let Some(index) = self.firing.remove(identity) {
                        let occurrence = &mut self.occurrences[index];
                        occurrence.ends_at = Some(at);
                        occurrence.updated_at = at;
                        changes.push(StateChange::Resolved(index));
                    }
                }
                let outcome = if changes.is_empty() {
                    Outcome::AlreadyDone
                } else {
                    Outcome::Applied
                };
                (outcome, changes)
            }
        }
    }

    fn fire(&mut self, firing: &AlertFiring, origin: Origin, at: DateTime<Utc>) -> Outcome {
        if self.firing.contains_key(&firing.identity) {
            // The loader refuses this; a world driven by hand may still try.
            return Outcome::Skipped(format!("{} is already firing", firing.identity.name));
        }
        let labels = firing.vendor_labels();
        let mut annotations = BTreeMap::new();
        annotations.insert("summary".to_owned(), firing.summary.clone());
        if let Some(url) = firing.runbook_url() {
            annotations.insert("runbook_url".to_owned(), url);
        }
        self.firing
            .insert(firing.identity.clone(), self.occurrences.len());
        self.occurrences.push(AlertOccurrence {
            identity: firing.identity.clone(),
            via: firing.via,
            service: firing.service.clone(),
            severity: firing.severity.clone(),
            fingerprint: fingerprint(&labels),
            labels,
            annotations,
            starts_at: at,
            updated_at: at,
            ends_at: None,
            origin,
        });
        Outcome::Applied
    }

    fn update(&mut self, update: &AlertUpdate, at: DateTime<Utc>) -> Outcome {
        let Some(&index) = self.firing.get(&update.identity) else {
            return Outcome::Skipped(format!("{} is not firing", update.identity.name));
        };
        let occurrence = &mut self.occurrences[index];
        if let Some(summary) = &update.summary {
            occurrence
                .annotations
                .insert("summary".to_owned(), summary.clone());
        }
        if let Some(runbook) = &update.runbook {
            occurrence.annotations.insert(
                "runbook_url".to_owned(),
                crate::scenario::runbook_url(runbook),
            );
        }
        occurrence.updated_at = at;
        Outcome::Applied
    }

    /// Every occurrence so far, resolved ones included, in firing order.
    pub fn occurrences(&self) -> &[AlertOccurrence] {
        &self.occurrences
    }

    /// The occurrences firing now that `via` serves.
    pub fn firing(&self, via: AlertVia) -> impl Iterator<Item = &AlertOccurrence> {
        self.occurrences
            .iter()
            .filter(move |o| o.via == via && o.is_firing())
    }
}

/// Prometheus' fingerprint, as opsdeck's sources compute it for backfilled alerts.
pub use opsdeck_domain::matchers::fingerprint;
