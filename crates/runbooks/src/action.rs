//! The YAML of an ```` ```opsdeck ```` block: `action` (a kind such as `kubernetes.scale`),
//! `target` or `service`, and parameters (every other key).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use opsdeck_domain::ActionKind;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::model::ActionStep;
use crate::yaml;

/// The block's action, or `(file line, message)`: the line of the offending key where YAML
/// says, else the block's first line. `first_line` is the file line of the block's content.
pub(crate) fn parse_action(
    content: &str,
    first_line: usize,
) -> Result<ActionStep, (usize, String)> {
    match yaml_serde::from_str::<Option<Raw>>(content) {
        Ok(Some(Raw(action))) => Ok(action),
        Ok(None) => Err((
            first_line,
            "the ```opsdeck block is empty: write `action: <kind>` and a `target` or `service`"
                .into(),
        )),
        Err(err) => Err(yaml::located(&err, first_line)),
    }
}

/// `action:`'s value, checked where it is written so the error has its line.
struct Kind(ActionKind);

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The domain's error lists every known kind.
        yaml::scalar_with(d, |name| {
            name.trim()
                .parse()
                .map(Kind)
                .map_err(|e: opsdeck_domain::UnknownName| e.to_string())
        })
    }
}

/// A target, service or parameter value: text, not empty.
struct Value(String);

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        yaml::scalar_with(d, |v| {
            if v.trim().is_empty() {
                Err("has no value".into())
            } else {
                Ok(Value(v.to_string()))
            }
        })
    }
}

/// Reads a key, refusing a repeated one at its own line.
struct KeySeed<'s>(&'s BTreeSet<String>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        yaml::scalar_with(d, |key| {
            if self.0.contains(key) {
                Err(format!("key \"{key}\" appears twice"))
            } else {
                Ok(key.to_string())
            }
        })
    }
}

struct Raw(ActionStep);

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping: `action: <kind>`, a `target` or `service`, and parameters")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
                let mut kind = None;
                let mut target = None;
                let mut service = None;
                let mut params = BTreeMap::new();
                let mut seen = BTreeSet::new();
                while let Some(key) = map.next_key_seed(KeySeed(&seen))? {
                    match key.as_str() {
                        "action" => kind = Some(map.next_value::<Kind>()?.0),
                        "target" => target = Some(map.next_value::<Value>()?.0),
                        "service" => service = Some(map.next_value::<Value>()?.0),
                        _ => {
                            params.insert(key.clone(), map.next_value::<Value>()?.0);
                        }
                    }
                    seen.insert(key);
                }
                let kind = kind.ok_or_else(|| {
                    de::Error::custom("no `action:` key (e.g. `action: kubernetes.scale`)")
                })?;
                if target.is_some() == service.is_some() {
                    return Err(de::Error::custom(format!(
                        "{kind} needs either `target` ({}) or `service` (resolved by the \
                         config's service mapping), not {}",
                        target_shape(kind),
                        if target.is_some() { "both" } else { "neither" }
                    )));
                }
                Ok(Raw(ActionStep {
                    kind,
                    target,
                    service,
                    params,
                }))
            }
        }
        d.deserialize_map(V)
    }
}

/// What a kind's target looks like (DESIGN "The `opsdeck` command"), for error messages.
fn target_shape(kind: ActionKind) -> &'static str {
    let name = kind.as_str();
    if name.starts_with("pagerduty.") {
        "an incident id"
    } else if name.starts_with("alertmanager.") || name.starts_with("grafana.") {
        "an alert fingerprint or silence id"
    } else if matches!(
        kind,
        ActionKind::KubernetesCordon | ActionKind::KubernetesUncordon
    ) {
        "context/node"
    } else if name.starts_with("kubernetes.") {
        "context/namespace/deployment"
    } else if name.starts_with("github.") {
        "owner/repo/run_id"
    } else {
        "the thing it acts on"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_other_than_action_target_and_service_are_params() {
        let a = parse_action(
            "action: kubernetes.scale\nservice: payments-api\nreplicas: 6\nratio: 1.10\n",
            10,
        )
        .unwrap();
        assert_eq!(a.kind, ActionKind::KubernetesScale);
        assert_eq!(a.service.as_deref(), Some("payments-api"));
        assert_eq!(a.target, None);
        assert_eq!(a.params["replicas"], "6");
        // The scalar's own text: no float reformatting.
        assert_eq!(a.params["ratio"], "1.10");
        let a = parse_action(
            "action: alertmanager.silence\ntarget: '{{fingerprint}}'\nduration: 2h",
            1,
        )
        .unwrap();
        assert_eq!(a.target.as_deref(), Some("{{fingerprint}}"));
    }

    #[test]
    fn problems_name_their_line_and_what_to_write() {
        // The content starts on file line 20.
        let cases: &[(&str, usize, &str)] = &[
            (
                "service: x\naction: kubernetes.scael\n",
                21,
                "kubernetes.scale, kubernetes.restart",
            ),
            ("target: x\n", 20, "no `action:` key"),
            (
                "action: kubernetes.scale\n",
                20,
                "either `target` (context/namespace/deployment)",
            ),
            (
                "action: pagerduty.note\ntarget: a\nservice: b\n",
                20,
                "not both",
            ),
            (
                "action: kubernetes.scale\ntarget: {{ns}}/api\n",
                21,
                "quote a value that starts with a placeholder",
            ),
            (
                "action: kubernetes.scale\ntarget: x\nreplicas:\n",
                22,
                "has no value",
            ),
            (
                "action: kubernetes.scale\ntarget: x\nreplicas: [1, 2]\n",
                22,
                "a single value",
            ),
            ("action: [\n", 20, ""),
            ("", 20, "empty"),
            ("just text", 20, "a mapping"),
            (
                "action: pagerduty.note\ntarget: a\ntarget: b\n",
                22,
                "appears twice",
            ),
        ];
        for (yaml, line, says) in cases {
            let (got_line, message) = parse_action(yaml, 20).expect_err(yaml);
            assert!(message.contains(says), "{yaml:?}: {message}");
            assert_eq!(got_line, *line, "{yaml:?}: {message}");
        }
    }
}
