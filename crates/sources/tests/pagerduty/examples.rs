//! PagerDuty's own example payloads through the source's decoder and mapping. The simulator is
//! written from the same spec, so a blind spot they shared would pass every simulator test; the
//! vendor's examples are an independent witness of what the real API sends.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use opsdeck_domain::{EntryKind, Severity, SourceKind, Status};
use opsdeck_sources::http::{decode, Decoded};
use opsdeck_sources::pagerduty::wire::{
    Incident, IncidentBody, IncidentList, LogEntry, LogEntryBody, LogEntryList, OnCallList,
    UserBody,
};
use opsdeck_sources::pagerduty::{incident_entry, SERVICE_MAPPING_NONE};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::harness::spec;

/// Examples the spec itself rejects (pinned in crates/contract/tests/contract/examples.rs):
/// they say nothing about the real API, so they are not held against the decoder.
const SPEC_REJECTS: &[&str] = &["getCurrentUser.response-200.json"];

fn examples_dir() -> PathBuf {
    let dir = opsdeck_contract::shared::specs_dir().join("examples/pagerduty");
    assert!(
        dir.join("INDEX.tsv").is_file(),
        "PagerDuty's example payloads were not found at {} (expected shared/specs/examples/ \
         beside the checkout)",
        dir.display()
    );
    dir
}

struct Example {
    file: String,
    method: String,
    path: String,
    status: u16,
    body: Value,
}

/// Every REST response example (not the Events API or webhook deliveries, which the source
/// never reads).
fn response_examples() -> Vec<Example> {
    let dir = examples_dir();
    let index = fs::read_to_string(dir.join("INDEX.tsv")).expect("INDEX.tsv readable");
    index
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 4, "short INDEX.tsv line: {line}");
            let status = cols[3].strip_prefix("response-")?;
            if cols[0].starts_with("events-v2.") || cols[0].starts_with("webhooks-v3.") {
                return None;
            }
            let file = dir.join(cols[0]);
            let text =
                fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            Some(Example {
                file: cols[0].to_string(),
                method: cols[1].to_string(),
                path: cols[2].to_string(),
                status: status
                    .parse()
                    .unwrap_or_else(|e| panic!("{}: status {status}: {e}", cols[0])),
                body: serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display())),
            })
        })
        .collect()
}

/// The shapes the source reads, by the body's top-level key.
const SHAPES: &[&str] = &[
    "incidents",
    "incident",
    "log_entries",
    "log_entry",
    "oncalls",
    "user",
];

fn shape_of(body: &Value) -> Option<&'static str> {
    SHAPES.iter().copied().find(|key| body.get(*key).is_some())
}

fn decoded<T: DeserializeOwned>(example: &Example) -> Decoded<T> {
    decode::<T>(
        "PagerDuty",
        &example.path,
        example.body.to_string().as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{} does not decode: {e}", example.file))
}

fn time(raw: &Value) -> DateTime<Utc> {
    raw.as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not an RFC 3339 time: {raw}"))
}

/// Maps one incident and checks the entry against the example's own JSON, field by field.
fn check_incident(file: &str, incident: &Incident, raw: &Value) {
    let entry = incident_entry(incident, raw, &[], &[], None, SERVICE_MAPPING_NONE);
    let what = format!("{file} incident {}", raw["id"]);
    assert_eq!(entry.source, SourceKind::Pagerduty, "{what}");
    assert_eq!(entry.kind, EntryKind::Page, "{what}");
    assert_eq!(
        Some(entry.external_id.as_str()),
        raw["id"].as_str(),
        "{what}"
    );
    assert_eq!(entry.started_at, time(&raw["created_at"]), "{what}");
    let status = match raw["status"].as_str() {
        Some("triggered") => Status::Triggered,
        Some("acknowledged") => Status::Acknowledged,
        Some("resolved") => Status::Resolved,
        other => panic!("{what}: unexpected status {other:?}"),
    };
    assert_eq!(entry.status, Some(status), "{what}");
    // A page ends exactly when it is resolved.
    assert_eq!(
        entry.ended_at.is_some(),
        status == Status::Resolved,
        "{what}"
    );
    let severity = match raw["urgency"].as_str() {
        Some("low") => Severity::Warning,
        // Absent urgency is PagerDuty's default, high.
        _ => Severity::Critical,
    };
    assert_eq!(entry.severity, severity, "{what}");
    assert!(!entry.title.trim().is_empty(), "{what}: empty title");
    assert_eq!(
        entry.details["pagerduty_service"]["id"], raw["service"]["id"],
        "{what}"
    );
    assert_eq!(entry.raw["incident"], *raw, "{what}: raw payload kept");
}

/// Maps `log` onto a known incident and checks the details keep every entry, oldest first.
fn check_log(file: &str, log: &[LogEntry], raws: &[Value]) {
    let base = examples_dir().join("getIncident.response-200.json");
    let base: Value =
        serde_json::from_str(&fs::read_to_string(&base).expect("getIncident example"))
            .expect("getIncident example is JSON");
    let incident =
        decode::<IncidentBody>("PagerDuty", "/incidents/{id}", base.to_string().as_bytes())
            .expect("getIncident example decodes")
            .value
            .incident;
    let entry = incident_entry(
        &incident,
        &base["incident"],
        log,
        raws,
        None,
        SERVICE_MAPPING_NONE,
    );
    let details = entry.details["log_entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: details.log_entries is not an array"));
    assert_eq!(details.len(), raws.len(), "{file}: every log entry kept");
    let ids: BTreeSet<&str> = details.iter().filter_map(|d| d["id"].as_str()).collect();
    let raw_ids: BTreeSet<&str> = raws.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, raw_ids, "{file}");
    let times: Vec<DateTime<Utc>> = details.iter().map(|d| time(&d["at"])).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "{file}: log entries not oldest first: {times:?}"
    );
    for d in details {
        let raw = raws
            .iter()
            .find(|r| r["id"] == d["id"])
            .expect("matched above");
        let kind = raw["type"].as_str().expect("log entries have a type");
        assert_eq!(
            d["type"].as_str(),
            Some(kind.trim_end_matches("_log_entry")),
            "{file}"
        );
    }
    let first_ack = raws
        .iter()
        .filter(|r| r["type"] == "acknowledge_log_entry")
        .map(|r| time(&r["created_at"]))
        .min();
    if let Some(ack) = first_ack {
        assert_eq!(
            entry.details["acknowledged_at"],
            serde_json::to_value(ack).expect("serializes"),
            "{file}: acknowledged_at is the first acknowledgement"
        );
    }
}

fn raw_list<'a>(body: &'a Value, key: &str) -> &'a [Value] {
    body[key].as_array().map_or(&[], Vec::as_slice)
}

#[test]
fn every_example_the_spec_accepts_decodes_and_maps() {
    let mut checked: BTreeSet<String> = BTreeSet::new();
    let mut rejected: Vec<String> = Vec::new();
    let mut references: Vec<String> = Vec::new();
    for example in response_examples() {
        let Some(shape) = shape_of(&example.body) else {
            continue;
        };
        // mergeIncidents answers with a reference to the surviving incident (id, type,
        // summary): not an incident the source could read, and no operation it calls does so.
        if example.body[shape]["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("_reference"))
        {
            references.push(example.file.clone());
            continue;
        }
        if let Err(v) = spec().validate_response(
            &example.method,
            &example.path,
            example.status,
            &example.body,
        ) {
            rejected.push(example.file.clone());
            assert!(
                SPEC_REJECTS.contains(&example.file.as_str()),
                "the spec newly rejects {}: {v}",
                example.file
            );
            continue;
        }
        match shape {
            "incidents" => {
                let list = decoded::<IncidentList>(&example);
                let raws = raw_list(&list.raw, "incidents");
                assert_eq!(list.value.incidents.len(), raws.len(), "{}", example.file);
                assert!(
                    !raws.is_empty(),
                    "{}: an empty example proves nothing",
                    example.file
                );
                for (incident, raw) in list.value.incidents.iter().zip(raws) {
                    check_incident(&example.file, incident, raw);
                }
            }
            "incident" => {
                let body = decoded::<IncidentBody>(&example);
                check_incident(&example.file, &body.value.incident, &body.raw["incident"]);
            }
            "log_entries" => {
                let list = decoded::<LogEntryList>(&example);
                let raws = raw_list(&list.raw, "log_entries");
                assert!(
                    !raws.is_empty(),
                    "{}: an empty example proves nothing",
                    example.file
                );
                check_log(&example.file, &list.value.log_entries, raws);
            }
            "log_entry" => {
                let body = decoded::<LogEntryBody>(&example);
                check_log(
                    &example.file,
                    std::slice::from_ref(&body.value.log_entry),
                    std::slice::from_ref(&body.raw["log_entry"]),
                );
            }
            "oncalls" => {
                let list = decoded::<OnCallList>(&example);
                let raws = raw_list(&list.raw, "oncalls");
                assert!(
                    !raws.is_empty(),
                    "{}: an empty example proves nothing",
                    example.file
                );
                let users: Vec<&str> = list
                    .value
                    .oncalls
                    .iter()
                    .map(|o| o.user.id.as_str())
                    .collect();
                let raw_users: Vec<&str> = raws
                    .iter()
                    .filter_map(|o| o["user"]["id"].as_str())
                    .collect();
                assert_eq!(users, raw_users, "{}", example.file);
            }
            "user" => {
                let body = decoded::<UserBody>(&example);
                assert_eq!(
                    Some(body.value.user.id.as_str()),
                    body.raw["user"]["id"].as_str()
                );
                assert_eq!(
                    Some(body.value.user.email.as_str()),
                    body.raw["user"]["email"].as_str()
                );
            }
            other => unreachable!("shape {other} is in SHAPES but not handled"),
        }
        checked.insert(example.file);
    }
    // Each operation the source reads has an example here; an index that lost one would make
    // this test quietly weaker.
    for operation in [
        "listIncidents",
        "getIncident",
        "updateIncident",
        "updateIncidents",
        "listIncidentLogEntries",
        "listLogEntries",
        "getLogEntry",
        "listOnCalls",
    ] {
        assert!(
            checked
                .iter()
                .any(|f| f.starts_with(&format!("{operation}."))),
            "no {operation} example was checked; checked: {checked:?}"
        );
    }
    assert_eq!(
        rejected, SPEC_REJECTS,
        "the spec's known-bad examples changed"
    );
    assert_eq!(references, ["mergeIncidents.response-200.json"]);
}
