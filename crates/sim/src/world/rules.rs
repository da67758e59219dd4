//! Grafana's alert rules. A Grafana-managed alert is the state of a rule, so the simulated
//! Grafana has one rule per distinct `via: grafana` alert name in the scenario. Rules are
//! configuration, not events: they exist all day, before their first alert fires and after the
//! last one resolves, and their ids depend on the scenario only.

use std::collections::BTreeMap;

use super::alerts::AlertOccurrence;
use super::ids::Ids;
use crate::scenario::{AlertEvent, AlertVia, EventKind, Scenario};

/// The label with which Grafana ties an alert to its rule.
pub const RULE_UID_LABEL: &str = "__alert_rule_uid__";

/// The label naming the folder of an alert's rule.
pub const FOLDER_LABEL: &str = "grafana_folder";

/// The folder every simulated rule lives in; Grafana labels its alerts with it
/// (`grafana_folder`) and the rules API names it as each group's `file`.
pub const FOLDER: &str = "opsdeck-sim";

/// One Grafana alert rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrafanaRule {
    /// Grafana's numeric rule id, 1… in order of first appearance in the scenario's events;
    /// alert-state annotations carry it as `alertId`.
    pub id: u64,
    /// Grafana's rule uid: 14 lowercase base36 characters, stable for the scenario (Grafana
    /// mints short alphanumeric uids too). Alerts carry it as `__alert_rule_uid__`.
    pub uid: String,
    /// The rule's title, which is the alerts' `alertname`.
    pub name: String,
    /// The rule group: the alert's service, so each service's rules evaluate together.
    pub group: String,
    /// The rule's own labels: `service` and `severity` as the first firing event gives them
    /// (an alert's other labels come from the series its query returns).
    pub labels: BTreeMap<String, String>,
    /// `summary`, and `runbook_url` when that event names a runbook.
    pub annotations: BTreeMap<String, String>,
}

impl GrafanaRule {
    /// The labels Grafana gives an alert of this rule: the occurrence's own (`alertname`, the
    /// rule's labels, the series' labels) plus the rule's uid and folder.
    pub fn alert_labels(&self, occurrence: &AlertOccurrence) -> BTreeMap<String, String> {
        let mut labels = occurrence.labels.clone();
        labels.insert(RULE_UID_LABEL.to_owned(), self.uid.clone());
        labels.insert(FOLDER_LABEL.to_owned(), FOLDER.to_owned());
        labels
    }

    /// The (made-up) query the rule evaluates; Grafana's rules API shows a Prometheus data
    /// source's query as its PromQL expression.
    pub fn query(&self) -> String {
        format!(
            "opsdeck_sim_condition{{alertname=\"{}\", service=\"{}\"}} > 0",
            self.name, self.group
        )
    }
}

/// Every Grafana rule of the scenario, in id order.
pub(crate) fn grafana_rules(scenario: &Scenario, ids: &Ids) -> Vec<GrafanaRule> {
    let mut rules: Vec<GrafanaRule> = Vec::new();
    for event in &scenario.events {
        let EventKind::Alert(AlertEvent::Fire(firing)) = &event.kind else {
            continue;
        };
        let name = &firing.identity.name;
        if firing.via != AlertVia::Grafana || rules.iter().any(|r| &r.name == name) {
            continue;
        }
        let mut labels = BTreeMap::new();
        labels.insert("service".to_owned(), firing.service.clone());
        labels.insert("severity".to_owned(), firing.severity.clone());
        let mut annotations = BTreeMap::new();
        annotations.insert("summary".to_owned(), firing.summary.clone());
        if let Some(url) = firing.runbook_url() {
            annotations.insert("runbook_url".to_owned(), url);
        }
        rules.push(GrafanaRule {
            id: rules.len() as u64 + 1,
            uid: ids
                .stable('g', 14, &["grafana", "rule", name])
                .to_ascii_lowercase(),
            name: name.clone(),
            group: firing.service.clone(),
            labels,
            annotations,
        });
    }
    rules
}
