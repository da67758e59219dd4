//! `GET /api/prometheus/grafana/api/v1/rules`: Grafana's rules in the Prometheus rules API's
//! shape, one group per service in the `opsdeck-sim` folder, each rule `firing` while any of its
//! alerts fires and `inactive` otherwise (rules have no `for` duration, so never `pending`).

use axum::extract::{RawQuery, State};
use axum::Json;
use chrono::{DateTime, DurationRound, SecondsFormat, TimeDelta, Utc};
use serde_json::{json, Value};

use super::GrafanaServer;
use crate::alerting::query::{go_bool, Params};
use crate::alerting::world_now;
use crate::scenario::AlertVia;
use crate::world::annotations::is_private;
use crate::world::rules::FOLDER;
use crate::world::{GrafanaRule, World};

/// How often a group is evaluated, in seconds.
const INTERVAL_SECONDS: i64 = 60;

/// How long an evaluation takes, in seconds (a made-up, plausible figure).
const EVALUATION_SECONDS: f64 = 0.01;

/// Go's `time.Time` in JSON: RFC 3339 with as many fractional digits as needed.
fn go_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(super) async fn list(
    State(server): State<GrafanaServer>,
    RawQuery(raw): RawQuery,
) -> Json<Value> {
    // Grafana reads the flag leniently (`c.QueryBool`): anything but a Go boolean is false.
    let internal = Params::parse(raw.as_deref())
        .first("includeInternalLabels")
        .and_then(go_bool)
        .unwrap_or(false);
    let world = server.inner.live.advance();
    let now = world_now(&server.inner.live, &world);
    // Groups evaluate on the minute; the last evaluation is the latest minute boundary.
    let last_evaluation = now
        .duration_trunc(TimeDelta::seconds(INTERVAL_SECONDS))
        .unwrap_or(now);
    let mut groups: Vec<(&str, Vec<Value>)> = Vec::new();
    for rule in world.grafana_rules() {
        let rendered = render(&world, rule, internal, last_evaluation);
        match groups.iter_mut().find(|(name, _)| *name == rule.group) {
            Some((_, rules)) => rules.push(rendered),
            None => groups.push((&rule.group, vec![rendered])),
        }
    }
    // Grafana lists groups by folder, then name; every rule is in one folder here.
    groups.sort_by(|a, b| a.0.cmp(b.0));
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(name, rules)| {
            json!({
                "name": name,
                "file": FOLDER,
                "rules": rules,
                "interval": INTERVAL_SECONDS,
                "lastEvaluation": go_time(last_evaluation),
                "evaluationTime": EVALUATION_SECONDS,
            })
        })
        .collect();
    Json(json!({"status": "success", "data": {"groups": groups}}))
}

/// One rule and its firing alerts. Without `includeInternalLabels`, Grafana leaves the private
/// `__…__` labels out of the alerts' labels.
fn render(
    world: &World,
    rule: &GrafanaRule,
    internal: bool,
    last_evaluation: DateTime<Utc>,
) -> Value {
    let alerts: Vec<Value> = world
        .alerts()
        .firing(AlertVia::Grafana)
        .filter(|o| o.identity.name == rule.name)
        .map(|occurrence| {
            let mut labels = rule.alert_labels(occurrence);
            if !internal {
                labels.retain(|name, _| !is_private(name));
            }
            json!({
                "labels": labels,
                "annotations": occurrence.annotations,
                "state": "Alerting",
                "activeAt": go_time(occurrence.starts_at),
                "value": "",
            })
        })
        .collect();
    let state = if alerts.is_empty() {
        "inactive"
    } else {
        "firing"
    };
    json!({
        "state": state,
        "name": rule.name,
        "query": rule.query(),
        "duration": 0,
        "labels": rule.labels,
        "annotations": rule.annotations,
        "alerts": alerts,
        "health": "ok",
        "type": "alerting",
        "lastEvaluation": go_time(last_evaluation),
        "evaluationTime": EVALUATION_SECONDS,
    })
}
