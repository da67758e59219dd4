//! `alert` events. The loader keeps the set of firing alerts, because whether an event fires,
//! updates or resolves an alert, and what a resolve matches, depends on it.

use std::collections::BTreeMap;

use super::super::declared::Declared;
use super::super::error::ErrorKind;
use super::super::event::{
    AlertEvent, AlertFiring, AlertIdentity, AlertResolve, AlertState, AlertUpdate, AlertVia,
};
use super::super::fields::Fields;
use super::super::ScenarioError;
use super::unchanged;

const KEYS: &[&str] = &[
    "name", "service", "severity", "via", "state", "summary", "runbook", "labels",
];

/// Labels the simulator sets itself from other keys.
const RESERVED_LABELS: &[&str] = &["alertname", "service", "severity"];

#[derive(Default)]
pub(super) struct FiringAlerts {
    /// In firing order, so a resolve lists what it ends in a stable order.
    firing: Vec<AlertFiring>,
}

pub(super) fn parse(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
    alerts: &mut FiringAlerts,
) -> Result<AlertEvent, ScenarioError> {
    body.only(KEYS)?;
    let name = body.string("name")?;
    let labels = body.labels("labels")?;
    if let Some(reserved) = labels
        .keys()
        .find(|k| RESERVED_LABELS.contains(&k.as_str()))
    {
        return Err(body.error(
            &format!("labels.{reserved}"),
            ErrorKind::Invalid(
                "this label is set by the simulator from the alert's own keys".into(),
            ),
        ));
    }
    let state = body.opt_word("state", AlertState::ALL_NAMES, AlertState::from_name)?;
    if state == Some(AlertState::Resolved) {
        return resolve(body, declared, alerts, name, labels).map(AlertEvent::Resolve);
    }
    let identity = AlertIdentity { name, labels };
    match alerts.firing.iter().find(|a| a.identity == identity) {
        Some(current) => update(body, current, identity).map(AlertEvent::Update),
        None => {
            let firing = fire(body, declared, identity)?;
            alerts.firing.push(firing.clone());
            Ok(AlertEvent::Fire(firing))
        }
    }
}

fn fire(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
    identity: AlertIdentity,
) -> Result<AlertFiring, ScenarioError> {
    let service = body.string("service")?;
    declared
        .service(&service)
        .map_err(|kind| body.error("service", kind))?;
    let severity = body.string("severity")?;
    let via = body.word("via", AlertVia::ALL_NAMES, AlertVia::from_name)?;
    body.required("state")?;
    let summary = body.string("summary")?;
    let runbook = body.opt_string("runbook")?;
    Ok(AlertFiring {
        identity,
        service,
        severity,
        via,
        summary,
        runbook,
    })
}

fn update(
    body: &Fields<'_, '_>,
    current: &AlertFiring,
    identity: AlertIdentity,
) -> Result<AlertUpdate, ScenarioError> {
    let what = "a firing alert";
    unchanged(body, "service", &current.service, what)?;
    unchanged(body, "severity", &current.severity, what)?;
    unchanged(body, "via", current.via.as_str(), what)?;
    Ok(AlertUpdate {
        identity,
        summary: body.opt_string("summary")?,
        runbook: body.opt_string("runbook")?,
    })
}

fn resolve(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
    alerts: &mut FiringAlerts,
    name: String,
    labels: BTreeMap<String, String>,
) -> Result<AlertResolve, ScenarioError> {
    if let Some(key) = ["summary", "runbook"].into_iter().find(|k| body.has(k)) {
        return Err(body.error(
            key,
            ErrorKind::Invalid(
                "not used when resolving; only name and labels select alerts".into(),
            ),
        ));
    }
    let mut matchers = labels;
    if let Some(service) = body.opt_string("service")? {
        declared
            .service(&service)
            .map_err(|kind| body.error("service", kind))?;
        matchers.insert("service".into(), service);
    }
    if let Some(severity) = body.opt_string("severity")? {
        matchers.insert("severity".into(), severity);
    }
    let via = body.opt_word("via", AlertVia::ALL_NAMES, AlertVia::from_name)?;
    let matches = |alert: &AlertFiring| {
        let labels = alert.vendor_labels();
        alert.identity.name == name
            && via.is_none_or(|v| v == alert.via)
            && matchers.iter().all(|(k, v)| labels.get(k) == Some(v))
    };
    let resolves: Vec<AlertIdentity> = alerts
        .firing
        .iter()
        .filter(|a| matches(a))
        .map(|a| a.identity.clone())
        .collect();
    if resolves.is_empty() {
        return Err(body.error("name", ErrorKind::ResolvesNothing { name }));
    }
    alerts.firing.retain(|a| !matches(a));
    Ok(AlertResolve {
        name,
        matchers,
        resolves,
    })
}
