//! A real Alertmanager for each test, a recording proxy in front of it so every response the
//! source receives is checked against the spec, alerts posted as Prometheus posts them, and a
//! poller that carries the cursor from poll to poll as the engine does.
//!
//! The spec is Alertmanager v0.34's; Debian 12 ships 0.25, which predates two fields the spec
//! requires: `status.mutedBy` on alerts and `annotations` on silences. For a server older than
//! the spec, and only then, those two — and nothing else — are taken out of `required`
//! ([`spec_for`]); every other rule, and those fields' types when present, still apply.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Router;
use chrono::{DateTime, SubsecRound, Utc};
use opsdeck_contract::shared::specs_dir;
use opsdeck_contract::{Patch, Spec, Vendor};
use opsdeck_domain::NewEntry;
use opsdeck_sources::alertmanager::{AlertmanagerConfig, AlertmanagerSource};
use opsdeck_sources::http::HttpOptions;
use opsdeck_sources::{PollContext, Source, SourceError};
use opsdeck_testkit::Alertmanager;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{json, Value};

/// Who the tests act as.
pub const ME: &str = "sam.okafor@example.test";
/// Distinctive, so a test can tell it never leaks into a message.
pub const TOKEN: &str = "am-proxy-token-never-shown";
const SPEC_FILE: &str = "alertmanager/alertmanager-api-v2.openapi.yaml";
/// The release the spec in `shared/specs` describes.
const SPEC_VERSION: (u32, u32) = (0, 34);

/// The spec as published.
pub fn strict_spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = specs_dir().join(SPEC_FILE);
        Spec::load_as(&path, Vendor::Alertmanager).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The spec less the two requirements older servers cannot meet (see the module's doc).
pub fn older_server_spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = specs_dir().join(SPEC_FILE);
        let patches = [
            Patch::replace(
                "/definitions/alertStatus/required",
                json!(["state", "silencedBy", "inhibitedBy", "mutedBy"]),
                json!(["state", "silencedBy", "inhibitedBy"]),
                "servers before mutedBy existed (Debian 12's 0.25) do not send status.mutedBy",
            ),
            Patch::replace(
                "/definitions/gettableSilence/allOf/0/required",
                json!(["id", "status", "updatedAt", "annotations"]),
                json!(["id", "status", "updatedAt"]),
                "servers before silence annotations existed (0.25) do not send them",
            ),
        ];
        Spec::load_with_overlay(&path, Some(Vendor::Alertmanager), &patches)
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// `0.25.0` → (0, 25).
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().trim_start_matches('v').split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Which spec a server's bodies must meet: the published one from the spec's own release on.
pub fn spec_for(version: (u32, u32)) -> &'static Spec {
    if version >= SPEC_VERSION {
        strict_spec()
    } else {
        older_server_spec()
    }
}

/// One request the source sent through the proxy, and Alertmanager's answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path_and_query: String,
    pub authorization: Option<String>,
    pub status: u16,
    /// `Null` for an empty body; `None` for one that is not JSON.
    pub body: Option<Value>,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    client: reqwest::Client,
    seen: Arc<Mutex<Vec<Exchange>>>,
}

async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    let method = request.method().clone();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or("/".to_string(), |p| p.as_str().to_string());
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_type = request.headers().get(CONTENT_TYPE).cloned();
    let body = to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let mut upstream = proxy
        .client
        .request(
            method.clone(),
            format!("{}{path_and_query}", proxy.upstream),
        )
        .body(body);
    if let Some(ct) = content_type {
        upstream = upstream.header(CONTENT_TYPE, ct);
    }
    let (status, bytes) = match upstream.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.bytes().await.unwrap_or_default())
        }
        Err(e) => (502, format!("proxy: {e}").into_bytes().into()),
    };
    let body = if bytes.is_empty() {
        Some(Value::Null)
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    proxy.seen.lock().expect("exchanges").push(Exchange {
        method: method.to_string(),
        path_and_query,
        authorization,
        status,
        body,
    });
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY))
        .header(CONTENT_TYPE, "application/json")
        .body(Body::from(bytes))
        .unwrap_or_default()
}

/// A real Alertmanager with a recording proxy in front of it.
pub struct Harness {
    pub am: Alertmanager,
    proxy_url: String,
    proxy: tokio::task::JoinHandle<()>,
    seen: Arc<Mutex<Vec<Exchange>>>,
    pub http: reqwest::Client,
    pub version: (u32, u32),
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.proxy.abort();
    }
}

impl Harness {
    pub async fn start() -> Harness {
        let am = Alertmanager::start().unwrap_or_else(|e| panic!("{e}"));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        let status: Value = http
            .get(format!("{}/api/v2/status", am.url()))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("status answers")
            .json()
            .await
            .expect("status is JSON");
        let version = status["versionInfo"]["version"]
            .as_str()
            .and_then(parse_version)
            .unwrap_or_else(|| panic!("no version in {status}"));
        assert_eq!(
            spec_for(version).validate_response("GET", "/api/v2/status", 200, &status),
            Ok(())
        );

        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new().fallback(forward).with_state(Proxy {
            upstream: am.url(),
            client: http.clone(),
            seen: Arc::clone(&seen),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let proxy_url = format!("http://{}", listener.local_addr().expect("addr"));
        let proxy = tokio::spawn(async move {
            // Runs until the harness is dropped.
            let _ = axum::serve(listener, app).await;
        });
        Harness {
            am,
            proxy_url,
            proxy,
            seen,
            http,
            version,
        }
    }

    /// A source as the engine builds it, through the recording proxy.
    pub fn source(&self, name: &str) -> AlertmanagerSource {
        source_at(name, &self.proxy_url, None)
    }

    /// ... with a token for the proxy.
    pub fn source_with_token(&self, name: &str) -> AlertmanagerSource {
        source_at(name, &self.proxy_url, Some(TOKEN))
    }

    /// Straight to Alertmanager, for tests that stop it (the proxy would answer 502 instead).
    pub fn direct_source(&self, name: &str) -> AlertmanagerSource {
        source_at(name, &self.am.url(), Some(TOKEN))
    }

    /// Posts alerts as Prometheus does; the body is checked against the spec first.
    pub async fn post_alerts(&self, alerts: Value) {
        let spec = spec_for(self.version);
        assert_eq!(
            spec.validate_request("POST", "/api/v2/alerts", &alerts),
            Ok(()),
            "the test posts what the spec allows"
        );
        let response = self
            .http
            .post(format!("{}/api/v2/alerts", self.am.url()))
            .json(&alerts)
            .send()
            .await
            .expect("Alertmanager answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "POST /api/v2/alerts: {status} {text}");
    }

    /// Whether Alertmanager lists an alert with this fingerprint, read through the proxy so
    /// the answer is checked too.
    pub async fn lists(&self, fingerprint: &str) -> bool {
        let alerts: Value = self
            .http
            .get(format!("{}/api/v2/alerts", self.proxy_url))
            .send()
            .await
            .expect("Alertmanager answers")
            .json()
            .await
            .expect("JSON");
        alerts
            .as_array()
            .expect("a list")
            .iter()
            .any(|a| a["fingerprint"] == json!(fingerprint))
    }

    pub fn exchanges(&self) -> Vec<Exchange> {
        self.seen.lock().expect("exchanges").clone()
    }

    /// Every response that passed through the proxy, checked against the spec; panics listing
    /// each one that breaks it. Returns how many were checked.
    pub fn check_contract(&self) -> usize {
        let spec = spec_for(self.version);
        let exchanges = self.exchanges();
        let problems: Vec<String> = exchanges
            .iter()
            .filter_map(|x| {
                let Some(body) = &x.body else {
                    return Some(format!(
                        "{} {} -> {}: body is not JSON",
                        x.method, x.path_and_query, x.status
                    ));
                };
                spec.validate_response(&x.method, &x.path_and_query, x.status, body)
                    .err()
                    .map(|v| format!("{v}\n    body: {body}"))
            })
            .collect();
        assert!(
            problems.is_empty(),
            "{} of {} responses break the spec:\n{}",
            problems.len(),
            exchanges.len(),
            problems.join("\n")
        );
        exchanges.len()
    }
}

pub fn source_at(name: &str, url: &str, token: Option<&str>) -> AlertmanagerSource {
    AlertmanagerSource::new(AlertmanagerConfig {
        name: name.to_string(),
        url: url.to_string(),
        token: token.map(str::to_string),
        services: HashMap::new(),
        http: HttpOptions {
            timeout: Duration::from_secs(10),
            min_backoff: Duration::from_millis(50),
            ..HttpOptions::default()
        },
        backfill: None,
    })
    .expect("source builds")
}

/// Polls one source as the engine does: the cursor of each successful poll goes to the next.
pub struct Poller<'a> {
    pub source: &'a dyn Source,
    pub cursor: Option<String>,
}

impl<'a> Poller<'a> {
    pub fn new(source: &'a dyn Source) -> Poller<'a> {
        Poller {
            source,
            cursor: None,
        }
    }

    pub async fn poll_at(&mut self, now: DateTime<Utc>) -> Result<Vec<NewEntry>, SourceError> {
        let output = self
            .source
            .poll(&PollContext {
                now,
                cursor: self.cursor.clone(),
                backfill: chrono::Duration::hours(24),
            })
            .await?;
        if let Some(c) = output.cursor {
            self.cursor = Some(c);
        }
        Ok(output.entries)
    }

    pub async fn poll(&mut self) -> Vec<NewEntry> {
        let now = now();
        self.poll_at(now)
            .await
            .unwrap_or_else(|e| panic!("poll failed: {e}"))
    }
}

/// Now, to the second: Alertmanager keeps what it is sent, and whole seconds compare exactly
/// after a round trip.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

/// Waits until `check` holds, up to a generous deadline; panics saying what never happened.
pub async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The one entry with this external id.
pub fn entry<'e>(entries: &'e [NewEntry], external_id: &str) -> &'e NewEntry {
    let found: Vec<&NewEntry> = entries
        .iter()
        .filter(|e| e.external_id == external_id)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one entry {external_id} among {:?}",
        entries.iter().map(|e| &e.external_id).collect::<Vec<_>>()
    );
    found[0]
}

/// The fingerprint Alertmanager gave the alert with this `alertname`, from polled entries.
pub fn fingerprint_of(entries: &[NewEntry], alertname: &str) -> String {
    entries
        .iter()
        .find(|e| e.details["labels"]["alertname"] == json!(alertname))
        .and_then(|e| e.details["fingerprint"].as_str())
        .unwrap_or_else(|| panic!("no entry for {alertname}"))
        .to_string()
}
