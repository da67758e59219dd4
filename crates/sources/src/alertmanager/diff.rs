//! Resolution by absence. Alertmanager drops an alert from `GET /api/v2/alerts` once it has
//! ended, so the only way to see an alert resolve is to remember what was firing and notice
//! what is gone. [`diff`] does that as a pure function of the previous state, the alerts listed
//! now and the time: it returns only the entries that are new, changed or resolved, and the
//! state to hand the next poll (the source's cursor).
//!
//! It runs on every poll over every firing alert (10,000 on a bad day), so it hashes each alert
//! once, compares one short string per alert, clones only what it emits, and keeps per firing
//! occurrence just a content hash and what its resolved entry will need — not the entry.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use opsdeck_domain::NewEntry;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::map::{external_id, Mapping, Occurrence, Phase};
use super::wire::{Alert, LabelSet, Silence};

/// Bumped when the mapping changes what an entry shows, so every firing alert is emitted
/// again once under the new mapping.
const MAPPING_VERSION: &str = "opsdeck-alertmanager-entry-v1";
const STATE_VERSION: u32 = 1;

/// One alert as listed, with the JSON it came in (kept as the entry's raw payload).
#[derive(Debug, Clone)]
pub struct Observed {
    pub alert: Alert,
    pub raw: Value,
}

/// What one poll hands the next: every occurrence that was firing. Field names are short on
/// purpose: the state is written to the cursor store after every poll, per firing alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    #[serde(rename = "v")]
    version: u32,
    /// External id (`fingerprint@startsAt`) → what is remembered of it.
    #[serde(rename = "firing", default)]
    pub firing: BTreeMap<String, Remembered>,
    /// When this state was seen (the poll's now), to tell a gap since.
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub polled_at: Option<DateTime<Utc>>,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: STATE_VERSION,
            firing: BTreeMap::new(),
            polled_at: None,
        }
    }
}

impl State {
    /// The state a cursor holds. A cursor of another version, or unreadable, starts afresh:
    /// every firing alert is emitted again (harmless, the store's upserts are idempotent), and
    /// only the resolution of alerts that ended meanwhile is lost.
    pub fn from_cursor(cursor: Option<&str>) -> State {
        cursor
            .and_then(|c| serde_json::from_str::<State>(c).ok())
            .filter(|s| s.version == STATE_VERSION)
            .unwrap_or_default()
    }

    pub fn to_cursor(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// A firing occurrence as the cursor keeps it: whether it changed (`h`), when it will end if
/// nobody renews it (`e`: its latest `endsAt`), and what its resolved entry shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remembered {
    #[serde(rename = "h")]
    pub hash: String,
    #[serde(rename = "s")]
    pub started_at: DateTime<Utc>,
    #[serde(rename = "e")]
    pub ends_at: DateTime<Utc>,
    #[serde(rename = "l")]
    pub labels: LabelSet,
    #[serde(rename = "a", default, skip_serializing_if = "LabelSet::is_empty")]
    pub annotations: LabelSet,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub generator_url: Option<String>,
    #[serde(rename = "r", default, skip_serializing_if = "Vec::is_empty")]
    pub receivers: Vec<String>,
}

/// The entries to store and the state for the next poll.
#[derive(Debug, Clone)]
pub struct Diff {
    pub entries: Vec<NewEntry>,
    pub next: State,
}

/// Compares what is listed now with what was firing before. New and changed occurrences are
/// emitted as firing; occurrences no longer listed are emitted once as resolved, ending at their
/// last `endsAt` if that has passed (the alert timed out), else at `now` (it was resolved since
/// the last poll), never after a newer occurrence of the same alert started and never before
/// their own start.
pub fn diff(
    previous: State,
    current: Vec<Observed>,
    silences: &HashMap<String, Silence>,
    now: DateTime<Utc>,
    mapping: &Mapping,
) -> Diff {
    let mut was_firing = previous.firing;
    let mut next = State::default();
    let mut entries = Vec::new();
    let seed = seed(mapping);

    for Observed { alert, raw } in current {
        let key = external_id(&alert.fingerprint, alert.starts_at);
        if next.firing.contains_key(&key) {
            // Listed twice in one answer: the first one stands.
            continue;
        }
        let hash = content_hash(&seed, &alert, silences);
        let changed = was_firing
            .remove(&key)
            .is_none_or(|before| before.hash != hash);
        let receivers: Vec<String> = alert.receivers.into_iter().map(|r| r.name).collect();
        if changed {
            let occurrence = Occurrence {
                fingerprint: &alert.fingerprint,
                started_at: alert.starts_at,
                labels: &alert.labels,
                annotations: &alert.annotations,
                generator_url: alert.generator_url.as_deref(),
                receivers: &receivers,
            };
            let phase = Phase::Firing {
                status: &alert.status,
                silences,
            };
            entries.push(mapping.entry(&occurrence, phase, raw));
        }
        next.firing.insert(
            key,
            Remembered {
                hash,
                started_at: alert.starts_at,
                ends_at: alert.ends_at,
                labels: alert.labels,
                annotations: alert.annotations,
                generator_url: alert.generator_url,
                receivers,
            },
        );
    }

    for (key, gone) in &was_firing {
        let fingerprint = key.rsplit_once('@').map_or(key.as_str(), |(f, _)| f);
        let mut ended_at = gone.ends_at.min(now);
        if let Some(refired) = newer_start(&next, fingerprint, gone.started_at) {
            ended_at = ended_at.min(refired);
        }
        let ended_at = ended_at.max(gone.started_at);
        let occurrence = Occurrence {
            fingerprint,
            started_at: gone.started_at,
            labels: &gone.labels,
            annotations: &gone.annotations,
            generator_url: gone.generator_url.as_deref(),
            receivers: &gone.receivers,
        };
        let raw = json!({
            "absent_from_alerts_at": now,
            "last_seen": {
                "fingerprint": fingerprint,
                "startsAt": gone.started_at,
                "endsAt": gone.ends_at,
                "labels": gone.labels,
                "annotations": gone.annotations,
                "generatorURL": gone.generator_url,
                "receivers": gone.receivers,
            },
        });
        entries.push(mapping.entry(&occurrence, Phase::Resolved { ended_at }, raw));
    }
    Diff { entries, next }
}

/// The earliest occurrence of `fingerprint` in `state` that started after `after`: the alert
/// fired again, so the earlier occurrence had ended by then. Keys sort by fingerprint, then by
/// start (RFC 3339 UTC sorts chronologically), so this is one range scan.
fn newer_start(state: &State, fingerprint: &str, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let prefix = format!("{fingerprint}@");
    state
        .firing
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(_, r)| r.started_at)
        .find(|start| *start > after)
}

/// The hasher every alert's hash starts from: the mapping's version and the source's own
/// settings, so a renamed source or a new services mapping re-emits everything once.
fn seed(mapping: &Mapping) -> Sha256 {
    let mut h = Sha256::new();
    put(&mut h, MAPPING_VERSION);
    put(&mut h, &mapping.source_name);
    let mut services: Vec<(&String, &String)> = mapping.services.iter().collect();
    services.sort();
    count(&mut h, services.len());
    for (k, v) in services {
        put(&mut h, k);
        put(&mut h, v);
    }
    h
}

/// Everything the alert's entry shows, and nothing that changes on every resend
/// (`updatedAt`, `endsAt`): hashing the fields directly is far cheaper than serialising the
/// entry. Each string is length-prefixed, so no two different alerts feed the same bytes.
fn content_hash(seed: &Sha256, alert: &Alert, silences: &HashMap<String, Silence>) -> String {
    let mut h = seed.clone();
    put_labels(&mut h, &alert.labels);
    put_labels(&mut h, &alert.annotations);
    put(&mut h, alert.generator_url.as_deref().unwrap_or(""));
    count(&mut h, alert.receivers.len());
    for r in &alert.receivers {
        put(&mut h, &r.name);
    }
    let status = &alert.status;
    put(&mut h, &status.state);
    count(&mut h, status.silenced_by.len());
    for id in &status.silenced_by {
        put(&mut h, id);
        match silences.get(id) {
            Some(s) => {
                count(&mut h, 1);
                put(&mut h, &s.created_by);
                put(&mut h, &s.comment);
                put(&mut h, &s.ends_at.to_rfc3339());
            }
            None => count(&mut h, 0),
        }
    }
    for list in [&status.inhibited_by, &status.muted_by] {
        count(&mut h, list.len());
        for id in list {
            put(&mut h, id);
        }
    }
    // 64 bits tell "changed" from "unchanged" among one source's firing alerts.
    hex::encode(&h.finalize()[..8])
}

fn count(h: &mut Sha256, n: usize) {
    h.update((n as u64).to_le_bytes());
}

fn put(h: &mut Sha256, s: &str) {
    count(h, s.len());
    h.update(s.as_bytes());
}

fn put_labels(h: &mut Sha256, labels: &LabelSet) {
    count(h, labels.len());
    for (k, v) in labels {
        put(h, k);
        put(h, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use opsdeck_domain::Status;

    fn t(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, minute, 0).unwrap()
    }

    fn alert(
        fingerprint: &str,
        name: &str,
        starts: DateTime<Utc>,
        ends: DateTime<Utc>,
    ) -> Observed {
        let raw = json!({
            "labels": {"alertname": name, "severity": "critical", "service": "payments-api"},
            "annotations": {"summary": format!("{name} is firing")},
            "receivers": [{"name": "default"}],
            "fingerprint": fingerprint,
            "startsAt": starts,
            "updatedAt": starts,
            "endsAt": ends,
            "generatorURL": "http://prometheus:9090/graph",
            "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}
        });
        Observed {
            alert: serde_json::from_value(raw.clone()).unwrap(),
            raw,
        }
    }

    fn mapping() -> Mapping {
        Mapping {
            source: opsdeck_domain::SourceKind::Alertmanager,
            source_name: "am-eu".into(),
            services: HashMap::new(),
        }
    }

    fn run(previous: State, current: Vec<Observed>, now: DateTime<Utc>) -> Diff {
        diff(previous, current, &HashMap::new(), now, &mapping())
    }

    fn ids(d: &Diff) -> Vec<(String, Option<Status>)> {
        d.entries
            .iter()
            .map(|e| (e.external_id.clone(), e.status))
            .collect()
    }

    #[test]
    fn a_new_alert_is_emitted_firing_and_remembered() {
        let d = run(
            State::default(),
            vec![alert("aa01", "HighLatency", t(0), t(5))],
            t(1),
        );
        assert_eq!(
            ids(&d),
            vec![("aa01@2026-11-22T10:00:00Z".into(), Some(Status::Firing))]
        );
        let e = &d.entries[0];
        assert_eq!(e.title, "HighLatency: HighLatency is firing");
        assert_eq!(e.ended_at, None);
        assert_eq!(e.details["alertmanager"], json!("am-eu"));
        assert_eq!(e.details["state"], json!("active"));
        assert_eq!(e.details["muted_by"], json!([]));
        assert_eq!(e.raw["fingerprint"], json!("aa01"));
        let r = &d.next.firing["aa01@2026-11-22T10:00:00Z"];
        assert_eq!((r.started_at, r.ends_at), (t(0), t(5)));
        assert_eq!(r.labels["alertname"], "HighLatency");
    }

    #[test]
    fn an_unchanged_alert_is_not_emitted_even_when_resent() {
        let first = run(State::default(), vec![alert("aa01", "A", t(0), t(5))], t(1));
        // Prometheus resends: a later endsAt and updatedAt, nothing else.
        let second = run(first.next, vec![alert("aa01", "A", t(0), t(9))], t(4));
        assert!(second.entries.is_empty(), "{:?}", ids(&second));
        assert_eq!(
            second.next.firing["aa01@2026-11-22T10:00:00Z"].ends_at,
            t(9)
        );
    }

    #[test]
    fn a_changed_alert_is_emitted_again() {
        let first = run(State::default(), vec![alert("aa01", "A", t(0), t(5))], t(1));
        let mut silenced = alert("aa01", "A", t(0), t(5));
        silenced.alert.status.state = "suppressed".into();
        silenced.alert.status.silenced_by = vec!["s-1".into()];
        let silences: HashMap<String, Silence> = [(
            "s-1".to_string(),
            serde_json::from_value(json!({
                "id": "s-1", "status": {"state": "active"}, "updatedAt": t(1),
                "matchers": [{"name": "alertname", "value": "A", "isRegex": false}],
                "startsAt": t(1), "endsAt": t(59), "createdBy": "sam@example.test",
                "comment": "deploying the fix"
            }))
            .unwrap(),
        )]
        .into();
        let second = diff(
            first.next,
            vec![silenced.clone()],
            &silences,
            t(2),
            &mapping(),
        );
        assert_eq!(
            ids(&second),
            vec![("aa01@2026-11-22T10:00:00Z".into(), Some(Status::Firing))]
        );
        let d = &second.entries[0].details;
        assert_eq!(d["state"], json!("suppressed"));
        assert_eq!(
            d["silenced_by"],
            json!([{"id": "s-1", "created_by": "sam@example.test", "comment": "deploying the fix", "ends_at": "2026-11-22T10:59:00Z"}])
        );
        // The silence's comment is part of what the entry shows: editing it is a change.
        let mut edited = silences.clone();
        edited.get_mut("s-1").unwrap().comment = "rolled back".into();
        let third = diff(
            second.next.clone(),
            vec![silenced.clone()],
            &edited,
            t(3),
            &mapping(),
        );
        assert_eq!(third.entries.len(), 1);
        let fourth = diff(third.next, vec![silenced], &edited, t(4), &mapping());
        assert!(fourth.entries.is_empty());
    }

    #[test]
    fn a_vanished_alert_resolves_once_at_now_or_its_last_end() {
        let first = run(
            State::default(),
            vec![
                alert("aa01", "A", t(0), t(5)),
                alert("bb02", "B", t(0), t(3)),
            ],
            t(1),
        );
        // A was resolved before its endsAt came (ends now); B timed out at its endsAt.
        let second = run(first.next, vec![], t(4));
        let ended: Vec<(String, Option<Status>, Option<DateTime<Utc>>)> = second
            .entries
            .iter()
            .map(|e| (e.external_id.clone(), e.status, e.ended_at))
            .collect();
        assert_eq!(
            ended,
            vec![
                (
                    "aa01@2026-11-22T10:00:00Z".into(),
                    Some(Status::Resolved),
                    Some(t(4))
                ),
                (
                    "bb02@2026-11-22T10:00:00Z".into(),
                    Some(Status::Resolved),
                    Some(t(3))
                ),
            ]
        );
        // The resolved entry shows what the firing one did.
        let a = &second.entries[0];
        assert_eq!(a.title, "A: A is firing");
        assert_eq!(a.service.as_deref(), Some("payments-api"));
        assert_eq!(a.details["labels"]["severity"], json!("critical"));
        assert_eq!(a.details["state"], Value::Null);
        assert_eq!(a.url.as_deref(), Some("http://prometheus:9090/graph"));
        assert!(second.next.firing.is_empty());
        // Once.
        let third = run(second.next, vec![], t(5));
        assert!(third.entries.is_empty());
    }

    #[test]
    fn a_refired_alert_is_a_new_occurrence_and_ends_the_old_one() {
        let first = run(
            State::default(),
            vec![alert("aa01", "A", t(0), t(30))],
            t(1),
        );
        // Resolved and fired again between two polls: a new startsAt.
        let second = run(first.next, vec![alert("aa01", "A", t(3), t(30))], t(5));
        let got: Vec<(String, Option<Status>, Option<DateTime<Utc>>)> = second
            .entries
            .iter()
            .map(|e| (e.external_id.clone(), e.status, e.ended_at))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "aa01@2026-11-22T10:03:00Z".into(),
                    Some(Status::Firing),
                    None
                ),
                (
                    "aa01@2026-11-22T10:00:00Z".into(),
                    Some(Status::Resolved),
                    Some(t(3))
                ),
            ]
        );
        assert_eq!(
            second.next.firing.keys().collect::<Vec<_>>(),
            vec!["aa01@2026-11-22T10:03:00Z"]
        );
    }

    #[test]
    fn an_end_is_never_before_the_start() {
        // A poll whose clock runs behind the vendor's: the alert started after "now".
        let first = run(
            State::default(),
            vec![alert("aa01", "A", t(10), t(20))],
            t(5),
        );
        let second = run(first.next, vec![], t(6));
        assert_eq!(second.entries[0].ended_at, Some(t(10)));
    }

    #[test]
    fn the_cursor_round_trips_and_bad_ones_start_afresh() {
        let first = run(
            State::default(),
            vec![
                alert("aa01", "A", t(0), t(5)),
                alert("bb02", "B", t(1), t(6)),
            ],
            t(2),
        );
        let cursor = first.next.to_cursor().unwrap();
        let back = State::from_cursor(Some(&cursor));
        assert_eq!(back, first.next);
        // Restored from the cursor, nothing is emitted again.
        let second = run(
            back,
            vec![
                alert("aa01", "A", t(0), t(5)),
                alert("bb02", "B", t(1), t(6)),
            ],
            t(3),
        );
        assert!(second.entries.is_empty());

        for bad in [
            None,
            Some(""),
            Some("{"),
            Some("[]"),
            Some(r#"{"v": 99, "firing": {}}"#),
        ] {
            assert_eq!(State::from_cursor(bad), State::default(), "{bad:?}");
        }
    }

    #[test]
    fn a_renamed_source_emits_everything_once_more() {
        let first = run(State::default(), vec![alert("aa01", "A", t(0), t(5))], t(1));
        let renamed = Mapping {
            source: opsdeck_domain::SourceKind::Alertmanager,
            source_name: "am-us".into(),
            services: HashMap::new(),
        };
        let second = diff(
            first.next,
            vec![alert("aa01", "A", t(0), t(5))],
            &HashMap::new(),
            t(2),
            &renamed,
        );
        assert_eq!(second.entries[0].details["alertmanager"], json!("am-us"));
    }

    #[test]
    fn ten_thousand_alerts_diff_to_nothing_when_nothing_changed() {
        let alerts = |ends: DateTime<Utc>| -> Vec<Observed> {
            (0..10_000)
                .map(|i| alert(&format!("{i:016x}"), &format!("Alert{i}"), t(0), ends))
                .collect()
        };
        let first = run(State::default(), alerts(t(5)), t(1));
        assert_eq!(first.entries.len(), 10_000);
        let cursor = first.next.to_cursor().unwrap();
        // Compact: a hash, two times and the labels, not the entry (about 300 bytes each here).
        assert!(cursor.len() < 10_000 * 400, "{} bytes", cursor.len());
        let second = run(State::from_cursor(Some(&cursor)), alerts(t(9)), t(4));
        assert!(second.entries.is_empty());
        assert_eq!(second.next.firing.len(), 10_000);
    }
}
