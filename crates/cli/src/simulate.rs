//! `opsdeck sim` and `opsdeck demo`: run the simulator and write the config that points every
//! other opsdeck process at it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use opsdeck_domain::SourceKind;
use opsdeck_engine::config::{
    ClockConfig, Config, KubernetesTarget, ServiceConfig, ServiceVitals, SloConfig, SourceConfig,
};
use opsdeck_sim::run::{RunningSim, SimOptions};
use opsdeck_sim::scenario::{Scenario, ScenarioError, ScenarioTime};

/// The throwaway token the generated config carries; the simulator accepts any non-empty one,
/// and a literal token is allowed only because the URLs are loopback.
pub const SIM_TOKEN: &str = "opsdeck-sim";

/// The demo: the bundled day from 05:40 at 30× real time, so the first page arrives in seconds.
pub const DEMO_AT: &str = "05:40";
pub const DEMO_SPEED: f64 = 30.0;

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("--at {at:?}: {message}")]
    At { at: String, message: String },
    #[error(transparent)]
    Sim(#[from] opsdeck_sim::run::SimError),
    #[error(transparent)]
    Config(#[from] opsdeck_engine::ConfigError),
    #[error("--alertmanager {url:?}: {message}")]
    Alertmanager { url: String, message: String },
}

impl SimulateError {
    /// Bad input (exit 2) rather than a failure to run (exit 1).
    pub fn is_usage(&self) -> bool {
        use opsdeck_sim::run::SimError;
        // A bad --speed or a --port-base too high for every vendor is the user's input to fix;
        // a port already taken is a failure to run.
        matches!(
            self,
            SimulateError::Scenario(_)
                | SimulateError::At { .. }
                | SimulateError::Alertmanager { .. }
                | SimulateError::Sim(SimError::Speed(_) | SimError::PortRange { .. })
        )
    }
}

pub struct Request {
    pub scenario: Arc<Scenario>,
    pub date: Option<NaiveDate>,
    pub at: Option<String>,
    pub speed: f64,
    pub port_base: Option<u16>,
    /// A real Alertmanager to post the scenario's `via: prometheus` alerts to; the written
    /// config reads alerts from it instead of the simulated one.
    pub alertmanager: Option<String>,
}

pub struct Started {
    pub sim: RunningSim,
    pub config: Config,
    /// Why the day's Prometheus is not running, when it is not.
    pub prometheus_problem: Option<String>,
}

/// Starts every simulated vendor and returns the config that describes it.
pub async fn start(req: Request) -> Result<Started, SimulateError> {
    let scenario = req.scenario;
    let tz = scenario.clock.tz;
    let date = req
        .date
        .unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).date_naive());
    let at = match &req.at {
        Some(text) => scenario.parse_time(text).map_err(|e| SimulateError::At {
            at: text.clone(),
            message: e.to_string(),
        })?,
        None => ScenarioTime {
            day_offset: 0,
            time: scenario.clock.day_starts,
        },
    };
    let forward_to = req
        .alertmanager
        .as_deref()
        .map(alertmanager_url)
        .transpose()?;
    let mut sim = opsdeck_sim::run::start(SimOptions {
        scenario: scenario.clone(),
        date,
        at,
        speed: req.speed,
        port_base: req.port_base,
    })
    .await?;
    let prometheus_problem = match start_prometheus(&scenario, date, req.port_base).await {
        Ok(prometheus) => {
            sim.attach_prometheus(prometheus);
            None
        }
        Err(problem) => Some(problem),
    };
    let mut config = config_for(&scenario, &sim);
    if let Some(url) = forward_to {
        sim.forward_alerts_to(&url);
        for source in config
            .sources
            .iter_mut()
            .filter(|s| s.kind == SourceKind::Alertmanager)
        {
            source.url = Some(url.clone());
        }
    }
    Ok(Started {
        sim,
        config,
        prometheus_problem,
    })
}

/// An Alertmanager base URL: http(s), nothing after the path.
fn alertmanager_url(text: &str) -> Result<String, SimulateError> {
    let refuse = |message: String| SimulateError::Alertmanager {
        url: text.to_string(),
        message,
    };
    let url = url::Url::parse(text).map_err(|e| refuse(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse(format!(
            "give Alertmanager's http:// or https:// URL, not {}:",
            url.scheme()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse(
            "give the base URL, without a query or fragment".into(),
        ));
    }
    Ok(text.trim_end_matches('/').to_string())
}

/// The day's series in a real Prometheus, or why there is none (the simulator runs without
/// it; the vitals panel then says so).
async fn start_prometheus(
    scenario: &Arc<Scenario>,
    date: NaiveDate,
    port_base: Option<u16>,
) -> Result<opsdeck_sim::prometheus::Prometheus, String> {
    let scenario = Arc::clone(scenario);
    let port = opsdeck_sim::run::prometheus_port(port_base);
    let started =
        tokio::task::spawn_blocking(move || opsdeck_sim::prometheus::start(scenario, date, port))
            .await;
    match started {
        Ok(Ok(prometheus)) => Ok(prometheus),
        Ok(Err(e)) => {
            let problem = format!("no Prometheus for the vitals: {e}");
            tracing::warn!(target: "opsdeck_sim", "{problem}");
            Err(problem)
        }
        Err(e) => Err(format!("no Prometheus for the vitals: {e}")),
    }
}

/// The sources the simulator serves that opsdeck can read, the scenario's service mapping, its
/// timezone and user, and the simulated clock.
pub fn config_for(scenario: &Scenario, sim: &RunningSim) -> Config {
    let sources = sim
        .endpoints
        .iter()
        .filter_map(|(vendor, url)| {
            let kind: SourceKind = vendor.parse().ok()?;
            // The simulator may serve vendors opsdeck cannot read yet (Grafana); configuring
            // one would make every command refuse the config.
            if !opsdeck_engine::registry::supports(kind) {
                return None;
            }
            let mut s = SourceConfig::new(kind, url);
            // Alertmanager and Prometheus have no authentication of their own; the others want
            // a token.
            if !matches!(kind, SourceKind::Alertmanager | SourceKind::Prometheus) {
                s.token = Some(SIM_TOKEN.to_string());
            }
            // The simulated Alertmanager forgets resolved alerts; the day's Prometheus has them.
            if kind == SourceKind::Alertmanager && sim.url("prometheus").is_some() {
                s.backfill_from = Some("prometheus".to_string());
            }
            // The demo runs the clock fast: poll often so the timeline keeps up.
            s.poll_interval = std::time::Duration::from_secs(2);
            Some(s)
        })
        .chain(sim.endpoints.keys().filter_map(|vendor| {
            // One source per simulated cluster context; `save` points them at the kubeconfig.
            let context = vendor.strip_prefix("kubernetes/")?;
            let mut s = SourceConfig::new(SourceKind::Kubernetes, "");
            s.url = None;
            s.name = Some(vendor.clone());
            s.context = Some(context.to_string());
            s.poll_interval = std::time::Duration::from_secs(2);
            Some(s)
        }))
        .collect();
    let services = scenario
        .services
        .iter()
        .map(|svc| ServiceConfig {
            name: svc.name.clone(),
            pagerduty: svc.pagerduty.as_ref().map(|p| p.id.clone()),
            kubernetes: svc.kubernetes.as_ref().map(|k| KubernetesTarget {
                context: k.context.clone(),
                namespace: k.namespace.clone(),
                deployment: k.deployment.clone(),
            }),
            github: svc.github.as_ref().map(|g| g.repo.clone()),
            prometheus: Some(vitals_of(&svc.name)),
        })
        .collect();
    Config {
        version: 1,
        timezone: Some(scenario.clock.tz.name().to_string()),
        me: Some(scenario.me.email.clone()),
        clock: Some(ClockConfig {
            simulated_at: sim.clock.simulated_at,
            real_at: sim.clock.real_at,
            speed: sim.clock.speed,
        }),
        sources,
        services,
        notifications: Default::default(),
        actions: Default::default(),
        desktop: Default::default(),
        changes: Default::default(),
        runbooks: Default::default(),
        shifts: Default::default(),
        history: Default::default(),
    }
}

/// The queries for the series the simulator's Prometheus serves, and a 99.9 % SLO over 30
/// days. Written whether or not Prometheus runs here: without it, the vitals panel says why.
fn vitals_of(service: &str) -> ServiceVitals {
    let mut vitals = ServiceVitals {
        source: None,
        error_rate: None,
        latency_p99: None,
        saturation: None,
        slo: Some(SloConfig {
            objective: 0.999,
            window: std::time::Duration::from_secs(30 * 24 * 3600),
        }),
    };
    for (name, query) in opsdeck_sim::metrics::queries(service) {
        match name {
            "error_rate" => vitals.error_rate = Some(query),
            "latency_p99" => vitals.latency_p99 = Some(query),
            _ => vitals.saturation = Some(query),
        }
    }
    vitals
}

/// The line `opsdeck sim` prints once everything listens.
pub fn ready_line(
    config_path: &Path,
    kubeconfig: Option<&Path>,
    started: &Started,
) -> serde_json::Value {
    serde_json::json!({
        "config": config_path,
        "kubeconfig": kubeconfig,
        "endpoints": started.sim.endpoints,
        "now": started.sim.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

/// The kubeconfig for the simulated clusters (see [`RunningSim::kubeconfig`]), with the
/// simulator's throwaway token; `None` when the scenario has no clusters.
pub fn kubeconfig_for(sim: &RunningSim) -> Option<serde_json::Value> {
    sim.kubeconfig(SIM_TOKEN)
}

impl Started {
    /// Writes the config to `config_path`, the kubeconfig beside it (both atomically) and the
    /// day's runbooks in a folder beside it, pointing the config's Kubernetes sources at that
    /// kubeconfig and its runbooks at that folder; returns where the kubeconfig went.
    pub fn save(&mut self, config_path: &Path) -> std::io::Result<Option<PathBuf>> {
        // The day's runbooks, so its alerts link to real checklists.
        let runbooks = config_path.with_extension("runbooks");
        opsdeck_sim::demo_runbooks::write_demo_runbooks(&runbooks)?;
        self.config.runbooks.folders = vec![std::path::absolute(&runbooks)?];
        let kubeconfig = write_kubeconfig(config_path, &self.sim)?;
        if let Some(path) = &kubeconfig {
            let absolute = std::path::absolute(path)?;
            for s in self
                .config
                .sources
                .iter_mut()
                .filter(|s| s.kind == SourceKind::Kubernetes)
            {
                s.kubeconfig = Some(absolute.clone());
            }
        }
        self.config
            .save(config_path)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(kubeconfig)
    }
}

/// Writes [`kubeconfig_for`] beside `config_path` (atomically), returning where.
pub fn write_kubeconfig(config_path: &Path, sim: &RunningSim) -> std::io::Result<Option<PathBuf>> {
    let Some(kubeconfig) = kubeconfig_for(sim) else {
        return Ok(None);
    };
    let path = config_path.with_extension("kubeconfig");
    let text = serde_json::to_string_pretty(&kubeconfig).map_err(std::io::Error::other)?;
    opsdeck_engine::config::write_atomically(&path, text.as_bytes())?;
    Ok(Some(path))
}

/// Where `opsdeck sim` writes its config unless told otherwise: the current directory, never
/// the user's own config.
pub fn default_config_out() -> PathBuf {
    PathBuf::from("opsdeck-sim.toml")
}
