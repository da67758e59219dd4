//! Starting the simulator for a test, talking to it, and checking all its traffic — requests
//! and responses — against the vendor's spec when the test finishes (PagerDuty's, or
//! Alertmanager's, or Grafana's two, or GitHub's).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use opsdeck_contract::shared::{
    grafana_for, request_problem, served_problem, specs_dir, Received, Served,
};
use opsdeck_contract::{Spec, Violation};
use opsdeck_sim::pagerduty::Exchange;
use opsdeck_sim::run::{start, RunningSim, SimOptions};
use opsdeck_sim::scenario::{bundled_day, parse_str, Scenario};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

pub const ACCEPT: &str = "application/vnd.pagerduty+json;version=2";

/// The shared day's people.
pub const SAM: &str = "sam.okafor@example.test";
pub const PRIYA: &str = "priya.natarajan@example.test";

pub fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 4).expect("valid date")
}

pub use opsdeck_contract::shared::pagerduty_rest as spec;

pub use opsdeck_contract::shared::alertmanager as alertmanager_spec;

/// The token the Grafana tests authenticate with (any non-empty one is accepted).
pub const GRAFANA_TOKEN: &str = "glsa_opsdeck_test";

/// The token the GitHub tests authenticate with (any non-empty one is accepted).
pub const GITHUB_TOKEN: &str = "ghp_opsdeck_test";

/// GitHub's REST description, reduced to what opsdeck uses, loaded once per process.
pub fn github_spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = specs_dir().join("github/api.github.com.reduced.json");
        Spec::load(&path).unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()))
    })
}

/// Why a GitHub exchange breaks the spec, or `None`. The description declares few error
/// statuses (a list of runs declares only 200), so beyond `served_problem`'s exemptions a
/// status it does not declare (401, 403, 404, 422, the 301 of a renamed repository) must carry
/// GitHub's `basic-error` body: an object whose `message`, and `documentation_url`, `url` and
/// `status` when present, are strings. A 304 has no body.
pub fn github_problem(exchange: &Exchange) -> Option<String> {
    let spec = github_spec();
    if exchange.fault.as_ref().is_some_and(|f| f.corrupts_body()) {
        return None;
    }
    let Some(body) = exchange.body.as_ref() else {
        return Some(format!(
            "{} {} -> {}: body is not JSON",
            exchange.method, exchange.path_and_query, exchange.status
        ));
    };
    let what = format!(
        "{} {} -> {}",
        exchange.method, exchange.path_and_query, exchange.status
    );
    match spec.validate_response(
        &exchange.method,
        &exchange.path_and_query,
        exchange.status,
        body,
    ) {
        Ok(()) => None,
        Err(Violation::UndeclaredStatus { .. } | Violation::NoOperation { .. })
            if exchange.status == 304 =>
        {
            (!body.is_null()).then(|| format!("{what}: a 304 has a body: {body}"))
        }
        Err(Violation::UndeclaredStatus { .. } | Violation::NoOperation { .. })
            if exchange.status >= 300 =>
        {
            basic_error_problem(body).map(|p| format!("{what}: {p}"))
        }
        Err(violation) => Some(format!("{violation}\n    body: {body}")),
    }
}

/// Why `body` is not GitHub's `basic-error`, or `None`.
pub fn basic_error_problem(body: &Value) -> Option<String> {
    let Some(map) = body.as_object() else {
        return Some(format!("error body is not an object: {body}"));
    };
    if !map.get("message").is_some_and(Value::is_string) {
        return Some(format!("error body has no string message: {body}"));
    }
    ["documentation_url", "url", "status"]
        .iter()
        .find(|k| map.get(**k).is_some_and(|v| !v.is_string()))
        .map(|k| format!("error body's {k} is not a string: {body}"))
}

/// Why an exchange breaks the PagerDuty spec, or `None` (see `served_problem` for what is exempt).
pub fn contract_problem(exchange: &Exchange) -> Option<String> {
    problem_with(spec(), exchange)
}

/// Why an exchange breaks `spec`, or `None`.
pub fn problem_with(spec: &Spec, exchange: &Exchange) -> Option<String> {
    served_problem(
        spec,
        &Served {
            method: &exchange.method,
            path_and_query: &exchange.path_and_query,
            status: exchange.status,
            body: exchange.body.as_ref(),
            injected: exchange.fault.is_some(),
            corrupted: exchange.fault.as_ref().is_some_and(|f| f.corrupts_body()),
        },
    )
}

/// Why the request of an exchange breaks the PagerDuty spec although the simulator accepted it,
/// or `None` (see `request_problem`: refused requests are exempt).
pub fn request_contract_problem(exchange: &Exchange) -> Option<String> {
    request_problem_with(spec(), exchange)
}

fn request_problem_with(spec: &Spec, exchange: &Exchange) -> Option<String> {
    request_problem(
        spec,
        &Received {
            method: &exchange.method,
            path_and_query: &exchange.path_and_query,
            body: exchange.request_body.as_ref(),
            status: exchange.status,
        },
    )
}

pub struct Sim {
    pub running: RunningSim,
    pub client: reqwest::Client,
    pub exchanges: Arc<Mutex<Vec<Exchange>>>,
    /// What the simulated Alertmanager served, checked against its spec at the end.
    pub alertmanager_exchanges: Arc<Mutex<Vec<Exchange>>>,
    /// What the simulated Grafana served, checked against its specs at the end.
    pub grafana_exchanges: Arc<Mutex<Vec<Exchange>>>,
    /// What the simulated GitHub served, checked against its spec at the end.
    pub github_exchanges: Arc<Mutex<Vec<Exchange>>>,
}

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub fn load(yaml: &str) -> Scenario {
    parse_str(yaml, "test.yaml").unwrap_or_else(|e| panic!("{e}"))
}

/// The shared day, frozen at `at` on [`date`].
pub async fn shared_day_at(at: &str) -> Sim {
    start_sim(bundled_day(), at, 0.0).await
}

pub async fn start_sim(scenario: Scenario, at: &str, speed: f64) -> Sim {
    let at = scenario.parse_time(at).expect("valid scenario time");
    let running = start(SimOptions {
        scenario: Arc::new(scenario),
        date: date(),
        at,
        speed,
        port_base: None,
    })
    .await
    .expect("simulator starts");
    let exchanges = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&exchanges);
    running
        .pagerduty
        .observe(Arc::new(move |exchange: &Exchange| {
            seen.lock().expect("exchanges").push(exchange.clone());
        }));
    let alertmanager_exchanges = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&alertmanager_exchanges);
    running
        .alertmanager
        .observe(Arc::new(move |exchange: &Exchange| {
            seen.lock().expect("exchanges").push(exchange.clone());
        }));
    let grafana_exchanges = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&grafana_exchanges);
    running
        .grafana
        .observe(Arc::new(move |exchange: &Exchange| {
            seen.lock().expect("exchanges").push(exchange.clone());
        }));
    let github_exchanges = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&github_exchanges);
    running.github.observe(Arc::new(move |exchange: &Exchange| {
        seen.lock().expect("exchanges").push(exchange.clone());
    }));
    Sim {
        running,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client"),
        exchanges,
        alertmanager_exchanges,
        grafana_exchanges,
        github_exchanges,
    }
}

impl Sim {
    pub fn url(&self, path_and_query: &str) -> String {
        format!(
            "{}{path_and_query}",
            self.running.url("pagerduty").expect("pagerduty url")
        )
    }

    /// An authorised GET, as opsdeck's PagerDuty source sends it.
    pub fn request(&self, path_and_query: &str) -> reqwest::RequestBuilder {
        self.client
            .get(self.url(path_and_query))
            .header("authorization", "Token token=test-token")
            .header("accept", ACCEPT)
    }

    pub async fn send(request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request succeeds");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Reply {
            status,
            headers,
            text,
        }
    }

    /// An authorised request of any method, from the user `from` (no `From` header when
    /// `None`), as opsdeck sends its actions.
    pub fn write(&self, method: Method, path: &str, from: Option<&str>) -> reqwest::RequestBuilder {
        let request = self
            .client
            .request(method, self.url(path))
            .header("authorization", "Token token=test-token")
            .header("accept", ACCEPT);
        match from {
            Some(from) => request.header("from", from),
            None => request,
        }
    }

    /// PUT `body` as JSON from `from`.
    pub async fn put(&self, path: &str, from: Option<&str>, body: &Value) -> Reply {
        Sim::send(self.write(Method::PUT, path, from).json(body)).await
    }

    /// POST `body` as JSON from `from`.
    pub async fn post(&self, path: &str, from: Option<&str>, body: &Value) -> Reply {
        Sim::send(self.write(Method::POST, path, from).json(body)).await
    }

    pub async fn get(&self, path_and_query: &str) -> Reply {
        Sim::send(self.request(path_and_query)).await
    }

    /// GET that must answer 200 with JSON.
    pub async fn ok(&self, path_and_query: &str) -> Value {
        let reply = self.get(path_and_query).await;
        assert_eq!(reply.status, 200, "{path_and_query}: {}", reply.text);
        reply.json()
    }

    /// GET `path` until `done` holds for its body, failing after `within`.
    pub async fn wait_for(
        &self,
        path: &str,
        within: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let body = self.ok(path).await;
            if done(&body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "{path} did not reach the expected state within {within:?}; last: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().expect("exchanges").clone()
    }

    /// A request to the simulated Alertmanager, as opsdeck's source sends it.
    pub fn alertmanager(&self, method: Method, path_and_query: &str) -> reqwest::RequestBuilder {
        let base = self.running.url("alertmanager").expect("alertmanager url");
        self.client
            .request(method, format!("{base}{path_and_query}"))
            .header("accept", "application/json")
    }

    /// Stops the simulator and fails if any response the simulated Alertmanager served, or any
    /// request it accepted, breaks its spec; the test must have talked to it.
    pub async fn finish_alertmanager(self) {
        let Sim {
            running,
            alertmanager_exchanges,
            ..
        } = self;
        running.stop().await;
        let exchanges = alertmanager_exchanges.lock().expect("exchanges").clone();
        check_all("Alertmanager", alertmanager_spec(), &exchanges);
    }

    /// A request to the simulated Grafana with a service-account token, as opsdeck's source
    /// sends it.
    pub fn grafana(&self, method: Method, path_and_query: &str) -> reqwest::RequestBuilder {
        self.grafana_anonymous(method, path_and_query)
            .bearer_auth(GRAFANA_TOKEN)
    }

    /// A request to the simulated Grafana without credentials.
    pub fn grafana_anonymous(
        &self,
        method: Method,
        path_and_query: &str,
    ) -> reqwest::RequestBuilder {
        let base = self.running.url("grafana").expect("grafana url");
        self.client
            .request(method, format!("{base}{path_and_query}"))
            .header("accept", "application/json")
    }

    /// Stops the simulator and fails if any response the simulated Grafana served, or any
    /// request it accepted, breaks Grafana's specs (the alerting one for the alerting API, the
    /// HTTP API's for the rest); the test must have talked to it.
    pub async fn finish_grafana(self) {
        let Sim {
            running,
            grafana_exchanges,
            ..
        } = self;
        running.stop().await;
        let exchanges = grafana_exchanges.lock().expect("exchanges").clone();
        assert!(!exchanges.is_empty(), "the test sent no request");
        let mut problems = Vec::new();
        for exchange in &exchanges {
            let spec = grafana_for(&exchange.path_and_query);
            problems.extend(problem_with(spec, exchange));
            problems.extend(request_problem_with(spec, exchange));
        }
        assert!(
            problems.is_empty(),
            "{} of {} exchanges break Grafana's specs:\n{}",
            problems.len(),
            exchanges.len(),
            problems.join("\n")
        );
    }

    /// A request to the simulated GitHub with a token, as opsdeck's source sends it.
    pub fn github(&self, method: Method, path_and_query: &str) -> reqwest::RequestBuilder {
        self.github_anonymous(method, path_and_query)
            .bearer_auth(GITHUB_TOKEN)
    }

    /// A request to the simulated GitHub without credentials.
    pub fn github_anonymous(
        &self,
        method: Method,
        path_and_query: &str,
    ) -> reqwest::RequestBuilder {
        let base = self.running.url("github").expect("github url");
        self.client
            .request(method, format!("{base}{path_and_query}"))
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
    }

    /// An authorised GitHub GET that must answer 200 with JSON.
    pub async fn github_ok(&self, path_and_query: &str) -> Value {
        let reply = Sim::send(self.github(Method::GET, path_and_query)).await;
        assert_eq!(reply.status, 200, "{path_and_query}: {}", reply.text);
        reply.json()
    }

    /// Stops the simulator and fails if any response the simulated GitHub served breaks its
    /// spec (see [`github_problem`]), or any request it accepted does; the test must have
    /// talked to it.
    pub async fn finish_github(self) {
        let Sim {
            running,
            github_exchanges,
            ..
        } = self;
        running.stop().await;
        let exchanges = github_exchanges.lock().expect("exchanges").clone();
        assert!(!exchanges.is_empty(), "the test sent no request");
        let mut problems: Vec<String> = exchanges.iter().filter_map(github_problem).collect();
        problems.extend(
            exchanges
                .iter()
                .filter_map(|e| request_problem_with(github_spec(), e)),
        );
        assert!(
            problems.is_empty(),
            "{} problems in {} exchanges with the simulated GitHub:\n{}",
            problems.len(),
            exchanges.len(),
            problems.join("\n")
        );
    }

    /// Stops the simulator and fails if any response it served, or any request it accepted,
    /// breaks the spec.
    pub async fn finish(self) {
        let Sim {
            running, exchanges, ..
        } = self;
        running.stop().await;
        let exchanges = exchanges.lock().expect("exchanges").clone();
        check_all("PagerDuty", spec(), &exchanges);
    }
}

/// Fails unless every exchange keeps to `spec`, naming each that does not.
fn check_all(vendor: &str, spec: &Spec, exchanges: &[Exchange]) {
    assert!(!exchanges.is_empty(), "the test sent no request");
    let problems: Vec<String> = exchanges
        .iter()
        .filter_map(|e| problem_with(spec, e))
        .collect();
    assert!(
        problems.is_empty(),
        "{} of {} responses break the {vendor} spec:\n{}",
        problems.len(),
        exchanges.len(),
        problems.join("\n")
    );
    let accepted: Vec<String> = exchanges
        .iter()
        .filter_map(|e| request_problem_with(spec, e))
        .collect();
    assert!(
        accepted.is_empty(),
        "{} of {} requests the simulator accepted break the {vendor} spec:\n{}",
        accepted.len(),
        exchanges.len(),
        accepted.join("\n")
    );
}
