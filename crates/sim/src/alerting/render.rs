//! The world's alerts and silences as Alertmanager's API v2 renders them.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{json, Value};

use super::Shown;
use crate::world::{AlertOccurrence, Silence, Silences};

/// Prometheus sends firing alerts with `endsAt` four evaluation intervals (of a minute) ahead
/// and sends them again before then; Alertmanager shows the latest.
const RESEND_HORIZON: TimeDelta = TimeDelta::minutes(4);

pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A firing alert as `shown` by its vendor, routed to `receiver`, and the silences that mute
/// it at `now`.
pub(crate) fn alert(
    occurrence: &AlertOccurrence,
    shown: &Shown,
    receiver: &str,
    silenced_by: &[String],
    now: DateTime<Utc>,
) -> Value {
    let state = if silenced_by.is_empty() {
        "active"
    } else {
        "suppressed"
    };
    json!({
        "labels": shown.labels,
        "annotations": occurrence.annotations,
        "fingerprint": shown.fingerprint,
        "startsAt": time(occurrence.starts_at),
        "updatedAt": time(occurrence.updated_at),
        "endsAt": time(now + RESEND_HORIZON),
        "generatorURL": shown.generator_url,
        "receivers": [{"name": receiver}],
        "status": {
            "state": state,
            "silencedBy": silenced_by,
            "inhibitedBy": [],
            "mutedBy": [],
        },
    })
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
