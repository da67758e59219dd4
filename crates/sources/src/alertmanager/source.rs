//! Polling one Alertmanager through its API v2: every alert it holds (active, silenced,
//! inhibited and unprocessed) and its silences, diffed against what the previous poll saw.
//!
//! Alertmanager has no authentication of its own; when it sits behind a proxy that wants a
//! token, the configured token goes out as `Authorization: Bearer …`. It has no request budget
//! either (it is the team's own server), and one poll is two requests, so there is no quick
//! poll: the full poll is as cheap.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use opsdeck_domain::{ActionKind, ActionRequest, Effect, NewEntry, SourceKind};
use reqwest::header::AUTHORIZATION;
use serde_json::Value;
use url::Url;

use super::backfill;
use super::diff::{diff, Observed, State};
use super::map::Mapping;
use super::wire::{Alert, Silence};
use crate::http::{HttpOptions, JsonClient};
use crate::prometheus::PrometheusSource;
use crate::{ActionContext, ActionError, PollContext, PollOutput, Source, SourceError};

pub(super) const ACCEPT: &str = "application/json";

/// Who speaks Alertmanager's API v2: Alertmanager itself, or Grafana's built-in Alertmanager
/// (its alerting API serves the same alerts and silences below its own prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flavor {
    pub kind: SourceKind,
    pub vendor: &'static str,
    /// Where the API v2 lives below the base URL.
    pub api: &'static str,
    pub silence: ActionKind,
    pub expire: ActionKind,
}

pub const ALERTMANAGER: Flavor = Flavor {
    kind: SourceKind::Alertmanager,
    vendor: "Alertmanager",
    api: "api/v2/",
    silence: ActionKind::AlertmanagerSilence,
    expire: ActionKind::AlertmanagerExpireSilence,
};

pub const GRAFANA: Flavor = Flavor {
    kind: SourceKind::Grafana,
    vendor: "Grafana",
    api: "api/alertmanager/grafana/api/v2/",
    silence: ActionKind::GrafanaSilence,
    expire: ActionKind::GrafanaExpireSilence,
};
/// Every alert Alertmanager holds, whatever silences, inhibitions or processing say: a
/// silenced alert is still firing, and the timeline shows it as such.
const ALERTS_QUERY: [(&str, &str); 4] = [
    ("active", "true"),
    ("silenced", "true"),
    ("inhibited", "true"),
    ("unprocessed", "true"),
];

pub struct AlertmanagerConfig {
    /// Unique among sources; several Alertmanagers are several sources.
    pub name: String,
    /// The base URL, e.g. `http://alertmanager:9093` or a proxy's `https://host/alertmanager`;
    /// the API is under `api/v2/` below it.
    pub url: String,
    /// For a proxy in front of Alertmanager, sent as `Authorization: Bearer …`. Never logged.
    pub token: Option<String>,
    /// Value of the alerts' `service` label → opsdeck service name.
    pub services: HashMap<String, String>,
    pub http: HttpOptions,
    /// The Prometheus whose `ALERTS` series tell what fired and resolved during a gap.
    pub backfill: Option<Arc<PrometheusSource>>,
}

/// A poll this long after the previous one looks in Prometheus for what it missed.
const GAP: chrono::Duration = chrono::Duration::minutes(2);

pub struct AlertmanagerSource {
    pub(super) flavor: Flavor,
    backfill: Option<Arc<PrometheusSource>>,
    pub(crate) client: JsonClient,
    pub(crate) mapping: Mapping,
    /// The URL as shown in plans: without any credentials or query it may have been given.
    pub(super) shown_url: String,
}

impl AlertmanagerSource {
    pub fn new(config: AlertmanagerConfig) -> Result<AlertmanagerSource, SourceError> {
        AlertmanagerSource::with_flavor(config, ALERTMANAGER)
    }

    /// The same source for another speaker of the API, such as Grafana; its token is required
    /// there and checked by the caller.
    pub fn with_flavor(
        config: AlertmanagerConfig,
        flavor: Flavor,
    ) -> Result<AlertmanagerSource, SourceError> {
        let bearer = config
            .token
            .as_ref()
            .map(|t| format!("Bearer {}", t.trim()));
        // Alertmanager has no auth of its own; a token is for a proxy in front of it.
        let auth = bearer.as_deref().map(|value| (AUTHORIZATION, value));
        let client = JsonClient::new(flavor.vendor, &config.url, auth, &[], config.http)?;
        Ok(AlertmanagerSource {
            flavor,
            backfill: config.backfill,
            shown_url: shown_url(client.base()),
            client,
            mapping: Mapping {
                source: flavor.kind,
                source_name: config.name,
                services: config.services,
            },
        })
    }

    /// Every alert Alertmanager lists now, each with the JSON it came in.
    pub(super) async fn alerts(&self) -> Result<Vec<Observed>, SourceError> {
        let query: Vec<(&str, String)> = ALERTS_QUERY
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        let body = self
            .client
            .get_json::<Vec<Alert>>(&self.path("alerts"), &query, ACCEPT)
            .await?;
        let raws = match body.raw {
            Value::Array(items) => items,
            _ => Vec::new(),
        };
        Ok(body
            .value
            .into_iter()
            .zip(raws)
            .map(|(alert, raw)| Observed { alert, raw })
            .collect())
    }

    /// Every silence Alertmanager keeps (active, pending, and expired ones until they are
    /// garbage-collected), by id.
    pub(super) async fn silences(&self) -> Result<HashMap<String, Silence>, SourceError> {
        let body = self
            .client
            .get_json::<Vec<Silence>>(&self.path("silences"), &[], ACCEPT)
            .await?;
        Ok(body.value.into_iter().map(|s| (s.id.clone(), s)).collect())
    }

    /// One silence; `SourceError::NotFound` when Alertmanager has none by that id.
    pub(super) async fn silence(&self, id: &str) -> Result<Silence, SourceError> {
        let body = self
            .client
            .get_json::<Silence>(&self.path(&format!("silence/{id}")), &[], ACCEPT)
            .await?;
        Ok(body.value)
    }

    /// An API path below the base URL.
    pub(super) fn path(&self, rest: &str) -> String {
        format!("{}{rest}", self.flavor.api)
    }

    pub(super) fn environment(&self) -> String {
        format!(
            "{} {} at {}",
            self.flavor.vendor, self.mapping.source_name, self.shown_url
        )
    }

    /// How the user names this source in messages: "Alertmanager am-eu", "Grafana grafana".
    pub(super) fn called(&self) -> String {
        format!("{} {}", self.flavor.vendor, self.mapping.source_name)
    }

    /// One poll's alerts and silences, diffed against the previous poll's cursor.
    pub(crate) async fn poll_alerts(
        &self,
        ctx: &PollContext,
        cursor: Option<&str>,
    ) -> Result<(Vec<NewEntry>, String, Vec<opsdeck_domain::Silence>), SourceError> {
        let previous = State::from_cursor(cursor);
        let gap_from = previous.polled_at.filter(|t| ctx.now - *t > GAP);
        let mut known: HashSet<String> = previous
            .firing
            .keys()
            .filter_map(|key| key.split_once('@').map(|(fp, _)| fp.to_string()))
            .collect();
        let (alerts, silences) = tokio::try_join!(self.alerts(), self.silences())?;
        known.extend(alerts.iter().map(|o| o.alert.fingerprint.clone()));
        let mut diff = diff(previous, alerts, &silences, ctx.now, &self.mapping);
        let mut kept: Vec<opsdeck_domain::Silence> = silences
            .values()
            .map(|s| s.to_domain(&self.mapping.source_name))
            .collect();
        kept.sort_by(|a, b| a.id.cmp(&b.id));
        diff.next.polled_at = Some(ctx.now);
        if let (Some(from), Some(prometheus)) = (gap_from, &self.backfill) {
            match backfill::missed(prometheus, from, ctx.now, &known, &self.mapping).await {
                Ok(missed) => diff.entries.extend(missed),
                Err(e) => {
                    // Keep the gap open: the next poll asks Prometheus again from the same start.
                    tracing::warn!(source = %self.mapping.source_name, %e, "backfill from Prometheus failed");
                    diff.next.polled_at = Some(from);
                }
            }
        }
        let cursor = diff
            .next
            .to_cursor()
            .map_err(|e| SourceError::Config(format!("cannot save the cursor: {e}")))?;
        Ok((diff.entries, cursor, kept))
    }
}

/// The base URL without userinfo, query or fragment, for showing to the user.
fn shown_url(base: &Url) -> String {
    let mut url = base.clone();
    // Only fails for URLs that cannot have credentials at all, which then have none to hide.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.set_fragment(None);
    url.as_str().trim_end_matches('/').to_string()
}

#[async_trait]
impl Source for AlertmanagerSource {
    fn name(&self) -> &str {
        &self.mapping.source_name
    }

    fn kind(&self) -> SourceKind {
        self.flavor.kind
    }

    async fn poll(&self, ctx: &PollContext) -> Result<PollOutput, SourceError> {
        let (entries, cursor, silences) = self.poll_alerts(ctx, ctx.cursor.as_deref()).await?;
        Ok(PollOutput {
            entries,
            cursor: Some(cursor),
            me: None,
            oncall: None,
            silences: Some(silences),
        })
    }

    async fn plan_action(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<Effect, ActionError> {
        self.plan(request, ctx).await
    }

    async fn execute_action(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<String, ActionError> {
        self.execute(request, ctx).await
    }

    async fn tied_silences(&self) -> Result<Vec<(String, String)>, SourceError> {
        self.tied().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_url_never_carries_credentials() {
        let url =
            Url::parse("https://ops:s3cret@proxy.example.test/alertmanager/?token=abc#x").unwrap();
        assert_eq!(shown_url(&url), "https://proxy.example.test/alertmanager");
    }

    #[test]
    fn builds_with_and_without_a_token() {
        for token in [None, Some("proxy-token".to_string())] {
            let source = AlertmanagerSource::new(AlertmanagerConfig {
                name: "am".into(),
                url: "http://127.0.0.1:9093".into(),
                token,
                services: HashMap::new(),
                http: HttpOptions::default(),
                backfill: None,
            })
            .expect("builds");
            assert_eq!(source.name(), "am");
            assert_eq!(source.kind(), SourceKind::Alertmanager);
            assert!(source.budget().is_none());
        }
        let bad = AlertmanagerSource::new(AlertmanagerConfig {
            name: "am".into(),
            url: "not a url".into(),
            token: None,
            services: HashMap::new(),
            http: HttpOptions::default(),
            backfill: None,
        });
        assert!(matches!(bad, Err(SourceError::Config(_))));
    }
}
