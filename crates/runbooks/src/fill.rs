//! Filling a step's `{{placeholders}}` from the incident: `{{service}}`, `{{namespace}}`,
//! `{{alert}}`, `{{labels.instance}}`… Pure: the caller passes the variables.
//!
//! Rules: a placeholder is `{{ name }}` with a name of letters, digits, `_`, `.` and `-`;
//! anything else between braces is left as written. A variable that is missing or empty leaves
//! its placeholder in place and is reported: an action with any left is not runnable; a
//! command with any left is still shown (the user can edit it after copying). Values are
//! inserted as they are, never scanned again, so a label value cannot smuggle in placeholders.

use std::collections::BTreeMap;

use opsdeck_domain::{ActionKind, ActionRequest};
use serde::Serialize;

use crate::link::AlertRef;
use crate::model::{ActionStep, Step};

/// Variables by name, as [`alert_vars`] builds them from an alert.
pub type Vars = BTreeMap<String, String>;

/// Text with its placeholders filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilledText {
    pub text: String,
    /// Placeholders left in the text (no value), in order of first appearance.
    pub unfilled: Vec<String>,
    /// Placeholders whose value holds characters a shell would interpret (spaces, `;`, `$`,
    /// quotes…): a command built from alert labels deserves a look before it is pasted.
    pub needs_review: Vec<String>,
}

/// An action with every placeholder filled: ready to plan once a `service` is resolved to its
/// target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilledAction {
    pub kind: ActionKind,
    pub target: Option<String>,
    pub service: Option<String>,
    pub params: BTreeMap<String, String>,
}

/// A step's action and command, filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledStep {
    pub action: Option<Result<FilledAction, FillError>>,
    pub command: Option<FilledText>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FillError {
    #[error(
        "the action cannot run: no value for {} (the incident does not say; edit the \
         runbook or run the action by hand)",
        braces(placeholders)
    )]
    Unfilled { placeholders: Vec<String> },
    #[error("service {service:?} is not in the config's service mapping: add it to [[services]] or give the step a `target`")]
    UnknownService { service: String },
}

fn braces(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{{{{{n}}}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fills `text`.
pub fn fill_text(text: &str, vars: &Vars) -> FilledText {
    let mut out = String::with_capacity(text.len());
    let mut unfilled: Vec<String> = Vec::new();
    let mut needs_review: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match placeholder(after) {
            Some((name, len)) => {
                match vars.get(name).filter(|v| !v.is_empty()) {
                    Some(value) => {
                        out.push_str(value);
                        if !shell_safe(value) && !needs_review.iter().any(|n| n == name) {
                            needs_review.push(name.to_string());
                        }
                    }
                    None => {
                        out.push_str(&rest[open..open + 2 + len]);
                        if !unfilled.iter().any(|n| n == name) {
                            unfilled.push(name.to_string());
                        }
                    }
                }
                rest = &after[len..];
            }
            None => {
                // Not a placeholder: keep one brace and look again from the next one, so
                // `{{{x}}}` still finds `{{x}}`.
                out.push('{');
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    FilledText {
        text: out,
        unfilled,
        needs_review,
    }
}

/// `  name }}…` → (`name`, length through the closing braces).
fn placeholder(after_open: &str) -> Option<(&str, usize)> {
    let close = after_open.find("}}")?;
    let name = after_open[..close].trim();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'));
    valid.then_some((name, close + 2))
}

/// Letters, digits and `_./:@%+=,-`: what needs no quoting in a POSIX shell.
fn shell_safe(value: &str) -> bool {
    value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_./:@%+=,-".contains(c))
}

/// Fills an action's target, service and parameter values. Any placeholder left is an error
/// naming them all: an action must never run against a half-filled target.
pub fn fill_action(action: &ActionStep, vars: &Vars) -> Result<FilledAction, FillError> {
    let mut unfilled: Vec<String> = Vec::new();
    let mut fill = |text: &str| {
        let filled = fill_text(text, vars);
        for name in filled.unfilled {
            if !unfilled.contains(&name) {
                unfilled.push(name);
            }
        }
        filled.text
    };
    let target = action.target.as_deref().map(&mut fill);
    let service = action.service.as_deref().map(&mut fill);
    let params = action
        .params
        .iter()
        .map(|(k, v)| (k.clone(), fill(v)))
        .collect();
    if !unfilled.is_empty() {
        return Err(FillError::Unfilled {
            placeholders: unfilled,
        });
    }
    Ok(FilledAction {
        kind: action.kind,
        target,
        service,
        params,
    })
}

/// Fills a step's action and command.
pub fn fill_step(step: &Step, vars: &Vars) -> FilledStep {
    FilledStep {
        action: step.action.as_ref().map(|a| fill_action(a, vars)),
        command: step.command.as_deref().map(|c| fill_text(c, vars)),
    }
}

impl FilledAction {
    /// The request to plan. A step that names a `service` gets its target from
    /// `resolve_service` (the config's service mapping, which this crate does not read).
    pub fn to_request(
        &self,
        resolve_service: impl FnOnce(&str) -> Option<String>,
    ) -> Result<ActionRequest, FillError> {
        let target = match (&self.target, &self.service) {
            (Some(target), _) => target.clone(),
            (None, Some(service)) => {
                resolve_service(service).ok_or_else(|| FillError::UnknownService {
                    service: service.clone(),
                })?
            }
            // Parsing refuses an action with neither; say so rather than panic.
            (None, None) => {
                return Err(FillError::Unfilled {
                    placeholders: vec!["target".into()],
                })
            }
        };
        Ok(ActionRequest {
            kind: self.kind,
            target,
            params: self.params.clone(),
        })
    }
}

/// The variables an alert offers: `alert` and `alertname` (its name), `labels.<name>` for
/// every label, and each label under its own name too (`service`, `namespace`, `instance`…)
/// unless that would shadow `alert`. The caller adds incident facts (`incident`, …) on top.
pub fn alert_vars(alert: &AlertRef<'_>) -> Vars {
    let mut vars = Vars::new();
    for (name, value) in alert.labels {
        vars.insert(format!("labels.{name}"), value.clone());
        vars.insert(name.clone(), value.clone());
    }
    vars.insert("alert".into(), alert.name.to_string());
    vars.insert("alertname".into(), alert.name.to_string());
    if let Some(url) = alert.runbook_url {
        vars.insert("runbook_url".into(), url.to_string());
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn placeholders_fill_and_the_rest_is_reported() {
        let v = vars(&[
            ("service", "payments-api"),
            ("labels.instance", "10.0.0.7:9090"),
            ("empty", ""),
        ]);
        let f = fill_text(
            "kubectl -n {{namespace}} logs {{ service }} # {{labels.instance}} {{empty}} {{namespace}}",
            &v,
        );
        assert_eq!(
            f.text,
            "kubectl -n {{namespace}} logs payments-api # 10.0.0.7:9090 {{empty}} {{namespace}}"
        );
        assert_eq!(f.unfilled, ["namespace", "empty"]);
        assert!(f.needs_review.is_empty());
    }

    #[test]
    fn braces_that_are_not_placeholders_stay() {
        let v = vars(&[("x", "1")]);
        for (text, want) in [
            ("{{{x}}}", "{1}"),
            ("{{ not a name }}", "{{ not a name }}"),
            ("{{}} {{", "{{}} {{"),
            ("awk '{print $1}'", "awk '{print $1}'"),
            ("{{x}}{{x}}", "11"),
            ("ünï {{x}} ✓", "ünï 1 ✓"),
        ] {
            assert_eq!(fill_text(text, &v).text, want, "{text}");
        }
    }

    #[test]
    fn values_are_not_scanned_again_and_risky_ones_are_flagged() {
        let v = vars(&[("a", "{{b}}"), ("b", "x"), ("pod", "web; rm -rf /")]);
        let f = fill_text("{{a}} {{pod}}", &v);
        assert_eq!(f.text, "{{b}} web; rm -rf /");
        assert!(f.unfilled.is_empty());
        // Braces are shell syntax too.
        assert_eq!(f.needs_review, ["a", "pod"]);
    }

    fn scale() -> ActionStep {
        ActionStep {
            kind: ActionKind::KubernetesScale,
            target: Some("{{context}}/{{namespace}}/{{service}}".into()),
            service: None,
            params: [("replicas".to_string(), "{{replicas}}".to_string())].into(),
        }
    }

    #[test]
    fn an_action_with_a_placeholder_left_is_refused_naming_them() {
        let err = fill_action(&scale(), &vars(&[("service", "api")])).unwrap_err();
        assert_eq!(
            err,
            FillError::Unfilled {
                placeholders: vec!["context".into(), "namespace".into(), "replicas".into()]
            }
        );
        let shown = err.to_string();
        assert!(
            shown.contains("{{context}}, {{namespace}}, {{replicas}}"),
            "{shown}"
        );

        let ok = fill_action(
            &scale(),
            &vars(&[
                ("context", "prod-eu"),
                ("namespace", "payments"),
                ("service", "payments-api"),
                ("replicas", "6"),
            ]),
        )
        .unwrap();
        let request = ok.to_request(|_| None).unwrap();
        assert_eq!(request.target, "prod-eu/payments/payments-api");
        assert_eq!(request.params["replicas"], "6");
    }

    #[test]
    fn a_service_resolves_through_the_callers_mapping() {
        let action = ActionStep {
            kind: ActionKind::KubernetesRestart,
            target: None,
            service: Some("{{service}}".into()),
            params: BTreeMap::new(),
        };
        let filled = fill_action(&action, &vars(&[("service", "payments-api")])).unwrap();
        let req = filled
            .to_request(|s| (s == "payments-api").then(|| "prod-eu/payments/payments-api".into()))
            .unwrap();
        assert_eq!(req.target, "prod-eu/payments/payments-api");
        let err = filled.to_request(|_| None).unwrap_err();
        assert!(
            matches!(err, FillError::UnknownService { ref service } if service == "payments-api")
        );
    }

    #[test]
    fn alert_vars_offer_labels_both_ways() {
        let labels = vars(&[
            ("service", "payments-api"),
            ("instance", "i-1"),
            ("alert", "shadow"),
        ]);
        let alert = AlertRef {
            name: "HighLatency",
            labels: &labels,
            runbook_url: None,
        };
        let v = alert_vars(&alert);
        assert_eq!(v["alert"], "HighLatency");
        assert_eq!(v["labels.alert"], "shadow");
        assert_eq!(v["labels.instance"], "i-1");
        assert_eq!(v["service"], "payments-api");
    }
}
