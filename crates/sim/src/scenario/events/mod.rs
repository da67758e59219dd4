//! The `events` list: each event's kind, time and order, then the kind's own rules.

mod alert;
mod annotation;
mod ci;
mod cluster;
mod page;

use yaml_serde::Value;

use super::declared::Declared;
use super::error::{ErrorKind, Location};
use super::event::{Event, EventKind, EventKindName};
use super::fields::{Fields, Place};
use super::model::Clock;
use super::time::ScenarioTime;
use super::ScenarioError;

/// What earlier events created, which decides whether a later event creates or changes a thing.
#[derive(Default)]
struct History {
    alerts: alert::FiringAlerts,
    pages: page::KnownPages,
    ci_runs: ci::KnownRuns,
}

pub(crate) fn parse_events(
    top: &Fields<'_, '_>,
    clock: &Clock,
    declared: &Declared<'_>,
) -> Result<Vec<Event>, ScenarioError> {
    top.required("events")?;
    let mut history = History::default();
    let mut previous: Option<ScenarioTime> = None;
    let mut events = Vec::new();
    for (index, item) in top.list("events")?.iter().enumerate() {
        let place = Place {
            file: top.place.file,
            location: Location::Event { index, kind: None },
        };
        let event = parse_event(item, index, place, clock, declared, &mut history, previous)?;
        previous = Some(event.at);
        events.push(event);
    }
    Ok(events)
}

/// Every key but `at` names a kind, so a misspelt kind reads as an unknown kind rather than an
/// unknown key.
fn event_kind(fields: &Fields<'_, '_>) -> Result<(String, EventKindName), ScenarioError> {
    let mut kinds = Vec::new();
    for key in fields.keys()?.into_iter().filter(|k| *k != "at") {
        match EventKindName::from_name(key) {
            Some(kind) => kinds.push((key, kind)),
            None => return Err(fields.error(key, ErrorKind::UnknownEventKind)),
        }
    }
    match kinds.as_slice() {
        [] => Err(fields.place.error(None, ErrorKind::NoEventKind)),
        [(key, kind)] => Ok(((*key).to_owned(), *kind)),
        [_, (second, _), ..] => Err(fields.error(
            second,
            ErrorKind::SeveralEventKinds {
                kinds: kinds.iter().map(|(k, _)| (*k).to_owned()).collect(),
            },
        )),
    }
}

fn parse_event(
    item: &Value,
    index: usize,
    place: Place<'_>,
    clock: &Clock,
    declared: &Declared<'_>,
    history: &mut History,
    previous: Option<ScenarioTime>,
) -> Result<Event, ScenarioError> {
    let mut fields = Fields::of(item, place, None)?;
    let (key, kind) = event_kind(&fields)?;
    fields.place.location = Location::Event {
        index,
        kind: Some(kind),
    };

    let at = fields.time("at", clock.day_starts)?;
    if let Some(previous) = previous.filter(|p| at < *p) {
        return Err(fields.error("at", ErrorKind::OutOfOrder { at, previous }));
    }
    let body = Fields::of(fields.required(&key)?, fields.place.clone(), Some(&key))?;
    let kind = match kind {
        EventKindName::Alert => {
            EventKind::Alert(alert::parse(&body, declared, &mut history.alerts)?)
        }
        EventKindName::Page => EventKind::Page(page::parse(&body, declared, &mut history.pages)?),
        EventKindName::Ci => EventKind::Ci(ci::parse(&body, &mut history.ci_runs)?),
        EventKindName::Deploy => EventKind::Deploy(cluster::deploy(&body, declared)?),
        EventKindName::Scale => EventKind::Scale(cluster::scale(&body, declared)?),
        EventKindName::K8sEvent => EventKind::K8sEvent(cluster::k8s_event(&body, declared)?),
        EventKindName::Node => EventKind::Node(cluster::node(&body, declared)?),
        EventKindName::Annotation => EventKind::Annotation(annotation::parse(&body, declared)?),
    };
    Ok(Event { index, at, kind })
}

/// A person reference (`me` or an email) under `key`, as an email.
fn person(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
    key: &str,
) -> Result<Option<String>, ScenarioError> {
    body.opt_string(key)?
        .map(|who| declared.person(&who).map_err(|kind| body.error(key, kind)))
        .transpose()
}

/// A later event may repeat a creating key only with the same value: changing it would make a
/// different thing.
fn unchanged(
    body: &Fields<'_, '_>,
    key: &str,
    current: &str,
    what: &str,
) -> Result<(), ScenarioError> {
    match body.opt_string(key)? {
        Some(value) if value != current => Err(body.error(
            key,
            ErrorKind::Invalid(format!(
                "{what} keeps its {key} \"{current}\"; \"{value}\" would make it a different one"
            )),
        )),
        _ => Ok(()),
    }
}
