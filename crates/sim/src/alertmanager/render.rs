//! The world's alerts and silences as Alertmanager's API v2 renders them.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{json, Value};

use super::{PROMETHEUS_UI, RECEIVER};
use crate::world::{AlertOccurrence, Silence, Silences};

/// Prometheus sends firing alerts with `endsAt` four evaluation intervals (of a minute) ahead
/// and sends them again before then; Alertmanager shows the latest.
const RESEND_HORIZON: TimeDelta = TimeDelta::minutes(4);

pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A firing alert and the silences that mute it at `now`.
pub(crate) fn alert(
    occurrence: &AlertOccurrence,
    silenced_by: &[String],
    now: DateTime<Utc>,
) -> Value {
    let state = if silenced_by.is_empty() {
        "active"
    } else {
        "suppressed"
    };
    json!({
        "labels": occurrence.labels,
        "annotations": occurrence.annotations,
        "fingerprint": occurrence.fingerprint,
        "startsAt": time(occurrence.starts_at),
        "updatedAt": time(occurrence.updated_at),
        "endsAt": time(now + RESEND_HORIZON),
        "generatorURL": generator_url(&occurrence.identity.name),
        "receivers": [{"name": RECEIVER}],
        "status": {
            "state": state,
            "silencedBy": silenced_by,
            "inhibitedBy": [],
            "mutedBy": [],
        },
    })
}

/// Prometheus' link to the rule's expression in its graph page.
fn generator_url(alertname: &str) -> String {
    let expr = format!("ALERTS{{alertname=\"{alertname}\"}}");
    let encoded: String = url::form_urlencoded::byte_serialize(expr.as_bytes()).collect();
    format!("{PROMETHEUS_UI}/graph?g0.expr={encoded}&g0.tab=1")
}

pub(crate) fn silence(silence: &Silence, now: DateTime<Utc>) -> Value {
    let matchers: Vec<Value> = silence
        .matchers
        .iter()
        .map(opsdeck_domain::matchers::Matcher::to_wire)
        .collect();
    json!({
        "id": silence.id,
        "status": {"state": silence.state(now).as_str()},
        "updatedAt": time(silence.updated_at),
        "matchers": matchers,
        "startsAt": time(silence.starts_at),
        "endsAt": time(silence.ends_at),
        "createdBy": silence.created_by,
        "comment": silence.comment,
        "annotations": silence.annotations,
    })
}

/// Alertmanager's order: active silences ending soonest first, then pending ones starting
/// soonest, then expired ones that ended most recently.
pub(crate) fn sorted(silences: &Silences, now: DateTime<Utc>) -> Vec<&Silence> {
    use crate::world::SilenceState::{Active, Expired, Pending};
    let mut list: Vec<&Silence> = silences.all().iter().collect();
    list.sort_by_key(|s| match s.state(now) {
        Active => (0, s.ends_at.timestamp_millis()),
        Pending => (1, s.starts_at.timestamp_millis()),
        Expired => (2, -s.ends_at.timestamp_millis()),
    });
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_urls_point_at_the_rule_expression() {
        assert_eq!(
            generator_url("DBConnectionPoolExhausted"),
            "http://prometheus.example.test:9090/graph?g0.expr=ALERTS%7Balertname%3D%22DBConnectionPoolExhausted%22%7D&g0.tab=1"
        );
    }
}
