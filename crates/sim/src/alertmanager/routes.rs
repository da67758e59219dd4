//! The endpoints, and what makes them Alertmanager's: the scenario's `via: prometheus` alerts
//! with Prometheus' generator links, and Alertmanager's refusals — 400 with a JSON string
//! saying why, 404 with an empty body for a silence that does not exist (with a JSON string
//! when updating one), 500 with a JSON string for a silence that already expired.

use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{AlertmanagerServer, PROMETHEUS_UI, RECEIVER};
use crate::alerting::handlers::{
    delete_silence, get_silence, list_alerts, list_silences, post_silence, status,
};
use crate::alerting::render::time;
use crate::alerting::{AlertmanagerApi, Refusal, Shown};
use crate::live::LiveWorld;
use crate::observe;
use crate::scenario::AlertVia;
use crate::world::{AlertOccurrence, SilenceStore, World};

type Server = AlertmanagerServer;

pub(crate) fn router(server: AlertmanagerServer) -> Router {
    Router::new()
        .route("/api/v2/alerts", get(list_alerts::<Server>))
        .route(
            "/api/v2/silences",
            get(list_silences::<Server>).post(post_silence::<Server>),
        )
        .route(
            "/api/v2/silence/{id}",
            get(get_silence::<Server>).delete(delete_silence::<Server>),
        )
        .route("/api/v2/status", get(status::<Server>))
        .route("/api/v2/receivers", get(receivers))
        .route("/-/healthy", get(|| async { "OK" }))
        .route("/-/ready", get(|| async { "OK" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found\n") })
        .layer(from_fn_with_state(
            server.inner.observers.clone(),
            observe::record,
        ))
        .with_state(server)
}

impl AlertmanagerApi for AlertmanagerServer {
    const VIA: AlertVia = AlertVia::Prometheus;
    const SILENCES: SilenceStore = SilenceStore::Alertmanager;
    const RECEIVER: &'static str = RECEIVER;

    fn live(&self) -> &LiveWorld {
        &self.inner.live
    }

    /// Prometheus' labels as they are, and its link to the rule's expression.
    fn shown(&self, _world: &World, occurrence: &AlertOccurrence) -> Shown {
        Shown::new(
            occurrence.labels.clone(),
            generator_url(&occurrence.identity.name),
        )
    }

    fn refuse(refusal: Refusal) -> Response {
        match refusal {
            Refusal::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, Json(message)).into_response()
            }
            Refusal::NotFound {
                message,
                explained: true,
            } => (StatusCode::NOT_FOUND, Json(message)).into_response(),
            Refusal::NotFound { .. } => StatusCode::NOT_FOUND.into_response(),
            Refusal::Internal(message) => {
                (StatusCode::INTERNAL_SERVER_ERROR, Json(message)).into_response()
            }
        }
    }

    fn silence_posted(id: String) -> Response {
        Json(json!({ "silenceID": id })).into_response()
    }

    /// Alertmanager answers an expiry with 200 and no body.
    fn silence_expired() -> Response {
        StatusCode::OK.into_response()
    }

    fn status(&self) -> Value {
        json!({
            "cluster": {"status": "disabled", "peers": []},
            "versionInfo": {
                "version": "0.34.0",
                "revision": "opsdeck-sim",
                "branch": "opsdeck-sim",
                "buildUser": "opsdeck",
                "buildDate": "",
                "goVersion": "none (simulated)",
            },
            "config": {"original": format!(
                "route:\n  receiver: {RECEIVER}\nreceivers:\n  - name: {RECEIVER}\n"
            )},
            "uptime": time(self.inner.started),
        })
    }
}

/// Prometheus' link to the rule's expression in its graph page.
pub(crate) fn generator_url(alertname: &str) -> String {
    let expr = format!("ALERTS{{alertname=\"{alertname}\"}}");
    let encoded: String = url::form_urlencoded::byte_serialize(expr.as_bytes()).collect();
    format!("{PROMETHEUS_UI}/graph?g0.expr={encoded}&g0.tab=1")
}

async fn receivers() -> Json<Value> {
    Json(json!([{ "name": RECEIVER }]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_urls_point_at_the_rule_expression() {
        assert_eq!(
            generator_url("DBConnectionPoolExhausted"),
            "http://prometheus.example.test:9090/graph?g0.expr=ALERTS%7Balertname%3D%22DBConnectionPoolExhausted%22%7D&g0.tab=1"
        );
    }
}
