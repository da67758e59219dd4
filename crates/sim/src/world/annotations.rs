//! Grafana's annotations, of both kinds Grafana keeps in one table: the scenario's `annotation`
//! events (deploy markers and the like), and the state history of Grafana-managed alerts, which
//! Grafana 9's unified alerting records as annotations carrying the rule's id and the old and
//! new state. Both share one id sequence (1, 2, 3… in the order they happen), as rows of one
//! table do, so ids are deterministic and unique across kinds.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::alerts::{AlertOccurrence, Alerts, StateChange};
use super::rules::GrafanaRule;
use crate::scenario::{AlertVia, Annotation as AnnotationEvent};

/// A rule's state as Grafana names it in state-history annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleState {
    Normal,
    Alerting,
}

impl RuleState {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleState::Normal => "Normal",
            RuleState::Alerting => "Alerting",
        }
    }
}

/// What makes an annotation a state-history one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateTransition {
    /// The rule's numeric id (Grafana's `alertId`).
    pub rule_id: u64,
    /// The rule's title (Grafana's `alertName`).
    pub rule_name: String,
    pub prev_state: RuleState,
    pub new_state: RuleState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrafanaAnnotation {
    pub id: u64,
    /// A point in time: scenario annotations and state changes have no end.
    pub time: DateTime<Utc>,
    pub text: String,
    pub tags: Vec<String>,
    /// `Some` for an alert-state annotation.
    pub transition: Option<StateTransition>,
}

impl GrafanaAnnotation {
    /// Grafana's `alertId`: the rule's id, 0 for a plain annotation.
    pub fn alert_id(&self) -> u64 {
        self.transition.as_ref().map_or(0, |t| t.rule_id)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Annotations {
    /// In id order, which is time order.
    list: Vec<GrafanaAnnotation>,
}

impl Annotations {
    pub fn all(&self) -> &[GrafanaAnnotation] {
        &self.list
    }

    pub fn get(&self, id: u64) -> Option<&GrafanaAnnotation> {
        self.list.iter().find(|a| a.id == id)
    }

    fn push(
        &mut self,
        time: DateTime<Utc>,
        text: String,
        tags: Vec<String>,
        transition: Option<StateTransition>,
    ) -> u64 {
        let id = self.list.len() as u64 + 1;
        self.list.push(GrafanaAnnotation {
            id,
            time,
            text,
            tags,
            transition,
        });
        id
    }

    /// A scenario `annotation` event at `at`: its tags, plus `service:<name>` when it names a
    /// service (Grafana reads `key:value` tags as pairs, so this is how a service is found).
    pub(crate) fn annotate(&mut self, event: &AnnotationEvent, at: DateTime<Utc>) -> u64 {
        let mut tags = event.tags.clone();
        if let Some(service) = &event.service {
            tags.push(format!("service:{service}"));
        }
        self.push(at, event.text.clone(), tags, None)
    }

    /// Grafana's state history of what one alert event did: every Grafana-managed occurrence
    /// that started or ended gets an annotation, in the order the event changed them.
    pub(crate) fn record_history(
        &mut self,
        alerts: &Alerts,
        rules: &[GrafanaRule],
        changes: &[StateChange],
        at: DateTime<Utc>,
    ) {
        for change in changes {
            let (index, new_state) = match *change {
                StateChange::Fired(index) => (index, RuleState::Alerting),
                StateChange::Resolved(index) => (index, RuleState::Normal),
            };
            let Some(occurrence) = alerts.occurrences().get(index) else {
                continue;
            };
            if occurrence.via != AlertVia::Grafana {
                continue;
            }
            // Every `via: grafana` alert name has a rule (see `rules`).
            if let Some(rule) = rules.iter().find(|r| r.name == occurrence.identity.name) {
                let labels = rule.alert_labels(occurrence);
                self.record_transition(rule, occurrence, &labels, new_state, at);
            }
        }
    }

    /// The state-history entry for `occurrence` of `rule` starting (`Normal` → `Alerting`) or
    /// ending (`Alerting` → `Normal`) at `at`. The text is Grafana's `<title> {<labels>} -
    /// <value>` with the alert's public labels (Grafana leaves out `__private__` ones); with no
    /// evaluated values to show, the value says what happened.
    fn record_transition(
        &mut self,
        rule: &GrafanaRule,
        occurrence: &AlertOccurrence,
        labels: &BTreeMap<String, String>,
        new_state: RuleState,
        at: DateTime<Utc>,
    ) -> u64 {
        let prev_state = match new_state {
            RuleState::Alerting => RuleState::Normal,
            RuleState::Normal => RuleState::Alerting,
        };
        let shown: Vec<String> = labels
            .iter()
            .filter(|(name, _)| !is_private(name))
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let value = match new_state {
            RuleState::Alerting => "firing",
            RuleState::Normal => "resolved",
        };
        let text = format!(
            "{} {{{}}} - {value}",
            occurrence.identity.name,
            shown.join(", ")
        );
        let transition = StateTransition {
            rule_id: rule.id,
            rule_name: rule.name.clone(),
            prev_state,
            new_state,
        };
        self.push(at, text, Vec::new(), Some(transition))
    }
}

/// Grafana's private labels look like `__name__`; they never show in annotations.
pub fn is_private(label: &str) -> bool {
    label.len() >= 4 && label.starts_with("__") && label.ends_with("__")
}
