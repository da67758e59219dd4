//! Polling one Grafana: its alerts and silences (diffed as an Alertmanager's are) and the
//! annotations made since the last poll, in one cursor.
//!
//! Annotations are fetched by their time, from the previous poll's now less an overlap (an
//! annotation is often written a little after the moment it marks), so a re-sent annotation is
//! the same entry again, never a duplicate. An annotation edited long after its time is not seen
//! again.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::{ActionRequest, Effect, SourceKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::annotations::{millis, Annotation, AnnotationMapping};
use super::history::{self, StateChange};
use super::rules::{by_alertname, RulesAnswer};
use crate::alertmanager::backfill;
use crate::alertmanager::{AlertmanagerConfig, AlertmanagerSource, GRAFANA};
use crate::http::HttpOptions;
use crate::{ActionContext, ActionError, PollContext, PollOutput, Source, SourceError};

const ACCEPT: &str = "application/json";
/// How far before the previous poll the next one looks again for annotations.
const OVERLAP: Duration = Duration::minutes(5);
/// Grafana answers at most this many annotations per request (its default is 100).
const LIMIT: u32 = 1000;

pub struct GrafanaConfig {
    /// Unique among sources.
    pub name: String,
    /// Grafana's base URL, such as `https://grafana.example.com`.
    pub url: String,
    /// A service-account token; never logged.
    pub token: String,
    /// Value of an alert's `service` label (or an annotation's `service:` tag) → opsdeck
    /// service name.
    pub services: HashMap<String, String>,
    pub http: HttpOptions,
}

pub struct GrafanaSource {
    alerts: AlertmanagerSource,
    annotations: AnnotationMapping,
}

/// What the next poll needs: the alert diff's cursor and where annotations resume.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cursor {
    alerts: Option<String>,
    annotations_since: Option<DateTime<Utc>>,
    /// The previous poll's now, to tell a gap since.
    #[serde(default)]
    polled_at: Option<DateTime<Utc>>,
}

/// A poll this long after the previous one reads Grafana's state history for what it missed.
const GAP: Duration = Duration::minutes(2);

impl GrafanaSource {
    pub fn new(config: GrafanaConfig) -> Result<GrafanaSource, SourceError> {
        if config.token.trim().is_empty() {
            return Err(SourceError::Config(format!(
                "Grafana {}: a service-account token is required",
                config.name
            )));
        }
        let alerts = AlertmanagerSource::with_flavor(
            AlertmanagerConfig {
                name: config.name.clone(),
                url: config.url,
                token: Some(config.token),
                services: config.services.clone(),
                http: config.http,
                // Grafana keeps its own state history; backfilling from it is not built yet.
                backfill: None,
            },
            GRAFANA,
        )?;
        let annotations = AnnotationMapping {
            source_name: config.name,
            base: alerts.client.base().clone(),
            services: config.services,
        };
        Ok(GrafanaSource {
            alerts,
            annotations,
        })
    }

    /// Alerting rules by name. Their state changes often (last evaluation), so they ride along
    /// with entries the alert diff emits anyway rather than making entries of their own.
    async fn rules(&self) -> Result<HashMap<String, Value>, SourceError> {
        let body = self
            .alerts
            .client
            .get_json::<RulesAnswer>("api/prometheus/grafana/api/v1/rules", &[], ACCEPT)
            .await?;
        Ok(by_alertname(&body.value))
    }

    /// Alert instances that fired and resolved between the two polls, from the state history.
    async fn state_history(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<opsdeck_domain::NewEntry>, SourceError> {
        let query = [
            ("type", "alert".to_string()),
            ("from", millis(from).to_string()),
            ("to", millis(to).to_string()),
            ("limit", LIMIT.to_string()),
        ];
        let changes = self
            .alerts
            .client
            .get_json::<Vec<StateChange>>("api/annotations", &query, ACCEPT)
            .await?
            .value;
        Ok(history::missed(&changes, from, to)
            .iter()
            .map(|m| {
                backfill::entry(
                    m,
                    &self.alerts.mapping,
                    "Grafana's alert state history (fired and resolved while opsdeck was not \
                     polling)",
                )
            })
            .collect())
    }

    async fn annotations(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<opsdeck_domain::NewEntry>, SourceError> {
        let query = [
            ("type", "annotation".to_string()),
            ("from", millis(from).to_string()),
            ("to", millis(to).to_string()),
            ("limit", LIMIT.to_string()),
        ];
        let body = self
            .alerts
            .client
            .get_json::<Vec<Annotation>>("api/annotations", &query, ACCEPT)
            .await?;
        let raws = match body.raw {
            Value::Array(items) => items,
            _ => Vec::new(),
        };
        Ok(body
            .value
            .iter()
            .zip(raws)
            .filter_map(|(a, raw)| self.annotations.entry(a, raw))
            .collect())
    }
}

#[async_trait]
impl Source for GrafanaSource {
    fn name(&self) -> &str {
        &self.annotations.source_name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Grafana
    }

    async fn poll(&self, ctx: &PollContext) -> Result<PollOutput, SourceError> {
        // A cursor from another version reads as none: everything is fetched again, and the
        // store keeps one entry per occurrence.
        let previous: Cursor = ctx
            .cursor
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let since = previous
            .annotations_since
            .unwrap_or(ctx.now - ctx.backfill)
            .min(ctx.now);
        let ((mut entries, alerts_cursor, silences), annotations, rules) = tokio::try_join!(
            self.alerts.poll_alerts(ctx, previous.alerts.as_deref()),
            self.annotations(since, ctx.now),
            self.rules()
        )?;
        for entry in entries.iter_mut() {
            let rule = entry.details["labels"]["alertname"]
                .as_str()
                .and_then(|name| rules.get(name));
            if let (Some(rule), Value::Object(details)) = (rule, &mut entry.details) {
                details.insert("rule".into(), rule.clone());
            }
        }
        entries.extend(annotations);
        let mut polled_at = Some(ctx.now);
        if let Some(from) = previous.polled_at.filter(|t| ctx.now - *t > GAP) {
            match self.state_history(from, ctx.now).await {
                Ok(missed) => entries.extend(missed),
                Err(e) => {
                    // Keep the gap open: the next poll reads the history again from `from`.
                    tracing::warn!(source = %self.annotations.source_name, %e, "backfill from Grafana's state history failed");
                    polled_at = Some(from);
                }
            }
        }
        let next = Cursor {
            alerts: Some(alerts_cursor),
            annotations_since: Some((ctx.now - OVERLAP).max(since)),
            polled_at,
        };
        let cursor = serde_json::to_string(&next)
            .map_err(|e| SourceError::Config(format!("cannot save the cursor: {e}")))?;
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
        self.alerts.plan_action(request, ctx).await
    }

    async fn execute_action(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<String, ActionError> {
        self.alerts.execute_action(request, ctx).await
    }

    async fn tied_silences(&self) -> Result<Vec<(String, String)>, SourceError> {
        self.alerts.tied_silences().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(token: &str) -> GrafanaConfig {
        GrafanaConfig {
            name: "grafana".into(),
            url: "http://127.0.0.1:3000".into(),
            token: token.into(),
            services: HashMap::new(),
            http: HttpOptions::default(),
        }
    }

    #[test]
    fn a_token_is_required() {
        assert!(matches!(
            GrafanaSource::new(config(" ")),
            Err(SourceError::Config(_))
        ));
        let source = GrafanaSource::new(config("glsa_token")).expect("builds");
        assert_eq!(source.kind(), SourceKind::Grafana);
        assert_eq!(source.name(), "grafana");
    }
}
