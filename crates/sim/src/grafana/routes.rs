//! The endpoints, authentication, and what makes the shared Alertmanager endpoints Grafana's:
//! its alerts' extra labels and links, its receiver, its status, and its error bodies.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{annotations, rules, GrafanaServer, RECEIVER, VERSION};
use crate::alerting::handlers::{
    delete_silence, get_silence, list_alerts, list_silences, post_silence, status,
};
use crate::alerting::query::{go_bool, BadRequest, Params};
use crate::alerting::render::time;
use crate::alerting::{AlertmanagerApi, Refusal, Shown};
use crate::live::LiveWorld;
use crate::observe;
use crate::scenario::AlertVia;
use crate::world::rules::{FOLDER, FOLDER_LABEL};
use crate::world::{AlertOccurrence, SilenceStore, World};

type Server = GrafanaServer;

/// Grafana's built-in Alertmanager, as its API calls it.
const AM: &str = "/api/alertmanager/grafana/api/v2";

pub(crate) fn router(server: GrafanaServer) -> Router {
    Router::new()
        .route(&format!("{AM}/alerts"), get(list_alerts::<Server>))
        .route(
            &format!("{AM}/silences"),
            get(list_silences::<Server>).post(post_silence::<Server>),
        )
        .route(
            &format!("{AM}/silence/{{id}}"),
            get(get_silence::<Server>).delete(delete_silence::<Server>),
        )
        .route(&format!("{AM}/status"), get(status::<Server>))
        .route("/api/prometheus/grafana/api/v1/rules", get(rules::list))
        .route("/api/annotations", get(annotations::list))
        // Only the routes above: an unknown path is 404 with or without a token, as Grafana's
        // router answers before any authentication.
        .route_layer(from_fn(authenticate))
        .route("/api/health", get(health))
        .fallback(|| async { message(StatusCode::NOT_FOUND, "Not found") })
        .layer(from_fn_with_state(
            server.inner.observers.clone(),
            observe::record,
        ))
        .with_state(server)
}

/// Grafana's error body.
pub(super) fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

/// A service-account token: `Authorization: Bearer <token>`, any non-empty token.
async fn authenticate(request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    if token.is_some_and(|t| !t.is_empty()) {
        next.run(request).await
    } else {
        message(StatusCode::UNAUTHORIZED, "Unauthorized")
    }
}

async fn health() -> Json<Value> {
    Json(json!({"commit": "opsdeck-sim", "database": "ok", "version": VERSION}))
}

impl AlertmanagerApi for GrafanaServer {
    const VIA: AlertVia = AlertVia::Grafana;
    const SILENCES: SilenceStore = SilenceStore::Grafana;
    const RECEIVER: &'static str = RECEIVER;

    fn live(&self) -> &LiveWorld {
        &self.inner.live
    }

    /// Grafana reads the flags leniently (`c.QueryBoolWithDefault`): a value that is not a Go
    /// boolean means the default.
    fn flag(params: &Params, name: &str, default: bool) -> Result<bool, BadRequest> {
        Ok(params.first(name).and_then(go_bool).unwrap_or(default))
    }

    /// The labels Grafana's state manager gives the alert (its rule's uid and folder too), and
    /// the link to the rule's page.
    fn shown(&self, world: &World, occurrence: &AlertOccurrence) -> Shown {
        match world.grafana_rule(&occurrence.identity.name) {
            Some(rule) => Shown::new(
                rule.alert_labels(occurrence),
                format!("{}/alerting/grafana/{}/view", self.inner.api_base, rule.uid),
            ),
            // Every `via: grafana` alert has a rule; this keeps a hand-driven world serving.
            None => {
                let mut labels = occurrence.labels.clone();
                labels.insert(FOLDER_LABEL.to_owned(), FOLDER.to_owned());
                Shown::new(labels, format!("{}/alerting/list", self.inner.api_base))
            }
        }
    }

    fn refuse(refusal: Refusal) -> Response {
        match refusal {
            Refusal::BadRequest(text) => message(StatusCode::BAD_REQUEST, &text),
            Refusal::NotFound { message: text, .. } => message(StatusCode::NOT_FOUND, &text),
            Refusal::Internal(text) => message(StatusCode::INTERNAL_SERVER_ERROR, &text),
        }
    }

    /// Grafana accepts a silence with 202.
    fn silence_posted(id: String) -> Response {
        (StatusCode::ACCEPTED, Json(json!({ "silenceID": id }))).into_response()
    }

    fn silence_expired() -> Response {
        message(StatusCode::OK, "silence deleted")
    }

    /// Grafana's status: its embedded Alertmanager is not clustered and reports no build, and
    /// its configuration is Grafana's alerting configuration (the default email contact point).
    fn status(&self) -> Value {
        json!({
            "cluster": {"status": "disabled", "peers": []},
            "versionInfo": {
                "version": "N/A",
                "revision": "N/A",
                "branch": "N/A",
                "buildUser": "N/A",
                "buildDate": "N/A",
                "goVersion": "N/A",
            },
            "config": {
                "route": {
                    "receiver": RECEIVER,
                    "group_by": [FOLDER_LABEL, "alertname"],
                },
                "receivers": [{
                    "name": RECEIVER,
                    "grafana_managed_receiver_configs": [{
                        "uid": "",
                        "name": "email receiver",
                        "type": "email",
                        "disableResolveMessage": false,
                        "settings": {"addresses": "<example@email.com>"},
                    }],
                }],
            },
            "uptime": time(self.inner.started),
        })
    }
}
