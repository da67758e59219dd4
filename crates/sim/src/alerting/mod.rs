//! Alertmanager's API v2 as two simulated vendors serve it: the simulated Alertmanager itself
//! (the scenario's `via: prometheus` alerts, under `/api/v2`) and Grafana's built-in
//! Alertmanager (its `via: grafana` alerts, under `/api/alertmanager/grafana/api/v2`). Grafana
//! embeds Alertmanager, so alerts, silences, filters and refusals follow the same rules; one
//! set of handlers serves both, and an [`AlertmanagerApi`] says what differs: which alerts and
//! which silences, the labels and links each vendor adds, and how it words answers and errors.

pub(crate) mod handlers;
pub(crate) mod query;
pub(crate) mod render;

use axum::response::Response;
use chrono::{DateTime, Utc};
use opsdeck_domain::matchers::LabelSet;
use serde_json::Value;

use crate::live::LiveWorld;
use crate::scenario::AlertVia;
use crate::world::{fingerprint, AlertOccurrence, SilenceStore, World};

/// One vendor's flavour of the Alertmanager API.
pub(crate) trait AlertmanagerApi: Clone + Send + Sync + 'static {
    /// Whose alerts it serves.
    const VIA: AlertVia;
    /// Whose silences it keeps.
    const SILENCES: SilenceStore;
    /// The one receiver its configuration routes every alert to.
    const RECEIVER: &'static str;

    fn live(&self) -> &LiveWorld;

    /// Reads a boolean query parameter of `GET /alerts`. Alertmanager refuses anything but a
    /// Go boolean.
    fn flag(params: &query::Params, name: &str, default: bool) -> Result<bool, query::BadRequest> {
        params.flag(name, default)
    }

    /// How the vendor shows a firing occurrence: its labels (which silences and filters match)
    /// and the link back to whatever generated it.
    fn shown(&self, world: &World, occurrence: &AlertOccurrence) -> Shown;

    /// A refused request, in the vendor's words.
    fn refuse(refusal: Refusal) -> Response;

    /// The answer to a silence created or updated as `id`.
    fn silence_posted(id: String) -> Response;

    /// The answer to a silence expired on request.
    fn silence_expired() -> Response;

    /// `GET …/api/v2/status`.
    fn status(&self) -> Value;
}

/// An alert's labels and generator link as a vendor shows them.
pub(crate) struct Shown {
    pub labels: LabelSet,
    /// Prometheus' fingerprint of `labels`: Alertmanager identifies an alert by the labels it
    /// received, so a vendor that adds labels gets another fingerprint.
    pub fingerprint: String,
    pub generator_url: String,
}

impl Shown {
    pub(crate) fn new(labels: LabelSet, generator_url: String) -> Shown {
        Shown {
            fingerprint: fingerprint(&labels),
            labels,
            generator_url,
        }
    }
}

/// Why a request was refused; each vendor renders it its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 400: a malformed query or silence.
    BadRequest(String),
    /// 404: no such silence. `explained` when Alertmanager says so in its body (it answers a
    /// lookup or delete with an empty body, an update of an unknown silence with a reason).
    NotFound { message: String, explained: bool },
    /// 500: what Alertmanager reports as an internal error (expiring an expired silence).
    Internal(String),
}

impl From<query::BadRequest> for Refusal {
    fn from(e: query::BadRequest) -> Refusal {
        Refusal::BadRequest(e.0)
    }
}

/// Now for the world: the clock's, unless a test has moved the world further on, so that
/// states and actions are never earlier than what the world has already seen.
pub(crate) fn world_now(live: &LiveWorld, world: &World) -> DateTime<Utc> {
    let now = live.now();
    world.advanced_to().map_or(now, |t| t.max(now))
}
