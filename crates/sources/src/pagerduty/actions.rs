//! PagerDuty actions: acknowledge, resolve, reassign, snooze and add a note, through REST v2
//! with the `From` header PagerDuty requires on every change made with an API token.
//!
//! Planning reads the incident as it is now, so the confirmation states the real status,
//! assignee and service, and refuses what PagerDuty would refuse (acting on a resolved incident,
//! snoozing one that is not acknowledged) before a token exists.

use std::time::Duration as StdDuration;

use opsdeck_domain::{ActionKind, ActionRequest, Effect, Risk};
use reqwest::header::HeaderName;
use reqwest::Method;
use serde_json::{json, Value};

use super::source::{PagerDutySource, ACCEPT};
use super::wire::{Incident, IncidentBody, IncidentStatus, NoteBody, Urgency, UserList};
use crate::action::Params;
use crate::{ActionContext, ActionError, SourceError};

/// PagerDuty snoozes for at most a week.
const MAX_SNOOZE: StdDuration = StdDuration::from_secs(604_800);
/// PagerDuty's limit on a note's length.
const MAX_NOTE_CHARS: usize = 25_000;

/// Who the incident goes to on reassignment.
enum Reassign<'a> {
    User(&'a str),
    Level(u32),
}

fn reassign_target<'a>(params: &Params<'a>) -> Result<Reassign<'a>, ActionError> {
    match (params.get("to"), params.get("level")) {
        (Some(email), None) => Ok(Reassign::User(email)),
        (None, Some(level)) => match level.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Reassign::Level(n)),
            _ => Err(ActionError::Invalid(format!(
                "pagerduty.reassign: level must be a whole number from 1 (got {level:?})"
            ))),
        },
        (Some(_), Some(_)) => Err(ActionError::Invalid(
            "pagerduty.reassign takes either `to=EMAIL` or `level=N`, not both".into(),
        )),
        (None, None) => Err(ActionError::Invalid(
            "pagerduty.reassign needs `to=EMAIL` (a user) or `level=N` (an escalation level)"
                .into(),
        )),
    }
}

fn snooze_duration(params: &Params<'_>) -> Result<StdDuration, ActionError> {
    let text = params.required("duration", "2h")?;
    let d = humantime::parse_duration(text).map_err(|e| {
        ActionError::Invalid(format!(
            "pagerduty.snooze: duration {text:?} is not a duration like 30m or 2h ({e})"
        ))
    })?;
    if d < StdDuration::from_secs(1) || d > MAX_SNOOZE {
        return Err(ActionError::Invalid(format!(
            "pagerduty.snooze: duration {text} is outside what PagerDuty allows (1s to 7 days)"
        )));
    }
    Ok(d)
}

fn note_text<'a>(params: &Params<'a>) -> Result<&'a str, ActionError> {
    let text = params.required("text", "\"rolled back to 1.41.0\"")?;
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(ActionError::Invalid(format!(
            "pagerduty.note: the note is longer than PagerDuty's {MAX_NOTE_CHARS} characters"
        )));
    }
    Ok(text)
}

fn status_word(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Triggered => "triggered",
        IncidentStatus::Acknowledged => "acknowledged",
        IncidentStatus::Resolved => "resolved",
    }
}

fn assignees(incident: &Incident) -> String {
    let names: Vec<String> = incident
        .assignments
        .iter()
        .map(|a| {
            a.assignee
                .summary
                .clone()
                .or_else(|| a.assignee.email.clone())
                .unwrap_or_else(|| a.assignee.id.clone())
        })
        .collect();
    if names.is_empty() {
        "nobody".into()
    } else {
        names.join(", ")
    }
}

fn humanize(d: StdDuration) -> String {
    humantime::format_duration(d).to_string()
}

impl PagerDutySource {
    /// The incident as PagerDuty has it now; a missing one is the user's mistake, said plainly.
    async fn current_incident(&self, id: &str) -> Result<Incident, ActionError> {
        if id.is_empty() || id.contains('/') || id.chars().any(char::is_whitespace) {
            return Err(ActionError::Invalid(format!(
                "{id:?} is not a PagerDuty incident id (such as Q0PAY0001)"
            )));
        }
        match self
            .client
            .get_json::<IncidentBody>(&format!("incidents/{id}"), &[], ACCEPT)
            .await
        {
            Ok(body) => Ok(body.value.incident),
            Err(SourceError::NotFound { .. }) => Err(ActionError::Invalid(format!(
                "PagerDuty has no incident {id}"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// The email PagerDuty's `From` header needs: the token's own user, else the config's `me`.
    async fn requester(&self, ctx: &ActionContext) -> Result<String, ActionError> {
        match self.me().await {
            Ok(me) => Ok(me.email),
            Err(e) => match &ctx.me {
                Some(email) => Ok(email.clone()),
                None => Err(ActionError::Invalid(format!(
                    "PagerDuty needs the acting user's email in the From header, and the token \
                     does not say whose it is ({e}): set `me = \"you@example.com\"` in the config"
                ))),
            },
        }
    }

    async fn user_id_by_email(&self, email: &str) -> Result<(String, String), ActionError> {
        let body = self
            .client
            .get_json::<UserList>("users", &[("query", email.to_string())], ACCEPT)
            .await?;
        body.value
            .users
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .map(|u| {
                let name = u.name.unwrap_or_else(|| u.email.clone());
                (u.id, name)
            })
            .ok_or_else(|| ActionError::Invalid(format!("PagerDuty has no user {email}")))
    }

    fn service_name(&self, incident: &Incident) -> String {
        self.services
            .get(&incident.service.id)
            .cloned()
            .or_else(|| incident.service.summary.clone())
            .unwrap_or_else(|| incident.service.id.clone())
    }

    fn environment(&self, incident: &Incident) -> String {
        let host = self
            .client
            .base()
            .host_str()
            .unwrap_or("PagerDuty")
            .to_string();
        let mut env = format!("PagerDuty {host} · service {}", self.service_name(incident));
        if let Some(ep) = incident
            .escalation_policy
            .as_ref()
            .and_then(|e| e.summary.as_deref())
        {
            env.push_str(&format!(" · escalation policy {ep}"));
        }
        env
    }

    pub(super) async fn plan(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<Effect, ActionError> {
        let params = Params::new(request, allowed_params(request.kind)?)?;
        // Check the parameters before asking PagerDuty anything.
        let reassign = match request.kind {
            ActionKind::PagerdutyReassign => Some(reassign_target(&params)?),
            _ => None,
        };
        let snooze = match request.kind {
            ActionKind::PagerdutySnooze => Some(snooze_duration(&params)?),
            _ => None,
        };
        let note = match request.kind {
            ActionKind::PagerdutyNote => Some(note_text(&params)?),
            _ => None,
        };
        let incident = self.current_incident(&request.target).await?;
        let requester = self.requester(ctx).await?;
        let id = &incident.id;
        let title = incident
            .title
            .clone()
            .or_else(|| incident.summary.clone())
            .unwrap_or_default();
        let status = status_word(incident.status);
        let now_line = format!(
            "Now: {status}, assigned to {}, {} urgency",
            assignees(&incident),
            match incident.urgency {
                Some(Urgency::Low) => "low",
                _ => "high",
            }
        );
        let resolved = incident.status == IncidentStatus::Resolved;
        let refuse_resolved = |verb: &str| {
            ActionError::Invalid(format!(
                "cannot {verb} incident {id}: it is already resolved"
            ))
        };
        let (summary, risk, undo) = match request.kind {
            ActionKind::PagerdutyAcknowledge => {
                if resolved {
                    return Err(refuse_resolved("acknowledge"));
                }
                (
                    format!("Acknowledge PagerDuty incident {id} \"{title}\" as {requester}: escalation stops"),
                    Risk::Low,
                    Some("An acknowledgement cannot be withdrawn; reassign the incident to page someone else".to_string()),
                )
            }
            ActionKind::PagerdutyResolve => {
                if resolved {
                    return Err(refuse_resolved("resolve"));
                }
                (
                    format!("Resolve PagerDuty incident {id} \"{title}\" as {requester}: it closes and stops paging"),
                    Risk::Medium,
                    Some("Reopen it in PagerDuty if the problem returns".to_string()),
                )
            }
            ActionKind::PagerdutyReassign => {
                if resolved {
                    return Err(refuse_resolved("reassign"));
                }
                let to = match reassign {
                    Some(Reassign::User(email)) => {
                        let (_, name) = self.user_id_by_email(email).await?;
                        format!("{name} <{email}>")
                    }
                    Some(Reassign::Level(n)) => format!("escalation level {n}"),
                    None => String::new(),
                };
                (
                    format!("Reassign PagerDuty incident {id} \"{title}\" to {to} as {requester}: they are paged now"),
                    Risk::Medium,
                    Some(format!("Reassign it back to {}", assignees(&incident))),
                )
            }
            ActionKind::PagerdutySnooze => {
                if incident.status != IncidentStatus::Acknowledged {
                    return Err(ActionError::Invalid(format!(
                        "cannot snooze incident {id}: it is {status}, and PagerDuty snoozes only acknowledged incidents"
                    )));
                }
                let d = humanize(snooze.unwrap_or_default());
                (
                    format!("Snooze PagerDuty incident {id} \"{title}\" for {d} as {requester}: it pages again when the snooze ends"),
                    Risk::Medium,
                    Some("Acknowledge it again to end the snooze early".to_string()),
                )
            }
            ActionKind::PagerdutyNote => (
                format!("Add a note to PagerDuty incident {id} \"{title}\" as {requester}"),
                Risk::Low,
                Some("PagerDuty notes cannot be deleted; add a correcting note".to_string()),
            ),
            _ => unreachable_kind(request.kind)?,
        };
        let mut details = vec![now_line, format!("Acting as: {requester}")];
        if let Some(text) = note {
            details.push(format!("Note: {text}"));
        }
        if let Some(resolution) = params.get("resolution") {
            details.push(format!("Resolution: {resolution}"));
        }
        Ok(Effect {
            summary,
            target: format!("{id} \"{title}\""),
            target_name: id.clone(),
            environment: self.environment(&incident),
            service: Some(self.service_name(&incident)),
            risk,
            undo,
            details,
        })
    }

    pub(super) async fn execute(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<String, ActionError> {
        let params = Params::new(request, allowed_params(request.kind)?)?;
        let id = request.target.as_str();
        let requester = self.requester(ctx).await?;
        let from = [(HeaderName::from_static("from"), requester.as_str())];
        let path = format!("incidents/{id}");
        let from_header = &from;
        let put = |incident: Value| {
            let body = json!({ "incident": incident });
            let path = path.clone();
            async move {
                self.client
                    .send_json::<IncidentBody>(Method::PUT, &path, from_header, &body, ACCEPT)
                    .await
                    .map(|b| b.value.incident)
            }
        };
        let message = match request.kind {
            ActionKind::PagerdutyAcknowledge => {
                let incident =
                    put(json!({"type": "incident_reference", "status": "acknowledged"})).await?;
                format!("PagerDuty: {id} is {}", status_word(incident.status))
            }
            ActionKind::PagerdutyResolve => {
                let mut body = json!({"type": "incident_reference", "status": "resolved"});
                if let Some(resolution) = params.get("resolution") {
                    body["resolution"] = json!(resolution);
                }
                let incident = put(body).await?;
                format!("PagerDuty: {id} is {}", status_word(incident.status))
            }
            ActionKind::PagerdutyReassign => {
                let body = match reassign_target(&params)? {
                    Reassign::User(email) => {
                        let (user_id, _) = self.user_id_by_email(email).await?;
                        json!({"type": "incident_reference", "assignments": [
                            {"assignee": {"id": user_id, "type": "user_reference"}}
                        ]})
                    }
                    Reassign::Level(n) => {
                        json!({"type": "incident_reference", "escalation_level": n})
                    }
                };
                let incident = put(body).await?;
                format!(
                    "PagerDuty: {id} is {}, assigned to {}",
                    status_word(incident.status),
                    assignees(&incident)
                )
            }
            ActionKind::PagerdutySnooze => {
                let d = snooze_duration(&params)?;
                let body = json!({ "duration": d.as_secs() });
                let incident = self
                    .client
                    .send_json::<IncidentBody>(
                        Method::POST,
                        &format!("{path}/snooze"),
                        &from,
                        &body,
                        ACCEPT,
                    )
                    .await?
                    .value
                    .incident;
                format!(
                    "PagerDuty: {id} is snoozed for {} ({})",
                    humanize(d),
                    status_word(incident.status)
                )
            }
            ActionKind::PagerdutyNote => {
                let body = json!({ "note": { "content": note_text(&params)? } });
                let note = self
                    .client
                    .send_json::<NoteBody>(
                        Method::POST,
                        &format!("{path}/notes"),
                        &from,
                        &body,
                        ACCEPT,
                    )
                    .await?
                    .value
                    .note;
                format!("PagerDuty: note {} added to {id}", note.id)
            }
            other => unreachable_kind(other)?,
        };
        self.forget(id);
        Ok(message)
    }
}

/// The parameters each kind takes.
fn allowed_params(kind: ActionKind) -> Result<&'static [&'static str], ActionError> {
    Ok(match kind {
        ActionKind::PagerdutyAcknowledge => &[],
        ActionKind::PagerdutyResolve => &["resolution"],
        ActionKind::PagerdutyReassign => &["to", "level"],
        ActionKind::PagerdutySnooze => &["duration"],
        ActionKind::PagerdutyNote => &["text"],
        other => return unreachable_kind(other),
    })
}

fn unreachable_kind<T>(kind: ActionKind) -> Result<T, ActionError> {
    Err(ActionError::Unsupported {
        source_name: "pagerduty".into(),
        kind,
    })
}
