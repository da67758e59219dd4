//! Running the simulator: every simulated vendor on its own loopback port, the shared world on
//! one simulated clock, and a bounded stop. The `opsdeck sim` command writes the config around
//! this; tests call it directly.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::alertmanager::AlertmanagerServer;
use crate::clock::SimClock;
use crate::github::GitHubServer;
use crate::grafana::GrafanaServer;
use crate::kubernetes::KubernetesServer;
use crate::live::LiveWorld;
use crate::pagerduty::PagerDutyServer;
use crate::scenario::{Scenario, ScenarioTime};
use crate::world::World;

/// The vendors served, in port order: with a port base P they listen on P, P+1, … in this
/// order. The day's Prometheus, when `opsdeck sim` starts one, takes the port after these
/// ([`prometheus_port`]); Kubernetes then adds one server per cluster context
/// (`kubernetes/<context>`) after the fixed ones.
pub const VENDORS: &[&str] = &["pagerduty", "alertmanager", "grafana", "github"];

/// With a port base, the port of the day's Prometheus: the one after the simulated vendors.
pub fn prometheus_port(port_base: Option<u16>) -> Option<u16> {
    port_base?.checked_add(u16::try_from(VENDORS.len()).ok()?)
}

/// How long `stop` waits for in-flight responses before cutting connections.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// How often the world catches up with the clock while nobody asks, so skipped events are
/// logged near the time they happen.
const TICK: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub scenario: Arc<Scenario>,
    /// The replayed date.
    pub date: NaiveDate,
    /// The scenario time the clock starts at; events before it have already happened.
    pub at: ScenarioTime,
    /// Simulated seconds per real second; 0 freezes the clock.
    pub speed: f64,
    /// Listen on port_base, port_base + 1, … (see [`VENDORS`]) instead of ephemeral ports.
    pub port_base: Option<u16>,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("speed must be a finite number of at least 0, got {0}")]
    Speed(f64),
    #[error("port base {base} leaves no port for {vendor}")]
    PortRange { base: u16, vendor: String },
    #[error("cannot listen for {vendor} on {addr}: {source}")]
    Bind {
        vendor: String,
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A running simulator. Dropping it leaves the servers running until the runtime ends; call
/// [`RunningSim::stop`].
pub struct RunningSim {
    /// Vendor name → base URL, such as `"pagerduty" → "http://127.0.0.1:41234"`.
    pub endpoints: BTreeMap<String, String>,
    pub clock: SimClock,
    /// The shared world; lock it briefly (servers lock it per request) to take actions.
    pub world: Arc<Mutex<World>>,
    /// For fault injection and response observers in tests.
    pub pagerduty: PagerDutyServer,
    /// For response observers in tests.
    pub alertmanager: AlertmanagerServer,
    /// For response observers in tests.
    pub grafana: GrafanaServer,
    /// For fault injection, response observers and the rate limit in tests.
    pub github: GitHubServer,
    /// One per cluster context, in the scenario's order.
    pub kubernetes: Vec<KubernetesServer>,
    /// The real Prometheus serving the day's series, when one was attached.
    prometheus: Option<crate::prometheus::Prometheus>,
    live: LiveWorld,
    stop: watch::Sender<bool>,
    tasks: Vec<(String, JoinHandle<()>)>,
}

impl RunningSim {
    /// The base URL of a vendor's server.
    pub fn url(&self, vendor: &str) -> Option<&str> {
        self.endpoints.get(vendor).map(String::as_str)
    }

    /// A kubeconfig for the simulated clusters: one cluster, context and user per context, the
    /// first context current, every user with `token` (the simulator accepts any). JSON, which
    /// is YAML too, so kubectl and kube-rs read it. `None` when the scenario has no clusters.
    pub fn kubeconfig(&self, token: &str) -> Option<serde_json::Value> {
        let contexts: Vec<(&str, &str)> = self
            .endpoints
            .iter()
            .filter_map(|(vendor, url)| Some((vendor.strip_prefix("kubernetes/")?, url.as_str())))
            .collect();
        let first = contexts.first()?.0;
        Some(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "current-context": first,
            "clusters": contexts.iter().map(|(name, url)| serde_json::json!({
                "name": name,
                "cluster": {"server": url},
            })).collect::<Vec<_>>(),
            "contexts": contexts.iter().map(|(name, _)| serde_json::json!({
                "name": name,
                "context": {"cluster": name, "user": "opsdeck-sim"},
            })).collect::<Vec<_>>(),
            "users": [{"name": "opsdeck-sim", "user": {"token": token}}],
        }))
    }

    /// The simulated now.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The world shared by the servers, advanced on access.
    pub fn live(&self) -> &LiveWorld {
        &self.live
    }

    /// Stops every server: hanging responses end, in-flight ones get [`STOP_GRACE`] to
    /// finish, then connections are cut.
    /// Keeps `prometheus` (see [`crate::prometheus::start`]) running with the simulator, listed
    /// among the endpoints as `prometheus`, and stopped with it.
    pub fn attach_prometheus(&mut self, prometheus: crate::prometheus::Prometheus) {
        self.endpoints
            .insert("prometheus".to_owned(), prometheus.url());
        self.prometheus = Some(prometheus);
    }

    /// Also posts the scenario's `via: prometheus` alerts to the real Alertmanager at `url`, as
    /// Prometheus would, until the simulator stops (see [`crate::forward`]).
    pub fn forward_alerts_to(&mut self, url: &str) {
        let task = tokio::spawn(crate::forward::run(
            self.live.clone(),
            url.to_owned(),
            self.stop.subscribe(),
        ));
        self.tasks.push(("forward".to_owned(), task));
    }

    pub async fn stop(mut self) {
        // Killing it waits for the process: off the runtime's threads.
        if let Some(mut prometheus) = self.prometheus.take() {
            let _ = tokio::task::spawn_blocking(move || prometheus.stop()).await;
        }
        // Send fails only when every receiver is gone, i.e. everything already stopped.
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + STOP_GRACE;
        for (name, mut task) in self.tasks {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                tracing::warn!(target: "opsdeck_sim", "{name} did not stop in time; cutting its connections");
                task.abort();
            }
        }
    }
}

/// Binds every vendor on 127.0.0.1, replays the scenario up to `at`, and starts serving.
pub async fn start(options: SimOptions) -> Result<RunningSim, SimError> {
    if !options.speed.is_finite() || options.speed < 0.0 {
        return Err(SimError::Speed(options.speed));
    }
    // Bind everything first so a taken port fails the start before anything runs. Each
    // vendor binds at its index in VENDORS; later vendors add their own lines here.
    let (pagerduty_listener, pagerduty_addr) = bind("pagerduty", options.port_base).await?;
    let (alertmanager_listener, alertmanager_addr) =
        bind("alertmanager", options.port_base).await?;
    let (grafana_listener, grafana_addr) = bind("grafana", options.port_base).await?;
    let (github_listener, github_addr) = bind("github", options.port_base).await?;
    // One API server per cluster context, after the fixed vendors and the day's Prometheus.
    let mut kubernetes_listeners = Vec::new();
    for (i, cluster) in options.scenario.clusters.iter().enumerate() {
        let vendor = format!("kubernetes/{}", cluster.context);
        let index = VENDORS.len() + 1 + i;
        let (listener, addr) = bind_at(&vendor, Some(index), options.port_base).await?;
        kubernetes_listeners.push((cluster.context.clone(), vendor, listener, addr));
    }

    let simulated_at = options.scenario.instant(options.date, options.at);
    let world = Arc::new(Mutex::new(World::new(options.scenario, options.date)));
    let clock = SimClock::starting_now(simulated_at, options.speed);
    let live = LiveWorld::new(Arc::clone(&world), clock);
    drop(live.advance_to(simulated_at));

    let (stop, stopping) = watch::channel(false);
    let mut endpoints = BTreeMap::new();
    let mut tasks = Vec::new();

    let url = format!("http://{pagerduty_addr}");
    let pagerduty = PagerDutyServer::new(live.clone(), &url, stopping.clone());
    endpoints.insert("pagerduty".to_owned(), url);
    tasks.push((
        "pagerduty".to_owned(),
        tokio::spawn(serve(
            "pagerduty",
            pagerduty_listener,
            pagerduty.router(),
            stopping.clone(),
        )),
    ));

    let url = format!("http://{alertmanager_addr}");
    let alertmanager = AlertmanagerServer::new(live.clone(), &url);
    endpoints.insert("alertmanager".to_owned(), url);
    tasks.push((
        "alertmanager".to_owned(),
        tokio::spawn(serve(
            "alertmanager",
            alertmanager_listener,
            alertmanager.router(),
            stopping.clone(),
        )),
    ));

    let url = format!("http://{grafana_addr}");
    let grafana = GrafanaServer::new(live.clone(), &url);
    endpoints.insert("grafana".to_owned(), url);
    tasks.push((
        "grafana".to_owned(),
        tokio::spawn(serve(
            "grafana",
            grafana_listener,
            grafana.router(),
            stopping.clone(),
        )),
    ));

    let url = format!("http://{github_addr}");
    let github = GitHubServer::new(live.clone(), &url, stopping.clone());
    endpoints.insert("github".to_owned(), url);
    tasks.push((
        "github".to_owned(),
        tokio::spawn(serve(
            "github",
            github_listener,
            github.router(),
            stopping.clone(),
        )),
    ));

    let mut kubernetes = Vec::new();
    for (context, vendor, listener, addr) in kubernetes_listeners {
        let url = format!("http://{addr}");
        let server = KubernetesServer::new(live.clone(), &context, &url, stopping.clone());
        endpoints.insert(vendor.clone(), url);
        let router = server.router();
        let stopping = stopping.clone();
        let name = vendor.clone();
        tasks.push((
            vendor,
            tokio::spawn(async move { serve(&name, listener, router, stopping).await }),
        ));
        kubernetes.push(server);
    }

    if options.speed > 0.0 {
        tasks.push((
            "clock".to_owned(),
            tokio::spawn(tick(live.clone(), stopping.clone())),
        ));
    }
    Ok(RunningSim {
        endpoints,
        clock,
        world,
        pagerduty,
        alertmanager,
        grafana,
        github,
        kubernetes,
        prometheus: None,
        live,
        stop,
        tasks,
    })
}

/// Listens for `vendor` on its port: ephemeral, or the port base plus its index in
/// [`VENDORS`].
async fn bind(vendor: &str, port_base: Option<u16>) -> Result<(TcpListener, SocketAddr), SimError> {
    bind_at(vendor, VENDORS.iter().position(|v| *v == vendor), port_base).await
}

/// Listens for `vendor` on its port: ephemeral, or the port base plus `index`.
async fn bind_at(
    vendor: &str,
    index: Option<usize>,
    port_base: Option<u16>,
) -> Result<(TcpListener, SocketAddr), SimError> {
    let port = match port_base {
        None => 0,
        Some(base) => index
            .and_then(|i| u16::try_from(i).ok())
            .and_then(|i| base.checked_add(i))
            .ok_or_else(|| SimError::PortRange {
                base,
                vendor: vendor.to_owned(),
            })?,
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let failed = |source| SimError::Bind {
        vendor: vendor.to_owned(),
        addr,
        source,
    };
    let listener = TcpListener::bind(addr).await.map_err(failed)?;
    let local = listener.local_addr().map_err(failed)?;
    Ok((listener, local))
}

async fn serve(
    vendor: &str,
    listener: TcpListener,
    router: axum::Router,
    mut stopping: watch::Receiver<bool>,
) {
    let shutdown = async move {
        // An error means the sender is gone: stop as well.
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!(target: "opsdeck_sim", "{vendor} server failed: {e}");
    }
}

async fn tick(live: LiveWorld, mut stopping: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = interval.tick() => drop(live.advance()),
            _ = stopping.wait_for(|stop| *stop) => break,
        }
    }
}
