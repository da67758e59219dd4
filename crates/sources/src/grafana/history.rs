//! After a gap, Grafana's own alert state history: Grafana records each rule instance's state
//! changes as annotations (`GET /api/annotations?type=alert`: `alertId`, `newState`,
//! `prevState`, and a text `Title {label=value, …} - …`). An instance that went Alerting after
//! the previous poll and back to Normal before this one was never listed by Grafana's
//! Alertmanager API while opsdeck looked: it becomes a resolved alert entry here.
//!
//! The labels come from the annotation's text, which leaves out Grafana's private labels (such
//! as `__alert_rule_uid__`), so the fingerprint is that of the labels shown, not the one the
//! alerting API would have given; nothing duplicates, since the API never listed it to opsdeck.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use opsdeck_domain::matchers::fingerprint;

use crate::alertmanager::backfill::Missed;
use crate::alertmanager::wire::LabelSet;

/// One state change as Grafana records it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateChange {
    #[serde(default)]
    pub alert_id: i64,
    #[serde(default)]
    pub alert_name: String,
    #[serde(default)]
    pub new_state: String,
    #[serde(default)]
    pub text: String,
    /// Epoch milliseconds.
    pub time: i64,
}

fn is_alerting(state: &str) -> bool {
    state.eq_ignore_ascii_case("alerting")
}

/// The labels in `Title {a=1, b="two"} - …`; at least `alertname` (the rule's name).
pub fn labels_of(change: &StateChange) -> LabelSet {
    let mut labels = LabelSet::new();
    if let (Some(open), Some(close)) = (change.text.find('{'), change.text.rfind('}')) {
        if open < close {
            for pair in change.text[open + 1..close].split(", ") {
                if let Some((k, v)) = pair.split_once('=') {
                    let v = v.trim();
                    let v = v
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or(v);
                    if !k.trim().is_empty() {
                        labels.insert(k.trim().to_string(), v.to_string());
                    }
                }
            }
        }
    }
    if !change.alert_name.is_empty() {
        labels
            .entry("alertname".to_string())
            .or_insert_with(|| change.alert_name.clone());
    }
    labels
}

/// The instances that went Alerting after `from` and Normal again by `now`. Changes of one
/// instance are told apart by rule (`alertId`) and labels.
pub fn missed(changes: &[StateChange], from: DateTime<Utc>, now: DateTime<Utc>) -> Vec<Missed> {
    let mut sorted: Vec<&StateChange> = changes.iter().filter(|c| c.alert_id != 0).collect();
    sorted.sort_by_key(|c| c.time);
    let mut open: BTreeMap<(i64, LabelSet), DateTime<Utc>> = BTreeMap::new();
    let mut out = Vec::new();
    for change in sorted {
        let Some(at) = DateTime::from_timestamp_millis(change.time) else {
            continue;
        };
        let labels = labels_of(change);
        let key = (change.alert_id, labels.clone());
        if is_alerting(&change.new_state) {
            open.entry(key).or_insert(at);
        } else if let Some(started_at) = open.remove(&key) {
            // Started after the previous poll and ended before this one: nobody saw it.
            if started_at > from && at <= now {
                out.push(Missed {
                    fingerprint: fingerprint(&labels),
                    labels,
                    started_at,
                    ended_at: at,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0)
            .single()
            .expect("valid")
    }

    fn change(id: i64, state: &str, t: DateTime<Utc>, text: &str) -> StateChange {
        serde_json::from_value(json!({
            "alertId": id, "alertName": "DBHighCPU", "newState": state,
            "text": text, "time": t.timestamp_millis()
        }))
        .expect("decodes")
    }

    #[test]
    fn labels_are_read_from_the_text_quoted_or_not() {
        let plain = change(
            3,
            "Alerting",
            at(22, 24),
            "DBHighCPU {service=orders-db, severity=critical} - firing",
        );
        assert_eq!(
            labels_of(&plain),
            [
                ("alertname", "DBHighCPU"),
                ("service", "orders-db"),
                ("severity", "critical")
            ]
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect::<LabelSet>()
        );
        let quoted = change(
            3,
            "Alerting",
            at(22, 24),
            r#"X {alertname="DBHighCPU", team="db"} - B=1"#,
        );
        assert_eq!(labels_of(&quoted)["team"], "db");
        let bare = change(3, "Alerting", at(22, 24), "no labels here");
        assert_eq!(labels_of(&bare).len(), 1, "alertname from alertName");
    }

    #[test]
    fn only_instances_that_came_and_went_in_the_gap_are_missed() {
        let text = "DBHighCPU {service=orders-db} - x";
        let changes = [
            // Before the gap: firing at the last poll, the diff knows it.
            change(1, "Alerting", at(21, 0), text),
            change(1, "Normal", at(22, 0), text),
            // In the gap, both ways.
            change(3, "Alerting", at(22, 24), text),
            change(3, "Normal", at(23, 41), text),
            // Still firing now: the alerting API lists it.
            change(4, "Alerting", at(23, 50), text),
        ];
        let found = missed(&changes, at(21, 30), at(23, 59));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].started_at, found[0].ended_at),
            (at(22, 24), at(23, 41))
        );
        assert_eq!(found[0].labels["alertname"], "DBHighCPU");
    }
}
