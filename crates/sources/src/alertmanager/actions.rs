//! Silences as actions: `alertmanager.silence` (TARGET: an alert's fingerprint) and
//! `alertmanager.expire_silence` (TARGET: a silence id), and the same as `grafana.silence` and
//! `grafana.expire_silence` against Grafana's built-in Alertmanager.
//!
//! Planning reads Alertmanager as it is now and matches locally, with Alertmanager's own
//! semantics, so the confirmation lists every firing alert the silence would hide — not only
//! the one the user picked — and refuses what Alertmanager would refuse before a token exists.
//! Executing reads it again: the request carries the user's input, not the plan's conclusions.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use opsdeck_domain::{ActionKind, ActionRequest, Effect, Risk};
use reqwest::Method;
use serde_json::{json, Value};

use super::diff::Observed;
use super::matchers::{self, Matcher};
use super::source::{AlertmanagerSource, ACCEPT};
use super::wire::{Alert, PostedSilence, Silence};
use crate::action::Params;
use crate::{ActionContext, ActionError, SourceError};

const DEFAULT_DURATION: StdDuration = StdDuration::from_secs(2 * 3600);

/// The parameters each kind takes (only this source's kinds get this far).
fn allowed(kind: ActionKind) -> &'static [&'static str] {
    match kind {
        ActionKind::AlertmanagerSilence | ActionKind::GrafanaSilence => {
            &["duration", "comment", "matchers", "until_resolved"]
        }
        ActionKind::AlertmanagerExpireSilence | ActionKind::GrafanaExpireSilence => &["reason"],
        _ => &[],
    }
}

/// What a silence request asks for, checked before Alertmanager is asked anything.
struct SilenceInput<'a> {
    fingerprint: &'a str,
    duration: StdDuration,
    comment: &'a str,
    creator: String,
    /// `None`: every label of the target alert, as equality matchers.
    matchers: Option<Vec<Matcher>>,
    /// A PagerDuty incident whose resolution ends the silence early.
    until_resolved: Option<&'a str>,
}

/// What a silence's comment carries when it is tied to a PagerDuty incident: the tie lives in
/// the silence itself, so it survives restarts and is seen by every opsdeck that reads it.
pub fn tie_marker(incident: &str) -> String {
    format!("[opsdeck: expires when PagerDuty incident {incident} resolves]")
}

/// The incident a silence's comment ties it to, if any.
pub fn tied_incident(comment: &str) -> Option<&str> {
    let rest = comment
        .split("[opsdeck: expires when PagerDuty incident ")
        .nth(1)?;
    let (incident, tail) = rest.split_once(' ')?;
    (tail.starts_with("resolves]") && is_incident_id(incident)).then_some(incident)
}

/// PagerDuty incident ids: uppercase letters and digits.
fn is_incident_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn silence_input<'a>(
    request: &'a ActionRequest,
    ctx: &ActionContext,
) -> Result<SilenceInput<'a>, ActionError> {
    let params = Params::new(request, allowed(request.kind))?;
    let kind = params.kind;
    let fingerprint = request.target.trim();
    if fingerprint.is_empty()
        || fingerprint.len() > 64
        || !fingerprint.chars().all(|c| c.is_ascii_hexdigit())
    {
        return Err(ActionError::Invalid(format!(
            "{kind}: {fingerprint:?} is not an alert fingerprint (hex digits such as \
             b807e636403824b5, as in the alert's details)"
        )));
    }
    let comment = params.get("comment").ok_or_else(|| {
        ActionError::Invalid(format!(
            "{kind} needs `comment=…` saying why, for whoever finds the silence later (for \
             example comment=\"deploying the fix for INC-42\")"
        ))
    })?;
    let duration = match params.get("duration") {
        None => DEFAULT_DURATION,
        Some(text) => {
            let d = humantime::parse_duration(text).map_err(|e| {
                ActionError::Invalid(format!(
                    "{kind}: duration {text:?} is not a duration like 30m, 2h or 1d ({e})"
                ))
            })?;
            if d < StdDuration::from_secs(60) {
                return Err(ActionError::Invalid(format!(
                    "{kind}: duration {text} is too short; silence for at least 1m"
                )));
            }
            d
        }
    };
    let creator = ctx
        .me
        .as_deref()
        .map(str::trim)
        .filter(|me| !me.is_empty())
        .ok_or_else(|| {
            ActionError::Invalid(format!(
                "{kind}: a silence records who created it, and opsdeck does not know who you \
                 are: set `me = \"you@example.com\"` in the config"
            ))
        })?
        .to_string();
    let matchers = params
        .get("matchers")
        .map(matchers::parse)
        .transpose()
        .map_err(|e| ActionError::Invalid(format!("{kind}: {e}")))?;
    let until_resolved = params
        .get("until_resolved")
        .map(|id| {
            if is_incident_id(id) {
                Ok(id)
            } else {
                Err(ActionError::Invalid(format!(
                    "{kind}: until_resolved={id:?} is not a PagerDuty incident id (such as \
                     Q0PAY0001)"
                )))
            }
        })
        .transpose()?;
    Ok(SilenceInput {
        fingerprint,
        duration,
        comment,
        creator,
        matchers,
        until_resolved,
    })
}

fn silence_id(request: &ActionRequest) -> Result<&str, ActionError> {
    Params::new(request, allowed(request.kind))?;
    let id = request.target.trim();
    if !is_uuid(id) {
        return Err(ActionError::Invalid(format!(
            "{}: {id:?} is not a silence id (a UUID such as \
             3f0c2a9d-8e7f-4a6b-9c1d-2e3f4a5b6c7d, as in an alert's silenced_by)",
            request.kind
        )));
    }
    Ok(id)
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn humanize(d: StdDuration) -> String {
    humantime::format_duration(d).to_string()
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn alertname(alert: &Alert) -> &str {
    alert
        .labels
        .get("alertname")
        .map_or(alert.fingerprint.as_str(), String::as_str)
}

/// One line per alert for a plan: name, fingerprint, state, every label, and the silences
/// other than `expiring` that hold it (`note` says how they bear on the plan).
fn alert_line(alert: &Alert, expiring: Option<&str>, note: &str) -> String {
    let labels = alert
        .labels
        .iter()
        .map(|(k, v)| Matcher::equal(k, v).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut line = format!(
        "{} ({}, {}) {{{labels}}}",
        alertname(alert),
        alert.fingerprint,
        alert.status.state
    );
    let others: Vec<&str> = alert
        .status
        .silenced_by
        .iter()
        .map(String::as_str)
        .filter(|id| Some(*id) != expiring)
        .collect();
    if !others.is_empty() {
        line.push_str(&format!(" — {note} {}", others.join(", ")));
    }
    line
}

/// What a silence will be, worked out from Alertmanager's current alerts.
struct SilencePlan<'a> {
    target: &'a Alert,
    matchers: Vec<Matcher>,
    hidden: Vec<&'a Alert>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

impl AlertmanagerSource {
    fn work_out<'a>(
        &self,
        input: &SilenceInput<'_>,
        alerts: &'a [Observed],
        now: DateTime<Utc>,
    ) -> Result<SilencePlan<'a>, ActionError> {
        let called = self.called();
        let silence = self.flavor.silence;
        let target = alerts
            .iter()
            .map(|o| &o.alert)
            .find(|a| a.fingerprint == input.fingerprint)
            .ok_or_else(|| {
                ActionError::Invalid(format!(
                    "{called} has no firing alert with fingerprint {} (it may have \
                     resolved since; sync and pick a firing alert)",
                    input.fingerprint
                ))
            })?;
        let matchers = match &input.matchers {
            Some(given) => {
                if !matchers::matches_all(given, &target.labels) {
                    return Err(ActionError::Invalid(format!(
                        "{silence}: the matchers {} do not match the alert {} ({}) \
                         itself; change them so they include it",
                        matchers::display(given),
                        alertname(target),
                        target.fingerprint
                    )));
                }
                given.clone()
            }
            None => target
                .labels
                .iter()
                .map(|(k, v)| Matcher::equal(k, v))
                .collect(),
        };
        if matchers.iter().all(Matcher::matches_empty) {
            return Err(ActionError::Invalid(format!(
                "{silence}: the matchers {} would also match alerts without those labels; \
                 {} needs at least one matcher that requires a value",
                matchers::display(&matchers),
                self.flavor.vendor
            )));
        }
        let hidden = alerts
            .iter()
            .map(|o| &o.alert)
            .filter(|a| matchers::matches_all(&matchers, &a.labels))
            .collect();
        let duration = Duration::from_std(input.duration).map_err(|_| {
            ActionError::Invalid(format!(
                "{silence}: duration {} is too long",
                humanize(input.duration)
            ))
        })?;
        let ends_at = now.checked_add_signed(duration).ok_or_else(|| {
            ActionError::Invalid(format!(
                "{silence}: duration {} is too long",
                humanize(input.duration)
            ))
        })?;
        Ok(SilencePlan {
            target,
            matchers,
            hidden,
            starts_at: now,
            ends_at,
        })
    }

    pub(super) async fn plan(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<Effect, ActionError> {
        match request.kind {
            kind if kind == self.flavor.silence => self.plan_silence(request, ctx).await,
            kind if kind == self.flavor.expire => self.plan_expire(request).await,
            other => Err(ActionError::Unsupported {
                source_name: self.mapping.source_name.clone(),
                kind: other,
            }),
        }
    }

    pub(super) async fn execute(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<String, ActionError> {
        match request.kind {
            kind if kind == self.flavor.silence => self.execute_silence(request, ctx).await,
            kind if kind == self.flavor.expire => self.execute_expire(request).await,
            other => Err(ActionError::Unsupported {
                source_name: self.mapping.source_name.clone(),
                kind: other,
            }),
        }
    }

    async fn plan_silence(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<Effect, ActionError> {
        let input = silence_input(request, ctx)?;
        let alerts = self.alerts().await?;
        let plan = self.work_out(&input, &alerts, ctx.now)?;
        let called = self.called();
        let others = plan.hidden.len().saturating_sub(1);
        let summary = format!(
            "Silence {} on {called} for {} as {}: {} until {}",
            plural(plan.hidden.len(), "firing alert"),
            humanize(input.duration),
            input.creator,
            if plan.hidden.len() == 1 {
                "it stops notifying"
            } else {
                "they stop notifying"
            },
            rfc3339(plan.ends_at)
        );
        let mut details = vec![
            format!("Matchers: {}", matchers::display(&plan.matchers)),
            format!(
                "From {} until {} ({})",
                rfc3339(plan.starts_at),
                rfc3339(plan.ends_at),
                humanize(input.duration)
            ),
            format!("Created by: {}", input.creator),
            format!("Comment: {}", input.comment),
            format!("Hides {} now:", plural(plan.hidden.len(), "firing alert")),
        ];
        if let Some(incident) = input.until_resolved {
            details.insert(
                2,
                format!(
                    "Or until PagerDuty incident {incident} resolves, if sooner: opsdeck then \
                     expires it (the comment carries the tie)"
                ),
            );
        }
        details.extend(
            plan.hidden
                .iter()
                .map(|a| format!("- {}", alert_line(a, None, "already silenced by"))),
        );
        if others > 0 {
            details.push(format!(
                "Beyond {}, the matchers hide {} more, and any new alert they match while \
                 the silence lasts",
                alertname(plan.target),
                plural(others, "alert")
            ));
        }
        Ok(Effect {
            summary,
            target: format!("{} ({})", alertname(plan.target), plan.target.fingerprint),
            target_name: alertname(plan.target).to_string(),
            environment: self.environment(),
            service: self.mapping.service(&plan.target.labels),
            // Hiding alerts beyond the one picked is how silences go wrong.
            risk: if others > 0 { Risk::High } else { Risk::Medium },
            undo: Some(format!(
                "Expire the silence: opsdeck action plan {} SILENCE_ID (the id is in the \
                 result); its alerts notify again",
                self.flavor.expire
            )),
            details,
        })
    }

    async fn execute_silence(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<String, ActionError> {
        let input = silence_input(request, ctx)?;
        let alerts = self.alerts().await?;
        let plan = self.work_out(&input, &alerts, ctx.now)?;
        let body = json!({
            "matchers": plan.matchers.iter().map(Matcher::to_wire).collect::<Vec<Value>>(),
            "startsAt": rfc3339(plan.starts_at),
            "endsAt": rfc3339(plan.ends_at),
            "createdBy": input.creator,
            "comment": match input.until_resolved {
                Some(incident) => format!("{} {}", input.comment, tie_marker(incident)),
                None => input.comment.to_string(),
            },
        });
        let posted = self
            .client
            .send_json::<PostedSilence>(Method::POST, &self.path("silences"), &[], &body, ACCEPT)
            .await?
            .value;
        Ok(format!(
            "{}: silence {} created by {} until {}, hiding {}; undo with {} {}",
            self.called(),
            posted.silence_id,
            input.creator,
            rfc3339(plan.ends_at),
            plural(plan.hidden.len(), "alert"),
            self.flavor.expire,
            posted.silence_id
        ))
    }

    /// The silences still in force that are tied to a PagerDuty incident: (silence id,
    /// incident id), by silence id.
    pub(crate) async fn tied(&self) -> Result<Vec<(String, String)>, SourceError> {
        let mut tied: Vec<(String, String)> = self
            .silences()
            .await?
            .into_values()
            .filter(|s| !s.is_expired())
            .filter_map(|s| Some((s.id.clone(), tied_incident(&s.comment)?.to_string())))
            .collect();
        tied.sort();
        Ok(tied)
    }

    /// The silence as Alertmanager has it now; a missing or expired one is the user's mistake.
    async fn live_silence(&self, id: &str) -> Result<Silence, ActionError> {
        let called = self.called();
        let silence = match self.silence(id).await {
            Ok(s) => s,
            Err(SourceError::NotFound { .. }) => {
                return Err(ActionError::Invalid(format!(
                    "{called} has no silence {id}"
                )))
            }
            Err(e) => return Err(e.into()),
        };
        if silence.is_expired() {
            return Err(ActionError::Invalid(format!(
                "silence {id} on {called} already expired at {}",
                rfc3339(silence.ends_at)
            )));
        }
        Ok(silence)
    }

    async fn plan_expire(&self, request: &ActionRequest) -> Result<Effect, ActionError> {
        let id = silence_id(request)?;
        let silence = self.live_silence(id).await?;
        let alerts = self.alerts().await?;
        let silenced: Vec<&Alert> = alerts
            .iter()
            .map(|o| &o.alert)
            .filter(|a| a.status.silenced_by.iter().any(|s| s == id))
            .collect();
        let matchers: Vec<String> = silence
            .matchers
            .iter()
            .map(matchers::display_wire)
            .collect();
        let called = self.called();
        let mut details = vec![
            format!("Matchers: {}", matchers.join(", ")),
            format!("Created by: {}", silence.created_by),
            format!("Comment: {}", silence.comment),
            format!(
                "{} since {}, until {}",
                silence.status.state,
                rfc3339(silence.starts_at),
                rfc3339(silence.ends_at)
            ),
            format!("Silences {} now:", plural(silenced.len(), "firing alert")),
        ];
        details.extend(
            silenced
                .iter()
                .map(|a| format!("- {}", alert_line(a, Some(id), "stays silenced by"))),
        );
        if let Some(reason) = Params::new(request, allowed(request.kind))?.get("reason") {
            details.insert(0, format!("Why: {reason}"));
        }
        Ok(Effect {
            summary: format!(
                "Expire silence {id} on {called} (by {}: \"{}\"): {} again",
                silence.created_by,
                silence.comment,
                match silenced.len() {
                    1 => "1 silenced alert notifies".to_string(),
                    n => format!("{n} silenced alerts notify"),
                }
            ),
            target: format!("silence {id}"),
            target_name: id.to_string(),
            environment: self.environment(),
            service: silenced
                .first()
                .and_then(|a| self.mapping.service(&a.labels)),
            risk: Risk::Medium,
            undo: Some(format!(
                "An expired silence cannot be revived: create a new one with the same matchers \
                 ({} FINGERPRINT comment=… matchers='{}')",
                self.flavor.silence,
                matchers.join(", ")
            )),
            details,
        })
    }

    async fn execute_expire(&self, request: &ActionRequest) -> Result<String, ActionError> {
        let id = silence_id(request)?;
        // Checked first: an unknown id is a clear refusal here, where Alertmanager 0.25 would
        // answer the DELETE with a 500.
        self.live_silence(id).await?;
        let path = self.path(&format!("silence/{id}"));
        // Alertmanager answers a successful DELETE with an empty body; the read-back below
        // confirms the silence expired.
        self.client
            .send_json::<Value>(Method::DELETE, &path, &[], &Value::Null, ACCEPT)
            .await?;
        let after = self.silence(id).await?;
        if !after.is_expired() {
            return Err(ActionError::Vendor(SourceError::Status {
                vendor: self.flavor.vendor,
                path: format!("/{path}"),
                status: 200,
                message: format!(
                    "the silence is still {} after {} accepted its expiry",
                    after.status.state, self.flavor.vendor
                ),
            }));
        }
        Ok(format!(
            "{}: silence {id} expired at {}",
            self.called(),
            rfc3339(after.ends_at)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn request(kind: ActionKind, target: &str, params: &[(&str, &str)]) -> ActionRequest {
        ActionRequest {
            kind,
            target: target.into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn ctx(me: Option<&str>) -> ActionContext {
        ActionContext {
            now: Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
            me: me.map(str::to_string),
        }
    }

    fn invalid(r: Result<SilenceInput<'_>, ActionError>) -> String {
        match r {
            Err(ActionError::Invalid(m)) => m,
            Err(e) => panic!("not Invalid: {e}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn silence_input_is_checked_before_alertmanager_is_asked() {
        let silence = ActionKind::AlertmanagerSilence;
        let ok = request(silence, "b807e636403824b5", &[("comment", "deploying")]);
        let input = silence_input(&ok, &ctx(Some("sam@example.test"))).expect("valid");
        assert_eq!(input.duration, DEFAULT_DURATION);
        assert_eq!(input.creator, "sam@example.test");
        assert!(input.matchers.is_none());

        let no_comment = request(silence, "b807e636403824b5", &[("comment", "  ")]);
        assert!(invalid(silence_input(&no_comment, &ctx(Some("me")))).contains("needs `comment=…`"));
        assert!(invalid(silence_input(&ok, &ctx(None))).contains("set `me ="));
        let bad_target = request(silence, "not-a-fingerprint", &[("comment", "x")]);
        assert!(invalid(silence_input(&bad_target, &ctx(Some("me"))))
            .contains("not an alert fingerprint"));
        let bad_matcher = request(
            silence,
            "b807e636403824b5",
            &[("comment", "x"), ("matchers", "alertname=~\"(\"")],
        );
        assert!(
            invalid(silence_input(&bad_matcher, &ctx(Some("me")))).contains("regular expression")
        );
        let bad_duration = request(
            silence,
            "b807e636403824b5",
            &[("comment", "x"), ("duration", "soon")],
        );
        assert!(
            invalid(silence_input(&bad_duration, &ctx(Some("me")))).contains("duration \"soon\"")
        );
        let short = request(
            silence,
            "b807e636403824b5",
            &[("comment", "x"), ("duration", "10s")],
        );
        assert!(invalid(silence_input(&short, &ctx(Some("me")))).contains("too short"));
        let unknown = request(
            silence,
            "b807e636403824b5",
            &[("comment", "x"), ("reason", "y")],
        );
        assert!(
            invalid(silence_input(&unknown, &ctx(Some("me")))).contains("does not take `reason`")
        );
    }

    #[test]
    fn the_tie_to_an_incident_reads_back_from_the_comment() {
        let comment = format!("pool fix deploying {}", tie_marker("Q0PAY0001"));
        assert_eq!(tied_incident(&comment), Some("Q0PAY0001"));
        assert_eq!(tied_incident("pool fix deploying"), None);
        assert_eq!(
            tied_incident("[opsdeck: expires when PagerDuty incident <b> resolves]"),
            None
        );
    }

    #[test]
    fn silence_ids_are_uuids() {
        let expire = ActionKind::AlertmanagerExpireSilence;
        assert!(silence_id(&request(
            expire,
            "befe4d20-7228-4ff8-8d7d-0c24c4312b76",
            &[]
        ))
        .is_ok());
        for bad in [
            "",
            "nope",
            "befe4d20-7228-4ff8-8d7d",
            "befe4d20-7228-4ff8-8d7d-0c24c4312b7g",
        ] {
            match silence_id(&request(expire, bad, &[])) {
                Err(ActionError::Invalid(m)) => assert!(m.contains("not a silence id"), "{m}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        match silence_id(&request(
            expire,
            "befe4d20-7228-4ff8-8d7d-0c24c4312b76",
            &[("comment", "x")],
        )) {
            Err(ActionError::Invalid(m)) => {
                assert!(
                    m.contains("does not take `comment` (it takes reason)"),
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plans_list_every_alert_the_matchers_hide() {
        let source = AlertmanagerSource::new(super::super::AlertmanagerConfig {
            name: "am-eu".into(),
            url: "http://127.0.0.1:9".into(),
            token: None,
            services: std::collections::HashMap::new(),
            http: crate::http::HttpOptions::default(),
            backfill: None,
        })
        .unwrap();
        let observed = |fp: &str, name: &str, service: &str| {
            let raw = json!({
                "labels": {"alertname": name, "service": service},
                "annotations": {}, "receivers": [], "fingerprint": fp,
                "startsAt": "2026-11-22T09:00:00Z", "updatedAt": "2026-11-22T09:00:00Z",
                "endsAt": "2026-11-22T10:05:00Z",
                "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}
            });
            Observed {
                alert: serde_json::from_value(raw.clone()).unwrap(),
                raw,
            }
        };
        let alerts = vec![
            observed("aa01", "HighLatency", "payments-api"),
            observed("bb02", "HighLatency", "billing"),
            observed("cc03", "DiskFull", "payments-api"),
        ];
        let input = |matchers: Option<&str>| SilenceInput {
            fingerprint: "aa01",
            duration: DEFAULT_DURATION,
            comment: "c",
            creator: "me".into(),
            matchers: matchers.map(|m| matchers::parse(m).unwrap()),
            until_resolved: None,
        };
        let now = ctx(None).now;
        let hidden = |m: Option<&str>| -> Vec<String> {
            let plan = source.work_out(&input(m), &alerts, now).unwrap();
            plan.hidden.iter().map(|a| a.fingerprint.clone()).collect()
        };
        assert_eq!(hidden(None), ["aa01"]);
        assert_eq!(hidden(Some("alertname=\"HighLatency\"")), ["aa01", "bb02"]);
        assert_eq!(hidden(Some("service=~\"pay.*\"")), ["aa01", "cc03"]);
        let plan = source.work_out(&input(None), &alerts, now).unwrap();
        assert_eq!(plan.ends_at - plan.starts_at, Duration::hours(2));

        let refuse = |m: &str| match source.work_out(&input(Some(m)), &alerts, now) {
            Err(ActionError::Invalid(msg)) => msg,
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("{m} accepted"),
        };
        assert!(refuse("alertname=\"DiskFull\"").contains("do not match the alert"));
        assert!(refuse("team=~\".*\"").contains("at least one matcher that requires a value"));
        let mut unknown = input(None);
        unknown.fingerprint = "ffff";
        match source.work_out(&unknown, &alerts, now) {
            Err(ActionError::Invalid(m)) => {
                assert!(m.contains("no firing alert with fingerprint ffff"), "{m}")
            }
            _ => panic!("unknown fingerprint accepted"),
        }
    }
}
