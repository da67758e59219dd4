//! Grafana's alert rules as its Prometheus-compatible API lists them
//! (`/api/prometheus/grafana/api/v1/rules`): each alert entry carries its rule's group, folder,
//! state, health and query, so a broken rule ("error", "nodata") shows beside the alerts it
//! should be raising.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
pub struct RulesAnswer {
    pub data: RulesData,
}

#[derive(Debug, Deserialize)]
pub struct RulesData {
    #[serde(default)]
    pub groups: Vec<Group>,
}

#[derive(Debug, Deserialize)]
pub struct Group {
    pub name: String,
    /// The folder, for Grafana-managed rules.
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub name: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub health: String,
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub last_evaluation: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: String,
}

/// Alerting rules by name (the alerts' `alertname`), as the details show them. Two rules of one
/// name in different groups keep the first: the details then name its group.
pub fn by_alertname(answer: &RulesAnswer) -> HashMap<String, Value> {
    let mut out = HashMap::new();
    for group in &answer.data.groups {
        for rule in group
            .rules
            .iter()
            .filter(|r| r.kind.is_empty() || r.kind == "alerting")
        {
            out.entry(rule.name.clone()).or_insert_with(|| {
                json!({
                    "group": group.name,
                    "folder": group.file,
                    "state": rule.state,
                    "health": rule.health,
                    "query": rule.query,
                    "last_error": rule.last_error.as_deref().filter(|e| !e.is_empty()),
                    "last_evaluation": rule.last_evaluation,
                })
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerting_rules_are_found_by_name_with_their_health() {
        let answer: RulesAnswer = serde_json::from_value(json!({
            "status": "success",
            "data": {"groups": [
                {"name": "orders-db", "file": "db", "rules": [
                    {"name": "DBHighCPU", "state": "firing", "health": "ok", "type": "alerting",
                     "query": "cpu > 0.9", "lastError": "", "lastEvaluation": "2026-05-04T22:30:00Z"},
                    {"name": "cpu:rate5m", "health": "ok", "type": "recording", "query": "x"}
                ]},
                {"name": "api", "file": "web", "rules": [
                    {"name": "Latency", "state": "inactive", "health": "error", "type": "alerting",
                     "query": "p99 > 2", "lastError": "datasource not found"}
                ]}
            ]}
        }))
        .expect("decodes");
        let rules = by_alertname(&answer);
        assert_eq!(rules.len(), 2, "recording rules are not alerts");
        assert_eq!(rules["DBHighCPU"]["folder"], "db");
        assert_eq!(rules["DBHighCPU"]["last_error"], Value::Null);
        assert_eq!(rules["Latency"]["health"], "error");
        assert_eq!(rules["Latency"]["last_error"], "datasource not found");
    }
}
