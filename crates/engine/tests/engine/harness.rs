//! A simulator on the shared day and a Cockpit on a temporary database whose config points at
//! it, as `opsdeck sim` would write it; a notifier that records instead of showing.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use opsdeck_domain::{
    ActionKind, ActionRequest, HealthState, Notification, SourceHealth, SourceKind, TimelineEntry,
};
use opsdeck_engine::cockpit::SourceSync;
use opsdeck_engine::config::{ClockConfig, NotificationsConfig, SourceConfig};
use opsdeck_engine::{Change, Cockpit, CockpitOptions, Config, Notifier, NotifyError};
use opsdeck_sim::run::{start, RunningSim, SimOptions};
use opsdeck_sim::scenario::bundled_day;
use tokio::sync::broadcast;

/// Distinctive, so a test can tell it never leaks into a message.
pub const TOKEN: &str = "sim-token-never-shown";
pub const SOURCE: &str = "pagerduty";

pub fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 4).expect("valid date")
}

/// `HH:MM` UTC on the replayed date (the shared day is in UTC).
pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    date().and_hms_opt(h, m, 0).expect("valid time").and_utc()
}

/// The shared day at the scenario time `at`, running at `speed` (0 = frozen).
pub async fn sim(at: &str, speed: f64) -> RunningSim {
    let scenario = bundled_day();
    let at = scenario.parse_time(at).expect("valid scenario time");
    start(SimOptions {
        scenario: Arc::new(scenario),
        date: date(),
        at,
        speed,
        port_base: None,
    })
    .await
    .expect("simulator starts")
}

/// Records every notification instead of showing it: a mock of opsdeck's own seam.
#[derive(Default)]
pub struct Recorder {
    shown: Mutex<Vec<Notification>>,
}

impl Recorder {
    pub fn all(&self) -> Vec<Notification> {
        self.shown.lock().expect("recorder").clone()
    }

    pub fn keys(&self) -> Vec<String> {
        self.shown
            .lock()
            .expect("recorder")
            .iter()
            .map(|n| n.key.clone())
            .collect()
    }
}

impl Notifier for Recorder {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        self.shown.lock().expect("recorder").push(n.clone());
        Ok(())
    }
}

/// One PagerDuty source on the simulator, with a literal token (allowed: loopback).
pub fn pagerduty_source(name: &str, url: &str, timeout: Duration) -> SourceConfig {
    let mut source = SourceConfig::new(SourceKind::Pagerduty, url);
    source.name = Some(name.to_string());
    source.token = Some(TOKEN.to_string());
    source.timeout = timeout;
    source
}

/// The config `opsdeck sim` would write for `running`, with `sources`.
pub fn config_for(running: &RunningSim, sources: Vec<SourceConfig>) -> Config {
    Config {
        version: 1,
        timezone: Some("UTC".into()),
        me: None,
        clock: Some(ClockConfig {
            simulated_at: running.clock.simulated_at,
            real_at: running.clock.real_at,
            speed: running.clock.speed,
        }),
        sources,
        services: Vec::new(),
        notifications: NotificationsConfig::default(),
        actions: Default::default(),
        desktop: Default::default(),
        changes: Default::default(),
        runbooks: Default::default(),
        shifts: Default::default(),
        history: Default::default(),
    }
}

/// A temporary directory holding the config file and the cache.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("cache/opsdeck.sqlite")
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("opsdeck.toml")
    }

    /// Saves `config` and opens a Cockpit on what was saved, so the config is one the loader
    /// accepts (loopback-only literal token, known keys) and not just a struct.
    pub fn open(&self, config: &Config, notifier: Arc<Recorder>) -> Cockpit {
        config.save(&self.config_path()).expect("config saves");
        let loaded = Config::load(&self.config_path()).expect("saved config loads");
        assert_eq!(&loaded, config, "the config round-trips");
        Cockpit::open(CockpitOptions {
            config: loaded,
            config_path: self.config_path(),
            db_path: self.db(),
            notifier: Some(notifier),
        })
        .expect("cockpit opens")
    }
}

/// Every cached entry of the replayed day.
pub fn day(cockpit: &Cockpit) -> Vec<TimelineEntry> {
    cockpit.timeline_day(date()).expect("timeline reads")
}

pub fn health_of(cockpit: &Cockpit, name: &str) -> SourceHealth {
    cockpit
        .health()
        .expect("health reads")
        .into_iter()
        .find(|h| h.name == name)
        .unwrap_or_else(|| panic!("no health for {name}"))
}

pub fn result_of<'a>(syncs: &'a [SourceSync], name: &str) -> &'a SourceSync {
    syncs
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no sync result for {name}"))
}

/// Syncs once and expects every source to succeed.
pub async fn sync_ok(cockpit: &Cockpit) -> Vec<SourceSync> {
    let syncs = cockpit.sync_once().await;
    for s in &syncs {
        assert!(s.result.is_ok(), "{} failed: {:?}", s.name, s.result);
    }
    syncs
}

pub fn assert_healthy(cockpit: &Cockpit, name: &str) {
    let health = health_of(cockpit, name);
    assert_eq!(health.state, HealthState::Ok, "{health:?}");
}

/// Waits for the first change on the feed that `wanted` accepts, failing after `within`.
pub async fn wait_for_change(
    feed: &mut broadcast::Receiver<Change>,
    within: Duration,
    wanted: impl Fn(&Change) -> bool,
) -> Change {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, feed.recv()).await {
            Ok(Ok(change)) if wanted(&change) => return change,
            Ok(Ok(_)) => {}
            // Missed some: the ones still queued may be what we want.
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(broadcast::error::RecvError::Closed)) => panic!("the change feed closed"),
            Err(_) => panic!("no matching change within {within:?}"),
        }
    }
}

/// A loopback port nobody listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// An action request as the shells send it.
pub fn request(kind: ActionKind, target: &str, params: &[(&str, &str)]) -> ActionRequest {
    ActionRequest {
        kind,
        target: target.into(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}
