//! Prometheus' HTTP API v1, for a service's vitals: `query_range` for sparklines and instant
//! `query` for SLO attainment. A Prometheus source puts nothing on the timeline; its poll only
//! checks that Prometheus answers (`/api/v1/status/buildinfo`), so its health shows in the
//! header like every other source's.
//!
//! Prometheus sends sample values as strings (`"0.25"`, `"NaN"`, `"+Inf"`); values that are not
//! finite numbers are dropped — a gap in a sparkline, not a spike.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::SourceKind;
use reqwest::header::AUTHORIZATION;
use serde::Deserialize;
use serde_json::Value;

use crate::http::{HttpOptions, JsonClient};
use crate::{PollContext, PollOutput, Source, SourceError};

const VENDOR: &str = "Prometheus";
const ACCEPT: &str = "application/json";

pub struct PrometheusConfig {
    pub name: String,
    /// Prometheus' base URL (`http://prometheus:9090`); the API is under `api/v1/`.
    pub url: String,
    /// For a proxy in front of Prometheus, sent as `Authorization: Bearer …`.
    pub token: Option<String>,
    pub http: HttpOptions,
}

pub struct PrometheusSource {
    name: String,
    client: JsonClient,
}

/// One series of a range query: its labels and its finite samples, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    pub labels: serde_json::Map<String, Value>,
    pub points: Vec<(DateTime<Utc>, f64)>,
}

/// Every answer of the API: `data` is a query result, or build info, or…
#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    result_type: String,
    result: Value,
}

#[derive(Deserialize)]
struct MatrixItem {
    #[serde(default)]
    metric: serde_json::Map<String, Value>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

#[derive(Deserialize)]
struct VectorItem {
    value: (f64, String),
}

impl PrometheusSource {
    pub fn new(config: PrometheusConfig) -> Result<PrometheusSource, SourceError> {
        let bearer = config
            .token
            .as_ref()
            .map(|t| format!("Bearer {}", t.trim()));
        let auth = bearer.as_deref().map(|value| (AUTHORIZATION, value));
        let client = JsonClient::new(VENDOR, &config.url, auth, &[], config.http)?;
        Ok(PrometheusSource {
            name: config.name,
            client,
        })
    }

    async fn data(&self, path: &str, query: &[(&str, String)]) -> Result<Value, SourceError> {
        let body = self
            .client
            .get_json::<Envelope>(path, query, ACCEPT)
            .await?
            .value;
        if body.status != "success" {
            return Err(SourceError::Status {
                vendor: VENDOR,
                path: format!("/{path}"),
                status: 200,
                message: body
                    .error
                    .unwrap_or_else(|| format!("status {}", body.status)),
            });
        }
        body.data.ok_or_else(|| SourceError::Status {
            vendor: VENDOR,
            path: format!("/{path}"),
            status: 200,
            message: "a successful answer without data".into(),
        })
    }

    /// `query` over `[start, end]` every `step`.
    pub async fn query_range(
        &self,
        query: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: Duration,
    ) -> Result<Vec<RangeSeries>, SourceError> {
        let params = [
            ("query", query.to_string()),
            ("start", seconds(start)),
            ("end", seconds(end)),
            ("step", format!("{}s", step.num_seconds().max(1))),
        ];
        let data = result(
            self.data("api/v1/query_range", &params).await?,
            "api/v1/query_range",
        )?;
        if data.result_type != "matrix" {
            return Err(unexpected(
                "api/v1/query_range",
                "matrix",
                &data.result_type,
            ));
        }
        let items: Vec<MatrixItem> = serde_json::from_value(data.result)
            .map_err(|e| decode_error("api/v1/query_range", &e))?;
        Ok(items
            .into_iter()
            .map(|item| RangeSeries {
                labels: item.metric,
                points: item
                    .values
                    .iter()
                    .filter_map(|(t, v)| Some((instant(*t)?, finite(v)?)))
                    .collect(),
            })
            .collect())
    }

    /// The first value of `query` at `time`, `None` when the result is empty or not a finite
    /// number.
    pub async fn query(
        &self,
        query: &str,
        time: DateTime<Utc>,
    ) -> Result<Option<f64>, SourceError> {
        let params = [("query", query.to_string()), ("time", seconds(time))];
        let data = result(self.data("api/v1/query", &params).await?, "api/v1/query")?;
        match data.result_type.as_str() {
            "vector" => {
                let items: Vec<VectorItem> = serde_json::from_value(data.result)
                    .map_err(|e| decode_error("api/v1/query", &e))?;
                Ok(items.first().and_then(|i| finite(&i.value.1)))
            }
            "scalar" => {
                let (_, v): (f64, String) = serde_json::from_value(data.result)
                    .map_err(|e| decode_error("api/v1/query", &e))?;
                Ok(finite(&v))
            }
            other => Err(unexpected("api/v1/query", "vector", other)),
        }
    }
}

/// A query's `data`: its result type and result.
fn result(data: Value, path: &str) -> Result<Data, SourceError> {
    serde_json::from_value(data).map_err(|e| decode_error(path, &e))
}

fn seconds(t: DateTime<Utc>) -> String {
    let millis = t.timestamp_millis();
    format!("{}.{:03}", millis.div_euclid(1000), millis.rem_euclid(1000))
}

fn instant(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    // Prometheus timestamps carry at most milliseconds.
    DateTime::from_timestamp_millis((seconds * 1000.0).round() as i64)
}

fn finite(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn unexpected(path: &str, wanted: &str, got: &str) -> SourceError {
    SourceError::Status {
        vendor: VENDOR,
        path: format!("/{path}"),
        status: 200,
        message: format!("expected a {wanted} result, got {got}"),
    }
}

fn decode_error(path: &str, e: &serde_json::Error) -> SourceError {
    SourceError::Status {
        vendor: VENDOR,
        path: format!("/{path}"),
        status: 200,
        message: format!("the result does not decode: {e}"),
    }
}

#[async_trait]
impl Source for PrometheusSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Prometheus
    }

    /// Health only: Prometheus' series are read on demand, for the vitals panel.
    async fn poll(&self, _ctx: &PollContext) -> Result<PollOutput, SourceError> {
        self.data("api/v1/status/buildinfo", &[]).await?;
        Ok(PollOutput::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_values_and_times_read_as_prometheus_writes_them() {
        assert_eq!(finite("0.25"), Some(0.25));
        assert_eq!(finite("NaN"), None);
        assert_eq!(finite("+Inf"), None);
        assert_eq!(
            instant(1_777_874_400.5).map(|t| t.timestamp_millis()),
            Some(1_777_874_400_500)
        );
        let t = DateTime::from_timestamp_millis(1_777_874_400_007).unwrap();
        assert_eq!(seconds(t), "1777874400.007");
    }
}
