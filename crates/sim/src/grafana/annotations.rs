//! `GET /api/annotations`: Grafana's annotation search, newest first.
//!
//! Filters as Grafana 9.5 applies them: `from` and `to` (epoch milliseconds) only together,
//! keeping annotations whose time lies within `[from, to]`; `type=alert` keeps state-history
//! annotations and `type=annotation` the others (any other type is no filter); `tags`
//! (repeated) must all be on the annotation, or any of them with `matchAny=true`; `alertId`,
//! `userId`, `dashboardId` and `panelId` keep equal ones when not 0; `limit` defaults to 100.
//! `dashboardUID` is accepted and ignored (no annotation here is on a dashboard).
//!
//! One deliberate difference: Grafana reads a number it cannot parse as 0 (no filter), which
//! hides a client's mistake; the simulator refuses it with 400 naming the parameter, so such
//! a mistake fails loudly in tests.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::routes::message;
use super::GrafanaServer;
use crate::alerting::query::{go_bool, Params};
use crate::world::GrafanaAnnotation;

/// Grafana's page size when `limit` is absent or 0.
const DEFAULT_LIMIT: i64 = 100;

pub(super) async fn list(State(server): State<GrafanaServer>, RawQuery(raw): RawQuery) -> Response {
    let query = match Query::parse(&Params::parse(raw.as_deref())) {
        Ok(query) => query,
        Err(text) => return message(StatusCode::BAD_REQUEST, &text),
    };
    let world = server.inner.live.advance();
    let mut found: Vec<&GrafanaAnnotation> = world
        .annotations()
        .all()
        .iter()
        .filter(|a| query.keeps(a))
        .collect();
    found.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
    let list: Vec<Value> = found
        .into_iter()
        .take(usize::try_from(query.limit).unwrap_or(usize::MAX))
        .map(render)
        .collect();
    Json(Value::Array(list)).into_response()
}

/// What kind of annotation `type` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Any,
    Alert,
    Annotation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    from: i64,
    to: i64,
    limit: i64,
    alert_id: i64,
    user_id: i64,
    dashboard_id: i64,
    panel_id: i64,
    kind: Kind,
    tags: Vec<String>,
    match_any: bool,
}

impl Query {
    fn parse(params: &Params) -> Result<Query, String> {
        let number = |name: &str| -> Result<i64, String> {
            match params.first(name) {
                None | Some("") => Ok(0),
                Some(text) => text.parse().map_err(|_| {
                    format!("invalid {name}: {text:?} is not an integer (epoch milliseconds for from and to)")
                }),
            }
        };
        let limit = number("limit")?;
        Ok(Query {
            from: number("from")?,
            to: number("to")?,
            limit: if limit <= 0 { DEFAULT_LIMIT } else { limit },
            alert_id: number("alertId")?,
            user_id: number("userId")?,
            dashboard_id: number("dashboardId")?,
            panel_id: number("panelId")?,
            kind: match params.first("type") {
                Some("alert") => Kind::Alert,
                Some("annotation") => Kind::Annotation,
                _ => Kind::Any,
            },
            tags: params
                .all("tags")
                .into_iter()
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            // Grafana reads it leniently: anything but a Go boolean is false.
            match_any: params.first("matchAny").and_then(go_bool).unwrap_or(false),
        })
    }

    fn keeps(&self, annotation: &GrafanaAnnotation) -> bool {
        let time = annotation.time.timestamp_millis();
        let alert_id = i64::try_from(annotation.alert_id()).unwrap_or(i64::MAX);
        // Nothing here has a user, dashboard or panel: those ids are 0.
        let in_window = self.from <= 0 || self.to <= 0 || (self.from <= time && time <= self.to);
        let kind = match self.kind {
            Kind::Any => true,
            Kind::Alert => alert_id > 0,
            Kind::Annotation => alert_id == 0,
        };
        let tagged = |tag: &String| annotation.tags.contains(tag);
        let tags = self.tags.is_empty()
            || if self.match_any {
                self.tags.iter().any(tagged)
            } else {
                self.tags.iter().all(tagged)
            };
        in_window
            && kind
            && tags
            && (self.alert_id == 0 || self.alert_id == alert_id)
            && self.user_id == 0
            && self.dashboard_id == 0
            && self.panel_id == 0
    }
}

/// Grafana's `ItemDTO`. Times are epoch milliseconds; a point annotation ends when it starts.
fn render(annotation: &GrafanaAnnotation) -> Value {
    let time = annotation.time.timestamp_millis();
    let transition = annotation.transition.as_ref();
    json!({
        "id": annotation.id,
        "alertId": annotation.alert_id(),
        "alertName": transition.map_or("", |t| t.rule_name.as_str()),
        "dashboardId": 0,
        "dashboardUID": "",
        "panelId": 0,
        "userId": 0,
        "newState": transition.map_or("", |t| t.new_state.as_str()),
        "prevState": transition.map_or("", |t| t.prev_state.as_str()),
        "created": time,
        "updated": time,
        "time": time,
        "timeEnd": time,
        "text": annotation.text,
        "tags": annotation.tags,
        "login": "",
        "email": "",
        "avatarUrl": "",
        "data": {},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(raw: &str) -> Result<Query, String> {
        Query::parse(&Params::parse(Some(raw)))
    }

    #[test]
    fn defaults_and_lenient_words_follow_grafana() {
        let q = query("type=dashboard&matchAny=maybe&tags=a&tags=&tags=b").expect("parses");
        assert_eq!(q.limit, 100);
        assert_eq!(q.kind, Kind::Any);
        assert!(!q.match_any);
        assert_eq!(q.tags, ["a", "b"]);
        assert_eq!(query("limit=0").expect("parses").limit, 100);
        assert_eq!(
            query("limit=3&type=alert").expect("parses").kind,
            Kind::Alert
        );
    }

    #[test]
    fn bad_numbers_name_their_parameter() {
        let e = query("from=yesterday").expect_err("not a number");
        assert!(e.starts_with("invalid from: \"yesterday\""), "{e}");
        let e = query("limit=1.5").expect_err("not an integer");
        assert!(e.starts_with("invalid limit"), "{e}");
    }
}
