//! `page` events: the first event with an id opens the PagerDuty incident and must say
//! everything about it; later ones carry only what changes.

use std::collections::BTreeMap;

use super::super::declared::Declared;
use super::super::error::ErrorKind;
use super::super::event::{PageEvent, PageOpen, PageState, PageUpdate, Urgency};
use super::super::fields::Fields;
use super::super::ScenarioError;
use super::{person, unchanged};

const KEYS: &[&str] = &[
    "id", "service", "title", "urgency", "assignee", "state", "by", "note",
];

/// Incident id -> its service.
#[derive(Default)]
pub(super) struct KnownPages(BTreeMap<String, String>);

pub(super) fn parse(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
    pages: &mut KnownPages,
) -> Result<PageEvent, ScenarioError> {
    body.only(KEYS)?;
    let id = body.string("id")?;
    if let Some(service) = pages.0.get(&id) {
        unchanged(body, "service", service, "an incident")?;
        return Ok(PageEvent::Update(PageUpdate {
            id,
            title: body.opt_string("title")?,
            urgency: urgency(body)?,
            assignee: person(body, declared, "assignee")?,
            state: state(body)?,
            by: person(body, declared, "by")?,
            note: body.opt_string("note")?,
        }));
    }
    let service = body.string("service")?;
    let declared_service = declared
        .service(&service)
        .map_err(|kind| body.error("service", kind))?;
    if declared_service.pagerduty.is_none() {
        return Err(body.error("service", ErrorKind::NoPagerDuty { service }));
    }
    let title = body.string("title")?;
    let urgency = urgency(body)?.ok_or_else(|| body.error("urgency", ErrorKind::MissingKey))?;
    let assignee = person(body, declared, "assignee")?
        .ok_or_else(|| body.error("assignee", ErrorKind::MissingKey))?;
    let state = state(body)?.ok_or_else(|| body.error("state", ErrorKind::MissingKey))?;
    let open = PageOpen {
        id: id.clone(),
        service: service.clone(),
        title,
        urgency,
        assignee,
        state,
        by: person(body, declared, "by")?,
        note: body.opt_string("note")?,
    };
    pages.0.insert(id, service);
    Ok(PageEvent::Open(open))
}

fn urgency(body: &Fields<'_, '_>) -> Result<Option<Urgency>, ScenarioError> {
    body.opt_word("urgency", Urgency::ALL_NAMES, Urgency::from_name)
}

fn state(body: &Fields<'_, '_>) -> Result<Option<PageState>, ScenarioError> {
    body.opt_word("state", PageState::ALL_NAMES, PageState::from_name)
}
