//! The writes opsdeck takes actions through: `PUT /incidents/{id}` (acknowledge, resolve,
//! reassign, escalate), `POST /incidents/{id}/snooze` and `POST /incidents/{id}/notes`.
//!
//! Each checks, in this order: the `From` header is there, the body is what the endpoint takes
//! (400 naming the field), `From` is a user of the account, the incident exists (404). Then it
//! changes the shared world at once, as one action at the simulated now, and renders the
//! result. An action that no longer applies (acknowledging a resolved incident, snoozing a
//! triggered one) is a 400 whose message says why, as PagerDuty answers it.

use std::sync::MutexGuard;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

use super::auth;
use super::body::{self, Object};
use super::error::ApiError;
use super::PagerDutyServer;
use crate::scenario::PageState;
use crate::world::{IncidentStatus, Reassign, World, WorldError};

/// PagerDuty snoozes for 1 second to 7 days.
const MAX_SNOOZE_S: i64 = 604_800;
/// PagerDuty's limit on a note's length.
const MAX_NOTE_CHARS: usize = 25_000;

type Reply = Result<Json<Value>, ApiError>;

/// `PUT /incidents/{id}`: `status` (acknowledged, resolved; triggered only keeps a triggered
/// incident so), `assignments` (one user) or `escalation_level`, and `resolution` on
/// resolving. A reassignment happens before the status change. Other members are ignored.
pub(crate) async fn update_incident(
    State(server): State<PagerDutyServer>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
    let from = auth::from_email(&headers)?;
    let map = body::parse(&headers, &bytes)?;
    let update = IncidentUpdate::read(&Object::root(&map))?;
    let (mut world, at) = world_at_now(&server);
    let by = requester(&world, &from)?;
    world.incident(&id).ok_or(ApiError::NotFound)?;
    let to = match update.to {
        None => None,
        Some(To::Level(level)) => Some(Reassign::EscalationLevel(level)),
        Some(To::User { field, user_id }) => {
            let user = world
                .pagerduty()
                .users()
                .iter()
                .find(|u| u.id == user_id)
                .ok_or_else(|| {
                    ApiError::invalid(format!("{field}: no user {user_id} in this account"))
                })?;
            Some(Reassign::User(user.person.email.clone()))
        }
    };
    if let Some(to) = to {
        world
            .reassign(&id, &by, to, at)
            .map_err(|e| refusal(&world, e))?;
    }
    match update.status {
        None => {}
        Some(PageState::Acknowledged) => {
            world
                .acknowledge(&id, &by, at)
                .map_err(|e| refusal(&world, e))?;
        }
        Some(PageState::Resolved) => {
            world
                .resolve_with(&id, &by, update.resolution, at)
                .map_err(|e| refusal(&world, e))?;
        }
        Some(PageState::Triggered) => stays_triggered(&world, &id)?,
    }
    let incident = world.incident(&id).ok_or(ApiError::NotFound)?;
    Ok(Json(
        json!({ "incident": server.render(&world).incident(incident) }),
    ))
}

/// `POST /incidents/{id}/snooze` with `{"duration": seconds}`: 201 and the incident.
pub(crate) async fn snooze_incident(
    State(server): State<PagerDutyServer>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let from = auth::from_email(&headers)?;
    let map = body::parse(&headers, &bytes)?;
    let root = Object::root(&map);
    let seconds = root.required_integer("duration")?;
    if !(1..=MAX_SNOOZE_S).contains(&seconds) {
        return Err(root.invalid(
            "duration",
            format!("must be from 1 to {MAX_SNOOZE_S} seconds (7 days), got {seconds}"),
        ));
    }
    let (mut world, at) = world_at_now(&server);
    let by = requester(&world, &from)?;
    world.incident(&id).ok_or(ApiError::NotFound)?;
    world
        .snooze(&id, &by, TimeDelta::seconds(seconds), at)
        .map_err(|e| refusal(&world, e))?;
    let incident = world.incident(&id).ok_or(ApiError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "incident": server.render(&world).incident(incident) })),
    ))
}

/// `POST /incidents/{id}/notes` with `{"note": {"content": …}}`: the new note.
pub(crate) async fn create_note(
    State(server): State<PagerDutyServer>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
    let from = auth::from_email(&headers)?;
    let map = body::parse(&headers, &bytes)?;
    let note = Object::root(&map).required_object("note")?;
    let content = note.required_string("content")?;
    if content.trim().is_empty() {
        return Err(note.invalid("content", "must not be empty"));
    }
    if content.chars().count() > MAX_NOTE_CHARS {
        return Err(note.invalid(
            "content",
            format!("must be at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let (mut world, at) = world_at_now(&server);
    let by = requester(&world, &from)?;
    world.incident(&id).ok_or(ApiError::NotFound)?;
    world
        .add_note(&id, &by, content, at)
        .map_err(|e| refusal(&world, e))?;
    let incident = world.incident(&id).ok_or(ApiError::NotFound)?;
    let added = incident.notes().last().ok_or(ApiError::NotFound)?;
    Ok(Json(json!({ "note": server.render(&world).note(added) })))
}

/// Whom a `PUT /incidents/{id}` hands the incident to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum To {
    /// `field` is where the id was, for errors.
    User {
        field: String,
        user_id: String,
    },
    Level(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct IncidentUpdate<'a> {
    status: Option<IncidentStatus>,
    to: Option<To>,
    resolution: Option<&'a str>,
}

impl<'a> IncidentUpdate<'a> {
    fn read(root: &Object<'a>) -> Result<IncidentUpdate<'a>, ApiError> {
        let incident = root.required_object("incident")?;
        incident.required_one_of("type", &["incident", "incident_reference"])?;
        let status = incident.word("status", PageState::ALL_NAMES, PageState::from_name)?;
        let assignee = match incident.objects("assignments")? {
            None => None,
            Some(assignments) => Some(Self::assignee(&incident, assignments)?),
        };
        let level = match incident.integer("escalation_level")? {
            None => None,
            Some(level) => Some(
                u32::try_from(level)
                    .ok()
                    .filter(|level| *level >= 1)
                    .ok_or_else(|| {
                        incident.invalid(
                            "escalation_level",
                            format!("must be 1 or more, got {level}"),
                        )
                    })?,
            ),
        };
        let to = match (assignee, level) {
            (Some(_), Some(_)) => {
                return Err(
                    incident.invalid_here("send either assignments or escalation_level, not both")
                )
            }
            (Some(user), None) => Some(user),
            (None, level) => level.map(To::Level),
        };
        Ok(IncidentUpdate {
            status,
            to,
            resolution: incident.string("resolution")?,
        })
    }

    /// The one user of `assignments`: the simulated incidents have a single assignee.
    fn assignee(incident: &Object<'_>, assignments: Vec<Object<'_>>) -> Result<To, ApiError> {
        let [assignment] = &assignments[..] else {
            let detail = if assignments.is_empty() {
                "must name an assignee".to_owned()
            } else {
                format!(
                    "the simulator assigns one user at a time, got {}",
                    assignments.len()
                )
            };
            return Err(incident.invalid("assignments", detail));
        };
        let assignee = assignment.required_object("assignee")?;
        assignee.required_one_of("type", &["user_reference"])?;
        Ok(To::User {
            field: assignee.path_of("id"),
            user_id: assignee.required_string("id")?.to_owned(),
        })
    }
}

/// The world at the simulated now, and the instant to stamp an action with: never before what
/// the world has already seen (a test may have moved it past a frozen clock), so the log stays
/// in time order.
fn world_at_now(server: &PagerDutyServer) -> (MutexGuard<'_, World>, DateTime<Utc>) {
    let now = server.inner.live.now();
    let world = server.inner.live.advance_to(now);
    let at = world.advanced_to().map_or(now, |seen| seen.max(now));
    (world, at)
}

/// The account's spelling of the `From` email, which PagerDuty matches whatever the case.
fn requester(world: &World, from: &str) -> Result<String, ApiError> {
    world
        .pagerduty()
        .users()
        .iter()
        .find(|u| u.person.email.eq_ignore_ascii_case(from))
        .map(|u| u.person.email.clone())
        .ok_or_else(|| ApiError::RequesterNotFound(from.to_owned()))
}

/// `status: triggered` keeps a triggered incident so; the simulator neither un-acknowledges
/// nor reopens (neither does the scripted day).
fn stays_triggered(world: &World, id: &str) -> Result<(), ApiError> {
    let status = world.incident(id).map(|i| i.status);
    let reason = match status {
        None | Some(PageState::Triggered) => return Ok(()),
        Some(PageState::Acknowledged) => {
            "the incident is acknowledged, and the simulator does not un-acknowledge incidents \
             (reassign or snooze it instead)"
        }
        Some(PageState::Resolved) => {
            "the incident is already resolved, and the simulator does not reopen incidents"
        }
    };
    Err(ApiError::NotApplicable {
        title: title(status),
        detail: format!("cannot trigger incident {id}: {reason}"),
    })
}

/// A world's refusal as PagerDuty words it.
fn refusal(world: &World, error: WorldError) -> ApiError {
    match &error {
        WorldError::UnknownIncident(_) => ApiError::NotFound,
        WorldError::NotApplicable { incident, .. } => ApiError::NotApplicable {
            title: title(world.incident(incident).map(|i| i.status)),
            detail: error.to_string(),
        },
        WorldError::NoSuchLevel { .. } | WorldError::NobodyOnCall { .. } => {
            ApiError::invalid(format!("incident.escalation_level: {error}"))
        }
        WorldError::SnoozeOutOfRange { .. } => ApiError::invalid(format!("duration: {error}")),
        // The requester and the assignee were both found in the account before acting.
        WorldError::UnknownPerson(_) => ApiError::invalid(error.to_string()),
    }
}

/// PagerDuty's short message for an action the incident's status rules out.
fn title(status: Option<IncidentStatus>) -> &'static str {
    match status {
        Some(PageState::Triggered) => "Incident Not Acknowledged",
        Some(PageState::Acknowledged) => "Incident Already Acknowledged",
        Some(PageState::Resolved) | None => "Incident Already Resolved",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// What an update asks for: status, new assignee, resolution.
    type Asked = (Option<IncidentStatus>, Option<To>, Option<String>);

    fn read(body: Value) -> Result<Asked, String> {
        let map = body.as_object().cloned().unwrap_or_default();
        IncidentUpdate::read(&Object::root(&map))
            .map(|u| (u.status, u.to, u.resolution.map(str::to_owned)))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn updates_read_status_assignee_level_and_resolution() {
        assert_eq!(
            read(
                json!({"incident": {"type": "incident_reference", "status": "resolved",
                                     "resolution": "fixed"}})
            ),
            Ok((Some(PageState::Resolved), None, Some("fixed".into())))
        );
        assert_eq!(
            read(json!({"incident": {"type": "incident", "assignments": [
                {"assignee": {"id": "PABC123", "type": "user_reference"}}]}})),
            Ok((
                None,
                Some(To::User {
                    field: "incident.assignments[0].assignee.id".into(),
                    user_id: "PABC123".into()
                }),
                None
            ))
        );
        assert_eq!(
            read(json!({"incident": {"type": "incident", "escalation_level": 2}})),
            Ok((None, Some(To::Level(2)), None))
        );
    }

    #[test]
    fn refusals_name_the_field() {
        for (body, field) in [
            (json!({}), "incident: required"),
            (json!({"incident": "x"}), "incident: must be an object"),
            (json!({"incident": {}}), "incident.type: required"),
            (
                json!({"incident": {"type": "thing"}}),
                "incident.type: unknown value",
            ),
            (
                json!({"incident": {"type": "incident", "status": "snoozed"}}),
                "incident.status: unknown value \"snoozed\"",
            ),
            (
                json!({"incident": {"type": "incident", "status": 1}}),
                "incident.status: must be a string",
            ),
            (
                json!({"incident": {"type": "incident", "escalation_level": "2"}}),
                "incident.escalation_level: must be an integer",
            ),
            (
                json!({"incident": {"type": "incident", "escalation_level": 0}}),
                "incident.escalation_level: must be 1 or more",
            ),
            (
                json!({"incident": {"type": "incident", "assignments": []}}),
                "incident.assignments: must name an assignee",
            ),
            (
                json!({"incident": {"type": "incident", "assignments": [
                    {"assignee": {"id": "P1", "type": "user_reference"}},
                    {"assignee": {"id": "P2", "type": "user_reference"}}]}}),
                "incident.assignments: the simulator assigns one user at a time",
            ),
            (
                json!({"incident": {"type": "incident", "assignments": [{"assignee": {"id": "P1"}}]}}),
                "incident.assignments[0].assignee.type: required",
            ),
            (
                json!({"incident": {"type": "incident", "assignments": [
                    {"assignee": {"type": "user_reference"}}]}}),
                "incident.assignments[0].assignee.id: required",
            ),
            (
                json!({"incident": {"type": "incident", "escalation_level": 2, "assignments": [
                    {"assignee": {"id": "P1", "type": "user_reference"}}]}}),
                "incident: send either assignments or escalation_level, not both",
            ),
            (
                json!({"incident": {"type": "incident", "resolution": 5}}),
                "incident.resolution: must be a string",
            ),
        ] {
            let err = read(body.clone()).expect_err("refused");
            assert!(err.contains(field), "{body}: {err}");
        }
    }
}
